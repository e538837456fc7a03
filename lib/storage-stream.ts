import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Storage } from './storage.ts';

/** Bytes per uploaded part (S3 takes 5 MiB to 5 GiB, the last part may be smaller; at most 10,000 parts). */
export const PART_BYTES = 16 * 2 ** 20;

/**
 * Streams `source` to `key` as a multipart upload, one part in memory at a
 * time, so objects larger than memory (or than one PUT) can be stored. The
 * object appears only when the upload completes, replacing any older one
 * whole; a failed upload is aborted and leaves the old object in place.
 * Returns the bytes written.
 */
export async function uploadStream(
  storage: Storage,
  key: string,
  source: AsyncIterable<Uint8Array>,
  contentType: string,
  metadata: Record<string, string> = {},
  partBytes = PART_BYTES,
): Promise<number> {
  const { client, bucket } = storage;
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, Metadata: metadata }));
  if (!UploadId) throw new Error(`no upload id for ${key}`);
  const parts: { ETag: string; PartNumber: number }[] = [];
  let total = 0;
  const send = async (body: Buffer) => {
    const PartNumber = parts.length + 1;
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body }));
    if (!ETag) throw new Error(`no ETag for part ${PartNumber} of ${key}`);
    parts.push({ ETag, PartNumber });
    total += body.length;
  };
  try {
    let part = Buffer.allocUnsafe(partBytes);
    let filled = 0;
    for await (const chunk of source) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, partBytes - filled);
        part.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === partBytes) {
          await send(part);
          part = Buffer.allocUnsafe(partBytes);
          filled = 0;
        }
      }
    }
    if (filled > 0 || parts.length === 0) await send(part.subarray(0, filled));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    return total;
  } catch (err) {
    // s3rver has no abort (405); real stores drop the parts.
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
    throw err;
  }
}

/** The object's body as a stream (read it to the end or destroy it), or null when there is no such object. */
export async function getStream(storage: Storage, key: string): Promise<Readable | null> {
  try {
    const out = await storage.client.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
    if (!out.Body) throw new Error(`object ${key} has no body`);
    return out.Body as Readable;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

/** The object's user metadata (x-amz-meta-*, lower-case names), or null when there is no such object. */
export async function headMetadata(storage: Storage, key: string): Promise<Record<string, string> | null> {
  try {
    const out = await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }));
    return out.Metadata ?? {};
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound') return null;
    throw err;
  }
}
