import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { network } from 'hardhat';
import { parseSignature, type Address } from 'viem';
import { deployAll, ROLES, ZERO, bytes32 } from './helpers/fixture.ts';
import { behavesLikeAccessControl, type LooseAssertions, type RoleContract } from './behaviours/access-control.ts';
import { behavesLikePausable } from './behaviours/pausable.ts';

const { viem, networkHelpers } = await network.create();
const assertions = viem.assertions as unknown as LooseAssertions;
const CAMPAIGN = bytes32('campaign-1');
const ZONE = bytes32('zone-lisbon');
const USD = 1_000_000n;
const [LOCAL, NATIONAL, GLOBAL] = [0, 1, 2];

async function fixture() {
  const d = await deployAll(viem);
  for (const w of [d.alice, d.bob]) {
    await d.stable.write.mint!([w.account.address, 1_000_000n * USD]);
    await d.stable.write.approve!([d.pool.address, 2n ** 256n - 1n], { account: w.account });
  }
  return d;
}
const asC = (c: unknown) => c as RoleContract;

describe('SponsorPool', () => {
  it('starts with the 60/30/10 split and rejects zero addresses', async () => {
    const { pool, stable, admin } = await networkHelpers.loadFixture(fixture);
    assert.deepEqual(await pool.read.split!(), { local: 6000, national: 3000, global: 1000 });
    assert.equal(((await pool.read.stablecoin!()) as string).toLowerCase(), stable.address.toLowerCase());
    assert.equal(await stable.read.decimals!(), 6);
    const a = admin.account.address;
    for (const args of [[ZERO, a, a, a, a], [stable.address, ZERO, a, a, a], [stable.address, a, ZERO, a, a], [stable.address, a, a, ZERO, a], [stable.address, a, a, a, ZERO]]) {
      await assertions.revertWithCustomError(viem.deployContract('SponsorPool', args), asC(pool), 'HeartZeroAddress');
    }
  });

  it('funds: splits into buckets, tracks totals, emits Funded', async () => {
    const { pool, stable, alice } = await networkHelpers.loadFixture(fixture);
    const sponsor = alice.account.address;
    await viem.assertions.emitWithArgs(pool.write.fund!([CAMPAIGN, ZONE, 1001n], { account: alice.account }), pool, 'Funded', [sponsor, CAMPAIGN, ZONE, 1001n, 600n, 300n, 101n]);
    assert.equal(await pool.read.bucketBalance!([CAMPAIGN, LOCAL]), 600n);
    assert.equal(await pool.read.bucketBalance!([CAMPAIGN, NATIONAL]), 300n);
    assert.equal(await pool.read.bucketBalance!([CAMPAIGN, GLOBAL]), 101n);
    assert.equal(await pool.read.bucketTotal!([GLOBAL]), 101n);
    assert.equal(await pool.read.sponsorTotal!([sponsor]), 1001n);
    assert.equal(await pool.read.campaignTotal!([CAMPAIGN]), 1001n);
    assert.equal(await pool.read.totalFunded!(), 1001n);
    assert.equal(await stable.read.balanceOf!([pool.address]), 1001n);
    assert.deepEqual(await pool.read.solvency!(), [600n, 300n, 101n, 1001n, true]);
    await assertions.revertWithCustomError(pool.write.fund!([CAMPAIGN, ZONE, 0n], { account: alice.account }), asC(pool), 'HeartZeroAmount');
  });

  it('funds with an EIP-2612 permit (and tolerates a front-run permit)', async () => {
    const { pool, stable, carol, publicClient } = await networkHelpers.loadFixture(fixture);
    const owner = carol.account.address as Address;
    await stable.write.mint!([owner, 50n * USD]);
    const deadline = BigInt((await publicClient.getBlock()).timestamp) + 3600n;
    const sig = parseSignature(
      await carol.signTypedData({
        domain: { name: 'Test USD', version: '1', chainId: await publicClient.getChainId(), verifyingContract: stable.address },
        types: { Permit: [{ name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] },
        primaryType: 'Permit',
        message: { owner, spender: pool.address, value: 20n * USD, nonce: 0n, deadline },
      }),
    );
    const args = [CAMPAIGN, ZONE, 10n * USD, deadline, Number(sig.v), sig.r, sig.s];
    await stable.write.permit!([owner, pool.address, 20n * USD, deadline, Number(sig.v), sig.r, sig.s]); // front-run
    await viem.assertions.emitWithArgs(pool.write.fundWithPermit!(args, { account: carol.account }), pool, 'Funded', [owner, CAMPAIGN, ZONE, 10n * USD, 6n * USD, 3n * USD, 1n * USD]);
    assert.equal(await pool.read.sponsorTotal!([owner]), 10n * USD);
  });

  it('lets the governor change the split for future deposits only', async () => {
    const { pool, governor, alice } = await networkHelpers.loadFixture(fixture);
    await pool.write.fund!([CAMPAIGN, ZONE, 100n], { account: alice.account });
    await viem.assertions.emitWithArgs(pool.write.setSplit!([5000, 2500, 2500], { account: governor.account }), pool, 'SplitChanged', [5000, 2500, 2500]);
    await pool.write.fund!([CAMPAIGN, ZONE, 100n], { account: alice.account });
    assert.equal(await pool.read.bucketBalance!([CAMPAIGN, LOCAL]), 110n);
    assert.equal(await pool.read.bucketBalance!([CAMPAIGN, GLOBAL]), 35n);
    await assertions.revertWithCustomErrorWithArgs(pool.write.setSplit!([5000, 2500, 2499], { account: governor.account }), asC(pool), 'HeartInvalidSplit', [5000n, 2500n, 2499n]);
  });

  it('disburses from a campaign bucket, never below zero', async () => {
    const { pool, stable, treasurer, alice, carol } = await networkHelpers.loadFixture(fixture);
    await pool.write.fund!([CAMPAIGN, ZONE, 1000n * USD], { account: alice.account });
    const to = carol.account.address;
    const ref = bytes32('invoice-7');
    const asT = { account: treasurer.account };
    await viem.assertions.emitWithArgs(pool.write.disburse!([NATIONAL, CAMPAIGN, to, 100n * USD, ref], asT), pool, 'Disbursed', [NATIONAL, CAMPAIGN, to, 100n * USD, ref]);
    assert.equal(await stable.read.balanceOf!([to]), 100n * USD);
    assert.equal(await pool.read.bucketBalance!([CAMPAIGN, NATIONAL]), 200n * USD);
    assert.equal(await pool.read.totalDisbursed!(), 100n * USD);
    const c = asC(pool);
    await assertions.revertWithCustomErrorWithArgs(pool.write.disburse!([NATIONAL, CAMPAIGN, to, 200n * USD + 1n, ref], asT), c, 'HeartInsufficientBucket', [NATIONAL, CAMPAIGN, 200n * USD, 200n * USD + 1n]);
    await assertions.revertWithCustomErrorWithArgs(pool.write.disburse!([LOCAL, bytes32('other'), to, 1n, ref], asT), c, 'HeartInsufficientBucket', [LOCAL, bytes32('other'), 0n, 1n]);
    await assertions.revertWithCustomError(pool.write.disburse!([LOCAL, CAMPAIGN, to, 0n, ref], asT), c, 'HeartZeroAmount');
    await assertions.revertWithCustomError(pool.write.disburse!([LOCAL, CAMPAIGN, ZERO, 1n, ref], asT), c, 'HeartZeroAddress');
  });

  it('property: buckets + disbursed == funded, and the pool stays solvent (fast-check)', async () => {
    const { pool, treasurer, alice, bob } = await networkHelpers.loadFixture(fixture);
    const campaigns = [bytes32('c0'), bytes32('c1')];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('fund' as const), who: fc.nat(1), c: fc.nat(1), amount: fc.bigInt(1n, 10n ** 9n) }),
      fc.record({ kind: fc.constant('disburse' as const), bucket: fc.nat(2), c: fc.nat(1), share: fc.integer({ min: 1, max: 100 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        for (const o of ops) {
          const c = campaigns[o.c]!;
          if (o.kind === 'fund') {
            await pool.write.fund!([c, ZONE, o.amount], { account: (o.who ? bob : alice).account });
          } else {
            const bal = (await pool.read.bucketBalance!([c, o.bucket])) as bigint;
            const amount = (bal * BigInt(o.share)) / 100n;
            if (amount > 0n) await pool.write.disburse!([o.bucket, c, treasurer.account.address, amount, c], { account: treasurer.account });
          }
        }
        const [l, n, g, balance, solvent] = (await pool.read.solvency!()) as [bigint, bigint, bigint, bigint, boolean];
        const funded = (await pool.read.totalFunded!()) as bigint;
        const disbursed = (await pool.read.totalDisbursed!()) as bigint;
        assert.equal(l + n + g + disbursed, funded);
        assert.equal(balance, l + n + g);
        assert.ok(solvent);
      }),
      { numRuns: 15 },
    );
  });

  behavesLikeAccessControl({
    name: 'SponsorPool',
    setup: async () => {
      const f = await networkHelpers.loadFixture(fixture);
      return { contract: f.pool as unknown as RoleContract, admin: f.admin, stranger: f.alice, assertions };
    },
    roleToManage: ROLES.TREASURER,
    gated: [
      { fn: 'disburse', args: [0, CAMPAIGN, ZERO, 1n, CAMPAIGN], role: ROLES.TREASURER },
      { fn: 'setSplit', args: [10000, 0, 0], role: ROLES.GOVERNOR },
      { fn: 'pause', args: [], role: ROLES.PAUSER },
      { fn: 'unpause', args: [], role: ROLES.PAUSER },
    ],
  });

  behavesLikePausable({
    name: 'SponsorPool',
    setup: async () => {
      const f = await networkHelpers.loadFixture(fixture);
      return { contract: f.pool as unknown as RoleContract, pauser: f.pauser, stranger: f.alice, assertions, callers: { sponsor: f.alice, treasurer: f.treasurer } };
    },
    pauserRole: ROLES.PAUSER,
    guarded: [
      { fn: 'fund', args: [CAMPAIGN, ZONE, 1n], from: 'sponsor' },
      { fn: 'fundWithPermit', args: [CAMPAIGN, ZONE, 1n, 0n, 27, CAMPAIGN, CAMPAIGN], from: 'sponsor' },
      { fn: 'disburse', args: [0, CAMPAIGN, ZONE.slice(0, 42), 1n, CAMPAIGN], from: 'treasurer' },
    ],
  });
});
