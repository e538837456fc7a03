import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from './media/index.ts';
import { toSigned } from './media/phash.ts';

/** Test-only seeding of rows the API would normally write. */
export async function seedMission(db: Queryable, at = { latitude: 48.8566, longitude: 2.3522 }, radiusM = 50): Promise<string> {
  const zoneId = randomUUID();
  const missionId = randomUUID();
  await db.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES ($1, 'Zone', 'FR', $2, $3, 5000)`, [zoneId, at.latitude, at.longitude]);
  await db.query(
    `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude, radius_m)
     VALUES ($1, $2, 'Clean the park', 'Pick up litter', 'cleanup', 10, 1, 30, $3, $4, $5)`,
    [missionId, zoneId, at.latitude, at.longitude, radiusM],
  );
  return missionId;
}

export async function seedPlayer(db: Queryable): Promise<string> {
  const id = randomUUID();
  const address = `0x${randomBytes(20).toString('hex')}`;
  await db.query('INSERT INTO players (id, address, did) VALUES ($1, $2, $3)', [id, address, `did:pkh:eip155:1:${address}`]);
  return id;
}

export interface SeedAction {
  playerId: string;
  missionId: string;
  latitude?: number;
  longitude?: number;
  accuracyM?: number;
  capturedAt?: Date;
  submittedAt?: Date;
}

export async function seedAction(db: Queryable, a: SeedAction): Promise<string> {
  const id = randomUUID();
  const submittedAt = a.submittedAt ?? new Date();
  await db.query(
    `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, a.playerId, a.missionId, randomUUID(), a.latitude ?? 48.8566, a.longitude ?? 2.3522, a.accuracyM ?? 5, a.capturedAt ?? new Date(submittedAt.getTime() - 60_000), submittedAt],
  );
  return id;
}

export async function seedEvidence(db: Queryable, actionId: string, bytes: Uint8Array, objectKey = `proof/${randomUUID()}.jpg`, mediaType = 'image/jpeg'): Promise<string> {
  const id = randomUUID();
  const sha = createHash('sha256').update(bytes).digest('hex');
  await db.query(
    `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, actionId, objectKey, sha, mediaType, bytes.length, randomBytes(16)],
  );
  return id;
}

/** Stores the perceptual hash of an evidence row as the worker does (idempotent); the trigger on evidence.phash indexes its chunks. */
export async function indexEvidence(db: Queryable, evidenceId: string, hash: bigint, width: number | null, height: number | null): Promise<void> {
  await db.query('UPDATE evidence SET phash = $2, width = COALESCE(width, $3), height = COALESCE(height, $4) WHERE id = $1 AND phash IS DISTINCT FROM $2', [
    evidenceId,
    toSigned(hash).toString(),
    width,
    height,
  ]);
}
