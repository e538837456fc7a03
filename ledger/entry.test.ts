import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from './bytes.ts';
import {
  ENTRY_FIXED_SIZE, ENTRY_OFFSETS, GENESIS_PREV_HASH, decodeEntry, encodeEntry, entryHash, verifyChain,
} from './entry.ts';
import type { LedgerEntry } from './entry.ts';
import { commitEvidence, commitSalted } from './evidence.ts';
import { EXAMPLE_ENTRY, EXAMPLE_EVIDENCE } from './example-entry.ts';
import { leafHash } from './merkle-log.ts';

// Pinned in ledger/README.md ("Worked example"); independently re-derived with Python hashlib.
const EXAMPLE_HEX = '0x010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a10b7c3a528f1e4c2d9a6b1d2e3f4051626f1d2c3b4a594e688d7c6b5a493827160000007800000000000000000000000000000000000000000000000022b1c8c1227a000000000000000000000000000000003a9817700bb803e800000003238ce4a05cd24d54efeb59fdea821d58ae359b1cd2c1617cc79925d9eb846383048f00000194694d48200d76657269666965722d76312e32';
const EXAMPLE_HASH = '0xdbf57cb65b707b0ca0c1cea1756e0d7e5c7a3ed51e2e54e6eeaafc32579cd2b7';
const EXAMPLE_LEAF = '0x96976a706694e46ea9ad0db26b9b02333657832fd0bd2714db2a230661363f01';
const EXAMPLE_COMMITMENT = '0xe4a05cd24d54efeb59fdea821d58ae359b1cd2c1617cc79925d9eb846383048f';

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const uuid = fc.uuid();
const arbEntry: fc.Arbitrary<LedgerEntry> = fc.record({
  seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  prevHash: hex(32),
  player: hex(20).map(toHex),
  actionId: uuid,
  missionId: uuid,
  xp: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  heart: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
  impactCredits: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
  fund: fc.tuple(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 10000 }))
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
    .map(([a, b]) => ({ localBps: a, nationalBps: b - a, globalBps: 10000 - b })),
  formulaVersion: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  modelVersion: fc.string({ maxLength: 60 }),
  score: fc.integer({ min: 0, max: 65535 }),
  evidenceCommitment: hex(32),
  timestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
});

describe('entry encoding v1', () => {
  it('worked example: exact bytes, entry hash and log leaf hash (README)', () => {
    const encoded = encodeEntry(EXAMPLE_ENTRY);
    assert.equal(toHex(encoded), EXAMPLE_HEX);
    assert.equal(encoded.length, ENTRY_FIXED_SIZE + 'verifier-v1.2'.length);
    assert.equal(toHex(entryHash(GENESIS_PREV_HASH, encoded)), EXAMPLE_HASH);
    assert.equal(toHex(leafHash(encoded)), EXAMPLE_LEAF);
    assert.equal(toHex(EXAMPLE_ENTRY.evidenceCommitment), EXAMPLE_COMMITMENT);
    assert.deepEqual(decodeEntry(encoded), EXAMPLE_ENTRY);
  });

  it('round-trips every valid entry, and re-encoding decoded bytes is the identity', () => {
    fc.assert(fc.property(arbEntry, (e) => {
      const bytes = encodeEntry(e);
      const d = decodeEntry(bytes);
      assert.deepEqual({ ...d, actionId: d.actionId, player: d.player }, {
        ...e, player: e.player.toLowerCase(), actionId: e.actionId.toLowerCase(), missionId: e.missionId.toLowerCase(),
        prevHash: Uint8Array.from(e.prevHash), evidenceCommitment: Uint8Array.from(e.evidenceCommitment),
      });
      assert.deepEqual(encodeEntry(d), bytes);
    }), { numRuns: 300 });
  });

  it('rejects malformed bytes naming the field', () => {
    const good = encodeEntry(EXAMPLE_ENTRY);
    const mutate = (f: (b: Uint8Array) => void) => { const b = good.slice(); f(b); return b; };
    assert.throws(() => decodeEntry(new Uint8Array(0)), /decodeEntry: version: empty/);
    assert.throws(() => decodeEntry(mutate((b) => { b[0] = 2; })), /decodeEntry: version: unsupported version 2/);
    assert.throws(() => decodeEntry(good.subarray(0, 100)), /decodeEntry: heart: truncated/);
    assert.throws(() => decodeEntry(good.subarray(0, 50)), /decodeEntry: player: truncated/);
    assert.throws(() => decodeEntry(good.subarray(0, good.length - 1)), /decodeEntry: modelVersion: truncated/);
    assert.throws(() => decodeEntry(Uint8Array.from([...good, 0])), /decodeEntry: modelVersion: 1 trailing/);
    assert.throws(() => decodeEntry(mutate((b) => { b[ENTRY_OFFSETS.fundGlobalBps + 1] = 0; })), /decodeEntry: fund: basis points/);
    assert.throws(() => decodeEntry(mutate((b) => { b[ENTRY_OFFSETS.timestamp] = 0xff; })), /decodeEntry: timestamp/);
    assert.throws(() => decodeEntry(mutate((b) => { b[ENTRY_OFFSETS.modelVersion] = 0xff; })), /decodeEntry: modelVersion: invalid UTF-8/);
  });

  it('rejects invalid entries on encode naming the field', () => {
    assert.throws(() => encodeEntry({ ...EXAMPLE_ENTRY, player: '0x1234' }), /player: expected 20 bytes/);
    assert.throws(() => encodeEntry({ ...EXAMPLE_ENTRY, actionId: 'nope' }), /actionId: not a UUID/);
    assert.throws(() => encodeEntry({ ...EXAMPLE_ENTRY, xp: -1 }), /xp: -1 does not fit/);
    assert.throws(() => encodeEntry({ ...EXAMPLE_ENTRY, heart: 2n ** 256n }), /heart: .* does not fit in uint256/);
    assert.throws(() => encodeEntry({ ...EXAMPLE_ENTRY, fund: { localBps: 1, nationalBps: 1, globalBps: 1 } }), /fund: basis points sum to 3/);
    assert.throws(() => encodeEntry({ ...EXAMPLE_ENTRY, modelVersion: 'x'.repeat(256) }), /modelVersion: 256 bytes/);
  });
});

describe('hash chain', () => {
  const chain = (n: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    let prev = GENESIS_PREV_HASH;
    for (let i = 0; i < n; i++) {
      const enc = encodeEntry({ ...EXAMPLE_ENTRY, seq: BigInt(i), prevHash: prev, xp: i });
      prev = entryHash(prev, enc);
      out.push(enc);
    }
    return out;
  };

  it('verifies a well-formed chain and returns its head', () => {
    const c = chain(5);
    const r = verifyChain(c);
    assert.ok(r.ok);
    assert.equal(r.count, 5);
    assert.deepEqual(r.head, entryHash(decodeEntry(c[4] as Uint8Array).prevHash, c[4] as Uint8Array));
    const tail = verifyChain(c.slice(2), { startSeq: 2n, startPrevHash: decodeEntry(c[2] as Uint8Array).prevHash });
    assert.ok(tail.ok);
  });

  it('detects a tampered, reordered or mis-sequenced entry', () => {
    const c = chain(5);
    const tampered = c.map((e, i) => (i === 2 ? Uint8Array.from(e.map((b, k) => (k === ENTRY_OFFSETS.xp + 3 ? b ^ 1 : b))) : e));
    assert.deepEqual(verifyChain(tampered), { ok: false, index: 3, reason: 'prev_hash does not match previous entry hash' });
    assert.equal((verifyChain([c[0], c[2]] as Uint8Array[]) as { index: number }).index, 1);
    assert.match((verifyChain(c.slice(1)) as { reason: string }).reason, /seq 1, expected 0/);
  });

  it('entryHash refuses a prevHash that is not the embedded one', () => {
    const [first] = chain(1) as [Uint8Array];
    assert.throws(() => entryHash(fromHex('0x' + '01'.repeat(32)), first), /prevHash does not match/);
  });
});

describe('evidence commitment', () => {
  it('is reproducible from the salted hashes alone and changes with any datum or the salt', () => {
    const { commitment, salted } = commitEvidence(EXAMPLE_EVIDENCE);
    assert.equal(toHex(commitment), EXAMPLE_COMMITMENT);
    assert.deepEqual(commitSalted(salted), commitment);
    const variants = [
      { ...EXAMPLE_EVIDENCE, salt: '0x' + '5b'.repeat(32) },
      { ...EXAMPLE_EVIDENCE, gps: { lat: -1.2922, lon: 36.8219 } },
      { ...EXAMPLE_EVIDENCE, capturedAt: EXAMPLE_EVIDENCE.capturedAt + 1 },
      { ...EXAMPLE_EVIDENCE, mediaSha256: [...EXAMPLE_EVIDENCE.mediaSha256].reverse() },
      { ...EXAMPLE_EVIDENCE, mediaSha256: EXAMPLE_EVIDENCE.mediaSha256.slice(0, 1) },
    ];
    for (const v of variants) assert.notDeepEqual(commitEvidence(v).commitment, commitment);
    assert.throws(() => commitEvidence({ ...EXAMPLE_EVIDENCE, salt: '0x00' }), /salt: expected 32 bytes/);
    assert.throws(() => commitEvidence({ ...EXAMPLE_EVIDENCE, gps: { lat: 91, lon: 0 } }), /gps.lat/);
  });
});
