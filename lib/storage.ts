import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from './config.ts';

export type StorageOptions = Pick<
  Config,
  'S3_ENDPOINT' | 'S3_REGION' | 'S3_BUCKET' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'
>;

/** Object storage on any S3-compatible endpoint; the same code talks to AWS and to s3rver. */
export class Storage {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: StorageOptions) {
    this.bucket = options.S3_BUCKET;
    this.client = new S3Client({
      endpoint: options.S3_ENDPOINT,
      region: options.S3_REGION,
      forcePathStyle: options.S3_FORCE_PATH_STYLE,
      credentials: { accessKeyId: options.S3_ACCESS_KEY_ID, secretAccessKey: options.S3_SECRET_ACCESS_KEY },
      // A stalled store must fail a request (and let the SDK retry), never hang it.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      maxAttempts: 3,
    });
  }

  /** Creates the bucket when it does not exist (idempotent). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket })).catch((err: unknown) => {
        if ((err as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw err;
      });
    }
  }

  /** Resolves when the bucket is reachable; throws otherwise. */
  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async put(key: string, body: Uint8Array | string, contentType: string, cacheControl?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`object ${key} has no body`);
    return out.Body.transformToByteArray();
  }

  /** Size and content type of an object, or null when it does not exist. */
  async head(key: string): Promise<{ size: number; contentType?: string } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, contentType: out.ContentType };
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound') return null;
      throw err;
    }
  }

  /** A URL the holder can PUT one object to, valid for `expiresIn` seconds. */
  presignPut(key: string, contentType: string, expiresIn = 600): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }), { expiresIn });
  }

  presignGet(key: string, expiresIn = 600): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }

  destroy(): void {
    this.client.destroy();
  }
}
