import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { applyImpact } from '../api/impact/engine.ts';
import { seedActions } from '../test/ledger/seed.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { NOTIFY_PG_CHANNEL, notify, notifyMany } from './notify.ts';
import { inTransaction } from './transaction.ts';

describe('notify: idempotent, preference-aware, announced on commit', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let playerId: string;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    playerId = randomUUID();
    await db.sql.query('INSERT INTO players (id, address, did) VALUES ($1, $2, $3)', [playerId, `0x${randomBytes(20).toString('hex')}`, `did:x:${playerId}`]);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  const rows = async (kind: string, who = playerId) =>
    (await db.sql.query('SELECT kind, title, body, data, channels, dedupe_key FROM notifications WHERE player_id = $1 AND kind = $2', [who, kind])).rows;

  it('writes once per dedupe key, with default channels and rendered text', async () => {
    const input = { playerId, kind: 'badge_earned', dedupeKey: 'badge_earned:first-deed', payload: { code: 'first-deed', name: 'First deed' } } as const;
    const id = await notify(pool, input);
    assert.ok(id);
    assert.equal(await notify(pool, input), null);
    const [row] = await rows('badge_earned');
    assert.deepEqual(row.channels, ['in_app', 'webhook']);
    assert.equal(row.title, 'Badge earned');
    assert.match(row.body, /First deed/);
    assert.deepEqual(row.data, { code: 'first-deed', name: 'First deed' });
    assert.equal((await rows('badge_earned')).length, 1);
  });

  it('applies preferences: an opted-out channel is left out, all channels off writes nothing', async () => {
    await db.sql.query(`INSERT INTO notification_preferences (player_id, kind, channel, enabled) VALUES ($1, 'proof_rejected', 'webhook', false), ($1, 'proof_rejected', 'sms', true)`, [playerId]);
    await notify(pool, { playerId, kind: 'proof_rejected', dedupeKey: 'r1', payload: { actionId: randomUUID(), flags: ['hard:geofence'], authenticity: 3 } });
    assert.deepEqual((await rows('proof_rejected'))[0].channels, ['in_app', 'sms']);

    await db.sql.query(`INSERT INTO notification_preferences (player_id, kind, channel, enabled) VALUES ($1, 'epoch_anchored', 'in_app', false), ($1, 'epoch_anchored', 'webhook', false)`, [playerId]);
    assert.equal(await notify(pool, { playerId, kind: 'epoch_anchored', dedupeKey: 'e1', payload: { epoch: 1, txHash: '0x', entries: 2 } }), null);
    assert.equal((await rows('epoch_anchored')).length, 0);
  });

  it('is atomic with the caller: rolled back with it, announced only on commit', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.channel));
    await listener.query(`LISTEN ${NOTIFY_PG_CHANNEL}`);
    const payload = { epoch: 7, cumulativeAmount: '10', newAmount: '10' };
    await assert.rejects(inTransaction(pool, async (tx) => {
      await notify(tx, { playerId, kind: 'claim_available', dedupeKey: 'c7', payload });
      throw new Error('caller failed');
    }));
    assert.equal((await rows('claim_available')).length, 0);
    const ids = await inTransaction(pool, (tx) => notifyMany(tx, [
      { playerId, kind: 'claim_available', dedupeKey: 'c7', payload },
      { playerId, kind: 'claim_available', dedupeKey: 'c8', payload: { ...payload, epoch: 8 } },
    ]));
    assert.equal(ids.length, 2);
    await listener.query('SELECT 1'); // a round trip after the commit delivers pending notifications
    assert.deepEqual(heard, [NOTIFY_PG_CHANNEL], 'one announcement per transaction');
    await listener.end();
  });

  it('the impact engine notifies proof_verified and badge_earned once, in its transaction', async () => {
    const seeded = await seedActions(db.sql, 2, 'ab');
    const owner = (await db.sql.query('SELECT id FROM players WHERE address = $1', [seeded.address])).rows[0].id as string;
    for (const actionId of seeded.actions) {
      await db.sql.query(`INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt) VALUES (gen_random_uuid(), $1::uuid, 'k-' || $1::text, $2, 'image/jpeg', 1, $3)`,
        [actionId, 'a'.repeat(64), randomBytes(32)]);
      await db.sql.query(`INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, 90, 0.9, '{}', 'm', 'approve')`, [actionId]);
    }
    const [a1, a2] = seeded.actions as [string, string];
    const first = await applyImpact(pool, a1);
    await applyImpact(pool, a1); // idempotent: nothing new
    await applyImpact(pool, a2);
    const verified = await rows('proof_verified', owner);
    assert.equal(verified.length, 2);
    const one = verified.find((r) => r.data.actionId === a1);
    assert.equal(one.data.seq, first.entry.seq.toString());
    assert.equal(one.data.xp, first.breakdown?.xp);
    const badges = await rows('badge_earned', owner);
    assert.equal(badges.length, 1);
    assert.equal(badges[0].data.code, 'first-deed');
  });
});
