// Fault: Redis goes away. The rate limiter fails closed (skipOnError: false):
// requests under /api/ answer 503 REDIS_UNAVAILABLE and write nothing; when
// Redis is back the same app serves again, and every verify job enqueued before
// or after the outage is processed exactly once by a worker that lived through it.
// The redis-server is this file's own, behind a pausable TCP proxy (an outage
// that keeps Redis's data, as a restart with persistence would).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { testApp, type TestApp } from '../../api/testing.ts';
import { VERIFY_QUEUE, type VerifyJobData } from '../../lib/queues.ts';
import { createRedis, type Redis } from '../../lib/redis.ts';
import { startRedis } from '../../scripts/stack/redis.ts';
import type { RunningService } from '../../scripts/stack/service.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { post, proofWorld, startedQuest, uploaded, type Pending, type ProofWorld } from './proof-fixture.ts';
import { tcpProxy, type TcpProxy } from './tcp-proxy.ts';

describe('fault: Redis unreachable (rate limiter and verify queue)', () => {
  let db: TestDatabase;
  let redisServer: RunningService;
  let proxy: TcpProxy;
  let t: TestApp;
  let w: ProofWorld;
  let workerRedis: Redis | undefined;
  let worker: Worker<VerifyJobData> | undefined;
  const prefix = `frd${randomBytes(5).toString('hex')}`;

  before(async () => {
    db = await freshDatabase();
    redisServer = await startRedis();
    proxy = await tcpProxy(Number(new URL(redisServer.url).port));
    t = await testApp(db.url, { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, S3_BUCKET: `fault-redis-${randomBytes(5).toString('hex')}`, VERIFIER_QUEUE_PREFIX: prefix });
    t.deps.redis.on('error', () => undefined); // reconnect failures while the proxy is paused are the point
    await t.deps.storage.ensureBucket();
    w = await proofWorld(t, db.url);
  });
  after(async () => {
    await proxy?.resume();
    await worker?.close();
    workerRedis?.disconnect();
    await t?.close();
    await proxy?.close();
    await redisServer?.stop();
    await db?.drop();
  });

  const submit = (p: Pending) => post(t, '/api/proof/submit', w.player.accessToken, p.body);
  const actions = async () => Number((await db.sql.query('SELECT count(*) AS n FROM actions')).rows[0].n);

  it('fails closed while down, serves again after, and loses no job', async () => {
    const pending: Pending[] = [];
    for (let i = 0; i < 4; i++) pending.push(await uploaded(t, w, await startedQuest(t, w)));
    const ids: string[] = [];
    for (const p of pending.slice(0, 2)) {
      const res = await submit(p);
      assert.equal(res.statusCode, 200, res.body);
      ids.push(res.json().id);
    }

    proxy.pause();
    const refused = await submit(pending[2]!);
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(refused.json().error.code, 'REDIS_UNAVAILABLE');
    assert.equal(await actions(), 2, 'a refused submission writes nothing');
    const read = await t.app.inject({ method: 'GET', url: '/api/proof/list', headers: { authorization: `Bearer ${w.player.accessToken}` } });
    assert.equal(read.statusCode, 503, 'the limiter guards every /api/ route');
    assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'liveness does not depend on Redis');

    // A verifier-style worker starts during the outage (its connection waits, as BullMQ workers require).
    const processed: string[] = [];
    workerRedis = createRedis(`redis://127.0.0.1:${proxy.port}`, { forWorkers: true });
    worker = new Worker<VerifyJobData>(VERIFY_QUEUE, async (job) => { processed.push(job.data.actionId); }, { connection: workerRedis, prefix, concurrency: 2 });
    worker.on('error', () => undefined); // connection errors while Redis is away are expected

    await proxy.resume();
    for (const p of pending.slice(2)) {
      let res = await submit(p);
      // the app's connection may still be reconnecting for a moment
      for (let i = 0; i < 100 && res.statusCode === 503; i++) res = await new Promise((r) => setTimeout(r, 100)).then(() => submit(p));
      assert.equal(res.statusCode, 200, res.body);
      ids.push(res.json().id);
    }
    assert.equal(await actions(), 4);

    while (processed.length < ids.length) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual([...processed].sort(), [...ids].sort(), 'every job processed exactly once');
  });
});
