import type { ExifInfo, MediaSignals } from '../context.ts';
import { exactDuplicate, nearestHash, type NearMatch, type Queryable } from './index.ts';
import { inspectMedia, type MediaFacts } from './inspect.ts';

/** The id no action has: lets a lookup for bytes that belong to no stored action exclude nothing. */
export const NO_ACTION = '00000000-0000-0000-0000-000000000000';

export interface MediaFile {
  bytes: Uint8Array;
  mediaType: string;
}

export interface MediaReport {
  media: MediaSignals;
  exif: ExifInfo | null;
  /** Per file, in order: what decoding found and its nearest stored near-duplicate. */
  files: { facts: MediaFacts; nearest: NearMatch | null; exactDuplicate: boolean }[];
}

/**
 * Media signals of a proof's files against all stored evidence of other
 * actions submitted no later than `before` (read-only): decodable, type
 * mismatch, exact duplicate by SHA-256, nearest perceptual-hash distance, EXIF.
 */
export async function mediaSignals(db: Queryable, files: MediaFile[], actionId: string, before: Date, nearDistance: number): Promise<MediaReport> {
  const media: MediaSignals = { decodable: files.length > 0, typeMismatch: false, exactDuplicate: false, nearestHamming: 64 };
  let exif: ExifInfo | null = null;
  const out: MediaReport['files'] = [];
  for (const f of files) {
    const facts = await inspectMedia(f.bytes, f.mediaType);
    const exact = await exactDuplicate(db, facts.sha256, actionId, before);
    const nearest = facts.phash === null ? null : await nearestHash(db, facts.phash, actionId, before, Math.max(nearDistance, 0));
    media.decodable &&= facts.decodable;
    media.typeMismatch ||= facts.typeMismatch;
    media.exactDuplicate ||= exact;
    if (nearest) media.nearestHamming = Math.min(media.nearestHamming, nearest.distance);
    exif ??= facts.exif;
    out.push({ facts, nearest, exactDuplicate: exact });
  }
  return { media, exif, files: out };
}
