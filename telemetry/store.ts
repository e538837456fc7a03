import type pg from 'pg';

/**
 * Raw telemetry events in Postgres: `telemetry_events` is RANGE-partitioned by
 * month on occurred_at (partitions `telemetry_events_pYYYYMM`, UTC months).
 * Invariants:
 * - an event is identified by (occurred_at, id); re-sending it is a no-op
 *   (ON CONFLICT DO NOTHING), so clients may retry whole batches;
 * - a partition exists before rows for its month are inserted (no default
 *   partition: a stray timestamp fails loudly instead of landing in a catch-all);
 * - retention drops whole partitions, never single rows.
 */

/** Event names the product emits (the API accepts any snake_case name; these are the documented ones). */
export const EVENT_NAMES = [
  'session_started', 'screen_viewed', 'quest_started', 'action_submitted', 'proof_verified',
  'badge_earned', 'reward_redeemed',
] as const;

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export interface TelemetryEvent {
  id: string;
  name: string;
  occurredAt: Date | string;
  playerId?: string | null;
  zoneId?: string | null;
  props?: Record<string, unknown>;
}

export interface RecordResult {
  accepted: number;
  duplicates: number;
}

const PARTITION = /^telemetry_events_p(\d{4})(\d{2})$/;
const MONTH_MS = 31 * 86_400_000;

/** Months already known to have a partition, per pool (partitions are never created behind our back and then dropped while we run, except by retention, which clears this). */
const known = new WeakMap<object, Set<string>>();
const monthKey = (d: Date) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

function monthsBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  const m = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (m.getTime() <= to.getTime()) {
    out.push(monthKey(m));
    m.setUTCMonth(m.getUTCMonth() + 1);
  }
  return out;
}

/** Creates the monthly partitions covering [from, to]; returns how many were created. */
export async function ensurePartitions(pool: pg.Pool | pg.PoolClient, from: Date, to: Date): Promise<number> {
  if (to < from) return 0;
  const cache = known.get(pool) ?? new Set<string>();
  known.set(pool, cache);
  const months = monthsBetween(from, to);
  if (months.every((m) => cache.has(m))) return 0;
  const { rows } = await pool.query<{ created: number }>('SELECT telemetry_ensure_partitions($1, $2) AS created', [from, to]);
  for (const m of months) cache.add(m);
  return rows[0]?.created ?? 0;
}

/** Names and month bounds of the existing partitions, oldest first. */
export async function listPartitions(pool: pg.Pool | pg.PoolClient): Promise<{ name: string; from: Date; to: Date }[]> {
  const { rows } = await pool.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.telemetry_events'::regclass ORDER BY c.relname`);
  return rows.flatMap(({ name }) => {
    const m = PARTITION.exec(name);
    if (!m) return [];
    const y = Number(m[1]);
    const mo = Number(m[2]) - 1;
    return [{ name, from: new Date(Date.UTC(y, mo, 1)), to: new Date(Date.UTC(y, mo + 1, 1)) }];
  });
}

/**
 * Retention: drops every partition whose whole month ended more than
 * `retentionDays` before `now`. Returns the dropped partition names.
 */
export async function dropExpiredPartitions(pool: pg.Pool, retentionDays: number, now = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const dropped: string[] = [];
  for (const p of await listPartitions(pool)) {
    if (p.to.getTime() > cutoff.getTime()) continue;
    await pool.query(`DROP TABLE IF EXISTS public."${p.name}"`);
    dropped.push(p.name);
  }
  if (dropped.length) known.delete(pool);
  return dropped;
}

/** The `[from, to)` occurred_at window the API accepts for an event at `now`. */
export function acceptedWindow(retentionDays: number, now = new Date()) {
  return { from: new Date(now.getTime() - retentionDays * 86_400_000), to: new Date(now.getTime() + 86_400_000) };
}

/**
 * Inserts events in one multi-row statement (unnest of column arrays),
 * skipping events already stored. Creates missing partitions first.
 */
export async function recordEvents(pool: pg.Pool, events: readonly TelemetryEvent[]): Promise<RecordResult> {
  if (events.length === 0) return { accepted: 0, duplicates: 0 };
  const ids: string[] = [];
  const names: string[] = [];
  const at: string[] = [];
  const players: (string | null)[] = [];
  const zones: (string | null)[] = [];
  const props: string[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (const e of events) {
    const t = e.occurredAt instanceof Date ? e.occurredAt : new Date(e.occurredAt);
    const ms = t.getTime();
    if (Number.isNaN(ms)) throw new RangeError(`event ${e.id}: invalid occurredAt`);
    if (ms < min) min = ms;
    if (ms > max) max = ms;
    ids.push(e.id);
    names.push(e.name);
    at.push(t.toISOString());
    players.push(e.playerId ?? null);
    zones.push(e.zoneId ?? null);
    props.push(JSON.stringify(e.props ?? {}));
  }
  if (max - min > 13 * MONTH_MS) throw new RangeError('one batch may span at most 13 months');
  await ensurePartitions(pool, new Date(min), new Date(max));
  const res = await pool.query(`
    INSERT INTO telemetry_events (id, name, occurred_at, player_id, zone_id, props)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::uuid[], $5::uuid[], $6::jsonb[])
    ON CONFLICT DO NOTHING`, [ids, names, at, players, zones, props]);
  const accepted = res.rowCount ?? 0;
  return { accepted, duplicates: events.length - accepted };
}
