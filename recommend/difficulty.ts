import type { Db } from '../lib/db.ts';
import { maxDifficulty } from './history.ts';

/** A player's recent attempts (newest first): the mission's difficulty and whether it succeeded. */
export interface Attempt {
  difficulty: number;
  ok: boolean;
}

export interface DifficultyAdvice {
  recommended: number;
  maxAllowed: number;
  reason: string;
}

/** Attempts judged so far: approved proofs succeed; rejected proofs and abandoned quests fail. */
export async function recentAttempts(db: Db, playerId: string, limit = 10): Promise<Attempt[]> {
  const rows = await db.$queryRaw<{ difficulty: number; ok: boolean }[]>`
    SELECT difficulty, ok FROM (
      SELECT m.difficulty, a.status = 'approved' AS ok, a.submitted_at AS at
      FROM actions a JOIN missions m ON m.id = a.mission_id
      WHERE a.player_id = ${playerId}::uuid AND a.status IN ('approved', 'rejected')
      UNION ALL
      SELECT m.difficulty, false, COALESCE(q.completed_at, q.started_at)
      FROM quest_assignments q JOIN missions m ON m.id = q.mission_id
      WHERE q.player_id = ${playerId}::uuid AND q.status = 'abandoned'
    ) x ORDER BY at DESC LIMIT ${limit}`;
  return rows;
}

const STEP_UP_SUCCESS = 0.8;
const STEP_DOWN_SUCCESS = 0.5;

/**
 * The next difficulty to offer: the level of the recent attempts, one step up
 * after a run of successes (≥ 80% of at least 3 at that level or above), one
 * step down after failures (< 50%), never above the level gate.
 */
export function adviseDifficulty(level: number, attempts: readonly Attempt[]): DifficultyAdvice {
  const maxAllowed = maxDifficulty(level);
  if (!attempts.length) return { recommended: 1, maxAllowed, reason: 'no quests attempted yet: start with difficulty 1' };
  const current = Math.round(attempts.reduce((a, t) => a + t.difficulty, 0) / attempts.length);
  const atLevel = attempts.filter((t) => t.difficulty >= current);
  const success = atLevel.filter((t) => t.ok).length / (atLevel.length || 1);
  let wanted = current;
  let why = `${Math.round(success * 100)}% of your last ${atLevel.length} attempts at difficulty ${current}+ succeeded`;
  if (atLevel.length >= 3 && success >= STEP_UP_SUCCESS) wanted = current + 1;
  else if (success < STEP_DOWN_SUCCESS) wanted = current - 1;
  const recommended = Math.max(1, Math.min(maxAllowed, wanted));
  if (wanted > maxAllowed) why += `; difficulty ${wanted} unlocks at level ${wanted - 1}`;
  else if (recommended > current) why += ': ready for a harder quest';
  else if (recommended < current) why += ': an easier quest to get back on track';
  else why += ': stay at this difficulty';
  return { recommended, maxAllowed, reason: why };
}
