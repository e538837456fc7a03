// audit_log rows for admin actions, written in the same transaction as the change.
import type pg from 'pg';

export interface AuditActor {
  /** the admin's player id */
  id: string;
  ip: string;
}

/** Appends one audit row on `tx` (the caller's open transaction). */
export async function audit(tx: pg.PoolClient, actor: AuditActor, action: string, target: string, data: unknown): Promise<void> {
  await tx.query('INSERT INTO audit_log (actor_id, action, target, data, ip) VALUES ($1::uuid, $2, $3, $4::jsonb, $5)',
    [actor.id, action, target, JSON.stringify(data), actor.ip]);
}
