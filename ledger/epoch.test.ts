import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { toHex } from './bytes.ts';
import { GENESIS_PREV_HASH, encodeEntry, entryHash } from './entry.ts';
import { aggregateClaims, buildEpoch } from './epoch.ts';
import { EXAMPLE_ENTRY } from './example-entry.ts';
import { verifyConsistency, verifyInclusion } from './log-verify.ts';
import { leafHash, packEntries } from './merkle-log.ts';
import { verifyClaim } from './claim-tree.ts';

function entries(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = GENESIS_PREV_HASH;
  for (let i = 0; i < n; i++) {
    const player = '0x' + (i % 3).toString(16).padStart(40, '0');
    const enc = encodeEntry({ ...EXAMPLE_ENTRY, seq: BigInt(i), prevHash: prev, player, heart: BigInt(i + 1) * 10n ** 18n });
    prev = entryHash(prev, enc);
    out.push(enc);
  }
  return out;
}

describe('epoch', () => {
  it('builds log and claim roots, proofs verify, and the next epoch is consistent with it', async () => {
    const all = entries(11);
    const first = await buildEpoch(packEntries(all.slice(0, 6)), aggregateClaims(packEntries(all.slice(0, 6))));
    const batch = packEntries(all);
    const claims = aggregateClaims(batch);
    const second = await buildEpoch(batch, claims, { treeSize: first.treeSize, root: first.logRoot });
    assert.equal(second.treeSize, 11);
    assert.ok(verifyConsistency(6, 11, second.consistencyProof, first.logRoot, second.logRoot));
    for (let i = 0; i < 11; i++) assert.ok(verifyInclusion(leafHash(all[i] as Uint8Array), i, 11, second.inclusionProof(i), second.logRoot));
    // cumulative Heart: player k gets sum of (i+1) for i ≡ k (mod 3)
    const expected: [string, string][] = [0, 1, 2].map((k) => {
      let s = 0n;
      for (let i = k; i < 11; i += 3) s += BigInt(i + 1) * 10n ** 18n;
      return ['0x' + k.toString(16).padStart(40, '0'), s.toString()];
    });
    const oz = StandardMerkleTree.of(expected, ['address', 'uint256']);
    assert.equal(toHex(second.claimsRoot), oz.root);
    assert.ok(verifyClaim(second.claimsRoot, expected[1]?.[0] as string, BigInt(expected[1]?.[1] as string), second.claimProof(1)));
  });

  it('refuses a previous head that the log does not extend', async () => {
    const all = entries(4);
    const batch = packEntries(all);
    await assert.rejects(buildEpoch(batch, aggregateClaims(batch), { treeSize: 2, root: new Uint8Array(32) }), /does not extend/);
  });
});
