import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { network } from 'hardhat';
import { concat, keccak256, type Address, type Hex } from 'viem';
import { deployAll, ZERO, bytes32 } from './helpers/fixture.ts';
import { FastRewardsTree, syntheticAddress } from './helpers/rewards-tree.ts';
import type { LooseAssertions, RoleContract } from './behaviours/access-control.ts';

const { viem, networkHelpers } = await network.create();
const assertions = viem.assertions as unknown as LooseAssertions;
const E18 = 10n ** 18n;

async function fixture() {
  const d = await deployAll(viem);
  const [alice, bob, carol] = [d.alice, d.bob, d.carol].map((w) => w.account.address) as [Address, Address, Address];
  const values1: [Address, bigint][] = [[alice, 10n * E18], [bob, 5n * E18], ...Array.from({ length: 6 }, (_, i) => [syntheticAddress(i), BigInt(i + 1) * E18] as [Address, bigint])];
  const values2: [Address, bigint][] = [[alice, 25n * E18], [bob, 5n * E18], [carol, 1n * E18], ...values1.slice(2)];
  const tree1 = StandardMerkleTree.of(values1, ['address', 'uint256']);
  const tree2 = StandardMerkleTree.of(values2, ['address', 'uint256']);
  const anchorRoot = async (root: Hex) => {
    const epoch = ((await d.anchor.read.latestEpoch!()) as bigint) + 1n;
    await d.anchor.write.anchorEpoch!([epoch, 1n, bytes32('log'), root, 'uri', bytes32('x'), []], { account: d.anchorer.account });
  };
  const proof = (t: StandardMerkleTree<[Address, bigint]>, who: Address, amount: bigint) => t.getProof([who, amount]) as Hex[];
  return { ...d, alice, bob, carol, tree1, tree2, anchorRoot, proof };
}
const asC = (c: unknown) => c as RoleContract;

describe('RewardDistributor', () => {
  it('deploys the token with itself as sole minter and exposes its wiring', async () => {
    const { distributor, token, anchor, admin } = await networkHelpers.loadFixture(fixture);
    assert.equal(((await distributor.read.anchor!()) as string).toLowerCase(), anchor.address.toLowerCase());
    assert.equal(((await token.read.minter!()) as string).toLowerCase(), distributor.address.toLowerCase());
    assert.equal(await token.read.hasRole!([await token.read.DEFAULT_ADMIN_ROLE!(), admin.account.address]), true);
    await assertions.revertWithCustomError(viem.deployContract('RewardDistributor', [ZERO, admin.account.address]), asC(distributor), 'HeartZeroAddress');
    await assertions.revertWithCustomError(viem.deployContract('RewardDistributor', [anchor.address, ZERO]), asC(distributor), 'HeartZeroAddress');
  });

  it('computes StandardMerkleTree leaves and the fast tree matches OpenZeppelin', async () => {
    const { distributor, tree1, alice } = await networkHelpers.loadFixture(fixture);
    assert.equal(await distributor.read.leafHash!([alice, 10n * E18]), tree1.leafHash([alice, 10n * E18]));
    const leaves = Array.from({ length: 300 }, (_, i) => ({ account: syntheticAddress(i, 5), cumulativeAmount: BigInt(i) * 7n }));
    const fast = await FastRewardsTree.build(leaves);
    const oz = StandardMerkleTree.of(leaves.map((l) => [l.account, l.cumulativeAmount]), ['address', 'uint256']);
    assert.equal(fast.root, oz.root);
    assert.deepEqual(fast.proof(17), oz.getProof([leaves[17]!.account, leaves[17]!.cumulativeAmount]));
  });

  it('mints the claimable amount to the account whoever submits, and emits Claimed', async () => {
    const { distributor, token, tree1, anchorRoot, proof, alice, bob, carol } = await networkHelpers.loadFixture(fixture);
    await anchorRoot(tree1.root as Hex);
    const p = proof(tree1, alice, 10n * E18);
    const relayer = (await viem.getWalletClients())[9]!;
    const tx = distributor.write.claim!([alice, 10n * E18, 1n, p], { account: relayer.account });
    await viem.assertions.emitWithArgs(tx, distributor, 'Claimed', [alice, 1n, 10n * E18, 10n * E18]);
    assert.equal(await token.read.balanceOf!([alice]), 10n * E18);
    assert.equal(await token.read.balanceOf!([carol]), 0n);
    assert.equal(await distributor.read.claimed!([alice]), 10n * E18);
    await viem.assertions.emitWithArgs(distributor.write.claim!([bob, 5n * E18, 1n, proof(tree1, bob, 5n * E18)]), token, 'Transfer', [ZERO, bob, 5n * E18]);
  });

  it('reverts double claims, decreasing amounts, unanchored epochs and bad proofs with named errors', async () => {
    const { distributor, tree1, tree2, anchorRoot, proof, alice, bob } = await networkHelpers.loadFixture(fixture);
    const c = asC(distributor);
    const p1 = proof(tree1, alice, 10n * E18);
    await assertions.revertWithCustomErrorWithArgs(distributor.write.claim!([alice, 10n * E18, 1n, p1]), c, 'HeartRewardsEpochNotAnchored', [1n]);
    await anchorRoot(tree1.root as Hex);
    await distributor.write.claim!([alice, 10n * E18, 1n, p1]);
    await assertions.revertWithCustomErrorWithArgs(distributor.write.claim!([alice, 10n * E18, 1n, p1]), c, 'HeartNothingToClaim', [alice, 10n * E18]);
    await assertions.revertWithCustomErrorWithArgs(distributor.write.claim!([alice, 9n * E18, 1n, p1]), c, 'HeartCumulativeAmountDecreased', [alice, 10n * E18, 9n * E18]);
    await assertions.revertWithCustomErrorWithArgs(distributor.write.claim!([bob, 6n * E18, 1n, proof(tree1, bob, 5n * E18)]), c, 'HeartInvalidProof', [bob, 6n * E18, 1n]);
    await anchorRoot(tree2.root as Hex);
    // A valid epoch-2 proof is not valid against epoch 1.
    await assertions.revertWithCustomErrorWithArgs(distributor.write.claim!([alice, 25n * E18, 1n, proof(tree2, alice, 25n * E18)]), c, 'HeartInvalidProof', [alice, 25n * E18, 1n]);
  });

  it('rejects a forged 64-byte leaf (an interior node presented as a claim)', async () => {
    const { distributor, tree1, anchorRoot } = await networkHelpers.loadFixture(fixture);
    await anchorRoot(tree1.root as Hex);
    // Interior node 1 = H(sorted(node3, node4)). With single-hashed leaves, a 64-byte "leaf" abi.encode(a, b) equal
    // to node3 ‖ node4 would verify with node 1's path. We present (address(node3), node4) with that path: the
    // address truncation and the double leaf hash both defeat it.
    const dump = tree1.dump().tree as Hex[];
    const left = dump[3]!;
    const right = dump[4]!;
    const forgedAccount = `0x${left.slice(26)}` as Address;
    const forgedAmount = BigInt(right);
    const pathOfNode1 = [dump[2]!];
    assert.equal(keccak256(concat([left, right].sort())) === dump[1] || keccak256(concat([right, left])) === dump[1], true);
    await assertions.revertWithCustomErrorWithArgs(
      distributor.write.claim!([forgedAccount, forgedAmount, 1n, pathOfNode1]),
      asC(distributor),
      'HeartInvalidProof',
      [forgedAccount, forgedAmount, 1n],
    );
  });

  it('mints only the increase for a later epoch, and claimMany batches claims', async () => {
    const { distributor, token, tree1, tree2, anchorRoot, proof, alice, bob, carol } = await networkHelpers.loadFixture(fixture);
    await anchorRoot(tree1.root as Hex);
    await anchorRoot(tree2.root as Hex);
    await distributor.write.claim!([alice, 10n * E18, 1n, proof(tree1, alice, 10n * E18)]);
    const claims = [
      { account: alice, cumulativeAmount: 25n * E18, epoch: 2n, proof: proof(tree2, alice, 25n * E18) },
      { account: carol, cumulativeAmount: 1n * E18, epoch: 2n, proof: proof(tree2, carol, 1n * E18) },
      { account: bob, cumulativeAmount: 5n * E18, epoch: 1n, proof: proof(tree1, bob, 5n * E18) },
    ];
    const tx = distributor.write.claimMany!([claims]);
    await viem.assertions.emitWithArgs(tx, distributor, 'Claimed', [alice, 2n, 15n * E18, 25n * E18]);
    assert.equal(await token.read.balanceOf!([alice]), 25n * E18);
    assert.equal(await token.read.balanceOf!([carol]), 1n * E18);
    assert.equal(await token.read.totalSupply!(), 31n * E18);
    // One failing claim reverts the whole batch.
    await assertions.revertWithCustomError(distributor.write.claimMany!([claims.slice(0, 1)]), asC(distributor), 'HeartNothingToClaim');
    assert.equal(await distributor.read.claimed!([bob]), 5n * E18);
  });
});
