import type pg from 'pg';
import type { ExifInfo, MediaSignals, ProofContext } from './context.ts';
import { features } from './features.ts';
import { exactDuplicate, indexEvidence, nearestHash } from './media/index.ts';
import { inspectMedia } from './media/inspect.ts';
import { predict, type Weights } from './model/net.ts';
import { runRules, type RuleOptions } from './rules/index.ts';
import { score, type Score, type ScoreThresholds } from './score.ts';
import { mergeVerdicts, type VisionCheck, type VisionVerdict } from './vision/check.ts';
import { inTransaction } from '../lib/transaction.ts';
import { notify } from '../lib/notify.ts';

export interface VerifyDeps {
  pool: pg.Pool;
  getObject(key: string): Promise<Uint8Array>;
  weights: Weights;
  modelVersion: string;
  rules: RuleOptions;
  thresholds: ScoreThresholds;
  /** Vision stages (verifier/vision/check.ts createVisionCheck); off when absent. */
  vision?: VisionCheck;
}

export interface Verdict extends Score {
  written: boolean;
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
  m_type: string;
}

/**
 * Verifies one action: loads it with its mission, evidence bytes, the
 * player's previous proof, recent submissions and witnesses; runs rules and
 * model; writes one verification_results row and the action status in one
 * transaction. A second run for the same action writes nothing.
 */
export async function verifyAction(deps: VerifyDeps, actionId: string): Promise<Verdict | null> {
  const { pool } = deps;
  const { rows } = await pool.query<ActionRow>(
    `SELECT a.id, a.player_id, a.latitude, a.longitude, a.accuracy_m, a.captured_at, a.submitted_at,
            m.latitude AS m_latitude, m.longitude AS m_longitude, m.radius_m, m.type::text AS m_type
       FROM actions a JOIN missions m ON m.id = a.mission_id WHERE a.id = $1`,
    [actionId],
  );
  const a = rows[0];
  if (!a) return null;
  const done = await pool.query('SELECT 1 FROM verification_results WHERE action_id = $1', [actionId]);
  if (done.rowCount) return null;

  const previous = await pool.query<{ latitude: number; longitude: number; captured_at: Date }>(
    `SELECT latitude, longitude, captured_at FROM actions
      WHERE player_id = $1 AND id <> $2 AND submitted_at <= $3 ORDER BY submitted_at DESC LIMIT 1`,
    [a.player_id, a.id, a.submitted_at],
  );
  const recent = await pool.query<{ submitted_at: Date }>(
    `SELECT submitted_at FROM actions WHERE player_id = $1 AND id <> $2 AND submitted_at BETWEEN $3::timestamptz - interval '1 hour' AND $3::timestamptz + interval '1 second'`,
    [a.player_id, a.id, a.submitted_at],
  );
  const witnesses = await pool.query<{ prior: number }>(
    `SELECT (SELECT count(*)::int FROM witnesses w2 JOIN actions a2 ON a2.id = w2.action_id
              WHERE w2.witness_id = w.witness_id AND a2.player_id = $2 AND a2.id <> $1) AS prior
       FROM witnesses w WHERE w.action_id = $1`,
    [a.id, a.player_id],
  );
  const evidence = await pool.query<{ id: string; object_key: string; media_type: string }>(
    'SELECT id, object_key, media_type FROM evidence WHERE action_id = $1 ORDER BY created_at, id',
    [a.id],
  );

  const media: MediaSignals = { decodable: evidence.rows.length > 0, typeMismatch: false, exactDuplicate: false, nearestHamming: 64 };
  let exif: ExifInfo | null = null;
  const vision: VisionVerdict[] = [];
  for (const e of evidence.rows) {
    const bytes = await deps.getObject(e.object_key);
    const facts = await inspectMedia(bytes, e.media_type);
    if (deps.vision) vision.push(await deps.vision({ actionId: a.id, evidenceId: e.id, missionType: a.m_type, mediaType: e.media_type, bytes }));
    media.decodable &&= facts.decodable;
    media.typeMismatch ||= facts.typeMismatch;
    media.exactDuplicate ||= await exactDuplicate(pool, facts.sha256, a.id, a.submitted_at);
    if (facts.phash !== null) {
      const near = await nearestHash(pool, facts.phash, a.id, a.submitted_at, Math.max(deps.rules.nearDuplicateHamming, 0));
      if (near) media.nearestHamming = Math.min(media.nearestHamming, near.distance);
      await indexEvidence(pool, e.id, facts.phash, facts.width, facts.height);
    }
    exif ??= facts.exif;
  }

  const p = previous.rows[0];
  const ctx: ProofContext = {
    action: { latitude: a.latitude, longitude: a.longitude, accuracyM: a.accuracy_m, capturedAt: a.captured_at, submittedAt: a.submitted_at },
    mission: { latitude: a.m_latitude, longitude: a.m_longitude, radiusM: a.radius_m },
    previous: p ? { latitude: p.latitude, longitude: p.longitude, capturedAt: p.captured_at } : null,
    recentSubmissions: recent.rows.map((r) => r.submitted_at),
    exif,
    media,
    witnesses: witnesses.rows.map((w) => ({ priorWitnessedForPlayer: w.prior })),
    now: new Date(),
  };
  const seen = mergeVerdicts(vision);
  const rules = [...runRules(ctx, deps.rules), ...seen.rules];
  const [cheat] = predict(deps.weights, [features(ctx)]);
  const s = score(rules, cheat ?? 1, deps.thresholds);
  if (seen.reject) s.decision = 'reject';
  s.confidence = Math.round(s.confidence * seen.confidenceFactor * 1000) / 1000;
  const status = s.decision === 'approve' ? 'approved' : s.decision === 'reject' ? 'rejected' : 'review';

  return inTransaction(pool, async (client) => {
    const ins = await client.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::"Decision") ON CONFLICT (action_id) DO NOTHING`,
      [a.id, s.authenticity, s.confidence, s.flags, deps.modelVersion, s.decision],
    );
    const written = (ins.rowCount ?? 0) > 0;
    if (written) await client.query(`UPDATE actions SET status = $2::"ActionStatus" WHERE id = $1 AND status = 'pending'`, [a.id, status]);
    if (written && s.decision === 'reject') {
      await notify(client, { playerId: a.player_id, kind: 'proof_rejected', dedupeKey: `proof_rejected:${a.id}`, payload: { actionId: a.id, flags: s.flags, authenticity: s.authenticity } });
    }
    return { ...s, written };
  });
}
