// Replays the recorded ledger under a formula: every entry's impact is
// recomputed with api/impact/formula.ts from the same inputs the engine used
// (mission base values and difficulty, zone multiplier, witnesses counted up
// to the entry's time, the verifier score recorded on the entry, the player's
// level and streak rebuilt from their earlier entries). Read-only: it runs
// plain SELECTs and never touches the ledger's writers.
//
// Limits: zone multipliers and mission base values are today's rows (the
// ledger does not record them); `reproduced` counts the formula-v1 entries the
// unchanged formula recomputes exactly, so a caller can see how faithful the
// replay of their history is.
import type pg from 'pg';
import { nextStreak } from '../api/impact/engine.ts';
import { computeImpact, FORMULA_V1, FORMULA_VERSION, levelFor, type FormulaParams } from '../api/impact/formula.ts';

export interface Fund { localBps: number; nationalBps: number; globalBps: number }

export interface ReplayedEntry {
  seq: bigint;
  zoneId: string;
  missionType: string;
  createdAt: Date;
  actual: { xp: number; heart: bigint; creditUnits: bigint; fund: Fund };
  simulated: { xp: number; heart: bigint; creditUnits: bigint };
  /** null for entries of another formula version; else whether FORMULA_V1 recomputes the recorded values */
  reproduced: boolean | null;
}

interface Row {
  seq: string; player_address: string; xp: number; heart: string; credit_units: string; fund_local_bps: number; fund_national_bps: number;
  fund_global_bps: number; formula_version: number; score: number; created_at: Date; base_xp: number; base_heart: string; duration_minutes: number;
  difficulty: number; type: string; zone_id: string; multiplier: string; witnesses: number;
}

interface PlayerState { recordedXp: bigint; simulatedXp: bigint; streak: number; lastAt: Date | null }

const BATCH = 2000;

/** Calls `onEntry` for every ledger entry in seq order, replayed under `params`. */
/** Formula version of simulated results: never a published one (versions start at 1). */
const SIMULATED_VERSION = 0;

export async function replayLedger(pool: pg.Pool, params: FormulaParams, onEntry: (e: ReplayedEntry) => void): Promise<void> {
  const players = new Map<string, PlayerState>();
  let after = -1n;
  for (;;) {
    const { rows } = await pool.query<Row>(
      `SELECT l.seq::text AS seq, l.player_address, l.xp, l.heart::text AS heart, (l.impact_credits * 10000)::text AS credit_units,
              l.fund_local_bps, l.fund_national_bps, l.fund_global_bps, l.formula_version, l.score, l.created_at,
              m.base_xp, m.base_heart::text AS base_heart, m.duration_minutes, m.difficulty, m.type::text AS type,
              z.id::text AS zone_id, z.multiplier::text AS multiplier,
              (SELECT count(*) FROM witnesses w WHERE w.action_id = l.action_id AND w.created_at <= l.created_at)::int AS witnesses
         FROM ledger_entries l JOIN actions a ON a.id = l.action_id JOIN missions m ON m.id = a.mission_id JOIN zones z ON z.id = m.zone_id
        WHERE l.seq > $1 ORDER BY l.seq LIMIT $2`,
      [after.toString(), BATCH],
    );
    for (const r of rows) onEntry(replayRow(r, players, params));
    if (rows.length < BATCH) return;
    after = BigInt(rows[rows.length - 1]!.seq);
  }
}

function replayRow(r: Row, players: Map<string, PlayerState>, params: FormulaParams): ReplayedEntry {
  const p = players.get(r.player_address) ?? { recordedXp: 0n, simulatedXp: 0n, streak: 0, lastAt: null };
  const streakDays = nextStreak(p.streak, p.lastAt, r.created_at);
  const inputs = {
    baseXp: r.base_xp, baseHeart: BigInt(r.base_heart), durationMinutes: r.duration_minutes, zoneMultiplier: r.multiplier,
    witnesses: r.witnesses, difficulty: r.difficulty, streakDays, score: r.score,
  };
  const simulated = computeImpact({ ...inputs, level: levelFor(p.simulatedXp, params) }, { version: SIMULATED_VERSION, params });
  const actual = { xp: r.xp, heart: BigInt(r.heart), creditUnits: BigInt(r.credit_units.split('.')[0]!) };
  let reproduced: boolean | null = null;
  if (r.formula_version === FORMULA_VERSION) {
    const v1 = computeImpact({ ...inputs, level: levelFor(p.recordedXp, FORMULA_V1) });
    reproduced = v1.xp === actual.xp && v1.heart === actual.heart && v1.impactCredits === actual.creditUnits;
  }
  players.set(r.player_address, { recordedXp: p.recordedXp + BigInt(r.xp), simulatedXp: p.simulatedXp + BigInt(simulated.xp), streak: streakDays, lastAt: r.created_at });
  return {
    seq: BigInt(r.seq), zoneId: r.zone_id, missionType: r.type, createdAt: r.created_at,
    actual: { ...actual, fund: { localBps: r.fund_local_bps, nationalBps: r.fund_national_bps, globalBps: r.fund_global_bps } },
    simulated: { xp: simulated.xp, heart: simulated.heart, creditUnits: simulated.impactCredits },
    reproduced,
  };
}
