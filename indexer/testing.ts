// Test-only helpers: a private hardhat chain with OneHeart deployed, event generators, table
// comparisons, the indexer as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  encodeFunctionData,
  http,
  keccak256,
  toHex,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createChainReader, loadDeployments, type Deployments } from '../lib/chain.ts';
import { childEnv } from '../lib/config.ts';
import { deployOneHeart, HARDHAT_ACCOUNT_0_KEY } from '../scripts/deploy.ts';
import { startChain } from '../scripts/stack/chain.ts';
import { loadAbi } from './decode.ts';
import { Indexer, type IndexerOptions } from './sync.ts';

/** Hardhat's public dev accounts #1 and #2. */
export const KEY_1: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const KEY_2: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
export const addressOf = (key: Hex) => privateKeyToAccount(key).address.toLowerCase() as Address;

const leafHash = (account: Address, cumulative: bigint) =>
  keccak256(keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [account, cumulative])));

export async function startTestChain() {
  const chain = await startChain();
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-indexer-'));
  await deployOneHeart({ rpcUrl: chain.url, deployerPrivateKey: HARDHAT_ACCOUNT_0_KEY, outDir });
  const deployments = (await loadDeployments(outDir, chain.chainId)) as Deployments;
  const client = createChainReader(chain.url);
  const viemChain = defineChain({
    id: chain.chainId,
    name: 'test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [chain.url] } },
  });
  const stableAbi = (JSON.parse(await readFile(path.resolve(import.meta.dirname, '../artifacts/contracts/dev/TestStablecoin.sol/TestStablecoin.json'), 'utf8')) as { abi: Abi }).abi;
  const abis = { HeartToken: loadAbi('HeartToken'), LedgerAnchor: loadAbi('LedgerAnchor'), RewardDistributor: loadAbi('RewardDistributor'), SponsorPool: loadAbi('SponsorPool'), Stablecoin: stableAbi };
  const addr = (n: keyof typeof abis) => deployments.contracts[n]!.address;

  async function send(key: Hex, name: keyof typeof abis, functionName: string, args: readonly unknown[]): Promise<Hex> {
    const wallet = createWalletClient({ account: privateKeyToAccount(key), chain: viemChain, transport: http(chain.url) });
    const hash = await wallet.writeContract({ address: addr(name), abi: abis[name], functionName, args });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${name}.${functionName} reverted`);
    return hash;
  }
  const read = (name: keyof typeof abis, functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: addr(name), abi: abis[name], functionName, args }) as Promise<unknown>;

  let epoch = 0;
  const ops = {
    /** Anchors the next epoch with a one-leaf rewards tree and claims it (2 blocks: EpochAnchored, Claimed + Transfer mint). */
    async reward(account: Address, cumulative: bigint) {
      epoch++;
      const root = leafHash(account, cumulative);
      const logRoot = keccak256(toHex('log'));
      const anchored = await send(HARDHAT_ACCOUNT_0_KEY, 'LedgerAnchor', 'anchorEpoch', [BigInt(epoch), 10n, logRoot, root, `s3://exports/${epoch}`, keccak256(toHex(epoch)), []]);
      return [anchored, await send(HARDHAT_ACCOUNT_0_KEY, 'RewardDistributor', 'claim', [account, cumulative, BigInt(epoch), []])];
    },
    transfer: (key: Hex, to: Address, amount: bigint) => send(key, 'HeartToken', 'transfer', [to, amount]),
    redeem: (key: Hex, amount: bigint, id: string) => send(key, 'HeartToken', 'redeem', [amount, keccak256(toHex(id))]),
    async fund(key: Hex, campaign: string, amount: bigint) {
      await send(key, 'Stablecoin', 'mint', [addressOf(key), amount]);
      await send(key, 'Stablecoin', 'approve', [addr('SponsorPool'), amount]);
      return send(key, 'SponsorPool', 'fund', [keccak256(toHex(campaign)), keccak256(toHex('zone')), amount]);
    },
    disburse: (bucket: number, campaign: string, to: Address, amount: bigint) =>
      send(HARDHAT_ACCOUNT_0_KEY, 'SponsorPool', 'disburse', [bucket, keccak256(toHex(campaign)), to, amount, keccak256(toHex('pay'))]),
    setSplit: (l: number, n: number, g: number) => send(HARDHAT_ACCOUNT_0_KEY, 'SponsorPool', 'setSplit', [l, n, g]),
    pauseAnchor: () => send(HARDHAT_ACCOUNT_0_KEY, 'LedgerAnchor', 'pause', []),
    unpauseAnchor: () => send(HARDHAT_ACCOUNT_0_KEY, 'LedgerAnchor', 'unpause', []),
    pausePool: () => send(HARDHAT_ACCOUNT_0_KEY, 'SponsorPool', 'pause', []),
    unpausePool: () => send(HARDHAT_ACCOUNT_0_KEY, 'SponsorPool', 'unpause', []),
    grantRole: (role: Hex, to: Address) => send(HARDHAT_ACCOUNT_0_KEY, 'SponsorPool', 'grantRole', [role, to]),
    revokeRole: (role: Hex, to: Address) => send(HARDHAT_ACCOUNT_0_KEY, 'SponsorPool', 'revokeRole', [role, to]),
    setEpoch: (n: number) => void (epoch = n),
    get epoch() {
      return epoch;
    },
  };
  const rpc = (method: string, params: unknown[] = []) => client.request({ method, params } as never) as Promise<unknown>;
  async function rpcBatch(calls: { method: string; params: unknown[] }[]) {
    const res = await fetch(chain.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, ...c }))),
    });
    const out = (await res.json()) as { error?: { message: string } }[];
    const failed = out.find((r) => r.error);
    if (failed) throw new Error(failed.error?.message);
  }
  /**
   * `blocks` blocks of `perBlock` HeartToken transfers each from `from` (an unlocked dev account
   * holding tokens) to rotating recipients, sent in JSON-RPC batches with automine off.
   */
  async function burst(from: Address, blocks: number, perBlock: number) {
    await rpcBatch([{ method: 'evm_setAutomine', params: [false] }]);
    try {
      for (let b = 0; b < blocks; b++) {
        const calls = [];
        for (let i = 0; i < perBlock; i++) {
          const to = `0x${((b * perBlock + i) % 500 + 1).toString(16).padStart(40, '0')}`;
          const data = encodeFunctionData({ abi: abis.HeartToken, functionName: 'transfer', args: [to, 1n] });
          calls.push({ method: 'eth_sendTransaction', params: [{ from, to: addr('HeartToken'), gas: toHex(60_000), data }] });
        }
        if (calls.length) await rpcBatch(calls);
        await rpcBatch([{ method: 'evm_mine', params: [] }]);
      }
    } finally {
      await rpcBatch([{ method: 'evm_setAutomine', params: [true] }]);
    }
  }
  return {
    url: chain.url,
    deploymentsDir: outDir,
    burst,
    client: client as PublicClient,
    deployments,
    ops,
    read,
    snapshot: () => rpc('evm_snapshot') as Promise<Hex>,
    revert: (id: Hex) => rpc('evm_revert', [id]),
    mine: (n = 1) => rpc('hardhat_mine', [toHex(n)]),
    /** Mines `n` empty blocks one by one (hardhat_mine's reserved blocks do not link by parent hash). */
    async mineLinked(n: number) {
      for (let i = 0; i < n; i++) await rpc('evm_mine');
    },
    async stop() {
      await chain.stop();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
export type TestChain = Awaited<ReturnType<typeof startTestChain>>;

/** An in-process indexer of `chain`, reading through `rpcUrl` (e.g. a fault proxy) when given. */
export function makeIndexer(chain: TestChain, pool: pg.Pool, over: Partial<IndexerOptions> = {}, rpcUrl?: string, logs = { retryCount: 0 }) {
  const logsClient = createPublicClient({ transport: http(rpcUrl ?? chain.url, logs) });
  const client = rpcUrl ? (createChainReader(rpcUrl) as PublicClient) : chain.client;
  return new Indexer({ client, logsClient, pool, deployments: chain.deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3, ...over });
}

const DUMPS = {
  chain_events: 'SELECT chain_id, block_number, block_hash, tx_hash, log_index, contract, event_name, args::text FROM chain_events',
  token_balances: 'SELECT * FROM token_balances',
  pool_bucket_balances: 'SELECT * FROM pool_bucket_balances',
  sponsor_funding: 'SELECT * FROM sponsor_funding',
  chain_epochs: 'SELECT * FROM chain_epochs',
  chain_redemptions: 'SELECT * FROM chain_redemptions',
  indexer_checkpoints: 'SELECT name, chain_id, block_number, block_hash FROM indexer_checkpoints',
};

/** Every mirrored table as sorted JSON lines, for comparing two databases. */
export async function dumpTables(sql: pg.ClientBase | pg.Pool): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, query] of Object.entries(DUMPS)) {
    const r = await sql.query(query);
    out[table] = r.rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

/** Tables compared by `diffTables`: every mirrored and derived table, and the checkpoint (without write times). */
const COMPARED: Record<string, string> = {
  chain_events: 'chain_id, block_number, block_hash, tx_hash, log_index, contract, event_name, args',
  token_balances: '*',
  pool_bucket_balances: '*',
  sponsor_funding: '*',
  chain_epochs: '*',
  chain_redemptions: '*',
  indexer_checkpoints: 'name, chain_id, block_number, block_hash',
};

/**
 * Rows of each compared table that are in `a` and not in `b` and the reverse, by SQL `EXCEPT ALL`
 * both ways (so duplicated rows count too): `b`'s rows are copied into a temporary table of `a`'s
 * database. Tables that agree are left out, so equal databases give `{}`.
 */
export async function diffTables(a: pg.Pool, b: pg.Pool): Promise<Record<string, { onlyInA: unknown[]; onlyInB: unknown[] }>> {
  const out: Record<string, { onlyInA: unknown[]; onlyInB: unknown[] }> = {};
  for (const [table, cols] of Object.entries(COMPARED)) {
    // as text: numeric(78,0) values do not survive a round trip through JS numbers
    const other = await b.query<{ rows: string }>(`SELECT coalesce(json_agg(t), '[]')::text AS rows FROM (SELECT ${cols} FROM ${table}) t`);
    const c = await a.connect();
    try {
      await c.query('BEGIN');
      await c.query(`CREATE TEMP TABLE other ON COMMIT DROP AS SELECT ${cols} FROM ${table} WITH NO DATA`);
      await c.query(`INSERT INTO other SELECT ${cols} FROM json_populate_recordset(NULL::${table}, $1::json)`, [other.rows[0]!.rows]);
      const onlyInA = (await c.query(`SELECT ${cols} FROM ${table} EXCEPT ALL SELECT * FROM other`)).rows;
      const onlyInB = (await c.query(`SELECT * FROM other EXCEPT ALL SELECT ${cols} FROM ${table}`)).rows;
      if (onlyInA.length || onlyInB.length) out[table] = { onlyInA, onlyInB };
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  }
  return out;
}

/** Mirrored events appearing more than once under the same (chain_id, tx_hash, log_index). */
export async function duplicateEvents(pool: pg.Pool): Promise<number> {
  const r = await pool.query('SELECT 1 FROM chain_events GROUP BY chain_id, tx_hash, log_index HAVING count(*) > 1');
  return r.rowCount ?? 0;
}

/** Polls `check` every 20 ms until it returns true; fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The indexer's checkpoint in `pool` (null before its first commit). */
export async function checkpointOf(pool: pg.Pool): Promise<{ blockNumber: bigint; blockHash: Hex } | null> {
  const r = await pool.query<{ block_number: string; block_hash: Hex }>('SELECT block_number, block_hash FROM indexer_checkpoints');
  const row = r.rows[0];
  return row ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash } : null;
}

/** Waits until the indexer writing to `pool` has mirrored the chain's current head block. */
export async function waitCaughtUp(chain: TestChain, pool: pg.Pool, timeoutMs = 60_000): Promise<void> {
  const head = await chain.client.getBlock({ blockTag: 'latest' });
  await waitFor(`the indexer to reach block ${head.number}`, async () => (await checkpointOf(pool))?.blockHash === head.hash, timeoutMs);
}

export interface IndexerProcess {
  child: ChildProcess;
  /** stdout and stderr so far (pino JSON lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run indexer` as a child process (`node --import tsx indexer/main.ts`) with `env` added. */
export function spawnIndexer(env: Record<string, string>): IndexerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'main.ts')], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({ LOG_LEVEL: 'info', NODE_ENV: 'test', ...env }),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Environment of an indexer process mirroring `chain` into `databaseUrl` through `rpcUrl`. */
export const indexerEnv = (chain: TestChain, databaseUrl: string, over: Record<string, string> = {}) => ({
  DATABASE_URL: databaseUrl,
  RPC_URL: chain.url,
  DEPLOYMENTS_DIR: chain.deploymentsDir,
  INDEXER_POLL_MS: '50',
  ...over,
});
