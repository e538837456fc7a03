import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig, testServices } from './config.ts';
import { Storage } from './storage.ts';
import { getStream, headMetadata, uploadStream } from './storage-stream.ts';

describe('streamed object storage (s3rver)', () => {
  let storage: Storage;

  before(async () => {
    const s = testServices();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://unused/x', REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s.S3_ENDPOINT, RPC_URL: s.RPC_URL, S3_BUCKET: `stream-${randomBytes(4).toString('hex')}` });
    storage = new Storage(config);
    await storage.ensureBucket();
  });
  after(() => storage.destroy());

  async function read(key: string): Promise<Buffer | null> {
    const body = await getStream(storage, key);
    if (!body) return null;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('uploads a stream in parts and reads it back whole, with its metadata', async () => {
    const data = randomBytes(2_500_000);
    async function* source() {
      for (let at = 0; at < data.length; at += 300_000) yield data.subarray(at, at + 300_000);
    }
    const written = await uploadStream(storage, 'big/object', source(), 'application/octet-stream', { size: '42' }, 1_000_000);
    assert.equal(written, data.length);
    assert.deepEqual(await read('big/object'), data);
    assert.deepEqual(await headMetadata(storage, 'big/object'), { size: '42' });
  });

  it('replaces an object whole and stores an empty stream as an empty object', async () => {
    await uploadStream(storage, 'small', (async function* () { yield Buffer.from('first'); })(), 'text/plain');
    await uploadStream(storage, 'small', (async function* () { yield Buffer.from('second'); })(), 'text/plain');
    assert.equal((await read('small'))?.toString(), 'second');
    await uploadStream(storage, 'empty', (async function* () {})(), 'text/plain');
    assert.equal((await read('empty'))?.length, 0);
  });

  it('says null for a missing object', async () => {
    assert.equal(await getStream(storage, 'missing/key'), null);
    assert.equal(await headMetadata(storage, 'missing/key'), null);
  });

  it('leaves the old object in place when the source fails', async () => {
    async function* failing() {
      yield randomBytes(1_500_000);
      throw new Error('source broke');
    }
    await assert.rejects(uploadStream(storage, 'small', failing(), 'text/plain', {}, 1_000_000), /source broke/);
    assert.equal((await read('small'))?.toString(), 'second');
  });
});
