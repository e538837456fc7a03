// Test support for the fault and soak tests (not a test file): an admin and a
// player on a test app, missions the player has started, evidence uploaded
// through the presigned URL, and the submission body for it.
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import sharp from 'sharp';
import { bearer, newWallet, signIn, type TestApp } from '../../api/testing.ts';

export type Session = Awaited<ReturnType<typeof signIn>>;

export interface Pending {
  assignmentId: string;
  objectKey: string;
  body: Record<string, unknown>;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** One short-lived connection per call, so a stopped server never leaves a broken client behind. */
export async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function jpeg(seed: number): Promise<Uint8Array> {
  const background = { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 };
  return new Uint8Array(await sharp({ create: { width: 32, height: 24, channels: 3, background } }).jpeg().toBuffer());
}

export interface ProofWorld {
  admin: Session;
  player: Session;
  zoneId: string;
  photo: Uint8Array;
}

/** A zone, an admin and a player on `t` (whose database is `databaseUrl`). */
export async function proofWorld(t: TestApp, databaseUrl: string): Promise<ProofWorld> {
  const [zone] = await query<{ id: string }>(databaseUrl,
    `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES (gen_random_uuid(), 'Lisbon', 'PT', 38.7, -9.1, 500, 1) RETURNING id`);
  const w = newWallet();
  const first = await signIn(t, w);
  await query(databaseUrl, `UPDATE players SET role = 'admin' WHERE id = $1`, [first.player.id]);
  return { admin: await signIn(t, w), player: await signIn(t), zoneId: zone!.id, photo: await jpeg(1) };
}

export const post = (t: TestApp, url: string, token: string, payload: object) =>
  t.app.inject({ method: 'POST', url, headers: bearer(token), payload });

export const missionBody = (zoneId: string, title: string) => ({
  zoneId, title, description: 'Collect litter', type: 'cleanup', baseXp: 10, baseHeart: '1000000000000000000',
  durationMinutes: 60, latitude: 38.7, longitude: -9.1, difficulty: 1,
});

/** A mission the player has started: its assignment id. */
export async function startedQuest(t: TestApp, w: ProofWorld, player: Session = w.player): Promise<string> {
  const m = await post(t, '/api/quest/create', w.admin.accessToken, missionBody(w.zoneId, `Cleanup ${randomUUID()}`));
  if (m.statusCode !== 201) throw new Error(`quest create: ${m.statusCode} ${m.body}`);
  const a = await post(t, `/api/quest/${m.json().id}/start`, player.accessToken, {});
  if (a.statusCode !== 201) throw new Error(`quest start: ${a.statusCode} ${a.body}`);
  return a.json().id as string;
}

/** Uploads `photo` for a started quest through the presigned URL; returns the submission ready to post. */
export async function uploaded(t: TestApp, w: ProofWorld, assignmentId: string, player: Session = w.player, photo: Uint8Array = w.photo): Promise<Pending> {
  const res = await post(t, '/api/proof/upload-url', player.accessToken, { assignmentId, contentType: 'image/jpeg', size: photo.byteLength });
  if (res.statusCode !== 200) throw new Error(`upload-url: ${res.statusCode} ${res.body}`);
  const put = await fetch(res.json().url, { method: 'PUT', body: photo, headers: { 'content-type': 'image/jpeg' } });
  if (put.status !== 200) throw new Error(`upload: ${put.status} ${await put.text()}`);
  const objectKey = res.json().objectKey as string;
  return {
    assignmentId,
    objectKey,
    body: {
      assignmentId, objectKey, sha256: sha256(photo), latitude: 38.7001, longitude: -9.1002, accuracyM: 5,
      capturedAt: new Date(Date.now() - 60_000).toISOString(), idempotencyKey: `idem-${randomUUID()}`,
    },
  };
}
