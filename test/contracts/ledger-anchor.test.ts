import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { network } from 'hardhat';
import { keccak256, encodeAbiParameters, type Hex } from 'viem';
import { deployAll, ROLES, ZERO, bytes32 } from './helpers/fixture.ts';
import { Rfc6962Tree, hashLeaf, toHex } from './helpers/rfc6962.ts';
import { behavesLikeAccessControl, type LooseAssertions, type RoleContract } from './behaviours/access-control.ts';
import { behavesLikePausable } from './behaviours/pausable.ts';

const { viem, networkHelpers } = await network.create();
const assertions = viem.assertions as unknown as LooseAssertions;
const V = JSON.parse(readFileSync(new URL('../fixtures/rfc6962-vectors.json', import.meta.url), 'utf8')) as {
  leafInputs: Hex[];
  roots: Hex[];
  inclusion: Array<{ leafIndex: number; treeSize: number; proof: Hex[] }>;
  consistency: Array<{ size1: number; size2: number; proof: Hex[] }>;
  inclusionProbes: Array<{ desc: string; leafIndex: number; treeSize: number; root: Hex; leafHash: Hex; proof: Hex[]; valid: boolean }>;
  consistencyProbes: Array<{ desc: string; size1: number; size2: number; root1: Hex; root2: Hex; proof: Hex[]; valid: boolean }>;
};
const is32 = (h: Hex) => h.length === 66;
const URI = 'ipfs://bafy-export-manifest';
const EXPORT = bytes32('manifest');

async function fixture() {
  const d = await deployAll(viem);
  const harness = await viem.deployContract('RFC6962Harness', []);
  const entries = Array.from({ length: 37 }, (_, i) => Buffer.from(`entry-${i}`));
  const log = await Rfc6962Tree.fromEntries(entries);
  const asAnchorer = { account: d.anchorer.account };
  const anchorAt = (epoch: bigint, size: number, from: number, rewards = bytes32(`rewards-${epoch}`)) =>
    d.anchor.write.anchorEpoch!([epoch, BigInt(size), log.root(size), rewards, URI, EXPORT, log.consistencyProof(from, size)], asAnchorer);
  return { ...d, harness, log, asAnchorer, anchorAt };
}

describe('RFC6962 library (test vectors from transparency-dev/merkle)', () => {
  it('hashes leaves and nodes like RFC 6962', async () => {
    const { harness } = await networkHelpers.loadFixture(fixture);
    for (const [i, input] of V.leafInputs.entries()) {
      const want = i === 0 ? V.roots[1] : toHex(hashLeaf(Buffer.from(input.slice(2), 'hex')));
      assert.equal(await harness.read.hashLeaf!([input]), want);
    }
    const t = await Rfc6962Tree.fromEntries(V.leafInputs.map((h) => Buffer.from(h.slice(2), 'hex')));
    for (let n = 1; n <= 8; n++) assert.equal(t.root(n), V.roots[n]);
  });

  it('accepts the known-good inclusion proofs', async () => {
    const { harness } = await networkHelpers.loadFixture(fixture);
    for (const p of V.inclusion) {
      const leaf = toHex(hashLeaf(Buffer.from(V.leafInputs[p.leafIndex]!.slice(2), 'hex')));
      assert.equal(await harness.read.verifyInclusion!([BigInt(p.leafIndex), BigInt(p.treeSize), leaf, p.proof, V.roots[p.treeSize]!]), true);
    }
  });

  it('accepts the known-good consistency proofs', async () => {
    const { harness } = await networkHelpers.loadFixture(fixture);
    for (const p of V.consistency) {
      const args = [BigInt(p.size1), BigInt(p.size2), V.roots[p.size1]!, V.roots[p.size2]!, p.proof];
      assert.equal(await harness.read.verifyConsistency!(args), true, `${p.size1}->${p.size2}`);
    }
  });

  it('rejects every published bad inclusion probe', async () => {
    const { harness } = await networkHelpers.loadFixture(fixture);
    for (const p of V.inclusionProbes) {
      if (![p.root, p.leafHash, ...p.proof].every(is32)) continue; // not representable as bytes32: rejected by the ABI
      const ok = await harness.read.verifyInclusion!([BigInt(p.leafIndex), BigInt(p.treeSize), p.leafHash, p.proof, p.root]);
      assert.equal(ok, p.valid, p.desc);
    }
  });

  it('rejects every published bad consistency probe', async () => {
    const { harness } = await networkHelpers.loadFixture(fixture);
    let checked = 0;
    for (const p of V.consistencyProbes) {
      if (![p.root1, p.root2, ...p.proof].every(is32)) continue;
      const ok = await harness.read.verifyConsistency!([BigInt(p.size1), BigInt(p.size2), p.root1, p.root2, p.proof]);
      assert.equal(ok, p.valid, p.desc);
      checked++;
    }
    assert.ok(checked > 60);
  });

  it('agrees with the reference implementation on every (m, n) up to 40, and rejects corrupted proofs', async () => {
    const { harness } = await networkHelpers.loadFixture(fixture);
    const t = await Rfc6962Tree.fromEntries(Array.from({ length: 40 }, (_, i) => randomBytes(8 + (i % 5))));
    for (let n = 1; n <= 40; n += 3) {
      for (let m = 1; m <= n; m += 2) {
        const proof = t.consistencyProof(m, n);
        assert.equal(await harness.read.verifyConsistency!([BigInt(m), BigInt(n), t.root(m), t.root(n), proof]), true);
        if (proof.length > 0) {
          const bad = [...proof];
          bad[bad.length - 1] = keccak256(bad[bad.length - 1]!);
          assert.equal(await harness.read.verifyConsistency!([BigInt(m), BigInt(n), t.root(m), t.root(n), bad]), false);
        }
        const leaf = t.leaf(m - 1);
        assert.equal(await harness.read.verifyInclusion!([BigInt(m - 1), BigInt(n), leaf, t.inclusionProof(m - 1, n), t.root(n)]), true);
      }
    }
  });
});

describe('LedgerAnchor', () => {
  it('rejects zero addresses in the constructor', async () => {
    const { anchor, admin } = await networkHelpers.loadFixture(fixture);
    const a = admin.account.address;
    for (const args of [[ZERO, a, a], [a, ZERO, a], [a, a, ZERO]]) {
      await assertions.revertWithCustomError(viem.deployContract('LedgerAnchor', args), anchor as unknown as RoleContract, 'HeartZeroAddress');
    }
  });

  it('anchors the first epoch without a proof and emits EpochAnchored', async () => {
    const { anchor, log, anchorAt } = await networkHelpers.loadFixture(fixture);
    assert.equal(await anchor.read.latestEpoch!(), 0n);
    await viem.assertions.emitWithArgs(anchorAt(1n, 10, 0), anchor, 'EpochAnchored', [1n, 10n, log.root(10), bytes32('rewards-1'), URI, EXPORT]);
    assert.equal(await anchor.read.latestEpoch!(), 1n);
    assert.equal(await anchor.read.latestTreeSize!(), 10n);
    const rec = (await anchor.read.epochRecord!([1n])) as Record<string, unknown>;
    assert.equal(rec.epoch, 1n);
    assert.equal(rec.treeSize, 10n);
    assert.equal(rec.logRoot, log.root(10));
    assert.equal(rec.rewardsRoot, bytes32('rewards-1'));
    const commitment = keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'bytes32' }], [URI, EXPORT])).slice(0, 50);
    assert.equal(rec.exportCommitment, commitment);
    assert.equal(await anchor.read.rewardsRoot!([1n]), bytes32('rewards-1'));
    assert.equal(await anchor.read.rewardsRoot!([2n]), `0x${'00'.repeat(32)}`);
    assert.equal(await anchor.read.verifyExport!([1n, URI, EXPORT]), true);
    assert.equal(await anchor.read.verifyExport!([1n, `${URI}x`, EXPORT]), false);
    assert.equal(await anchor.read.verifyExport!([1n, URI, bytes32('other')]), false);
  });

  it('extends the log with a verified consistency proof, and equal sizes need equal roots', async () => {
    const { anchor, log, anchorAt, asAnchorer } = await networkHelpers.loadFixture(fixture);
    await anchorAt(1n, 10, 0);
    await anchorAt(2n, 23, 10);
    await anchorAt(3n, 23, 23);
    assert.equal(await anchor.read.latestEpoch!(), 3n);
    await assertions.revertWithCustomErrorWithArgs(
      anchor.write.anchorEpoch!([4n, 23n, log.root(22), bytes32('r'), URI, EXPORT, []], asAnchorer),
      anchor as unknown as RoleContract,
      'HeartLogInconsistent',
      [23n, log.root(23), 23n, log.root(22)],
    );
  });

  it('rejects a rewritten history (same size, other root) and a forged extension', async () => {
    const { anchor, log, anchorAt, asAnchorer } = await networkHelpers.loadFixture(fixture);
    await anchorAt(1n, 16, 0);
    const forged = await Rfc6962Tree.fromEntries(Array.from({ length: 16 }, (_, i) => Buffer.from(`rewritten-${i}`)));
    await assertions.revertWithCustomErrorWithArgs(
      anchor.write.anchorEpoch!([2n, 16n, forged.root(16), bytes32('r'), URI, EXPORT, []], asAnchorer),
      anchor as unknown as RoleContract,
      'HeartLogInconsistent',
      [16n, log.root(16), 16n, forged.root(16)],
    );
    const other = await Rfc6962Tree.fromEntries(Array.from({ length: 30 }, (_, i) => Buffer.from(`other-${i}`)));
    await assertions.revertWithCustomError(
      anchor.write.anchorEpoch!([2n, 30n, other.root(30), bytes32('r'), URI, EXPORT, log.consistencyProof(16, 30)], asAnchorer),
      anchor as unknown as RoleContract,
      'HeartLogInconsistent',
    );
    await assertions.revertWithCustomError(
      anchor.write.anchorEpoch!([2n, 30n, log.root(30), bytes32('r'), URI, EXPORT, []], asAnchorer),
      anchor as unknown as RoleContract,
      'HeartLogInconsistent',
    );
  });

  it('enforces sequential epochs, non-decreasing sizes and a non-empty first tree', async () => {
    const { anchor, log, anchorAt, asAnchorer } = await networkHelpers.loadFixture(fixture);
    const c = anchor as unknown as RoleContract;
    await assertions.revertWithCustomErrorWithArgs(anchorAt(2n, 5, 0), c, 'HeartEpochNotSequential', [1n, 2n]);
    await assertions.revertWithCustomErrorWithArgs(
      anchor.write.anchorEpoch!([1n, 0n, log.root(0), bytes32('r'), URI, EXPORT, []], asAnchorer),
      c,
      'HeartEmptyTree',
      [],
    );
    await anchorAt(1n, 20, 0);
    await assertions.revertWithCustomErrorWithArgs(anchorAt(1n, 20, 20), c, 'HeartEpochNotSequential', [2n, 1n]);
    await assertions.revertWithCustomErrorWithArgs(anchorAt(3n, 25, 20), c, 'HeartEpochNotSequential', [2n, 3n]);
    await assertions.revertWithCustomErrorWithArgs(anchorAt(2n, 19, 0), c, 'HeartTreeSizeDecreased', [20n, 19n]);
  });

  it('verifies inclusion and consistency from anchored heads; unanchored epochs revert', async () => {
    const { anchor, log, anchorAt } = await networkHelpers.loadFixture(fixture);
    await anchorAt(1n, 13, 0);
    await anchorAt(2n, 37, 13);
    for (const [epoch, size] of [[1n, 13], [2n, 37]] as const) {
      for (const i of [0, 5, size - 1]) {
        const leaf = log.leaf(i);
        assert.equal(await anchor.read.verifyInclusion!([epoch, BigInt(i), leaf, log.inclusionProof(i, size)]), true);
        assert.equal(await anchor.read.verifyInclusion!([epoch, BigInt(i), bytes32('x'), log.inclusionProof(i, size)]), false);
      }
    }
    assert.equal(await anchor.read.verifyInclusion!([2n, 37n, log.leaf(0), []]), false);
    assert.equal(await anchor.read.verifyConsistency!([1n, 2n, log.consistencyProof(13, 37)]), true);
    assert.equal(await anchor.read.verifyConsistency!([1n, 2n, log.consistencyProof(12, 37)]), false);
    assert.equal(await anchor.read.verifyConsistency!([2n, 2n, []]), true);
    const c = anchor as unknown as RoleContract;
    for (const p of [
      anchor.read.verifyInclusion!([3n, 0n, bytes32('x'), []]),
      anchor.read.verifyInclusion!([0n, 0n, bytes32('x'), []]),
      anchor.read.verifyConsistency!([1n, 3n, []]),
      anchor.read.verifyConsistency!([0n, 1n, []]),
      anchor.read.epochRecord!([3n]),
      anchor.read.verifyExport!([3n, URI, EXPORT]),
    ]) {
      await assertions.revertWithCustomError(p, c, 'HeartEpochNotAnchored');
    }
  });

  behavesLikeAccessControl({
    name: 'LedgerAnchor',
    setup: async () => {
      const f = await networkHelpers.loadFixture(fixture);
      return { contract: f.anchor as unknown as RoleContract, admin: f.admin, stranger: f.alice, assertions };
    },
    roleToManage: ROLES.ANCHORER,
    gated: [
      { fn: 'anchorEpoch', args: [1n, 1n, bytes32('l'), bytes32('r'), URI, EXPORT, []], role: ROLES.ANCHORER },
      { fn: 'pause', args: [], role: ROLES.PAUSER },
      { fn: 'unpause', args: [], role: ROLES.PAUSER },
    ],
  });

  behavesLikePausable({
    name: 'LedgerAnchor',
    setup: async () => {
      const f = await networkHelpers.loadFixture(fixture);
      return { contract: f.anchor as unknown as RoleContract, pauser: f.pauser, stranger: f.alice, assertions, callers: { anchorer: f.anchorer } };
    },
    pauserRole: ROLES.PAUSER,
    guarded: [
      {
        fn: 'anchorEpoch',
        args: [1n, 1n, bytes32('l'), bytes32('r'), URI, EXPORT, []],
        from: 'anchorer',
      },
    ],
  });
});
