// Fault: the chain RPC goes away during an epoch close, once before the anchor
// transaction (the close fails after the export) and once right after it is sent
// (the rerun waits for it). The epoch is anchored exactly once: one EpochAnchored,
// one anchored epochs row keeping the sent transaction's hash. The hardhat node is this file's
// own and is never restarted (a restart loses its state): a pausable TCP proxy
// in front of it makes the RPC unreachable.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPublicClient, http, type Address, type Hex } from 'viem';
import { createChainReader, createChainWriter } from '../../lib/chain.ts';
import { loadConfig, testServices } from '../../lib/config.ts';
import { ledgerAnchorAbi } from '../../lib/ledger-anchor.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { Storage } from '../../lib/storage.ts';
import { closeEpoch, type CloseEpochOptions } from '../../scripts/epoch-close.ts';
import { deployOneHeart } from '../../scripts/deploy.ts';
import { startChain } from '../../scripts/stack/chain.ts';
import type { RunningService } from '../../scripts/stack/service.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { entryInput, seedActions } from '../ledger/seed.ts';
import { tcpProxy, type TcpProxy } from './tcp-proxy.ts';

// Hardhat dev account #2 (standard mnemonic; public): deployer and anchorer on this file's own node.
const KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

describe('fault: chain RPC unreachable during epoch close', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let chain: RunningService;
  let proxy: TcpProxy;
  let outDir: string;
  let base: Omit<CloseEpochOptions, 'month'>;
  let direct: ReturnType<typeof createPublicClient>;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    storage = new Storage(loadConfig({ ...testServices(), DATABASE_URL: db.url, S3_BUCKET: `fault-chain-${Date.now()}` }));
    await storage.ensureBucket();
    chain = await startChain();
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-fault-dep-'));
    const dep = await deployOneHeart({ rpcUrl: chain.url, deployerPrivateKey: KEY, outDir });
    proxy = await tcpProxy(Number(new URL(chain.url).port));
    const rpc = `http://127.0.0.1:${proxy.port}`;
    base = { pool, storage, reader: createChainReader(rpc), writer: createChainWriter(rpc, KEY), anchor: dep.contracts.LedgerAnchor.address as Address };
    direct = createPublicClient({ transport: http(chain.url) });
    const { mission, address, actions } = await seedActions(db.sql, 6, '33');
    for (const a of actions) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await appendEntry(c, entryInput(a, mission, address));
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    }
  });
  after(async () => {
    await proxy?.close();
    await chain?.stop();
    await pool?.end();
    storage?.destroy();
    await db?.drop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('fails while the RPC is down, then resumes and anchors exactly once', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const now = new Date(Date.UTC(y, m, 2));
    const status = async () => (await pool.query('SELECT status, anchor_tx_hash FROM epochs')).rows as { status: string; anchor_tx_hash: string | null }[];

    // 1. The RPC is down before the close starts: the export is written, the anchor is not.
    proxy.pause();
    await assert.rejects(closeEpoch({ ...base, month, now }));
    assert.deepEqual(await status(), [{ status: 'exported', anchor_tx_hash: null }]);
    await proxy.resume();

    // 2. The rerun loses the RPC right after anchorEpoch is sent (cut from the close's
    //    own log line, once the hash is saved) and gets it back while it waits for the
    //    receipt: it keeps the one sent transaction instead of sending another.
    let sent: string | null = null;
    const cutAfterSend = (msg: string) => {
      if (!msg.includes('anchorEpoch sent')) return;
      proxy.pause();
      void status().then(([row]) => {
        sent = row?.anchor_tx_hash ?? null;
        assert.equal(row?.status, 'anchoring');
        return proxy.resume();
      });
    };
    const res = await closeEpoch({ ...base, month, now, log: cutAfterSend });
    assert.equal(res.status, 'anchored');
    assert.match(sent ?? '', /^0x[0-9a-f]{64}$/);
    assert.equal(res.txHash, sent);
    assert.equal((await closeEpoch({ ...base, month, now })).status, 'already-closed');

    const rows = (await pool.query('SELECT epoch, status, anchor_tx_hash FROM epochs')).rows;
    assert.deepEqual(rows, [{ epoch: 1, status: 'anchored', anchor_tx_hash: sent }]);
    const events = await direct.getContractEvents({ address: base.anchor, abi: [...ledgerAnchorAbi, ...anchoredEvent], eventName: 'EpochAnchored', fromBlock: 0n });
    assert.equal(events.length, 1, 'one EpochAnchored event');
    assert.equal(events[0]?.transactionHash, sent);
    assert.equal(await direct.readContract({ address: base.anchor, abi: ledgerAnchorAbi, functionName: 'latestEpoch' }), 1n);
  });
});

const anchoredEvent = [{
  type: 'event', name: 'EpochAnchored',
  inputs: [
    { name: 'epoch', type: 'uint64', indexed: true }, { name: 'treeSize', type: 'uint64', indexed: false },
    { name: 'logRoot', type: 'bytes32', indexed: false }, { name: 'rewardsRoot', type: 'bytes32', indexed: false },
    { name: 'exportURI', type: 'string', indexed: false }, { name: 'exportHash', type: 'bytes32', indexed: false },
  ],
}] as const;
