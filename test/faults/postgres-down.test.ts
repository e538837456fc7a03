// Fault: Postgres stops while players submit proofs. Writes answer 503
// DATABASE_UNAVAILABLE or DATABASE_BUSY (never a 500), nothing is half-written, and the same app
// recovers by itself when Postgres is back on the same port and data directory.
// The Postgres is this file's own: the shared test cluster is never stopped.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { VERIFY_QUEUE } from '../../lib/queues.ts';
import { testApp, type TestApp } from '../../api/testing.ts';
import { privatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { post, proofWorld, query, startedQuest, uploaded, type Pending, type ProofWorld } from './proof-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The 503 codes a client retries with the same idempotency key (a transaction cut by the outage may say busy). */
const RETRYABLE = new Set(['DATABASE_UNAVAILABLE', 'DATABASE_BUSY']);

describe('fault: Postgres stopped during a stream of proof submissions', () => {
  let pgServer: PrivatePostgres;
  let t: TestApp;
  let w: ProofWorld;
  let verify: Queue;
  const prefix = `fpg${randomBytes(5).toString('hex')}`;

  before(async () => {
    pgServer = await privatePostgres();
    t = await testApp(pgServer.url, { S3_BUCKET: `fault-pg-${randomBytes(5).toString('hex')}`, VERIFIER_QUEUE_PREFIX: prefix });
    await t.deps.storage.ensureBucket();
    verify = new Queue(VERIFY_QUEUE, { connection: t.deps.redis, prefix });
    w = await proofWorld(t, pgServer.url);
  });
  after(async () => {
    await verify?.obliterate({ force: true });
    await verify?.close();
    await t?.close();
    await pgServer?.destroy();
  });

  it('answers 503 DATABASE_UNAVAILABLE while down, writes whole proofs or nothing, and recovers alone', async () => {
    const N = 12;
    const pending: Pending[] = [];
    for (let i = 0; i < N; i++) pending.push(await uploaded(t, w, await startedQuest(t, w)));

    const seen: { status: number; code?: string }[] = [];
    const accepted = new Map<string, string>(); // assignmentId → action id
    let unavailable = 0;
    // Each submission is retried with its idempotency key until it is accepted,
    // as a client following the 503 contract would.
    const submitUntilAccepted = async (p: Pending) => {
      for (let attempt = 0; attempt < 1200; attempt++) {
        const res = await post(t, '/api/proof/submit', w.player.accessToken, p.body);
        const code = res.statusCode === 200 ? undefined : (res.json().error?.code as string | undefined);
        seen.push({ status: res.statusCode, code });
        if (res.statusCode === 200) return void accepted.set(p.assignmentId, res.json().id as string);
        if (res.statusCode === 503 && RETRYABLE.has(code ?? '')) unavailable++;
        else throw new Error(`unexpected ${res.statusCode} ${res.body}`);
        await sleep(50);
      }
      throw new Error('submission never accepted');
    };

    await submitUntilAccepted(pending[0]!);
    // Two clients keep submitting while Postgres stops and comes back.
    const queue = pending.slice(1);
    const client = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await submitUntilAccepted(p);
    };
    let settled = false;
    const load = Promise.all([client(), client()]).finally(() => { settled = true; });
    const until = async (done: () => boolean) => { while (!done() && !settled) await sleep(10); };
    await until(() => accepted.size >= 3);
    await pgServer.stop();
    await until(() => unavailable >= 4);
    await pgServer.start();
    await load;

    assert.ok(unavailable >= 4, 'writes were refused while Postgres was down');
    for (const r of seen) assert.ok(r.status === 200 || (r.status === 503 && RETRYABLE.has(r.code ?? '')), JSON.stringify(r));
    assert.equal(accepted.size, N);

    // Every stored proof is whole, and there is exactly one per accepted submission.
    const actions = await query<{ id: string; assignment_id: string; evidence: string; status: string }>(pgServer.url, `
      SELECT a.id::text, a.assignment_id::text, (SELECT count(*) FROM evidence e WHERE e.action_id = a.id)::text AS evidence, q.status
      FROM actions a JOIN quest_assignments q ON q.id = a.assignment_id`);
    assert.equal(actions.length, N);
    for (const a of actions) {
      assert.equal(a.evidence, '1', `action ${a.id} has exactly one evidence row`);
      assert.equal(a.status, 'submitted');
      assert.equal(accepted.get(a.assignment_id), a.id, 'the stored action is the one the API answered with');
    }
    const stray = await query<{ n: string }>(pgServer.url, `SELECT count(*)::text AS n FROM quest_assignments q WHERE q.status <> 'active' AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.assignment_id = q.id)`);
    assert.equal(stray[0]?.n, '0', 'no assignment moved without its proof');
    // Nothing lost on the queue side either: every proof has its verify job.
    for (const id of accepted.values()) assert.ok(await verify.getJob(id), `verify job for ${id}`);

    // Reads recover too, on the same app and connection pool.
    const list = await t.app.inject({ method: 'GET', url: '/api/proof/list?limit=100', headers: { authorization: `Bearer ${w.player.accessToken}` } });
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(list.json().total, N);
  });
});
