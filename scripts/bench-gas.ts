// Gas benchmark for the OneHeart contracts. Run: hardhat run scripts/bench-gas.ts
// Prints receipt gasUsed (21k intrinsic included) for anchoring, claiming, funding and disbursing.
import { randomBytes } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { network } from 'hardhat';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { Rfc6962Tree, hashLeaf } from '../test/contracts/helpers/rfc6962.ts';
import { FastRewardsTree, syntheticAddress, type RewardLeaf } from '../test/contracts/helpers/rewards-tree.ts';

const TARGETS = { firstClaim1M: 100_000n, laterClaim: 65_000n, anchor1M: 130_000n };
const rows: Array<[string, string, string]> = [];
const record = (name: string, value: bigint | number, target?: bigint): void => {
  const verdict = target === undefined ? '' : BigInt(value) <= target ? `<= ${target} OK` : `> ${target} OVER`;
  rows.push([name, value.toString(), verdict]);
  console.log(`${name.padEnd(58)} ${value.toString().padStart(9)}  ${verdict}`);
};
const timed = async <T>(label: string, fn: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  console.error(`  [${label}: ${((performance.now() - t0) / 1000).toFixed(1)}s]`);
  return out;
};

const { viem } = await network.create();
const publicClient = await viem.getPublicClient();
const [admin, player, sponsor] = await viem.getWalletClients();
if (!admin || !player || !sponsor) throw new Error('need three accounts');
const gasOf = async (hash: Promise<Hex>): Promise<bigint> =>
  (await publicClient.waitForTransactionReceipt({ hash: await hash })).gasUsed;

const a = admin.account.address;
const anchor = await viem.deployContract('LedgerAnchor', [a, a, a]);
const distributor = await viem.deployContract('RewardDistributor', [anchor.address, a]);
const stable = await viem.deployContract('TestStablecoin', []);
const pool = await viem.deployContract('SponsorPool', [stable.address, a, a, a, a]);

// --- Ledger: 1M random entries, heads at 900k and 1M ---------------------------------------------
const LOG = 1_000_000;
const HEAD = 900_000;
const log = await timed('RFC 6962 tree over 1M entries', () => {
  const leaves = Array.from({ length: LOG }, () => hashLeaf(randomBytes(32)));
  return Rfc6962Tree.fromLeafHashes(leaves);
});
const consistency = log.consistencyProof(HEAD, LOG);

// --- Rewards trees ---------------------------------------------------------------------------------
const amountOf = (i: number): bigint => 10n ** 18n * BigInt(1 + (i % 1000));
const makeLeaves = (n: number, salt: number): RewardLeaf[] =>
  Array.from({ length: n }, (_, i) => ({ account: syntheticAddress(i, salt), cumulativeAmount: amountOf(i) }));
const big = makeLeaves(1_000_000, 1);
const tree1M = await timed('rewards tree 1M', () => FastRewardsTree.build(big));
// Pick leaves at the deepest level (20 siblings): heap position >= 2^20 - 1.
const deep = big.map((_, i) => i).filter((i) => tree1M.position(i) >= 2 ** 20 - 1).slice(0, 12);
const [holderIdx, firstIdx, ...batchIdx] = deep as [number, number, ...number[]];
const small = makeLeaves(1_000, 2);
small[0] = { account: big[holderIdx]!.account, cumulativeAmount: 10n ** 18n / 2n };
const tree1k = await FastRewardsTree.build(small);
const oz = StandardMerkleTree.of(small.map((l) => [l.account, l.cumulativeAmount]), ['address', 'uint256']);
if (oz.root !== tree1k.root) throw new Error('fast tree root differs from OpenZeppelin StandardMerkleTree');
const leaves100k = makeLeaves(100_000, 3);
const tree100k = await timed('rewards tree 100k', () => FastRewardsTree.build(leaves100k));

// --- anchorEpoch -------------------------------------------------------------------------------------
const uri = 's3://oneheart-exports/2025-01/manifest.json';
const exportHash = `0x${randomBytes(32).toString('hex')}` as Hex;
record(
  'anchorEpoch #1 (900k-entry log, no proof)',
  await gasOf(anchor.write.anchorEpoch!([1n, BigInt(HEAD), log.root(HEAD), tree1k.root, uri, exportHash, []])),
);
record(
  `anchorEpoch #2 (1M-entry log, ${consistency.length}-node consistency proof from 900k)`,
  await gasOf(anchor.write.anchorEpoch!([2n, BigInt(LOG), log.root(LOG), tree1M.root, uri, exportHash, consistency])),
  TARGETS.anchor1M,
);
record(
  'anchorEpoch #3 (1M-entry log, unchanged size, empty proof)',
  await gasOf(anchor.write.anchorEpoch!([3n, BigInt(LOG), log.root(LOG), tree100k.root, uri, exportHash, []])),
);

// --- claims ------------------------------------------------------------------------------------------
const asPlayer = { account: player.account };
const claimArgs = (leaves: RewardLeaf[], i: number, epoch: bigint, tree: FastRewardsTree) =>
  [leaves[i]!.account, leaves[i]!.cumulativeAmount, epoch, tree.proof(i)] as const;

const c1k = claimArgs(small, 0, 1n, tree1k);
record(`claim, first-time, 1k-leaf tree (${c1k[3].length} siblings; first mint ever, totalSupply 0->x)`, await gasOf(distributor.write.claim!(c1k, asPlayer)));
const c100k = claimArgs(leaves100k, 7, 3n, tree100k);
record(
  `claim, first-time, 100k-leaf tree (${c100k[3].length} siblings)`,
  await gasOf(distributor.write.claim!(c100k, asPlayer)),
);
const c1M = claimArgs(big, firstIdx, 2n, tree1M);
record(
  `claim, first-time, 1M-leaf tree (${c1M[3].length} siblings)`,
  await gasOf(distributor.write.claim!(c1M, asPlayer)),
  TARGETS.firstClaim1M,
);
const cHolder = claimArgs(big, holderIdx, 2n, tree1M);
record(
  `claim, later epoch by existing holder, 1M-leaf tree (${cHolder[3].length} siblings)`,
  await gasOf(distributor.write.claim!(cHolder, asPlayer)),
  TARGETS.laterClaim,
);
const claims = batchIdx.map((i) => {
  const [account, cumulativeAmount, epoch, proof] = claimArgs(big, i, 2n, tree1M);
  return { account, cumulativeAmount, epoch, proof: [...proof] };
});
const batchGas = await gasOf(distributor.write.claimMany!([claims], asPlayer));
record(`claimMany, ${claims.length} first-time claims, 1M-leaf tree: per claim`, batchGas / BigInt(claims.length));
const calldata = encodeFunctionData({ abi: distributor.abi, functionName: 'claim', args: c1M });
record('claim calldata bytes (1M-leaf tree, 20 siblings)', (calldata.length - 2) / 2);

// --- SponsorPool ---------------------------------------------------------------------------------------
const campaign = `0x${'c1'.repeat(32)}` as Hex;
const zone = `0x${'20'.repeat(32)}` as Hex;
const asSponsor = { account: sponsor.account };
await stable.write.mint!([sponsor.account.address, 10n ** 12n]);
await stable.write.approve!([pool.address, 2n ** 256n - 1n], asSponsor);
record('fund (first deposit of sponsor and campaign)', await gasOf(pool.write.fund!([campaign, zone, 1_000_000_000n], asSponsor)));
record('fund (repeat deposit)', await gasOf(pool.write.fund!([campaign, zone, 500_000_000n], asSponsor)));
const to = syntheticAddress(1, 9) as Address;
record('disburse (LOCAL bucket)', await gasOf(pool.write.disburse!([0, campaign, to, 100_000_000n, campaign])));

const over = rows.filter((r) => r[2].includes('OVER'));
console.log(over.length === 0 ? '\nAll gas targets met.' : `\n${over.length} gas target(s) missed.`);
if (over.length > 0) process.exitCode = 1;
