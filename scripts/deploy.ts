// Deploys the OneHeart contracts with viem and the Hardhat artifacts, and writes deployments/<chainId>.json
// (+ deployments/<chainId>.input.json, the solc standard-JSON input for explorer verification).
//
//   import { deployOneHeart } from './scripts/deploy.ts';
//   await deployOneHeart({ rpcUrl: 'http://127.0.0.1:8545', deployerPrivateKey: HARDHAT_ACCOUNT_0_KEY });
//
// CLI: npm run deploy -- [--rpc URL] [--key 0x..] [--admin 0x..] [--stablecoin 0x..] [--force]
//      (--rpc falls back to RPC_URL, then http://127.0.0.1:8545; --key to the dev account #0).
// An existing deployments/<chainId>.json is reused when all its contracts still have code and the ABIs
// did not change (abiHash), so repeated `npm start` runs against the same node do not redeploy.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPublicClient, createWalletClient, defineChain, getAddress, http, type Abi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_OPERATOR_KEY, loadStackConfig } from '../lib/config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Hardhat's well-known dev account #0 (public; never use it on a real network). */
export const HARDHAT_ACCOUNT_0_KEY: Hex = DEV_OPERATOR_KEY;

const ARTIFACTS = {
  HeartToken: 'contracts/HeartToken.sol/HeartToken.json',
  LedgerAnchor: 'contracts/LedgerAnchor.sol/LedgerAnchor.json',
  RewardDistributor: 'contracts/RewardDistributor.sol/RewardDistributor.json',
  SponsorPool: 'contracts/SponsorPool.sol/SponsorPool.json',
  Stablecoin: 'contracts/dev/TestStablecoin.sol/TestStablecoin.json',
} as const;
type Name = keyof typeof ARTIFACTS;

interface Artifact {
  abi: Abi;
  bytecode: Hex;
  buildInfoId: string;
}

export interface DeployOptions {
  rpcUrl: string;
  deployerPrivateKey: Hex;
  /** DEFAULT_ADMIN_ROLE holder on every contract; defaults to the deployer. */
  admin?: Address;
  /** Existing stablecoin; when absent a TestStablecoin (dev only) is deployed. */
  stablecoin?: Address;
  /** ANCHORER_ROLE; defaults to the deployer (the operator key that anchors epochs). */
  anchorer?: Address;
  /** PAUSER_ROLE, TREASURER_ROLE, GOVERNOR_ROLE; default to admin. */
  pauser?: Address;
  treasurer?: Address;
  governor?: Address;
  /** Where <chainId>.json is written; defaults to <repo>/deployments. */
  outDir?: string;
  /** Redeploy even if a matching deployment exists. */
  force?: boolean;
}

export interface Deployment {
  chainId: number;
  contracts: Record<Name, { address: Address; blockNumber: number }>;
  abiHash: string;
}

async function loadArtifacts(): Promise<Record<Name, Artifact>> {
  const dir = path.join(ROOT, 'artifacts');
  if (!Object.values(ARTIFACTS).every((p) => existsSync(path.join(dir, p)))) {
    execFileSync(path.join(ROOT, 'node_modules/.bin/hardhat'), ['build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const entries = await Promise.all(
    Object.entries(ARTIFACTS).map(async ([name, p]) => [name, JSON.parse(await readFile(path.join(dir, p), 'utf8'))]),
  );
  return Object.fromEntries(entries) as Record<Name, Artifact>;
}

/** sha256 over the canonical JSON of the five ABIs, keyed and ordered by deployment name. */
export function abiHashOf(artifacts: Record<Name, { abi: Abi }>): string {
  const names = Object.keys(ARTIFACTS).sort() as Name[];
  const canonical = JSON.stringify(names.map((n) => [n, artifacts[n].abi]));
  return createHash('sha256').update(canonical).digest('hex');
}

export async function deployOneHeart(opts: DeployOptions): Promise<Deployment> {
  const artifacts = await loadArtifacts();
  const abiHash = abiHashOf(artifacts);
  const account = privateKeyToAccount(opts.deployerPrivateKey);
  const probe = createPublicClient({ transport: http(opts.rpcUrl) });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(opts.rpcUrl) });
  const wallet = createWalletClient({ account, chain, transport: http(opts.rpcUrl) });
  const outDir = opts.outDir ?? path.join(ROOT, 'deployments');
  const outFile = path.join(outDir, `${chainId}.json`);

  if (!opts.force && existsSync(outFile)) {
    const previous = JSON.parse(await readFile(outFile, 'utf8')) as Deployment;
    const codes = await Promise.all(
      Object.values(previous.contracts ?? {}).map((c) => publicClient.getCode({ address: c.address })),
    );
    const complete = Object.keys(ARTIFACTS).every((n) => previous.contracts?.[n as Name]);
    if (previous.abiHash === abiHash && complete && codes.every((c) => c !== undefined && c !== '0x')) return previous;
  }

  const deployer = account.address;
  const admin = opts.admin ?? deployer;
  const roles = {
    anchorer: opts.anchorer ?? deployer,
    pauser: opts.pauser ?? admin,
    treasurer: opts.treasurer ?? admin,
    governor: opts.governor ?? admin,
  };
  const deploy = async (name: Name, args: readonly unknown[]) => {
    const { abi, bytecode } = artifacts[name];
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`${name} deployment failed`);
    return { address: getAddress(receipt.contractAddress), blockNumber: Number(receipt.blockNumber) };
  };

  let stablecoin: { address: Address; blockNumber: number };
  if (opts.stablecoin) {
    stablecoin = { address: getAddress(opts.stablecoin), blockNumber: 0 };
  } else {
    stablecoin = await deploy('Stablecoin', []);
  }
  const anchor = await deploy('LedgerAnchor', [admin, roles.anchorer, roles.pauser]);
  const distributor = await deploy('RewardDistributor', [anchor.address, admin]);
  const token = (await publicClient.readContract({
    address: distributor.address,
    abi: artifacts.RewardDistributor.abi,
    functionName: 'token',
  })) as Address;
  const pool = await deploy('SponsorPool', [stablecoin.address, admin, roles.treasurer, roles.governor, roles.pauser]);

  const deployment: Deployment = {
    chainId,
    contracts: {
      HeartToken: { address: token, blockNumber: distributor.blockNumber },
      LedgerAnchor: anchor,
      RewardDistributor: distributor,
      SponsorPool: pool,
      Stablecoin: stablecoin,
    },
    abiHash,
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(outFile, `${JSON.stringify(deployment, null, 2)}\n`);
  await writeStandardJsonInput(artifacts, path.join(outDir, `${chainId}.input.json`));
  return deployment;
}

/** Keeps the solc standard-JSON input(s) next to the deployment, for explorer verification. */
async function writeStandardJsonInput(artifacts: Record<Name, Artifact>, file: string): Promise<void> {
  const ids = [...new Set(Object.values(artifacts).map((a) => a.buildInfoId))];
  const buildInfos: Record<string, unknown> = {};
  for (const id of ids) {
    const info = JSON.parse(await readFile(path.join(ROOT, 'artifacts/build-info', `${id}.json`), 'utf8'));
    buildInfos[id] = { solcVersion: info.solcLongVersion ?? info.solcVersion, input: info.input };
  }
  const contracts = Object.fromEntries(
    Object.entries(artifacts).map(([name, a]) => [name, { buildInfoId: a.buildInfoId }]),
  );
  await writeFile(file, `${JSON.stringify({ contracts, buildInfos })}\n`);
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const deployment = await deployOneHeart({
    rpcUrl: argValue('--rpc') ?? loadStackConfig().RPC_URL ?? 'http://127.0.0.1:8545',
    deployerPrivateKey: (argValue('--key') ?? HARDHAT_ACCOUNT_0_KEY) as Hex,
    admin: argValue('--admin') as Address | undefined,
    stablecoin: argValue('--stablecoin') as Address | undefined,
    force: process.argv.includes('--force'),
  });
  console.log(JSON.stringify(deployment, null, 2));
}
