// Evidence media: which types a proof may carry, where uploads live, and the
// checks the API runs on an uploaded object before it becomes evidence.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import type { Storage } from '../../lib/storage.ts';
import { ApiError } from '../errors.ts';

const MB = 1024 * 1024;
/** Allowed media types and their size limits in bytes. */
export const MEDIA_LIMITS: Readonly<Record<string, number>> = {
  'image/jpeg': 15 * MB,
  'image/png': 15 * MB,
  'image/webp': 15 * MB,
  'video/mp4': 200 * MB,
  'video/webm': 200 * MB,
};
export const MEDIA_TYPES = Object.keys(MEDIA_LIMITS);
export const MAX_MEDIA_BYTES = 200 * MB;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const OBJECT_KEY_PATTERN = `^proofs/${UUID}/${UUID}/media$`;

export const objectKeyFor = (playerId: string, uploadId: string) => `proofs/${playerId}/${uploadId}/media`;
export const ownsObjectKey = (playerId: string, key: string) =>
  new RegExp(OBJECT_KEY_PATTERN).test(key) && key.startsWith(`proofs/${playerId.toLowerCase()}/`);

/** Throws EVIDENCE_TOO_LARGE / UNSUPPORTED_MEDIA_TYPE when `size` bytes of `contentType` are not accepted. */
export function checkDeclared(contentType: string, size: number): void {
  const limit = MEDIA_LIMITS[contentType];
  if (limit === undefined) throw new ApiError(400, 'UNSUPPORTED_MEDIA_TYPE', `media type ${contentType} is not accepted`);
  if (size > limit) throw new ApiError(400, 'EVIDENCE_TOO_LARGE', `${contentType} is limited to ${limit} bytes`);
}

export interface CheckedMedia {
  sha256: string;
  mediaType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
}

/**
 * HEADs, downloads and re-hashes the object, and sniffs its real type. The
 * declared digest, the content type it was uploaded with and the sniffed type
 * must all agree.
 */
export async function checkUploaded(storage: Storage, key: string, sha256: string): Promise<CheckedMedia> {
  const head = await storage.head(key);
  if (!head) throw new ApiError(400, 'EVIDENCE_NOT_UPLOADED', 'no object was uploaded under this key');
  if (head.size > MAX_MEDIA_BYTES) throw new ApiError(400, 'EVIDENCE_TOO_LARGE', 'object exceeds the size limit');
  const body = await storage.get(key);
  const digest = createHash('sha256').update(body).digest('hex');
  if (digest !== sha256.toLowerCase()) throw new ApiError(400, 'EVIDENCE_HASH_MISMATCH', 'object digest does not match sha256');
  const sniffed = await fileTypeFromBuffer(body);
  const limit = sniffed ? MEDIA_LIMITS[sniffed.mime] : undefined;
  if (!sniffed || limit === undefined || (head.contentType !== undefined && head.contentType !== sniffed.mime)) {
    throw new ApiError(400, 'EVIDENCE_TYPE_MISMATCH', `object content is ${sniffed?.mime ?? 'of an unknown type'}, declared ${head.contentType ?? 'nothing'}`);
  }
  if (body.byteLength > limit) throw new ApiError(400, 'EVIDENCE_TOO_LARGE', `${sniffed.mime} is limited to ${limit} bytes`);
  let width: number | null = null;
  let height: number | null = null;
  if (sniffed.mime.startsWith('image/')) {
    const meta = await sharp(body).metadata().catch(() => null);
    if (!meta) throw new ApiError(400, 'EVIDENCE_TYPE_MISMATCH', 'image cannot be decoded');
    width = meta.width ?? null;
    height = meta.height ?? null;
  }
  return { sha256: digest, mediaType: sniffed.mime, sizeBytes: body.byteLength, width, height };
}
