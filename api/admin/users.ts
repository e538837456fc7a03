// Admin user management: search, role changes, suspension. Every change runs in
// one transaction with its audit_log row; a repeated change is a no-op (changed = false).
import type pg from 'pg';
import { inTransaction } from '../../lib/transaction.ts';
import type { Role } from '../auth/roles.ts';
import { conflict, notFound } from '../errors.ts';
import type { PlayerAccess } from './access.ts';
import { audit, type AuditActor } from './audit.ts';

export interface UserView {
  id: string;
  address: string;
  did: string;
  displayName: string | null;
  role: Role;
  level: number;
  xp: string;
  createdAt: string;
  suspended: boolean;
  suspendedAt: string | null;
  suspensionReason: string | null;
}

export interface UserQuery {
  q?: string;
  role?: Role;
  suspended?: boolean;
  limit: number;
  offset: number;
}

interface UserRow {
  id: string; address: string; did: string; display_name: string | null; role: Role; level: number; xp: string; created_at: Date;
  suspended_at: Date | null; suspension_reason: string | null;
}

const COLUMNS = `p.id::text, p.address, p.did, p.display_name, p.role::text AS role, p.level, p.xp::text AS xp, p.created_at,
  pa.suspended_at, pa.suspension_reason`;
const FROM = 'FROM players p LEFT JOIN player_access pa ON pa.player_id = p.id';

const view = (r: UserRow): UserView => ({
  id: r.id, address: r.address, did: r.did, displayName: r.display_name, role: r.role, level: r.level, xp: r.xp,
  createdAt: r.created_at.toISOString(), suspended: r.suspended_at !== null,
  suspendedAt: r.suspended_at?.toISOString() ?? null, suspensionReason: r.suspension_reason,
});

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Players matching `q` (address prefix, display name or DID substring, or exact id), newest first. */
export async function searchUsers(pool: pg.Pool, query: UserQuery): Promise<{ users: UserView[]; total: number }> {
  const q = query.q?.trim() || null;
  const where = `WHERE ($1::text IS NULL OR p.address LIKE lower($2) || '%' OR p.display_name ILIKE '%' || $2 || '%' OR p.did LIKE '%' || lower($2) || '%' OR p.id::text = lower($1))
      AND ($3::text IS NULL OR p.role = $3::"Role")
      AND ($4::boolean IS NULL OR (pa.suspended_at IS NOT NULL) = $4)`;
  const params = [q, q === null ? null : likeEscape(q), query.role ?? null, query.suspended ?? null];
  const [rows, total] = await Promise.all([
    pool.query<UserRow>(`SELECT ${COLUMNS} ${FROM} ${where} ORDER BY p.created_at DESC, p.id LIMIT $5 OFFSET $6`, [...params, query.limit, query.offset]),
    pool.query<{ n: string }>(`SELECT count(*)::text AS n ${FROM} ${where}`, params),
  ]);
  return { users: rows.rows.map(view), total: Number(total.rows[0]?.n ?? 0) };
}

async function lockUser(tx: pg.PoolClient, id: string): Promise<UserRow> {
  await tx.query('SELECT 1 FROM players WHERE id = $1::uuid FOR UPDATE', [id]);
  const row = (await tx.query<UserRow>(`SELECT ${COLUMNS} ${FROM} WHERE p.id = $1::uuid`, [id])).rows[0];
  if (!row) throw notFound('user');
  return row;
}

export interface Change {
  user: UserView;
  changed: boolean;
}

/** Runs one audited change; after commit every API instance learns the player's new access state. */
async function change(pool: pg.Pool, access: PlayerAccess, id: string, fn: (tx: pg.PoolClient, before: UserRow) => Promise<boolean>): Promise<Change> {
  const { row, changed } = await inTransaction(pool, async (tx) => {
    const before = await lockUser(tx, id);
    const changed = await fn(tx, before);
    return { row: changed ? await lockUser(tx, id) : before, changed };
  });
  if (changed) await access.changed();
  return { user: view(row), changed };
}

const notSelf = (actor: AuditActor, id: string, what: string) => {
  if (actor.id === id) throw conflict('CANNOT_CHANGE_SELF', `an admin cannot ${what} their own account`);
};

/** New role; the player's tokens issued before now stop working (they carry the old role). */
export function setRole(pool: pg.Pool, access: PlayerAccess, actor: AuditActor, id: string, role: Role): Promise<Change> {
  notSelf(actor, id, 'change the role of');
  return change(pool, access, id, async (tx, before) => {
    if (before.role === role) return false;
    await tx.query(`UPDATE players SET role = $2::"Role", updated_at = now() WHERE id = $1::uuid`, [id, role]);
    await tx.query(
      `INSERT INTO player_access (player_id, sessions_valid_after) VALUES ($1::uuid, now())
       ON CONFLICT (player_id) DO UPDATE SET sessions_valid_after = now(), updated_at = now()`, [id]);
    await audit(tx, actor, 'user.role', `player:${id}`, { from: before.role, to: role });
    return true;
  });
}

/** Suspends the player: every access token refused, every refresh token revoked. */
export function suspend(pool: pg.Pool, access: PlayerAccess, actor: AuditActor, id: string, reason: string | null): Promise<Change> {
  notSelf(actor, id, 'suspend');
  return change(pool, access, id, async (tx, before) => {
    if (before.suspended_at) return false;
    await tx.query(
      `INSERT INTO player_access (player_id, suspended_at, suspension_reason) VALUES ($1::uuid, now(), $2)
       ON CONFLICT (player_id) DO UPDATE SET suspended_at = now(), suspension_reason = $2, updated_at = now()`, [id, reason]);
    await tx.query('UPDATE refresh_tokens SET revoked_at = now() WHERE player_id = $1::uuid AND revoked_at IS NULL', [id]);
    await audit(tx, actor, 'user.suspend', `player:${id}`, { reason });
    return true;
  });
}

/** Lifts a suspension (the player signs in again: refresh tokens were revoked). */
export function activate(pool: pg.Pool, access: PlayerAccess, actor: AuditActor, id: string): Promise<Change> {
  return change(pool, access, id, async (tx, before) => {
    if (!before.suspended_at) return false;
    await tx.query('UPDATE player_access SET suspended_at = NULL, suspension_reason = NULL, updated_at = now() WHERE player_id = $1::uuid', [id]);
    await audit(tx, actor, 'user.activate', `player:${id}`, { suspendedAt: before.suspended_at.toISOString(), reason: before.suspension_reason });
    return true;
  });
}
