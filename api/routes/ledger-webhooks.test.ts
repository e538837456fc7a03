import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { appendEntry } from '../../lib/ledger-store.ts';
import { createLogger } from '../../lib/logger.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { entryInput, seedActions } from '../../test/ledger/seed.ts';
import { announceLedgerStatus } from '../notifications/ledger-watch.ts';
import { startNotificationWorkers, type NotificationWorkers } from '../notifications/workers.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';
import { LEDGER_FINALITY_DEPTH } from './ledger.ts';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ledger webhooks: entry status changes delivered signed to a loopback receiver', () => {
  let db: TestDatabase;
  let t: TestApp;
  let workers: NotificationWorkers;
  let pool: pg.Pool;
  let session: Awaited<ReturnType<typeof signIn>>;
  const secrets = new Map<string, string>(); // path → secret
  const got: { path: string; type: string; data: Record<string, unknown>; valid: boolean }[] = [];
  let server: http.Server;
  let base: string;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { VERIFIER_QUEUE_PREFIX: `lw-${randomBytes(4).toString('hex')}`, NOTIFY_SWEEP_MS: '3600000', NOTIFY_BACKOFF_MS: '20' });
    workers = await startNotificationWorkers(t.deps, createLogger('test', 'silent'));
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    session = await signIn(t);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const key = Buffer.from((secrets.get(req.url ?? '') ?? '').replace(/^whsec_/, ''), 'base64');
        const signed = `v1,${createHmac('sha256', key).update(`${String(req.headers['webhook-id'])}.${String(req.headers['webhook-timestamp'])}.${body}`).digest('base64')}`;
        const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        got.push({ path: req.url ?? '', type: parsed.type, data: parsed.data, valid: signed === req.headers['webhook-signature'] });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const seeded = await seedActions(db.sql, 3, 'cd');
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      for (const a of seeded.actions) await appendEntry(c, entryInput(a, seeded.mission, seeded.address));
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  });
  after(async () => {
    await workers.queue.obliterate({ force: true });
    await workers.close();
    await pool.end();
    await t.close();
    await new Promise((r) => server.close(r));
    await db.drop();
  });

  const post = (payload: object, auth = true) =>
    t.app.inject({ method: 'POST', url: '/api/ledger/webhooks', headers: auth ? bearer(session.accessToken) : {}, payload });
  const pass = () => announceLedgerStatus({ pool, chain: t.deps.chain, queue: workers.queue, attempts: 3, backoffMs: 20 });
  const epoch = (n: number, size: number, status: string, block: bigint | null) => db.sql.query(
    `INSERT INTO epochs (epoch, month, status, tree_size, log_root, rewards_root, anchor_tx_hash, anchor_block) VALUES ($1, $2, $3::"EpochStatus", $4, $5, $5, $6, $7)
     ON CONFLICT (epoch) DO UPDATE SET status = EXCLUDED.status, anchor_tx_hash = EXCLUDED.anchor_tx_hash, anchor_block = EXCLUDED.anchor_block`,
    [n, `2026-0${n}`, status, size, Buffer.alloc(32, n), block === null ? null : `0x${'ef'.repeat(32)}`, block?.toString() ?? null]);

  it('subscribes (auth, validation, idempotent) and announces in-log → anchored → final once each', async () => {
    assert.equal((await post({ url: `${base}/one`, entrySeq: '1' }, false)).statusCode, 401);
    for (const bad of [{ url: 'nope' }, { url: `${base}/x`, entrySeq: '-1' }, { url: `${base}/x`, entrySeq: 1 }, { url: `${base}/x`, more: 1 }]) {
      assert.equal((await post(bad)).statusCode, 400, JSON.stringify(bad));
    }
    assert.equal((await post({ url: `${base}/x`, entrySeq: '99' })).statusCode, 404);
    assert.equal((await db.sql.query('SELECT count(*)::int AS n FROM webhook_subscriptions')).rows[0].n, 0, 'refusals change nothing');

    const one = await post({ url: `${base}/one`, entrySeq: '1' });
    assert.equal(one.statusCode, 201, one.body);
    secrets.set('/one', one.json().secret);
    assert.equal((await post({ url: `${base}/one`, entrySeq: '1' })).json().id, one.json().id, 'idempotent');
    const all = await post({ url: `${base}/all` });
    assert.equal(all.statusCode, 201);
    secrets.set('/all', all.json().secret);

    // Epoch 1 covers seqs 0..1 and is exported (in-log); then anchored; then buried past the finality depth.
    await epoch(1, 2, 'exported', null);
    assert.equal(await pass(), 2);
    assert.equal(await pass(), 0, 'a second pass repeats nothing');
    const head = await t.deps.chain.getBlockNumber({ cacheTime: 0 });
    await epoch(1, 2, 'anchored', head);
    assert.equal(await pass(), 2);
    await epoch(1, 2, 'anchored', head - BigInt(LEDGER_FINALITY_DEPTH));
    assert.equal(await pass(), 2);
    // Epoch 2 (seq 2) concerns only the all-entries subscription.
    await epoch(2, 3, 'exported', null);
    assert.equal(await pass(), 1);

    await waitFor('7 deliveries', async () => (await db.sql.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'`)).rows[0].n === 7);
    assert.equal(got.length, 7);
    assert.ok(got.every((g) => g.valid), 'every delivery verifies with its own subscription secret');
    const mine = got.filter((g) => g.path === '/one');
    assert.deepEqual(mine.map((g) => g.type).sort(), ['ledger.entry.anchored', 'ledger.entry.final', 'ledger.entry.in-log']);
    assert.ok(mine.every((g) => g.data.seq === '1' && g.data.epoch === 1 && g.data.fromSeq === '0' && g.data.toSeq === '1'));
    assert.equal(mine.find((g) => g.type === 'ledger.entry.final')?.data.anchorTxHash, `0x${'ef'.repeat(32)}`);
    const everything = got.filter((g) => g.path === '/all');
    assert.equal(everything.length, 4);
    assert.deepEqual(everything.filter((g) => g.data.epoch === 2).map((g) => [g.type, g.data.fromSeq, g.data.toSeq, g.data.seq]), [['ledger.entry.in-log', '2', '2', null]]);
  });
});
