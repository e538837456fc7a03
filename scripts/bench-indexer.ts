/**
 * Indexer backfill benchmark: emits many HeartToken Transfer events on a private hardhat node,
 * then backfills them from scratch into a fresh, migrated Postgres and prints events/s.
 *   tsx scripts/bench-indexer.ts [--events 50000]
 * Event generation (eth_sendTransaction batches with automine off) is not timed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { encodeFunctionData, toHex, type Address } from 'viem';
import { migrate } from '../lib/migrator.ts';
import { loadAbi } from '../indexer/decode.ts';
import { addressOf, makeIndexer, startTestChain } from '../indexer/testing.ts';
import { HARDHAT_ACCOUNT_0_KEY } from './deploy.ts';
import { startPostgres } from './stack/postgres.ts';

const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 50_000;
const BATCH = 500;

async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, ...c }))),
  });
  const out = (await res.json()) as { error?: { message: string } }[];
  const failed = out.find((r) => r.error);
  if (failed) throw new Error(failed.error?.message);
  return out;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-bench-indexer-'));
const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), persistent: false, fast: true });
const chain = await startTestChain();
try {
  const from = addressOf(HARDHAT_ACCOUNT_0_KEY);
  await chain.ops.reward(from, 10n ** 24n);
  const token = chain.deployments.contracts.HeartToken!.address;
  const abi = loadAbi('HeartToken');
  const t0 = Date.now();
  await rpcBatch(chain.url, [{ method: 'evm_setAutomine', params: [false] }]);
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    const calls = [];
    for (let i = sent; i < Math.min(sent + BATCH, EVENTS); i++) {
      const to = `0x${(i % 2000 + 1).toString(16).padStart(40, '0')}` as Address;
      calls.push({ method: 'eth_sendTransaction', params: [{ from, to: token, gas: toHex(60_000), data: encodeFunctionData({ abi, functionName: 'transfer', args: [to, 1n] }) }] });
    }
    await rpcBatch(chain.url, calls);
    await rpcBatch(chain.url, [{ method: 'evm_mine', params: [] }]);
  }
  await rpcBatch(chain.url, [{ method: 'evm_setAutomine', params: [true] }]);
  // push the events below the finality window so they are backfilled (evm_mine: hardhat_mine's
  // reserved blocks report parent hashes that do not link)
  await rpcBatch(chain.url, Array.from({ length: 100 }, () => ({ method: 'evm_mine', params: [] })));
  console.log(`[bench] generated ${EVENTS} Transfer events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const admin = new pg.Client({ connectionString: postgres.adminUrl() });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  await migrate(postgres.adminUrl('bench'));
  const pool = new pg.Pool({ connectionString: postgres.adminUrl('bench'), max: 8 });
  pool.on('error', () => undefined);
  const indexer = makeIndexer(chain, pool, { maxBlockRange: 10_000, concurrency: 4 });
  const start = process.hrtime.bigint();
  await indexer.syncToHead().catch(async (err: unknown) => {
    await pool.end();
    throw err;
  });
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM chain_events');
  const balances = await pool.query('SELECT count(*)::int AS n FROM token_balances');
  const n = rows[0].n as number;
  console.log(`[bench] backfilled ${n} events (${balances.rows[0].n} balances) in ${secs.toFixed(2)} s = ${Math.round(n / secs)} events/s`);
  await pool.end();
} finally {
  await chain.stop();
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
}
