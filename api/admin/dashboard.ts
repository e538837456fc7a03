// GET /api/admin/dashboard: one screen of platform state from Postgres, Redis and the chain.
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { PublicClient } from 'viem';
import { epochsByStatus, indexerState, latestEpoch, ledgerSize, queueDepths } from './platform-state.ts';

const DAY_MS = 86_400_000;

async function counts(pool: pg.Pool, sql: string, params: unknown[]): Promise<Record<string, number>> {
  const rows = (await pool.query<{ k: string; n: number }>(sql, params)).rows;
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

export async function dashboard(pool: pg.Pool, queues: readonly Queue[], chain: PublicClient, now = new Date()) {
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const week = new Date(now.getTime() - 7 * DAY_MS);
  const [players, suspended, today_, week_, outcomes, ledger, epoch, epochs, indexer, queuesNow] = await Promise.all([
    counts(pool, 'SELECT role::text AS k, count(*)::int AS n FROM players GROUP BY role', []),
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM player_access WHERE suspended_at IS NOT NULL'),
    counts(pool, 'SELECT status::text AS k, count(*)::int AS n FROM actions WHERE submitted_at >= $1 GROUP BY status', [today]),
    counts(pool, 'SELECT status::text AS k, count(*)::int AS n FROM actions WHERE submitted_at >= $1 GROUP BY status', [week]),
    counts(pool, `SELECT v.decision::text AS k, count(*)::int AS n FROM actions a JOIN verification_results v ON v.action_id = a.id
                   WHERE a.submitted_at >= $1 GROUP BY v.decision`, [week]),
    ledgerSize(pool),
    latestEpoch(pool),
    epochsByStatus(pool),
    indexerState(pool, chain),
    queueDepths(queues).catch(() => null),
  ]);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    generatedAt: now.toISOString(),
    players: { total: sum(players), byRole: players, suspended: suspended.rows[0]?.n ?? 0 },
    actions: { today: { total: sum(today_), byStatus: today_ }, last7d: { total: sum(week_), byStatus: week_ } },
    verification: { last7d: outcomes },
    queues: queuesNow,
    ledger: { entries: ledger },
    epochs: { latest: epoch, byStatus: epochs },
    indexer,
  };
}
