import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig, testServices } from './config.ts';
import { Storage } from './storage.ts';

describe('Storage on a real S3-compatible server', () => {
  let storage: Storage;
  before(async () => {
    storage = new Storage(loadConfig({ ...testServices(), DATABASE_URL: 'postgresql://x@127.0.0.1/x', S3_BUCKET: 'oneheart-storage-test' }));
    await storage.ensureBucket();
    await storage.ensureBucket(); // idempotent
  });
  after(() => storage.destroy());

  it('round-trips an object and reports its size', async () => {
    await storage.put('a/b.txt', 'hello', 'text/plain');
    assert.equal(Buffer.from(await storage.get('a/b.txt')).toString(), 'hello');
    assert.deepEqual(await storage.head('a/b.txt'), { size: 5, contentType: 'text/plain' });
    assert.equal(await storage.head('a/missing.txt'), null);
  });

  it('accepts an upload through a presigned PUT URL and serves it through a presigned GET', async () => {
    const body = Buffer.from('evidence bytes');
    const putUrl = await storage.presignPut('evidence/1.jpg', 'image/jpeg');
    const put = await fetch(putUrl, { method: 'PUT', body, headers: { 'content-type': 'image/jpeg' } });
    assert.equal(put.status, 200);
    const got = Buffer.from(await (await fetch(await storage.presignGet('evidence/1.jpg'))).arrayBuffer());
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(body).digest('hex'));
  });
});
