// Player notifications for epochs the indexer has just seen anchored (once per epoch: dedupe keys
// name the chain and epoch, so a reorg that drops and re-mirrors EpochAnchored notifies nobody twice).
import type pg from 'pg';
import { notifyMany, type NotifyInput } from '../lib/notify.ts';

/**
 * For each EpochAnchored mirrored in blocks [from, to]: `epoch_anchored` to every player with an
 * entry in the epoch (ledger seqs [previous tree size, tree size)), and `claim_available` to every
 * player whose cumulative Heart in the epoch's claim tree grew. Runs in the indexer's batch
 * transaction, so the notifications commit with the mirrored rows.
 */
export async function notifyAnchoredEpochs(c: pg.ClientBase, chainId: number, from: bigint, to: bigint): Promise<number> {
  const epochs = (await c.query<{ epoch: string; tree_size: string; prev_size: string; tx_hash: string }>(
    `SELECT e.epoch::text, e.tree_size::text, COALESCE(p.tree_size, 0)::text AS prev_size, e.tx_hash
       FROM chain_epochs e LEFT JOIN chain_epochs p ON p.chain_id = e.chain_id AND p.epoch = e.epoch - 1
      WHERE e.chain_id = $1 AND e.block_number BETWEEN $2 AND $3 ORDER BY e.epoch`,
    [chainId, from.toString(), to.toString()])).rows;
  let written = 0;
  for (const e of epochs) {
    const epoch = Number(e.epoch);
    const entries = (await c.query<{ id: string; n: number }>(
      `SELECT p.id::text, count(*)::int AS n FROM ledger_entries l JOIN players p ON p.address = l.player_address
        WHERE l.seq >= $1::bigint AND l.seq < $2::bigint GROUP BY p.id`, [e.prev_size, e.tree_size])).rows;
    const claims = (await c.query<{ id: string; cumulative: string; added: string }>(
      `SELECT p.id::text, rc.cumulative_amount::text AS cumulative, (rc.cumulative_amount - COALESCE(prev.cumulative_amount, 0))::text AS added
         FROM reward_claims rc JOIN players p ON p.address = rc.address
         LEFT JOIN reward_claims prev ON prev.epoch = rc.epoch - 1 AND prev.address = rc.address
        WHERE rc.epoch = $1 AND rc.cumulative_amount > COALESCE(prev.cumulative_amount, 0)`, [epoch])).rows;
    const inputs: NotifyInput[] = [
      ...entries.map((r): NotifyInput => ({ playerId: r.id, kind: 'epoch_anchored', dedupeKey: `epoch_anchored:${chainId}:${epoch}`, payload: { epoch, txHash: e.tx_hash, entries: r.n } })),
      ...claims.map((r): NotifyInput => ({ playerId: r.id, kind: 'claim_available', dedupeKey: `claim_available:${chainId}:${epoch}`, payload: { epoch, cumulativeAmount: r.cumulative, newAmount: r.added } })),
    ];
    written += (await notifyMany(c, inputs)).length;
  }
  return written;
}

/**
 * `reward_fulfilled` for each redemption a Redeemed event mirrored in blocks [from, to] fulfilled
 * (the fulfilment itself is the `chain_redemptions_fulfil` trigger, in this same transaction).
 * Once per redemption: the dedupe key is its id.
 */
export async function notifyFulfilledRedemptions(c: pg.ClientBase, chainId: number, from: bigint, to: bigint): Promise<number> {
  const rows = (await c.query<{ player_id: string; id: string; reward_id: string; title: string; tx_hash: string }>(
    `SELECT r.player_id::text, r.id, r.reward_id::text, w.title, cr.tx_hash
       FROM chain_redemptions cr JOIN redemptions r ON r.id = cr.redemption_id AND r.burn_tx_hash = cr.tx_hash JOIN rewards w ON w.id = r.reward_id
      WHERE cr.chain_id = $1 AND cr.block_number BETWEEN $2 AND $3 AND r.status = 'fulfilled'`,
    [chainId, from.toString(), to.toString()])).rows;
  return (await notifyMany(c, rows.map((r): NotifyInput => ({
    playerId: r.player_id, kind: 'reward_fulfilled', dedupeKey: `reward_fulfilled:${r.id.trim()}`,
    payload: { redemptionId: r.id.trim(), rewardId: r.reward_id, title: r.title, txHash: r.tx_hash.trim() },
  })))).length;
}
