// Proofs saved without a verify job: submitProof commits the action, then enqueues
// its verify job; a crash (or a Redis outage) between the two leaves a pending
// action nobody will verify. This sweep re-enqueues every pending action older
// than a grace period. It is idempotent: jobId = actionId, so an action whose job
// still exists (waiting, active, failed or kept completed) gets nothing new.
import type { Queue } from 'bullmq';
import { sqlRows, type SqlExecutor } from './ledger-store.ts';
import { jobOptions, VERIFY_JOB, type VerifyJobData } from './queues.ts';

/** Submissions younger than this are left to the request that is saving them. */
export const REQUEUE_GRACE_S = 60;
export const REQUEUE_SWEEP_MS = 60_000;
const PAGE = 500;

/** One pass over the pending actions older than `graceS`: each gets its verify job (if it has none). Returns how many were looked at. */
export async function requeuePendingProofs(sql: SqlExecutor, queue: Queue<VerifyJobData>, graceS = REQUEUE_GRACE_S): Promise<number> {
  let after: { at: Date; id: string } | null = null;
  let seen = 0;
  for (;;) {
    const rows: Record<string, unknown>[] = await sqlRows(sql,
      `SELECT id::text AS id, submitted_at AS at FROM actions
        WHERE status = 'pending' AND submitted_at < now() - make_interval(secs => $1)
          AND ($2::timestamptz IS NULL OR (submitted_at, id) > ($2, $3::uuid))
        ORDER BY submitted_at, id LIMIT ${PAGE}`,
      [graceS, after?.at ?? null, after?.id ?? null]);
    if (!rows.length) return seen;
    await queue.addBulk(rows.map((r) => ({ name: VERIFY_JOB, data: { actionId: String(r.id) }, opts: jobOptions(String(r.id)) })));
    seen += rows.length;
    const last = rows[rows.length - 1]!;
    after = { at: last.at as Date, id: String(last.id) };
  }
}

export interface RequeueSweeper {
  close(): Promise<void>;
}

/** Runs requeuePendingProofs now and every REQUEUE_SWEEP_MS; failures go to `log` and the next pass retries. */
export function startRequeueSweeper(sql: SqlExecutor, queue: Queue<VerifyJobData>, log: (err: unknown) => void, everyMs = REQUEUE_SWEEP_MS): RequeueSweeper {
  let running: Promise<unknown> | null = null;
  const pass = () => {
    running ??= requeuePendingProofs(sql, queue).catch(log).finally(() => {
      running = null;
    });
  };
  pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
