import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  buildClaimTree, claimMultiProof, claimProof, claimProofDepth, claimProofsInto, packClaims, verifyClaim, verifyClaimMultiProof,
} from './claim-tree.ts';
import { toHex } from './bytes.ts';
import { HashPool } from './hash-pool.ts';

type Row = [string, bigint];
const addr = (i: number, salt = 0) => '0x' + ((i * 2654435761 + salt) >>> 0).toString(16).padStart(8, '0').repeat(5);
const rowsOf = (n: number, salt = 0): Row[] => Array.from({ length: n }, (_, i) => [addr(i, salt), BigInt(i * 1_000_000_007 + salt) * 10n ** 12n]);

async function compareWithOz(rows: Row[], pool?: HashPool): Promise<void> {
  const oz = StandardMerkleTree.of(rows.map(([a, v]) => [a, v.toString()]), ['address', 'uint256']);
  const ours = await buildClaimTree(packClaims(rows.map((r) => r[0]), rows.map((r) => r[1])), pool);
  assert.equal(toHex(ours.root), oz.root, `root for ${rows.length} leaves`);
  const step = Math.max(1, Math.floor(rows.length / 25));
  for (let i = 0; i < rows.length; i += step) {
    const proof = claimProof(ours, i);
    assert.deepEqual(proof, oz.getProof(i), `proof ${i}/${rows.length}`);
    const [a, v] = rows[i] as Row;
    assert.ok(verifyClaim(ours.root, a, v, proof));
    assert.ok(!verifyClaim(ours.root, a, v + 1n, proof), 'a wrong amount must not verify');
  }
}

describe('claim tree is byte-identical to OpenZeppelin StandardMerkleTree', () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 100]) {
    it(`root and proofs, ${n} leaves`, () => compareWithOz(rowsOf(n)));
  }

  it('random value sets (fast-check), including duplicates and zero amounts', async () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }));
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 60 }), async (raw) => {
      await compareWithOz(raw.map(([a, v]) => [addr(a), v % 3n === 0n ? 0n : v]));
    }), { numRuns: 60 });
  });

  it('multiproofs equal OZ getMultiProof and verify', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.array(fc.nat(), { maxLength: 12 }), async (n, picks) => {
      const rows = rowsOf(n, 7);
      const indices = [...new Set(picks.map((p) => p % n))];
      const oz = StandardMerkleTree.of(rows.map(([a, v]) => [a, v.toString()]), ['address', 'uint256']);
      const ours = await buildClaimTree(packClaims(rows.map((r) => r[0]), rows.map((r) => r[1])));
      const want = oz.getMultiProof(indices);
      const got = claimMultiProof(ours, indices);
      assert.deepEqual(got.proof, want.proof);
      assert.deepEqual(got.proofFlags, want.proofFlags);
      assert.deepEqual(got.leaves.map((i) => (rows[i] as Row)[0]), want.leaves.map((l) => l[0]));
      const leaves = got.leaves.map((i) => ({ account: (rows[i] as Row)[0], amount: (rows[i] as Row)[1] }));
      assert.ok(verifyClaimMultiProof(ours.root, leaves, got.proof, got.proofFlags));
      if (leaves.length > 0) {
        const bad = leaves.map((l, k) => (k === 0 ? { ...l, amount: l.amount + 1n } : l));
        assert.ok(!verifyClaimMultiProof(ours.root, bad, got.proof, got.proofFlags));
      }
    }), { numRuns: 40 });
  });

  it('bulk claimProofsInto equals claimProof, and the worker pool gives the OZ root at 20k leaves', async () => {
    const rows = rowsOf(20_000, 3);
    const pool = new HashPool(2);
    try {
      const oz = StandardMerkleTree.of(rows.map(([a, v]) => [a, v.toString()]), ['address', 'uint256']);
      const ours = await buildClaimTree(packClaims(rows.map((r) => r[0]), rows.map((r) => r[1])), pool);
      assert.equal(toHex(ours.root), oz.root);
      const depth = claimProofDepth(ours);
      const out = new Uint8Array(rows.length * depth * 32);
      const lengths = new Uint8Array(rows.length);
      claimProofsInto(ours, 0, rows.length, out, lengths);
      for (let i = 0; i < rows.length; i += 997) {
        const bulk = Array.from({ length: lengths[i] as number }, (_, k) => toHex(out.subarray((i * depth + k) * 32, (i * depth + k + 1) * 32)));
        assert.deepEqual(bulk, oz.getProof(i));
      }
    } finally {
      await pool.close();
    }
  });

  it('rejects empty input and bad addresses', async () => {
    await assert.rejects(buildClaimTree(packClaims([], [])), /non-zero/);
    assert.throws(() => packClaims(['0x1234'], [1n]), /accounts\[0\]/);
    assert.throws(() => packClaims([addr(1)], [-1n]), /amounts\[0\]/);
  });
});
