// applyImpact: an approved action becomes a ledger entry, player progress and a completed quest — once.
import type pg from 'pg';
import { appendEntry, creditsDecimal, entryForAction, type StoredEntry } from '../../lib/ledger-store.ts';
import { commitEvidence } from '../../ledger/index.ts';
import { ApiError, notFound } from '../errors.ts';
import { computeImpact, levelFor, type ImpactBreakdown } from './formula.ts';
import { activeFormula } from './formula-store.ts';
import type { Leaderboard } from './leaderboard.ts';
import { inTransaction } from '../../lib/transaction.ts';
import { awardBadges, type Award } from '../../community/badges/award.ts';
import { recordBadgeEvents } from '../../community/badges/events.ts';
import { notify } from '../../lib/notify.ts';

export interface ImpactResult {
  entry: StoredEntry;
  /** null when the entry already existed (nothing was changed). */
  breakdown: ImpactBreakdown | null;
  /** Badges this application awarded (to the author or, for witness badges, to witnesses). */
  badges: Award[];
  /** The deed's zone (null when nothing was changed). */
  zoneId: string | null;
}

const DAY_MS = 86_400_000;
const utcDay = (d: Date) => Math.floor(d.getTime() / DAY_MS);

/** Consecutive UTC days with an approved proof, counting `now`. */
export function nextStreak(previous: number, lastProofAt: Date | null, now: Date): number {
  if (!lastProofAt) return 1;
  const gap = utcDay(now) - utcDay(lastProofAt);
  if (gap <= 0) return Math.max(1, previous);
  return gap === 1 ? previous + 1 : 1;
}

interface ActionRow {
  id: string; player_id: string; mission_id: string; zone_id: string; assignment_id: string | null; captured_at: Date; latitude: number; longitude: number;
  address: string; xp: string; level: number; streak_days: number; last_proof_at: Date | null;
  base_xp: number; base_heart: string; duration_minutes: number; difficulty: number; multiplier: string;
}

/**
 * Requires an `approve` verification result (or a human approve of a proof in review). In one transaction: appends the
 * ledger entry, updates the player's progress, approves the action, completes
 * the assignment and awards the badges it earns (community/badges/). Idempotent per action: a
 * second call returns the existing entry and changes nothing.
 */
export async function applyImpact(pool: pg.Pool, actionId: string, now = new Date(), leaderboard?: Leaderboard): Promise<ImpactResult> {
  const result = await inTransaction(pool, (client) => applyInTransaction(client, actionId, now));
  if (leaderboard && result.breakdown) await recordScore(pool, leaderboard, actionId, result.breakdown.xp, now);
  await recordBadgeEvents(pool, result.badges, result.zoneId, now);
  return result;
}

/** After commit: the new entry's XP on the leaderboards (derived data; a Redis failure must not fail the committed impact). */
async function recordScore(c: pg.Pool, leaderboard: Leaderboard, actionId: string, xp: number, at: Date): Promise<void> {
  try {
    const r = (await c.query<{ player_id: string; zone_id: string }>(
      'SELECT a.player_id::text, m.zone_id::text FROM actions a JOIN missions m ON m.id = a.mission_id WHERE a.id = $1::uuid', [actionId])).rows[0];
    if (r) await leaderboard.record({ playerId: r.player_id, zoneId: r.zone_id, xp, at });
  } catch {
    // derived data: the ledger stays the source of truth; this entry's XP is then missing from the boards
  }
}

async function applyInTransaction(tx: pg.PoolClient, actionId: string, now: Date): Promise<ImpactResult> {
  // The action row lock serializes concurrent applications of one action.
  const locked = await tx.query('SELECT id FROM actions WHERE id = $1::uuid FOR UPDATE', [actionId]);
  if (!locked.rows[0]) throw notFound('action');
  const existing = await entryForAction(tx, actionId);
  if (existing) return { entry: existing, breakdown: null, badges: [], zoneId: null };

  // The verifier's record, or the human review decision that followed it (append-only: neither is rewritten).
  const verdict = (await tx.query<{ decision: string; authenticity: number; model_version: string }>(
    `SELECT coalesce(r.decision, v.decision)::text AS decision, v.authenticity, v.model_version
       FROM verification_results v LEFT JOIN review_decisions r ON r.kind = 'proof' AND r.subject_id = v.action_id
      WHERE v.action_id = $1::uuid`, [actionId])).rows[0];
  if (!verdict || verdict.decision !== 'approve') throw new ApiError(409, 'NOT_APPROVED', 'the action has no approve verification result');

  // NO KEY UPDATE: enough for the progress update, and it does not block the key-share locks
  // other players' transactions take when awarding this player a witness badge (no deadlock).
  const a = (await tx.query<ActionRow>(
    `SELECT a.id::text, a.player_id::text, a.mission_id::text, m.zone_id::text, a.assignment_id::text, a.captured_at, a.latitude, a.longitude,
            p.address, p.xp::text AS xp, p.level, p.streak_days, p.last_proof_at,
            m.base_xp, m.base_heart::text AS base_heart, m.duration_minutes, m.difficulty, z.multiplier::text AS multiplier
       FROM actions a JOIN players p ON p.id = a.player_id JOIN missions m ON m.id = a.mission_id JOIN zones z ON z.id = m.zone_id
      WHERE a.id = $1::uuid FOR NO KEY UPDATE OF p`, [actionId])).rows[0];
  if (!a) throw notFound('action');
  const evidence = (await tx.query<{ sha256: string; salt: Buffer }>(
    'SELECT sha256, salt FROM evidence WHERE action_id = $1::uuid ORDER BY created_at, id', [actionId])).rows;
  const first = evidence[0];
  if (!first) throw new ApiError(409, 'NO_EVIDENCE', 'the action has no evidence');
  const witnesses = Number((await tx.query<{ n: string }>('SELECT count(*) AS n FROM witnesses WHERE action_id = $1::uuid', [actionId])).rows[0]?.n ?? 0);

  const streakDays = nextStreak(a.streak_days, a.last_proof_at, now);
  // The active formula version; the entry records it (formulaVersion), so old entries stay explainable.
  const formula = await activeFormula(tx);
  const breakdown = computeImpact({
    baseXp: a.base_xp, baseHeart: BigInt(a.base_heart), durationMinutes: a.duration_minutes, zoneMultiplier: a.multiplier,
    witnesses, level: a.level, difficulty: a.difficulty, streakDays, score: verdict.authenticity,
  }, formula);
  // One salt per action (the first evidence row's) binds all media, GPS and capture time.
  const { commitment } = commitEvidence({
    salt: new Uint8Array(first.salt), mediaSha256: evidence.map((e) => e.sha256),
    gps: { lat: a.latitude, lon: a.longitude }, capturedAt: a.captured_at,
  });
  const entry = await appendEntry(tx, {
    player: a.address, actionId, missionId: a.mission_id, xp: breakdown.xp, heart: breakdown.heart,
    impactCredits: breakdown.impactCredits, fund: breakdown.fund, formulaVersion: breakdown.formulaVersion,
    modelVersion: verdict.model_version, score: verdict.authenticity, evidenceCommitment: commitment, timestamp: now.getTime(),
  });

  const xp = BigInt(a.xp) + BigInt(breakdown.xp);
  await tx.query(
    `UPDATE players SET xp = $2::bigint, level = $3, heart_earned = heart_earned + $4::numeric,
            impact_credits = impact_credits + ($5::numeric / 10000), streak_days = $6, last_proof_at = $7, updated_at = now()
      WHERE id = $1::uuid`,
    [a.player_id, xp.toString(), Math.max(a.level, levelFor(xp, formula.params)), breakdown.heart.toString(), breakdown.impactCredits.toString(), streakDays, now],
  );
  await tx.query(`UPDATE actions SET status = 'approved' WHERE id = $1::uuid`, [actionId]);
  if (a.assignment_id) {
    await tx.query(`UPDATE quest_assignments SET status = 'completed', completed_at = $2 WHERE id = $1::uuid`, [a.assignment_id, now]);
  }
  await notify(tx, {
    playerId: a.player_id, kind: 'proof_verified', dedupeKey: `proof_verified:${actionId}`,
    payload: { actionId, seq: entry.seq.toString(), xp: breakdown.xp, heart: breakdown.heart.toString(), impactCredits: creditsDecimal(breakdown.impactCredits) },
  });
  const badges = await awardBadges(tx, { playerId: a.player_id, actionId, zoneId: a.zone_id, capturedAt: a.captured_at, streakDays, now });
  return { entry, breakdown, badges, zoneId: a.zone_id };
}

/** JSON-safe view of a result. */
export function impactView(r: ImpactResult) {
  const b = r.breakdown;
  return {
    seq: r.entry.seq.toString(),
    actionId: r.entry.actionId,
    entryHash: Buffer.from(r.entry.entryHash).toString('hex'),
    created: r.entry.created,
    breakdown: b ? { ...b, heart: b.heart.toString(), impactCredits: b.impactCredits.toString() } : null,
  };
}
