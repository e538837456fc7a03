// Versioned impact formulas in impact_formulas: rows are immutable (trigger);
// the newest version is the active one.
import type pg from 'pg';
import { sqlRows, type SqlExecutor } from '../../lib/ledger-store.ts';
import { inTransaction } from '../../lib/transaction.ts';
import { audit, type AuditActor } from '../admin/audit.ts';
import { ApiError } from '../errors.ts';
import type { Formula, FormulaParams } from './formula.ts';
import { canonicalFormula, checkFormula, sameFormula } from './formula-schema.ts';

export interface FormulaVersion extends Formula {
  note: string | null;
  createdBy: string | null;
  createdAt: Date;
}

/** Key of the transaction-scoped advisory lock that serializes publications. */
const FORMULA_LOCK_KEY = 0x0f0e_a11a;

const toVersion = (r: Record<string, unknown>): FormulaVersion => ({
  version: Number(r.version),
  params: canonicalFormula(r.parameters as FormulaParams),
  note: (r.note as string | null) ?? null,
  createdBy: (r.created_by as string | null) ?? null,
  createdAt: r.created_at as Date,
});

const SELECT = 'SELECT version, parameters, note, created_by::text AS created_by, created_at FROM impact_formulas';

/** The active (newest) formula; the migration seeds version 1, so there always is one. */
export async function activeFormula(tx: SqlExecutor): Promise<FormulaVersion> {
  const row = (await sqlRows(tx, `${SELECT} ORDER BY version DESC LIMIT 1`))[0];
  if (!row) throw new Error('impact_formulas is empty: the admin migration seeds version 1');
  return toVersion(row);
}

/** Every version, newest first. */
export async function formulaHistory(tx: SqlExecutor): Promise<FormulaVersion[]> {
  return (await sqlRows(tx, `${SELECT} ORDER BY version DESC`)).map(toVersion);
}

export interface PublishInput {
  params: FormulaParams;
  note?: string;
  /** optimistic concurrency: the version the admin edited; 409 when another was published since */
  basedOn?: number;
}

/**
 * Publishes `params` as the next version (audited). Idempotent: parameters equal
 * to the active version's publish nothing and return it with created = false.
 */
export async function publishFormula(pool: pg.Pool, input: PublishInput, actor: AuditActor): Promise<{ formula: FormulaVersion; created: boolean }> {
  checkFormula(input.params);
  return inTransaction(pool, async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${FORMULA_LOCK_KEY})`);
    const active = await activeFormula(tx);
    if (sameFormula(active.params, input.params)) return { formula: active, created: false };
    if (input.basedOn !== undefined && input.basedOn !== active.version) {
      throw new ApiError(409, 'FORMULA_VERSION_CONFLICT', `version ${active.version} was published since version ${input.basedOn}`, { active: active.version });
    }
    const params = canonicalFormula(input.params);
    const row = (await tx.query(
      `INSERT INTO impact_formulas (version, parameters, note, created_by) VALUES ($1, $2::jsonb, $3, $4::uuid)
       RETURNING version, parameters, note, created_by::text AS created_by, created_at`,
      [active.version + 1, JSON.stringify(params), input.note ?? null, actor.id])).rows[0] as Record<string, unknown>;
    const formula = toVersion(row);
    await audit(tx, actor, 'impact_formula.publish', `impact_formula:${formula.version}`, { previous: active.version, version: formula.version, params, note: input.note ?? null });
    return { formula, created: true };
  });
}
