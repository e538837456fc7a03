/**
 * Evidence commitment: binds an entry to its media, GPS fix and capture time
 * without revealing them. Each datum is hashed with a secret 32-byte salt
 * (so low-entropy data such as GPS cannot be brute-forced from the public
 * commitment); the commitment is SHA-256 over the salted hashes:
 *
 *   media_i = SHA-256(0x01 ‖ salt ‖ mediaSha256_i)                 (32-byte file digests)
 *   gps     = SHA-256(0x02 ‖ salt ‖ int32 lat·1e7 ‖ int32 lon·1e7)  (rounded half away from zero, BE)
 *   time    = SHA-256(0x03 ‖ salt ‖ uint64 capturedAt ms)           (BE)
 *   commitment = SHA-256(0x45 ‖ uint32 count ‖ media_0 ‖ … ‖ media_{count-1} ‖ gps ‖ time)
 *
 * Publishing the salted hashes lets anyone recompute the commitment; revealing
 * the salt and one datum proves that datum is included.
 */
import { bytesOf, concatBytes, writeUint } from './bytes.ts';
import { sha256 } from './hash.ts';

export interface EvidenceInput {
  /** 32 random bytes, secret, never reused across actions. */
  salt: Uint8Array | string;
  /** SHA-256 digests of each media file, in capture order. */
  mediaSha256: readonly (Uint8Array | string)[];
  gps: { lat: number; lon: number };
  /** Capture time, Date or ms since Unix epoch. */
  capturedAt: Date | number;
}

export interface SaltedEvidence {
  media: Uint8Array[];
  gps: Uint8Array;
  time: Uint8Array;
}

const TAG_MEDIA = Uint8Array.of(0x01);
const TAG_GPS = Uint8Array.of(0x02);
const TAG_TIME = Uint8Array.of(0x03);
const TAG_COMMIT = Uint8Array.of(0x45);

function degreesE7(deg: number, field: string, limit: number): bigint {
  if (!Number.isFinite(deg) || Math.abs(deg) > limit) throw new Error(`${field}: ${deg} out of range`);
  const scaled = Math.sign(deg) * Math.round(Math.abs(deg) * 1e7);
  return BigInt.asUintN(32, BigInt(scaled));
}

export function saltEvidence(input: EvidenceInput): SaltedEvidence {
  const salt = bytesOf(input.salt, 'salt', 32);
  const media = input.mediaSha256.map((m, i) => sha256(TAG_MEDIA, salt, bytesOf(m, `mediaSha256[${i}]`, 32)));
  const coords = new Uint8Array(8);
  writeUint(coords, 0, 4, degreesE7(input.gps.lat, 'gps.lat', 90), 'gps.lat');
  writeUint(coords, 4, 4, degreesE7(input.gps.lon, 'gps.lon', 180), 'gps.lon');
  const ms = input.capturedAt instanceof Date ? input.capturedAt.getTime() : input.capturedAt;
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`capturedAt: ${ms} is not a valid ms timestamp`);
  const time = new Uint8Array(8);
  writeUint(time, 0, 8, BigInt(ms), 'capturedAt');
  return { media, gps: sha256(TAG_GPS, salt, coords), time: sha256(TAG_TIME, salt, time) };
}

/** Commitment over already-salted hashes (what a public verifier recomputes). */
export function commitSalted(s: SaltedEvidence): Uint8Array {
  const count = new Uint8Array(4);
  writeUint(count, 0, 4, BigInt(s.media.length), 'media count');
  return sha256(concatBytes(TAG_COMMIT, count, ...s.media, s.gps, s.time));
}

export function commitEvidence(input: EvidenceInput): { commitment: Uint8Array; salted: SaltedEvidence } {
  const salted = saltEvidence(input);
  return { commitment: commitSalted(salted), salted };
}
