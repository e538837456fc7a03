import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { network } from 'hardhat';
import { parseSignature, type Address } from 'viem';
import { deployAll, ROLES, ZERO, bytes32 } from './helpers/fixture.ts';
import { behavesLikeAccessControl, type LooseAssertions, type RoleContract } from './behaviours/access-control.ts';

const { viem, networkHelpers } = await network.create();
const assertions = viem.assertions as unknown as LooseAssertions;
const E18 = 10n ** 18n;

async function fixture() {
  const d = await deployAll(viem);
  // Give alice 100 HEART through the only mint path: a claim.
  const alice = d.alice.account.address;
  const leaf = (await d.distributor.read.leafHash!([alice, 100n * E18])) as `0x${string}`;
  await d.anchor.write.anchorEpoch!([1n, 1n, bytes32('log'), leaf, 'uri', bytes32('x'), []], { account: d.anchorer.account });
  await d.distributor.write.claim!([alice, 100n * E18, 1n, []]);
  return d;
}
const asC = (c: unknown) => c as RoleContract;

describe('HeartToken', () => {
  it('is Heart/HEART with 18 decimals and supply from claims only', async () => {
    const { token } = await networkHelpers.loadFixture(fixture);
    assert.equal(await token.read.name!(), 'Heart');
    assert.equal(await token.read.symbol!(), 'HEART');
    assert.equal(await token.read.decimals!(), 18);
    assert.equal(await token.read.totalSupply!(), 100n * E18);
  });

  it('only lets the distributor mint; MINTER_ROLE cannot be granted, revoked or renounced', async () => {
    const { token, distributor, admin, alice } = await networkHelpers.loadFixture(fixture);
    assert.equal(await token.read.hasRole!([ROLES.MINTER, distributor.address]), true);
    assert.equal(await token.read.MINTER_ROLE!(), ROLES.MINTER);
    for (const who of [admin, alice]) {
      await assertions.revertWithCustomErrorWithArgs(
        token.write.mint!([who.account.address, 1n], { account: who.account }),
        asC(token),
        'AccessControlUnauthorizedAccount',
        [who.account.address, ROLES.MINTER],
      );
    }
    const c = asC(token);
    await assertions.revertWithCustomError(token.write.grantRole!([ROLES.MINTER, admin.account.address], { account: admin.account }), c, 'HeartMinterRoleLocked');
    await assertions.revertWithCustomError(token.write.revokeRole!([ROLES.MINTER, distributor.address], { account: admin.account }), c, 'HeartMinterRoleLocked');
    await assertions.revertWithCustomError(viem.deployContract('HeartToken', [ZERO, alice.account.address]), c, 'HeartZeroAddress');
    await assertions.revertWithCustomError(viem.deployContract('HeartToken', [alice.account.address, ZERO]), c, 'HeartZeroAddress');
  });

  it('redeems: burns, emits Redeemed and Transfer, and each id works once', async () => {
    const { token, alice, bob } = await networkHelpers.loadFixture(fixture);
    const id = bytes32('redemption-1');
    const asAlice = { account: alice.account };
    assert.equal(await token.read.isRedemptionUsed!([id]), false);
    await viem.assertions.emitWithArgs(token.write.redeem!([30n * E18, id], asAlice), token, 'Redeemed', [alice.account.address, 30n * E18, id]);
    assert.equal(await token.read.isRedemptionUsed!([id]), true);
    assert.equal(await token.read.balanceOf!([alice.account.address]), 70n * E18);
    assert.equal(await token.read.totalSupply!(), 70n * E18);
    const c = asC(token);
    await assertions.revertWithCustomErrorWithArgs(token.write.redeem!([1n, id], asAlice), c, 'HeartRedemptionIdUsed', [id]);
    await assertions.revertWithCustomError(token.write.redeem!([0n, bytes32('r2')], asAlice), c, 'HeartInvalidRedemption');
    await assertions.revertWithCustomError(token.write.redeem!([1n, `0x${'00'.repeat(32)}`], asAlice), c, 'HeartInvalidRedemption');
    await assertions.revertWithCustomError(token.write.redeem!([1n, bytes32('r3')], { account: bob.account }), c, 'ERC20InsufficientBalance');
    await viem.assertions.emitWithArgs(token.write.redeem!([1n, bytes32('r4')], asAlice), token, 'Transfer', [alice.account.address, ZERO, 1n]);
  });

  it('redeemFrom: a spender burns within its allowance, Redeemed names the account, ids stay single-use', async () => {
    const { token, alice, bob } = await networkHelpers.loadFixture(fixture);
    const owner = alice.account.address;
    const asBob = { account: bob.account };
    const c = asC(token);
    await assertions.revertWithCustomError(token.write.redeemFrom!([owner, E18, bytes32('rf-1')], asBob), c, 'ERC20InsufficientAllowance');
    await token.write.approve!([bob.account.address, 3n * E18], { account: alice.account });
    await assertions.revertWithCustomError(token.write.redeemFrom!([owner, 4n * E18, bytes32('rf-1')], asBob), c, 'ERC20InsufficientAllowance');
    await viem.assertions.emitWithArgs(token.write.redeemFrom!([owner, 2n * E18, bytes32('rf-1')], asBob), token, 'Redeemed', [owner, 2n * E18, bytes32('rf-1')]);
    assert.equal(await token.read.balanceOf!([owner]), 98n * E18);
    assert.equal(await token.read.allowance!([owner, bob.account.address]), E18);
    assert.equal(await token.read.isRedemptionUsed!([bytes32('rf-1')]), true);
    await assertions.revertWithCustomErrorWithArgs(token.write.redeemFrom!([owner, E18, bytes32('rf-1')], asBob), c, 'HeartRedemptionIdUsed', [bytes32('rf-1')]);
    await assertions.revertWithCustomError(token.write.redeemFrom!([owner, 0n, bytes32('rf-2')], asBob), c, 'HeartInvalidRedemption');
    await assertions.revertWithCustomError(token.write.redeemFrom!([owner, E18, `0x${'00'.repeat(32)}`], asBob), c, 'HeartInvalidRedemption');
    assert.equal(await token.read.allowance!([owner, bob.account.address]), E18, 'a reverted redeemFrom spends nothing');
  });

  it('supports burn, burnFrom and EIP-2612 permit', async () => {
    const { token, alice, bob, publicClient } = await networkHelpers.loadFixture(fixture);
    const owner = alice.account.address;
    await token.write.burn!([E18], { account: alice.account });
    assert.equal(await token.read.balanceOf!([owner]), 99n * E18);
    const deadline = BigInt((await publicClient.getBlock()).timestamp) + 3600n;
    const signature = await alice.signTypedData({
      domain: { name: 'Heart', version: '1', chainId: await publicClient.getChainId(), verifyingContract: token.address },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner, spender: bob.account.address as Address, value: 5n * E18, nonce: 0n, deadline },
    });
    const { v, r, s } = parseSignature(signature);
    await token.write.permit!([owner, bob.account.address, 5n * E18, deadline, Number(v), r, s]);
    assert.equal(await token.read.allowance!([owner, bob.account.address]), 5n * E18);
    await token.write.burnFrom!([owner, 5n * E18], { account: bob.account });
    assert.equal(await token.read.balanceOf!([owner]), 94n * E18);
    assert.equal(await token.read.nonces!([owner]), 1n);
  });

  behavesLikeAccessControl({
    name: 'HeartToken',
    setup: async () => {
      const f = await networkHelpers.loadFixture(fixture);
      return { contract: f.token as unknown as RoleContract, admin: f.admin, stranger: f.bob, assertions };
    },
    roleToManage: bytes32('SOME_FUTURE_ROLE'),
    gated: [{ fn: 'mint', args: [ZERO, 1n], role: ROLES.MINTER }],
  });
});
