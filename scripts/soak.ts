// `npm run test:soak [-- --minutes 10 --rate 4]`: a steady stream of mixed API traffic
// (reads, quest publishing and starts, presigned uploads to S3, proof submissions)
// against a fresh stack of real services for N minutes, with the real verifier and
// impact workers consuming the proofs. Prints every error (there must be none), RSS
// samples of the process (flat), and accounts for every submitted proof: one whole
// proof in Postgres, one verify job in Redis, one verdict, and exactly one ledger
// entry for each approved proof (none for the others). Exit 1 otherwise.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Queue } from 'bullmq';
import { buildApp } from '../api/app.ts';
import { createDeps } from '../api/deps.ts';
import { bearer, signIn, type TestApp } from '../api/testing.ts';
import { startImpactWorker } from '../api/impact/worker.ts';
import { loadConfig, loadVerifierConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { VERIFY_QUEUE } from '../lib/queues.ts';
import { post, proofWorld, query, startedQuest, uploaded, type Session } from '../test/faults/proof-fixture.ts';
import { syntheticPhoto } from '../verifier/media/fixtures.ts';
import { startVerifierWorker } from '../verifier/worker.ts';
import { startTestServices, TEMPLATE_DB } from './stack/test-services.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '4' } } });
const minutes = Number(values.minutes);
const rate = Number(values.rate); // operations per second
if (!(minutes > 0) || !(rate > 0)) throw new Error('usage: npm run test:soak -- [--minutes N] [--rate OPS_PER_SECOND]');

console.log(`[soak] starting Postgres, Redis, S3 and the EVM on loopback; ${minutes} min at ${rate} ops/s`);
const services = await startTestServices();
const admin = new pg.Client({ connectionString: services.env.ONEHEART_TEST_PG_ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE soak TEMPLATE "${TEMPLATE_DB}"`);
await admin.end();
const dbUrl = new URL(services.env.ONEHEART_TEST_PG_ADMIN_URL!);
dbUrl.pathname = '/soak';
const prefix = `soak${randomBytes(4).toString('hex')}`;
const env = {
  ...services.env, NODE_ENV: 'test', DATABASE_URL: dbUrl.toString(), VERIFIER_QUEUE_PREFIX: prefix,
  RATE_LIMIT_ANON: '100000', RATE_LIMIT_USER: '100000', RATE_LIMIT_ADMIN: '100000',
};
const config = loadConfig(env);
const deps = createDeps(config);
const app = await buildApp(deps, createLogger('soak', 'error'));
const t: TestApp = { app, deps, close: async () => { await app.close(); await deps.close(); } };
await deps.storage.ensureBucket();
const verifier = await startVerifierWorker(loadVerifierConfig(env));
const impact = startImpactWorker(deps);
const world = await proofWorld(t, config.DATABASE_URL);
const players: Session[] = [world.player];
for (let i = 0; i < 39; i++) players.push(await signIn(t));

const errors: string[] = [];
const counts = new Map<string, number>();
const accepted = new Set<string>();
const expect = (what: string, status: number, ok: number, body: string) => {
  counts.set(what, (counts.get(what) ?? 0) + 1);
  if (status !== ok) errors.push(`${what}: ${status} ${body.slice(0, 200)}`);
};
const get = async (what: string, url: string, token?: string) => {
  const res = await app.inject({ method: 'GET', url, ...(token ? { headers: bearer(token) } : {}) });
  expect(what, res.statusCode, 200, res.body);
};
let n = 0;
const operations = [
  () => get('GET /health', '/health'),
  () => get('GET /api/map/zones', '/api/map/zones'),
  async () => {
    const p = players[n % players.length]!;
    try {
      const pending = await uploaded(t, world, await startedQuest(t, world, p), p, await syntheticPhoto(n));
      const res = await post(t, '/api/proof/submit', p.accessToken, pending.body);
      expect('proof (create, start, upload, submit)', res.statusCode, 200, res.body);
      if (res.statusCode === 200) accepted.add(res.json().id as string);
    } catch (err) {
      expect('proof (create, start, upload, submit)', 0, 200, (err as Error).message);
    }
  },
  () => get('GET /api/quest/list', '/api/quest/list', players[n % players.length]!.accessToken),
  () => get('GET /api/proof/list', '/api/proof/list', players[n % players.length]!.accessToken),
];

const rss: number[] = [];
const sample = () => rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
sample();
const sampler = setInterval(sample, 10_000);
const started = Date.now();
const end = started + minutes * 60_000;
const inflight = new Set<Promise<void>>();
// Steady rate: one operation per tick whatever the previous ones take (bounded in flight).
for (let next = Date.now(); next < end; next += 1000 / rate) {
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  if (inflight.size >= 32) await Promise.race(inflight);
  const op = operations[n % operations.length]!;
  n++;
  const p: Promise<void> = op().catch((err: unknown) => { errors.push(String(err)); }).finally(() => inflight.delete(p));
  inflight.add(p);
}
await Promise.all(inflight);
clearInterval(sampler);
sample();

// Accounting: every accepted proof is whole in Postgres and has its verify job.
const queue = new Queue(VERIFY_QUEUE, { connection: deps.redis, prefix });
const stored = await query<{ id: string; evidence: string; status: string }>(config.DATABASE_URL, `
  SELECT a.id::text, (SELECT count(*) FROM evidence e WHERE e.action_id = a.id)::text AS evidence, q.status
  FROM actions a JOIN quest_assignments q ON q.id = a.assignment_id`);
const whole = stored.filter((r) => r.evidence === '1' && ['submitted', 'completed'].includes(r.status) && accepted.has(r.id)).length;
let jobs = 0;
for (const id of accepted) if (await queue.getJob(id)) jobs++;
await queue.close();

// The workers drain what is left: every accepted proof gets a verdict; each approved
// one exactly one ledger entry (bounded wait; whatever is missing after it is a failure).
const verdicts = async () => query<{ id: string; decision: string; flags: string[]; entries: number }>(config.DATABASE_URL, `
  SELECT v.action_id::text AS id, v.decision, v.flags,
         (SELECT count(*)::int FROM ledger_entries l WHERE l.action_id = v.action_id) AS entries
  FROM verification_results v`);
const settled = (rows: { decision: string; entries: number }[]) =>
  rows.length >= accepted.size && rows.every((r) => r.decision !== 'approve' || r.entries === 1);
let judged = await verdicts();
for (const deadline = Date.now() + 180_000; !settled(judged) && Date.now() < deadline;) {
  await new Promise((r) => setTimeout(r, 1000));
  judged = await verdicts();
}
const byDecision = new Map<string, number>();
for (const r of judged) byDecision.set(r.decision, (byDecision.get(r.decision) ?? 0) + 1);
const flagged = new Map<string, number>();
for (const f of judged.flatMap((r) => r.flags)) flagged.set(f, (flagged.get(f) ?? 0) + 1);
const badEntries = judged.filter((r) => (r.decision === 'approve' ? r.entries !== 1 : r.entries !== 0)).length;
const unjudged = [...accepted].filter((id) => !judged.some((r) => r.id === id)).length;
await verifier.close();
await impact.close();

const secs = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n[soak] ${n} operations in ${secs} s (${(n / Number(secs)).toFixed(2)}/s)`);
for (const [what, c] of counts) console.log(`  ${what}: ${c}`);
console.log(`[soak] errors: ${errors.length}`);
for (const e of errors.slice(0, 20)) console.log(`  ${e}`);
console.log(`[soak] RSS MiB every 10 s: ${rss.join(' ')} (first ${rss[0]}, last ${rss.at(-1)}, max ${Math.max(...rss)})`);
console.log(`[soak] proofs: ${accepted.size} accepted, ${stored.length} rows in actions, ${whole} whole and matching, ${jobs} verify jobs`);
console.log(`[soak] verdicts: ${[...byDecision].map(([d, c]) => `${d} ${c}`).join(', ')}; ${unjudged} without a verdict; ${badEntries} with a wrong number of ledger entries`);
console.log(`[soak] flags: ${[...flagged].map(([f, c]) => `${f} ${c}`).join(', ') || 'none'}`);
const ok = errors.length === 0 && stored.length === accepted.size && whole === accepted.size && jobs === accepted.size
  && unjudged === 0 && badEntries === 0;
console.log(`[soak] ${ok ? 'PASS' : 'FAIL'}`);
await t.close();
await services.stop();
process.exit(ok ? 0 : 1);
