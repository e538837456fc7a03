// Test-only helpers: a private hardhat chain with OneHeart deployed, event generators, table dumps.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
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
  return {
    url: chain.url,
    client: client as PublicClient,
    deployments,
    ops,
    read,
    snapshot: () => rpc('evm_snapshot') as Promise<Hex>,
    revert: (id: Hex) => rpc('evm_revert', [id]),
    mine: (n = 1) => rpc('hardhat_mine', [toHex(n)]),
    async stop() {
      await chain.stop();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
export type TestChain = Awaited<ReturnType<typeof startTestChain>>;

export function makeIndexer(chain: TestChain, pool: pg.Pool, over: Partial<IndexerOptions> = {}) {
  const logsClient = createPublicClient({ transport: http(chain.url, { retryCount: 0 }) });
  return new Indexer({ client: chain.client, logsClient, pool, deployments: chain.deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3, ...over });
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
