// The admin review queue page in Chromium, on seeded proofs held for review: items show their
// flags, rule results and scores; a decision needs a reason, is stored with it, and removes the
// item; a refused decision shows the API's code on the item; a held comment shows its text and
// flags and can be decided the same way; non-admins are asked to sign in.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { IMPACT_QUEUE } from '../lib/queues.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../api/testing.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';

describe('review queue page in Chromium', () => {
  let db: TestDatabase;
  let t: TestApp;
  let impact: Queue;
  let apiUrl: string;
  let browser: Browser;
  let admin: string;
  let player: { id: string; token: string };
  let zoneId: string;
  const prefix = `rv${randomBytes(5).toString('hex')}`;
  const ids: Record<'geofence' | 'burst' | 'exif', string> = { geofence: '', burst: '', exif: '' };

  /** A proof the verifier sent to review with `flags` (failed rules of that severity). */
  async function heldProof(flags: string[]): Promise<string> {
    const missionId = (await db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, 'Cleanup', 'Litter', 'cleanup', 50, 1000, 60, 38.7, -9.1) RETURNING id`, [zoneId])).rows[0].id;
    const actionId = randomUUID();
    await db.sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, status)
       VALUES ($1, $2, $3, $4, 38.7, -9.1, 5, now(), 'review')`, [actionId, player.id, missionId, randomUUID()]);
    await db.sql.query(
      `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt, width, height)
       VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 1000, $4, 640, 480)`,
      [actionId, `proof/${player.id}/${actionId}.jpg`, randomBytes(32).toString('hex'), randomBytes(32)]);
    await db.sql.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision)
       VALUES (gen_random_uuid(), $1, 30, 0.4, $2, 'm1', 'review')`, [actionId, flags]);
    const rules = flags.map((f) => ({ name: f.split(':')[1], passed: false, severity: f.split(':')[0], detail: `seeded ${f}` }));
    await db.sql.query('INSERT INTO verification_details (action_id, rules, model_score) VALUES ($1, $2, 0.3)', [actionId, JSON.stringify(rules)]);
    return actionId;
  }

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { VERIFIER_QUEUE_PREFIX: prefix });
    impact = new Queue(IMPACT_QUEUE, { connection: t.deps.redis, prefix });
    const p = await signIn(t);
    player = { id: p.player.id, token: p.accessToken };
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    admin = (await signIn(t, w)).accessToken;
    zoneId = (await db.sql.query(
      `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'Lisbon', 'PT', 38.7, -9.1, 500) RETURNING id`)).rows[0].id;
    ids.geofence = await heldProof(['hard:geofence']);
    ids.burst = await heldProof(['soft:burst', 'soft:exif']);
    ids.exif = await heldProof(['soft:exif']);
    apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await impact.obliterate({ force: true });
    await impact.close();
    await t.close();
    await db.drop();
  });

  async function open(token: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${apiUrl}/dashboard/review#token=${encodeURIComponent(token)}`);
    await page.locator('#status').filter({ hasText: /pending|Could not|Sign in/ }).waitFor({ timeout: 30_000 })
      .catch((err: unknown) => { throw new Error(`${(err as Error).message}; page errors: ${errors.join('; ')}`); });
    return { page, errors };
  }
  const itemIds = async (page: Page) => Promise.all((await page.locator('.item').all()).map((l) => l.getAttribute('data-id')));
  const decisions = async () => (await db.sql.query('SELECT subject_id::text AS id, decision, reason FROM review_decisions ORDER BY created_at')).rows;

  it('lists the held proofs with flags, failed rules, scores and evidence', async () => {
    const { page, errors } = await open(admin);
    try {
      assert.deepEqual(errors, []);
      assert.equal(await page.locator('#status').textContent(), '3 pending');
      assert.deepEqual(await itemIds(page), [ids.geofence, ids.burst, ids.exif]);
      const burst = page.locator(`.item[data-id="${ids.burst}"]`);
      assert.deepEqual(await burst.locator('.flag').allTextContents(), ['soft:burst', 'soft:exif']);
      const text = (await burst.textContent()) ?? '';
      assert.match(text, /✗ burst \(soft\): seeded soft:burst/);
      assert.match(text, /authenticity 30 · confidence 0\.4 · model 0\.3 \(m1\)/);
      assert.match(text, /±5 m/);
      assert.match((await burst.locator('a').getAttribute('href')) ?? '', /X-Amz-Signature=/, 'evidence links are presigned');
    } finally {
      await page.close();
    }
  });

  it('filters by flag with ?flag= on the page URL', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${apiUrl}/dashboard/review?flag=exif#token=${encodeURIComponent(admin)}`);
      await page.locator('#status').filter({ hasText: 'pending' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('#status').textContent(), '2 pending');
      assert.deepEqual(await itemIds(page), [ids.burst, ids.exif]);
    } finally {
      await page.close();
    }
  });

  it('approve and reject need a reason; the decision is stored with it and the item leaves the list', async () => {
    const { page } = await open(admin);
    try {
      const item = page.locator(`.item[data-id="${ids.geofence}"]`);
      await item.locator('button.approve').click();
      assert.equal(await item.locator('.error').textContent(), 'Give a reason for the decision.');
      assert.deepEqual(await decisions(), [], 'no reason, no decision');

      await item.locator('textarea').fill('park boundary is wrong on the map');
      await item.locator('button.approve').click();
      await item.waitFor({ state: 'detached', timeout: 30_000 });
      assert.equal(await page.locator('#status').textContent(), '2 pending');
      assert.deepEqual(await decisions(), [{ id: ids.geofence, decision: 'approve', reason: 'park boundary is wrong on the map' }]);
      assert.ok(await impact.getJob(ids.geofence), 'the approve went to the impact engine');

      const burst = page.locator(`.item[data-id="${ids.burst}"]`);
      await burst.locator('textarea').fill('ten proofs in a minute');
      await burst.locator('button.reject').click();
      await burst.waitFor({ state: 'detached', timeout: 30_000 });
      assert.equal(await page.locator('#status').textContent(), '1 pending');
      assert.deepEqual((await decisions())[1], { id: ids.burst, decision: 'reject', reason: 'ten proofs in a minute' });
      assert.equal((await db.sql.query('SELECT status FROM actions WHERE id = $1', [ids.burst])).rows[0].status, 'rejected');

      await page.reload();
      await page.locator('#status').filter({ hasText: 'pending' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await itemIds(page), [ids.exif], 'decided items stay gone');
    } finally {
      await page.close();
    }
  });

  it('shows a refused decision on the item and keeps it', async () => {
    const { page } = await open(admin);
    try {
      const other = await t.app.inject({ method: 'POST', url: `/api/admin/review/${ids.exif}`, headers: bearer(admin), payload: { decision: 'reject', reason: 'decided in another tab' } });
      assert.equal(other.statusCode, 200, other.body);
      const item = page.locator(`.item[data-id="${ids.exif}"]`);
      await item.locator('textarea').fill('looks fine');
      await item.locator('button.approve').click();
      await item.locator('.error').filter({ hasText: 'ALREADY_DECIDED' }).waitFor({ timeout: 30_000 });
      assert.equal(await item.count(), 1);
      assert.equal(await item.locator('button.approve').isEnabled(), true);
      assert.deepEqual((await decisions()).filter((d) => d.id === ids.exif), [{ id: ids.exif, decision: 'reject', reason: 'decided in another tab' }]);
    } finally {
      await page.close();
    }
  });

  it('lists a comment moderation held back with its text and flags; rejecting it keeps it hidden', async () => {
    const posted = await t.app.inject({
      method: 'POST', url: '/api/social/comment', headers: bearer(player.token),
      payload: { zoneId, body: 'You are a fucking idiot', clientKey: `review-page-${randomUUID()}` },
    });
    assert.equal(posted.statusCode, 201, posted.body);
    const commentId = posted.json().id as string;
    const { page, errors } = await open(admin);
    try {
      const item = page.locator(`.item[data-id="${commentId}"]`);
      assert.equal(await item.locator('.comment-body').textContent(), 'You are a fucking idiot');
      assert.deepEqual(await item.locator('.flag').allTextContents(), ['profanity', 'insult']);
      assert.match((await item.locator('h3').textContent()) ?? '', /^comment /);
      await item.locator('textarea').fill('insults another player');
      await item.locator('button.reject').click();
      await item.waitFor({ state: 'detached', timeout: 30_000 });
      const stored = await db.sql.query('SELECT status, review_reason FROM comments WHERE id = $1', [commentId]);
      assert.deepEqual(stored.rows[0], { status: 'hidden', review_reason: 'insults another player' });
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  it('asks a player or an anonymous visitor to sign in as an admin', async () => {
    for (const [token, code] of [[player.token, 'FORBIDDEN'], ['', 'UNAUTHENTICATED']] as const) {
      const { page } = await open(token);
      try {
        await page.locator('#token').waitFor({ timeout: 30_000 });
        assert.match((await page.locator('#status').textContent()) ?? '', new RegExp(`Sign in as an admin \\(${code}\\)`));
      } finally {
        await page.close();
      }
    }
  });
});
