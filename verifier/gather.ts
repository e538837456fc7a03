import type { ProofContext } from './context.ts';
import type { Queryable } from './media/index.ts';
import { mediaSignals, type MediaReport } from './media/signals.ts';

export interface GatherDeps {
  getObject(key: string): Promise<Uint8Array>;
  nearDuplicateHamming: number;
}

export interface GatheredProof {
  ctx: ProofContext;
  /** The mission's type (what the vision stages expect to see). */
  missionType: string;
  /** Evidence rows in order with their bytes and what decoding found (the worker indexes their hashes). */
  evidence: { id: string; mediaType: string; bytes: Uint8Array; report: MediaReport['files'][number] }[];
}

interface ActionRow {
  id: string;
  player_id: string;
  latitude: number;
  longitude: number;
  accuracy_m: number;
  captured_at: Date;
  submitted_at: Date;
  m_latitude: number;
  m_longitude: number;
  radius_m: number;
}

/**
 * Everything the verifier needs about one stored action, read-only: the
 * action and its mission, evidence bytes (decoded, hashed, compared with all
 * earlier evidence), the player's previous proof, recent submissions and
 * witnesses. null when the action does not exist (or, with `skipVerified`,
 * already has a verification result: the worker's cheap early exit).
 */
export async function gatherProof(db: Queryable, deps: GatherDeps, actionId: string, now = new Date(), o: { skipVerified?: boolean } = {}): Promise<GatheredProof | null> {
  const { rows } = await db.query<ActionRow & { verified: boolean; m_type: string }>(
    `SELECT a.id, a.player_id, a.latitude, a.longitude, a.accuracy_m, a.captured_at, a.submitted_at,
            m.latitude AS m_latitude, m.longitude AS m_longitude, m.radius_m, m.type::text AS m_type,
            EXISTS (SELECT 1 FROM verification_results v WHERE v.action_id = a.id) AS verified
       FROM actions a JOIN missions m ON m.id = a.mission_id WHERE a.id = $1`,
    [actionId],
  );
  const a = rows[0];
  if (!a || (o.skipVerified && a.verified)) return null;
  const [previous, recent, witnesses, evidence] = await Promise.all([
    db.query<{ latitude: number; longitude: number; captured_at: Date }>(
      `SELECT latitude, longitude, captured_at FROM actions
        WHERE player_id = $1 AND id <> $2 AND submitted_at <= $3 ORDER BY submitted_at DESC LIMIT 1`,
      [a.player_id, a.id, a.submitted_at],
    ),
    db.query<{ submitted_at: Date }>(
      `SELECT submitted_at FROM actions WHERE player_id = $1 AND id <> $2 AND submitted_at BETWEEN $3::timestamptz - interval '1 hour' AND $3::timestamptz + interval '1 second'`,
      [a.player_id, a.id, a.submitted_at],
    ),
    db.query<{ prior: number }>(
      `SELECT (SELECT count(*)::int FROM witnesses w2 JOIN actions a2 ON a2.id = w2.action_id
                WHERE w2.witness_id = w.witness_id AND a2.player_id = $2 AND a2.id <> $1) AS prior
         FROM witnesses w WHERE w.action_id = $1`,
      [a.id, a.player_id],
    ),
    db.query<{ id: string; object_key: string; media_type: string }>('SELECT id, object_key, media_type FROM evidence WHERE action_id = $1 ORDER BY created_at, id', [a.id]),
  ]);
  const files = await Promise.all(evidence.rows.map(async (e) => ({ bytes: await deps.getObject(e.object_key), mediaType: e.media_type })));
  const report = await mediaSignals(db, files, a.id, a.submitted_at, deps.nearDuplicateHamming);
  const p = previous.rows[0];
  const ctx: ProofContext = {
    action: { latitude: a.latitude, longitude: a.longitude, accuracyM: a.accuracy_m, capturedAt: a.captured_at, submittedAt: a.submitted_at },
    mission: { latitude: a.m_latitude, longitude: a.m_longitude, radiusM: a.radius_m },
    previous: p ? { latitude: p.latitude, longitude: p.longitude, capturedAt: p.captured_at } : null,
    recentSubmissions: recent.rows.map((r) => r.submitted_at),
    exif: report.exif,
    media: report.media,
    witnesses: witnesses.rows.map((w) => ({ priorWitnessedForPlayer: w.prior })),
    now,
  };
  return {
    ctx, missionType: a.m_type,
    evidence: evidence.rows.map((e, i) => ({ id: e.id, mediaType: e.media_type, bytes: files[i]!.bytes, report: report.files[i]! })),
  };
}
