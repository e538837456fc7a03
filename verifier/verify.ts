import type pg from 'pg';
import { assess, type AssessDeps, type Assessment } from './assess.ts';
import { gatherProof } from './gather.ts';
import { indexEvidence } from './media/index.ts';
import { inTransaction } from '../lib/transaction.ts';

export interface VerifyDeps extends AssessDeps {
  pool: pg.Pool;
  getObject(key: string): Promise<Uint8Array>;
}

export interface Verdict extends Assessment {
  written: boolean;
}

/**
 * Verifies one action: gathers it (read-only), runs rules and model, then in
 * one transaction indexes its evidence hashes and writes one
 * verification_results row, its verification_details (rule results, model
 * score) and the action status. A second run for the same action writes
 * nothing (the unique action_id decides; null when already verified).
 */
export async function verifyAction(deps: VerifyDeps, actionId: string): Promise<Verdict | null> {
  const { pool } = deps;
  const done = await pool.query('SELECT 1 FROM verification_results WHERE action_id = $1', [actionId]);
  if (done.rowCount) return null;
  const gathered = await gatherProof(pool, { getObject: deps.getObject, nearDuplicateHamming: deps.rules.nearDuplicateHamming }, actionId);
  if (!gathered) return null;
  const s = assess(deps, gathered.ctx);
  const status = s.decision === 'approve' ? 'approved' : s.decision === 'reject' ? 'rejected' : 'review';

  return inTransaction(pool, async (client) => {
    const ins = await client.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::"Decision") ON CONFLICT (action_id) DO NOTHING`,
      [actionId, s.authenticity, s.confidence, s.flags, s.modelVersion, s.decision],
    );
    const written = (ins.rowCount ?? 0) > 0;
    if (!written) return { ...s, written };
    await client.query('INSERT INTO verification_details (action_id, rules, model_score) VALUES ($1, $2, $3)', [actionId, JSON.stringify(s.rules), s.modelScore]);
    for (const e of gathered.evidence) {
      const f = e.report.facts;
      if (f.phash !== null) await indexEvidence(client, e.id, f.phash, f.width, f.height);
    }
    await client.query(`UPDATE actions SET status = $2::"ActionStatus" WHERE id = $1 AND status = 'pending'`, [actionId, status]);
    return { ...s, written };
  });
}
