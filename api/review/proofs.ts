// The 'proof' kind of the review queue: actions the verifier sent to human review.
import type { Queue } from 'bullmq';
import type pg from 'pg';
import { IMPACT_JOB, jobOptions, type ImpactJobData } from '../../lib/queues.ts';
import type { Storage } from '../../lib/storage.ts';
import { inTransaction } from '../../lib/transaction.ts';
import { conflict, notFound } from '../errors.ts';
import type { Decision, DecisionInput, ReviewOutcome, ReviewPage, ReviewQuery } from './types.ts';

const MEDIA_URL_TTL_S = 300;

export interface ProofReviewItem {
  kind: 'proof';
  /** The action id. */
  id: string;
  playerId: string;
  missionId: string;
  zoneId: string;
  submittedAt: string;
  verifiedAt: string;
  flags: string[];
  rules: { name: string; passed: boolean; severity: string; detail: string }[];
  scores: { authenticity: number; confidence: number; modelScore: number | null; modelVersion: string };
  proof: { latitude: number; longitude: number; accuracyM: number; capturedAt: string };
  evidence: { url: string; mediaType: string; sha256: string; width: number | null; height: number | null }[];
}

interface Row {
  id: string; player_id: string; mission_id: string; zone_id: string; latitude: number; longitude: number; accuracy_m: number;
  captured_at: Date; submitted_at: Date; authenticity: number; confidence: number; flags: string[]; model_version: string;
  verified_at: Date; rules: ProofReviewItem['rules'] | null; model_score: number | null; total: string;
}

/** Pending: the verifier said review and no human has decided yet. */
const PENDING = `v.decision = 'review' AND NOT EXISTS (SELECT 1 FROM review_decisions r WHERE r.kind = 'proof' AND r.subject_id = v.action_id)`;

/** Oldest first; `flag` matches `geofence` or `hard:geofence`; `zoneId` is the mission's zone. */
export async function listProofReviews(pool: pg.Pool, storage: Storage, q: ReviewQuery): Promise<ReviewPage<ProofReviewItem>> {
  const flags = q.flag ? (q.flag.includes(':') ? [q.flag] : [`hard:${q.flag}`, `soft:${q.flag}`]) : null;
  const { rows } = await pool.query<Row>(
    `SELECT a.id::text, a.player_id::text, a.mission_id::text, m.zone_id::text, a.latitude, a.longitude, a.accuracy_m, a.captured_at, a.submitted_at,
            v.authenticity, v.confidence, v.flags, v.model_version, v.created_at AS verified_at, d.rules, d.model_score,
            count(*) OVER () AS total
       FROM verification_results v
       JOIN actions a ON a.id = v.action_id
       JOIN missions m ON m.id = a.mission_id
       LEFT JOIN verification_details d ON d.action_id = v.action_id
      WHERE ${PENDING} AND ($1::text[] IS NULL OR v.flags && $1::text[]) AND ($2::uuid IS NULL OR m.zone_id = $2::uuid)
      ORDER BY v.created_at, v.action_id
      LIMIT $3 OFFSET $4`,
    [flags, q.zoneId ?? null, q.limit, q.offset],
  );
  const ids = rows.map((r) => r.id);
  const evidence = ids.length
    ? (await pool.query<{ action_id: string; object_key: string; media_type: string; sha256: string; width: number | null; height: number | null }>(
        'SELECT action_id::text, object_key, media_type, sha256, width, height FROM evidence WHERE action_id = ANY($1::uuid[]) ORDER BY created_at, id', [ids])).rows
    : [];
  const items = await Promise.all(rows.map(async (r): Promise<ProofReviewItem> => ({
    kind: 'proof', id: r.id, playerId: r.player_id, missionId: r.mission_id, zoneId: r.zone_id,
    submittedAt: r.submitted_at.toISOString(), verifiedAt: r.verified_at.toISOString(),
    flags: r.flags, rules: r.rules ?? [],
    scores: { authenticity: r.authenticity, confidence: r.confidence, modelScore: r.model_score, modelVersion: r.model_version },
    proof: { latitude: r.latitude, longitude: r.longitude, accuracyM: r.accuracy_m, capturedAt: r.captured_at.toISOString() },
    evidence: await Promise.all(evidence.filter((e) => e.action_id === r.id).map(async (e) => ({
      url: await storage.presignGet(e.object_key, MEDIA_URL_TTL_S), mediaType: e.media_type, sha256: e.sha256, width: e.width, height: e.height,
    }))),
  })));
  const total = rows[0] ? Number(rows[0].total) : q.offset > 0 ? await countPending(pool, flags, q.zoneId) : 0;
  return { items, total };
}

async function countPending(pool: pg.Pool, flags: string[] | null, zoneId: string | undefined): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM verification_results v JOIN actions a ON a.id = v.action_id JOIN missions m ON m.id = a.mission_id
      WHERE ${PENDING} AND ($1::text[] IS NULL OR v.flags && $1::text[]) AND ($2::uuid IS NULL OR m.zone_id = $2::uuid)`,
    [flags, zoneId ?? null],
  );
  return Number(rows[0]?.n ?? 0);
}

interface Existing { decision: Decision; reason: string; reviewer_id: string; created_at: Date }

/**
 * One human decision on a proof in review, in one transaction with its audit
 * row: a review_decisions row (the verifier's record is left as it was) and,
 * on reject, the action's status. An approve then takes the automatic path:
 * an apply-impact job with jobId = actionId, so the ledger gets one entry.
 * The same decision again returns the first outcome; a different one answers
 * 409 ALREADY_DECIDED; neither changes anything (an approve whose job was lost
 * to a crash after commit is re-enqueued, a no-op otherwise).
 */
export async function decideProof(pool: pg.Pool, impact: Queue<ImpactJobData>, input: DecisionInput): Promise<ReviewOutcome> {
  const { id, decision, reason, reviewerId, ip } = input;
  const { d, existed } = await inTransaction(pool, async (tx): Promise<{ d: Existing; existed: boolean }> => {
    const action = (await tx.query<{ status: string; verdict: string | null }>(
      `SELECT a.status::text AS status, v.decision::text AS verdict FROM actions a LEFT JOIN verification_results v ON v.action_id = a.id
        WHERE a.id = $1::uuid FOR UPDATE OF a`, [id])).rows[0];
    if (!action) throw notFound('proof');
    const prior = (await tx.query<Existing>(
      `SELECT decision::text AS decision, reason, reviewer_id::text, created_at FROM review_decisions WHERE kind = 'proof' AND subject_id = $1::uuid`, [id])).rows[0];
    if (prior) return { d: prior, existed: true };
    if (action.verdict !== 'review') throw conflict('NOT_IN_REVIEW', `the verifier's decision is ${action.verdict ?? 'pending'}, not review`);
    const row = (await tx.query<{ id: string; created_at: Date }>(
      `INSERT INTO review_decisions (id, kind, subject_id, decision, reason, reviewer_id)
       VALUES (gen_random_uuid(), 'proof', $1::uuid, $2::"Decision", $3, $4::uuid) RETURNING id::text, created_at`,
      [id, decision, reason, reviewerId])).rows[0];
    await tx.query(`INSERT INTO audit_log (actor_id, action, target, data, ip) VALUES ($1::uuid, 'review.decide', $2, $3::jsonb, $4)`,
      [reviewerId, `proof:${id}`, JSON.stringify({ kind: 'proof', decision, reason, reviewDecisionId: row?.id }), ip]);
    if (decision === 'reject') await tx.query(`UPDATE actions SET status = 'rejected' WHERE id = $1::uuid AND status IN ('pending', 'review')`, [id]);
    return { d: { decision, reason, reviewer_id: reviewerId, created_at: row?.created_at ?? new Date() }, existed: false };
  });
  if (d.decision === 'approve') await impact.add(IMPACT_JOB, { actionId: id }, jobOptions(id));
  if (existed && d.decision !== decision) {
    throw conflict('ALREADY_DECIDED', `proof ${id} was already decided (${d.decision}) at ${d.created_at.toISOString()}`);
  }
  return { kind: 'proof', id, decision: d.decision, reason: d.reason, reviewerId: d.reviewer_id, decidedAt: d.created_at.toISOString() };
}
