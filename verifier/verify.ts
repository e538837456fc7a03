import type pg from 'pg';
import { assess, type AssessDeps, type Assessment } from './assess.ts';
import { gatherProof } from './gather.ts';
import { toSigned } from './media/phash.ts';
import { mergeVerdicts, type VisionCheck } from './vision/check.ts';
import { inTransaction } from '../lib/transaction.ts';
import { notify } from '../lib/notify.ts';

export interface VerifyDeps extends AssessDeps {
  pool: pg.Pool;
  getObject(key: string): Promise<Uint8Array>;
  /** Vision stages (verifier/vision/check.ts createVisionCheck); off when absent. */
  vision?: VisionCheck;
}

export interface Verdict extends Assessment {
  written: boolean;
}

/**
 * Verifies one action: gathers it (read-only), runs rules and model, then in
 * one statement writes one verification_results row, its
 * verification_details (rule results, model score), the evidence hashes and
 * the action status. A second run for the same action writes
 * nothing (the unique action_id decides; null when already verified or unknown).
 */
export async function verifyAction(deps: VerifyDeps, actionId: string): Promise<Verdict | null> {
  const { pool } = deps;
  const gathered = await gatherProof(pool, { getObject: deps.getObject, nearDuplicateHamming: deps.rules.nearDuplicateHamming }, actionId, new Date(), { skipVerified: true });
  if (!gathered) return null;
  const verdicts = [];
  const vision = deps.vision;
  // one image at a time: the models share one instance per process
  if (vision) for (const e of gathered.evidence) verdicts.push(await vision({ actionId, evidenceId: e.id, missionType: gathered.missionType, mediaType: e.mediaType, bytes: e.bytes }));
  const seen = mergeVerdicts(verdicts);
  const s = assess(deps, gathered.ctx, seen.rules);
  if (seen.reject) s.decision = 'reject';
  s.confidence = Math.round(s.confidence * seen.confidenceFactor * 1000) / 1000;
  const status = s.decision === 'approve' ? 'approved' : s.decision === 'reject' ? 'rejected' : 'review';

  const hashed = gathered.evidence.filter((e) => e.report.facts.phash !== null);
  // One statement, so one atomic write: the result, its details, the evidence
  // hashes (their chunks follow by trigger) and the action status; all of it
  // only when this run's result row is the one inserted. A rejection notifies
  // the player in the same transaction.
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ written: number; player_id: string | null }>(
      `WITH ins AS (
         INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::"Decision") ON CONFLICT (action_id) DO NOTHING RETURNING action_id
       ), details AS (
         INSERT INTO verification_details (action_id, rules, model_score) SELECT action_id, $7::jsonb, $8 FROM ins
       ), hashes AS (
         UPDATE evidence e SET phash = v.phash, width = COALESCE(e.width, v.width), height = COALESCE(e.height, v.height)
           FROM unnest($9::uuid[], $10::bigint[], $11::int[], $12::int[]) AS v(id, phash, width, height)
          WHERE e.id = v.id AND e.phash IS DISTINCT FROM v.phash AND EXISTS (SELECT 1 FROM ins)
       ), status AS (
         UPDATE actions SET status = $13::"ActionStatus" WHERE id = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM ins) RETURNING player_id::text
       )
       SELECT (SELECT count(*)::int FROM ins) AS written, (SELECT player_id FROM status) AS player_id`,
      [
        actionId, s.authenticity, s.confidence, s.flags, s.modelVersion, s.decision, JSON.stringify(s.rules), s.modelScore,
        hashed.map((e) => e.id), hashed.map((e) => toSigned(e.report.facts.phash ?? 0n).toString()),
        hashed.map((e) => e.report.facts.width), hashed.map((e) => e.report.facts.height), status,
      ],
    );
    const written = (rows[0]?.written ?? 0) > 0;
    const playerId = rows[0]?.player_id;
    if (written && playerId && s.decision === 'reject') {
      await notify(client, { playerId, kind: 'proof_rejected', dedupeKey: `proof_rejected:${actionId}`, payload: { actionId, flags: s.flags, authenticity: s.authenticity } });
    }
    return { ...s, written };
  });
}
