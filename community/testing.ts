// Test support for community tests (not a test file): zones, missions and
// actions written straight into a test database.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { newWallet, signIn, type TestApp } from '../api/testing.ts';

export async function zone(sql: pg.Client, name: string): Promise<string> {
  return (await sql.query(
    `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), $1, 'PT', 0, 0, 500) RETURNING id`, [name])).rows[0].id;
}

export async function mission(sql: pg.Client, zoneId: string): Promise<string> {
  return (await sql.query(
    `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
     VALUES (gen_random_uuid(), $1, 'Cleanup', 'Collect litter', 'cleanup', 10, 1000, 30, 0, 0) RETURNING id`, [zoneId])).rows[0].id;
}

/** An action of `playerId` on `missionId` captured (and submitted) at `at`; with `approved`, evidence and an approve verdict too. */
export async function action(sql: pg.Client, playerId: string, missionId: string, at = new Date(), approved = false): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at) VALUES ($1, $2, $3, $4, 0, 0, 5, $5, $5)`,
    [id, playerId, missionId, `k-${id}`, at]);
  if (!approved) return id;
  await sql.query(
    `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt) VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 10, $4)`,
    [id, `proofs/${playerId}/${id}/media`, randomBytes(32).toString('hex'), randomBytes(32)]);
  await sql.query(
    `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, 90, 0.9, '{}', 'test-verifier-1', 'approve')`, [id]);
  return id;
}

/** A signed-in admin session. */
export async function signInAdmin(t: TestApp, sql: pg.Client) {
  const wallet = newWallet();
  await sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, wallet)).player.id]);
  return signIn(t, wallet);
}
