/**
 * Indexer benchmark (`npm run bench:indexer`):
 *  1. emits ≥ 200k events across the contracts (HeartToken transfers and redemptions, SponsorPool
 *     fundings and disbursements, LedgerAnchor epochs and RewardDistributor claims) on a private
 *     `hardhat node`, in JSON-RPC batches with automine off (not timed);
 *  2. backfills them from scratch into a fresh, migrated Postgres: events/s and time to catch up;
 *  3. streams a steady flow of blocks while the indexer tails the chain: lag in blocks and ms.
 *   tsx scripts/bench-indexer.ts [--events 200000] [--stream-blocks 60] [--block-ms 500] [--per-block 100] [--poll-ms 100] [--fast-pg]
 * `--fast-pg` runs Postgres without fsync (default: durable settings, like production).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { encodeFunctionData, keccak256, maxUint256, toHex, type Abi, type Address, type Hex } from 'viem';
import { createLogger } from '../lib/logger.ts';
import { migrate } from '../lib/migrator.ts';
import { loadAbi } from '../indexer/decode.ts';
import { runIndexer } from '../indexer/run.ts';
import { addressOf, makeIndexer, startTestChain } from '../indexer/testing.ts';
import { HARDHAT_ACCOUNT_0_KEY } from './deploy.ts';
import { startPostgres } from './stack/postgres.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 200_000);
const STREAM_BLOCKS = arg('stream-blocks', 60);
const BLOCK_MS = arg('block-ms', 500);
const PER_BLOCK = arg('per-block', 100);
const POLL_MS = arg('poll-ms', 100);
const FAST_PG = process.argv.includes('--fast-pg');
const BATCH = 500;

type Call = { method: string; params: unknown[] };
async function rpcBatch(url: string, calls: Call[]): Promise<unknown[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, ...c }))),
  });
  const out = (await res.json()) as { result?: unknown; error?: { message: string } }[];
  const failed = out.find((r) => r.error);
  if (failed) throw new Error(failed.error?.message);
  return out.map((r) => r.result);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

const dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-bench-indexer-'));
const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), persistent: false, fast: FAST_PG });
const chain = await startTestChain();
try {
  const from = addressOf(HARDHAT_ACCOUNT_0_KEY);
  const addr = (n: string) => chain.deployments.contracts[n]!.address;
  const abis: Record<string, Abi> = { HeartToken: loadAbi('HeartToken'), SponsorPool: loadAbi('SponsorPool') };
  const tx = (contract: string, functionName: string, args: readonly unknown[], gas: number): Call => ({
    method: 'eth_sendTransaction',
    params: [{ from, to: addr(contract), gas: toHex(gas), data: encodeFunctionData({ abi: abis[contract]!, functionName, args }) }],
  });
  const campaign = keccak256(toHex('bench'));

  // setup: tokens and stablecoin for the operator account, a few anchored epochs with claims
  for (let i = 0; i < 5; i++) await chain.ops.reward(from, 10n ** 24n * BigInt(i + 1));
  await chain.ops.fund(HARDHAT_ACCOUNT_0_KEY, 'bench', 10n ** 12n);
  const stableAbi = [
    { type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [] },
    { type: 'function', name: 'approve', stateMutability: 'nonpayable', inputs: [{ name: 's', type: 'address' }, { name: 'a', type: 'uint256' }], outputs: [{ type: 'bool' }] },
  ] as const;
  abis.Stablecoin = stableAbi;
  await rpcBatch(chain.url, [tx('Stablecoin', 'mint', [from, 10n ** 30n], 100_000), tx('Stablecoin', 'approve', [addr('SponsorPool'), maxUint256], 100_000)]);

  /** One block's worth of mixed transactions: ~1.4 indexed events per transaction. */
  let seq = 0;
  function mixed(n: number): { calls: Call[]; events: number } {
    const calls: Call[] = [];
    let events = 0;
    for (let i = 0; i < n; i++, seq++) {
      const to = `0x${((seq % 5000) + 1).toString(16).padStart(40, '0')}` as Address;
      const r = seq % 20;
      let call: Call;
      if (r < 9) call = tx('HeartToken', 'transfer', [to, 1n], 60_000);
      else if (r < 17) call = tx('HeartToken', 'redeem', [1n, keccak256(toHex(`bench-${seq}`)) as Hex], 80_000);
      else if (r < 19) call = tx('SponsorPool', 'fund', [campaign, campaign, 1_000n], 200_000);
      else call = tx('SponsorPool', 'disburse', [seq % 3, campaign, to, 1n, campaign], 150_000);
      calls.push(call);
      events += r >= 9 && r < 17 ? 2 : 1; // a redemption burns: Transfer + Redeemed
    }
    return { calls, events };
  }
  // full blocks raise the EIP-1559 base fee block after block: keep it at 1 wei so gas costs stay flat
  const mine = () => rpcBatch(chain.url, [{ method: 'hardhat_setNextBlockBaseFeePerGas', params: ['0x1'] }, { method: 'evm_mine', params: [] }]);

  const t0 = Date.now();
  await rpcBatch(chain.url, [{ method: 'hardhat_setBalance', params: [from, toHex(10n ** 30n)] }, { method: 'evm_setAutomine', params: [false] }]);
  let emitted = 0;
  while (emitted < EVENTS) {
    const { calls, events } = mixed(BATCH);
    await rpcBatch(chain.url, calls);
    emitted += events;
    await mine();
    if (emitted % 20_000 < events) process.stdout.write(`\r[bench] emitted ~${emitted} events`);
  }
  // mine whatever did not fit in its block, then push everything below the finality window
  for (;;) {
    const [pending, latest] = (await rpcBatch(chain.url, [
      { method: 'eth_getTransactionCount', params: [from, 'pending'] },
      { method: 'eth_getTransactionCount', params: [from, 'latest'] },
    ])) as Hex[];
    if (pending === latest) break;
    await mine();
  }
  await rpcBatch(chain.url, Array.from({ length: 100 }, () => ({ method: 'evm_mine', params: [] })));
  const genSecs = (Date.now() - t0) / 1000;
  process.stdout.write('\n');

  const admin = new pg.Client({ connectionString: postgres.adminUrl() });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const databaseUrl = postgres.adminUrl('bench');
  await migrate(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  pool.on('error', () => undefined);
  // as `npm run indexer` runs it: RPC retries, failed steps retried with backoff
  const indexer = makeIndexer(chain, pool, { maxBlockRange: 10_000, concurrency: 4 }, chain.url, { retryCount: 1 });
  const stop = new AbortController();
  let fatal: unknown;
  const running = runIndexer(indexer, { databaseUrl, pollMs: POLL_MS, signal: stop.signal, logger: createLogger('indexer', 'warn') }).catch((err: unknown) => {
    fatal = err;
  });
  const tick = async () => {
    if (fatal !== undefined) throw fatal;
    await sleep(5);
  };

  // backfill from scratch until caught up with the head
  const start = process.hrtime.bigint();
  const target = await chain.client.getBlockNumber({ cacheTime: 0 });
  while ((indexer.status().indexedBlock ?? -1n) < target) await tick();
  const backfillSecs = Number(process.hrtime.bigint() - start) / 1e9;
  const { rows } = await pool.query('SELECT count(*)::int AS n, count(DISTINCT contract)::int AS contracts FROM chain_events');
  const backfilled = rows[0].n as number;
  const byName = (await pool.query('SELECT event_name, count(*)::int AS n FROM chain_events GROUP BY 1 ORDER BY 2 DESC')).rows as { event_name: string; n: number }[];

  // live tail under a steady stream: one block of PER_BLOCK transactions every BLOCK_MS
  const minedAt = new Map<bigint, number>();
  const lagMs: number[] = [];
  const behindAtNextBlock: number[] = [];
  let maxBehind = 0n;
  let streamed = 0;
  const sampler = setInterval(() => {
    const s = indexer.status();
    if (s.indexedBlock === null) return;
    for (const [n, at] of minedAt) {
      if (n <= s.indexedBlock) {
        lagMs.push(Date.now() - at);
        minedAt.delete(n);
      }
    }
  }, 2);
  let head = await chain.client.getBlockNumber({ cacheTime: 0 });
  for (let b = 0; b < STREAM_BLOCKS; b++) {
    const blockStart = Date.now();
    const indexed = indexer.status().indexedBlock ?? 0n;
    behindAtNextBlock.push(Number(head - indexed));
    if (head - indexed > maxBehind) maxBehind = head - indexed;
    const { calls, events } = mixed(PER_BLOCK);
    await rpcBatch(chain.url, calls);
    await mine();
    head++;
    minedAt.set(head, Date.now());
    streamed += events;
    await sleep(Math.max(0, BLOCK_MS - (Date.now() - blockStart)));
  }
  const deadline = Date.now() + 30_000;
  while (minedAt.size && Date.now() < deadline) await tick();
  clearInterval(sampler);
  stop.abort();
  await running;
  await pool.end();

  lagMs.sort((a, b) => a - b);
  behindAtNextBlock.sort((a, b) => a - b);
  const table: [string, string][] = [
    ['events emitted (setup excluded)', `${emitted} in ${genSecs.toFixed(0)} s (not timed)`],
    ['events backfilled', `${backfilled} from ${rows[0].contracts} contracts: ${byName.map((r) => `${r.event_name} ${r.n}`).join(', ')}`],
    ['backfill: time to catch up', `${backfillSecs.toFixed(2)} s`],
    ['backfill: events/s', `${Math.round(backfilled / backfillSecs)}`],
    ['live: stream', `${STREAM_BLOCKS} blocks, 1 every ${BLOCK_MS} ms, ~${Math.round(streamed / STREAM_BLOCKS)} events each; poll ${POLL_MS} ms`],
    ['live: lag ms (mined → mirrored) p50 / p95 / max', `${pct(lagMs, 50)} / ${pct(lagMs, 95)} / ${lagMs.at(-1)}${minedAt.size ? ` (${minedAt.size} blocks never mirrored!)` : ''}`],
    ['live: blocks behind when the next block is mined p50 / max', `${pct(behindAtNextBlock, 50)} / ${maxBehind}`],
    ['postgres', FAST_PG ? 'fsync off (--fast-pg)' : 'durable (fsync on)'],
  ];
  const w = Math.max(...table.map(([k]) => k.length));
  console.log(`\n${'metric'.padEnd(w)} | value\n${'-'.repeat(w)}-|-${'-'.repeat(40)}`);
  for (const [k, v] of table) console.log(`${k.padEnd(w)} | ${v}`);
} finally {
  await chain.stop();
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
}
