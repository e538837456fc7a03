import type pg from 'pg';
import { headMetadata } from '../../lib/storage-stream.ts';
import type { DuplicateIndex } from './dup-index.ts';
import { parseSnapshotMeta, saveSnapshot, SNAPSHOT_FORMAT, snapshotKey, type SnapshotLog, type SnapshotOptions } from './dup-snapshot.ts';

export interface SnapshotPolicy {
  /** A snapshot is due once the index holds this many descriptors more than the stored one… */
  everyDescriptors: number;
  /** …or once the stored one is this old and the index holds any descriptor more. */
  maxAgeMs: number;
}

export type SnapshotOutcome = 'written' | 'not-due' | 'busy';

/**
 * Writes a snapshot of `index` when one is due, as the only writer: the
 * decision and the upload happen under a Postgres advisory lock per
 * descriptor version, and the decision reads the stored snapshot's metadata,
 * so workers racing for the same snapshot write it once ('busy' for the
 * others while the lock is held, 'not-due' once it is stored).
 */
export async function snapshotIfDue(pool: pg.Pool, index: DuplicateIndex, policy: SnapshotPolicy, o: SnapshotOptions): Promise<SnapshotOutcome> {
  const client = await pool.connect();
  const lockKey = `visual-index-snapshot:${index.modelVersion}`;
  let broken: Error | undefined;
  let locked = false;
  try {
    locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [lockKey])).rows[0]?.ok === true;
    if (!locked) return 'busy';
    await index.catchUp();
    const stored = await headMetadata(o.storage, snapshotKey(o.prefix, index.modelVersion));
    const meta = stored && parseSnapshotMeta(stored);
    const due =
      !meta || meta.format !== SNAPSHOT_FORMAT || !Number.isFinite(meta.size) ||
      index.size - meta.size >= policy.everyDescriptors ||
      (index.size > meta.size && !(Date.now() - meta.createdAtMs < policy.maxAgeMs));
    if (!due) return 'not-due';
    await saveSnapshot(index, o);
    return 'written';
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch((err: Error) => (broken = err));
    client.release(broken);
  }
}

export interface SnapshotWriter {
  /** Stops the timer and waits for a snapshot in progress. */
  stop(): Promise<void>;
}

/**
 * Checks every `checkMs` whether a snapshot is due (see snapshotIfDue) and
 * writes it; failures are logged and retried at the next check, never thrown.
 */
export function startSnapshotWriter(pool: pg.Pool, index: DuplicateIndex, policy: SnapshotPolicy, o: SnapshotOptions, log: SnapshotLog, checkMs = 60_000): SnapshotWriter {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    try {
      if ((await snapshotIfDue(pool, index, policy, o)) === 'written') {
        const c = process.cpuUsage(cpu);
        log.info({ descriptors: index.size, ms: Math.round(performance.now() - t), cpuMs: Math.round((c.user + c.system) / 1000) }, 'visual duplicate index: snapshot written');
      }
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'visual duplicate index: snapshot failed, retrying at the next check');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, checkMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
