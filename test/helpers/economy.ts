// Test support for the Heart economy (not a test file): OneHeart deployed on the test chain by
// an operator, API apps on one fresh database, Heart earned and claimed, the indexer synced.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseEther, type Address, type Hex, type LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../../api/testing.ts';
import { Indexer } from '../../indexer/sync.ts';
import { createChainWriter, loadDeployments, type Deployments } from '../../lib/chain.ts';
import { testServices } from '../../lib/config.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { closeEpoch, type CloseEpochResult } from '../../scripts/epoch-close.ts';
import { deployOneHeart } from '../../scripts/deploy.ts';
import { entryInput, seedActions } from '../ledger/seed.ts';
import { freshDatabase, type TestDatabase } from './database.ts';

export const HEART = 10n ** 18n;

export type Session = Awaited<ReturnType<typeof signIn>> & { wallet: LocalAccount; address: Address };

export interface Economy {
  db: TestDatabase;
  pool: pg.Pool;
  /** The first app; `apps` holds all of them (same database, chain, operator and Redis prefix). */
  t: TestApp;
  apps: TestApp[];
  operatorKey: Hex;
  deployments: Deployments;
  /** Gives `address` 100 ETH for gas (hardhat_setBalance: no nonce involved). */
  fund(address: Address): Promise<void>;
  /** A signed-in player with a funded wallet. */
  player(): Promise<Session>;
  /** Appends ledger entries paying each player `heart` and closes the next epoch (closeMonth). */
  earnAndClose(earnings: [Session, bigint][]): Promise<CloseEpochResult>;
  /** Closes and anchors the next month: the current month first, then the following ones. */
  closeMonth(): Promise<CloseEpochResult>;
  /** Mirrors the chain up to its head. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Deploys OneHeart with `operatorKey` (a fresh funded key unless given: then no dev account's
 * nonce is shared with other test files) and starts `instances` API apps on one fresh database.
 */
export async function startEconomy(opts: { operatorKey?: Hex; instances?: number; env?: Record<string, string> } = {}): Promise<Economy> {
  const s = testServices();
  const operatorKey = opts.operatorKey ?? generatePrivateKey();
  const db = await freshDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-economy-'));
  const shared = { S3_BUCKET: `economy-${randomBytes(5).toString('hex')}`, DEPLOYMENTS_DIR: outDir, OPERATOR_PRIVATE_KEY: operatorKey, REDIS_PREFIX: `t:${randomBytes(6).toString('hex')}:`, ...opts.env };
  const apps: TestApp[] = [];
  for (let i = 0; i < (opts.instances ?? 1); i++) apps.push(await testApp(db.url, shared));
  const t = apps[0]!;
  const fund = async (address: Address) => {
    await t.deps.chain.request({ method: 'hardhat_setBalance', params: [address, `0x${parseEther('100').toString(16)}`] } as never);
  };
  await fund(privateKeyToAccount(operatorKey).address);
  await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: operatorKey, outDir });
  const deployments = (await loadDeployments(outDir, await t.deps.chain.getChainId()))!;
  await t.deps.storage.ensureBucket();
  let months = 0;
  let bystanders = 0;
  const closeMonth = () => {
    // `now` is just past the month's end; entries written now belong to the current or any later month
    const d = new Date();
    const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months++, 1));
    return closeEpoch({
      pool, storage: t.deps.storage, reader: t.deps.chain, writer: createChainWriter(s.RPC_URL, operatorKey),
      anchor: deployments.contracts.LedgerAnchor!.address as Address, month: first.toISOString().slice(0, 7),
      now: new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1, 0, 0, 1)),
    });
  };

  return {
    db, pool, t, apps, operatorKey, deployments, fund, closeMonth,
    async player() {
      const wallet = newWallet();
      await fund(wallet.address);
      const session = await signIn(t, wallet);
      return { ...session, wallet, address: wallet.address.toLowerCase() as Address };
    },
    async earnAndClose(earnings) {
      // a bystander with 1 Heart too, so the claim tree never has a single leaf
      const seeded = await seedActions(db.sql, 1, (0xe0 + bystanders++).toString(16));
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        for (const [p, heart] of earnings) {
          const id = randomUUID();
          await c.query(`INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at)
                         VALUES ($1, $2, $3, $4, 0, 0, 5, now())`, [id, p.player.id, seeded.mission, `k-${id}`]);
          await appendEntry(c, entryInput(id, seeded.mission, p.address, heart));
        }
        await appendEntry(c, entryInput(seeded.actions[0]!, seeded.mission, seeded.address, HEART));
        await c.query('COMMIT');
      } finally {
        c.release();
      }
      return closeMonth();
    },
    async sync() {
      await new Indexer({ client: t.deps.chain, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();
    },
    async close() {
      await pool.end();
      for (const a of apps) await a.close();
      await db.drop();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** POST /api/token/claim for `p` and waits for the transaction. */
export async function claimRelayed(e: Economy, p: Session, app: TestApp = e.t): Promise<Hex> {
  const res = await app.app.inject({ method: 'POST', url: '/api/token/claim', headers: bearer(p.accessToken) });
  if (res.statusCode !== 200) throw new Error(`claim: ${res.statusCode} ${res.body}`);
  const txHash = res.json().txHash as Hex;
  const receipt = await e.t.deps.chain.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== 'success') throw new Error('claim reverted');
  return txHash;
}
