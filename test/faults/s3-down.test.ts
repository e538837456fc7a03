// Fault: the S3-compatible store stops. Proof submission fails with 503
// STORAGE_UNAVAILABLE, nothing is stored in Postgres for it, and the same
// submission succeeds once the store is back. The store is this file's own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testApp, type TestApp } from '../../api/testing.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { startS3 } from '../../scripts/stack/s3.ts';
import type { RunningService } from '../../scripts/stack/service.ts';
import { post, proofWorld, startedQuest, uploaded, type ProofWorld } from './proof-fixture.ts';

describe('fault: S3 store stopped during proof submission', () => {
  let db: TestDatabase;
  let t: TestApp;
  let w: ProofWorld;
  let dir: string;
  let port: number;
  let s3: RunningService | undefined;

  before(async () => {
    db = await freshDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-fault-s3-'));
    port = await freePort();
    s3 = await startS3({ dir, port });
    t = await testApp(db.url, { S3_ENDPOINT: s3.url, S3_BUCKET: `fault-s3-${randomBytes(5).toString('hex')}` });
    await t.deps.storage.ensureBucket();
    w = await proofWorld(t, db.url);
  });
  after(async () => {
    await s3?.stop();
    await t?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await db.sql.query(sql, params)).rows[0].n);
  const stored = async () => ({
    actions: await count('SELECT count(*) AS n FROM actions'),
    evidence: await count('SELECT count(*) AS n FROM evidence'),
    moved: await count(`SELECT count(*) AS n FROM quest_assignments WHERE status <> 'active'`),
  });

  it('refuses submissions with 503 STORAGE_UNAVAILABLE, stores nothing, and accepts the same submission after restart', async () => {
    const ready = await uploaded(t, w, await startedQuest(t, w));
    const notYet = await startedQuest(t, w);
    const before = await stored();
    assert.deepEqual(before, { actions: 0, evidence: 0, moved: 0 });

    await s3!.stop();
    s3 = undefined;

    const res = await post(t, '/api/proof/submit', w.player.accessToken, ready.body);
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().error.code, 'STORAGE_UNAVAILABLE');
    assert.deepEqual(await stored(), before, 'nothing half-stored');

    // A presigned URL is computed locally, so it is still handed out; the upload
    // itself cannot reach the store, and nothing is recorded for it.
    const url = await post(t, '/api/proof/upload-url', w.player.accessToken, { assignmentId: notYet, contentType: 'image/jpeg', size: w.photo.byteLength });
    assert.equal(url.statusCode, 200, url.body);
    await assert.rejects(fetch(url.json().url, { method: 'PUT', body: w.photo, headers: { 'content-type': 'image/jpeg' } }));
    assert.deepEqual(await stored(), before);

    s3 = await startS3({ dir, port });
    const retry = await post(t, '/api/proof/submit', w.player.accessToken, ready.body);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.deepEqual(await stored(), { actions: 1, evidence: 1, moved: 1 });
    const again = await post(t, '/api/proof/submit', w.player.accessToken, ready.body);
    assert.equal(again.json().id, retry.json().id, 'the retry is idempotent');
    assert.equal((await uploaded(t, w, notYet)).assignmentId, notYet, 'uploads work again');
  });
});
