// Marketplace stock: reservations that hold stock until paid on-chain or expired.
// Fulfilment is not here: the migration 20261124050000_marketplace fulfils a reservation in the
// indexer's transaction that mirrors its Redeemed event (trigger on chain_redemptions).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Hex } from 'viem';
import { inTransaction } from '../../lib/transaction.ts';
import { ApiError, conflict, notFound } from '../errors.ts';

export type RedemptionStatus = 'reserved' | 'fulfilled' | 'expired';

export interface Redemption {
  id: Hex;
  playerId: string;
  rewardId: string;
  quantity: number;
  amount: bigint;
  status: RedemptionStatus;
  expiresAt: Date;
  burnTxHash: Hex | null;
  paymentFlag: 'after_expiry' | 'underpaid' | null;
  fulfilledAt: Date | null;
}

export interface ReserveInput {
  playerId: string;
  rewardId: string;
  quantity: number;
  idempotencyKey: string;
  ttlSeconds: number;
  /** The player's Heart on chain now: open reservations plus this one may not exceed it. */
  balance: bigint;
}

type Row = Record<string, unknown>;
const COLUMNS = 'id, player_id, reward_id, quantity, amount::text, status, expires_at, burn_tx_hash, payment_flag, fulfilled_at';
const toRedemption = (r: Row): Redemption => ({
  id: r.id as Hex, playerId: r.player_id as string, rewardId: r.reward_id as string, quantity: r.quantity as number,
  amount: BigInt(r.amount as string), status: r.status as RedemptionStatus, expiresAt: r.expires_at as Date,
  burnTxHash: (r.burn_tx_hash as Hex | null) ?? null, paymentFlag: (r.payment_flag as Redemption['paymentFlag']) ?? null,
  fulfilledAt: (r.fulfilled_at as Date | null) ?? null,
});

/**
 * Expires reserved redemptions past their expiry and gives their stock back, once each:
 * rows are claimed with FOR UPDATE SKIP LOCKED, so concurrent sweepers (one per API
 * instance) neither wait on nor double-release each other. Returns the units released.
 */
export async function expireDue(c: pg.ClientBase, rewardId: string | null = null): Promise<number> {
  const { rows } = await c.query<{ released: string | null }>(
    `WITH due AS (
       SELECT id FROM redemptions WHERE status = 'reserved' AND expires_at <= now() AND ($1::uuid IS NULL OR reward_id = $1)
        ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED
     ), expired AS (
       UPDATE redemptions r SET status = 'expired' FROM due WHERE r.id = due.id RETURNING r.reward_id, r.quantity
     ), released AS (
       SELECT reward_id, sum(quantity)::int AS q FROM expired GROUP BY reward_id
     ), restocked AS (
       UPDATE rewards w SET stock = w.stock + released.q FROM released WHERE w.id = released.reward_id RETURNING released.q
     )
     SELECT sum(q)::text AS released FROM restocked`, [rewardId]);
  return Number(rows[0]?.released ?? 0);
}

/** Takes `n` units of stock if available (a conditional UPDATE: concurrent takers serialize on the row, stock never goes below 0). */
async function takeStock(c: pg.ClientBase, rewardId: string, n: number): Promise<bigint | null> {
  const { rows } = await c.query<{ cost: string }>(
    'UPDATE rewards SET stock = stock - $2 WHERE id = $1 AND active AND stock >= $2 RETURNING cost_heart::text AS cost', [rewardId, n]);
  return rows[0] ? BigInt(rows[0].cost) : null;
}

/**
 * Reserves stock for a player and creates the redemption (id = random bytes32, the
 * `redemptionId` the player burns with). Idempotent per (player, idempotencyKey): a
 * repeat returns the first reservation with `replayed`; the same key for another
 * reward or quantity is a 409. A player cannot hold reservations worth more Heart than
 * they own (no hoarding stock without the means to pay); their reservations serialize
 * on a per-player advisory lock so that sum is checked atomically.
 */
export async function reserve(pool: pg.Pool, input: ReserveInput): Promise<{ redemption: Redemption; replayed: boolean }> {
  return inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`oneheart.redeem:${input.playerId}`]);
    const prior = (await c.query<Row>(`SELECT ${COLUMNS} FROM redemptions WHERE player_id = $1 AND idempotency_key = $2`, [input.playerId, input.idempotencyKey])).rows[0];
    if (prior) {
      const r = toRedemption(prior);
      if (r.rewardId !== input.rewardId || r.quantity !== input.quantity) {
        throw conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotencyKey was used for another redemption');
      }
      return { redemption: r, replayed: true };
    }
    const reward = (await c.query<{ cost: string }>('SELECT cost_heart::text AS cost FROM rewards WHERE id = $1 AND active', [input.rewardId])).rows[0];
    if (!reward) throw notFound('reward');
    const open = BigInt((await c.query<{ open: string }>(
      `SELECT coalesce(sum(amount), 0)::text AS open FROM redemptions WHERE player_id = $1 AND status = 'reserved' AND burn_tx_hash IS NULL AND expires_at > now()`,
      [input.playerId])).rows[0]!.open);
    const need = BigInt(reward.cost) * BigInt(input.quantity);
    if (open + need > input.balance) {
      throw new ApiError(409, 'INSUFFICIENT_HEART', `this costs ${need} and open reservations ${open}, but the balance is ${input.balance}`,
        { balance: input.balance.toString(), reserved: open.toString(), cost: need.toString() });
    }
    let cost = await takeStock(c, input.rewardId, input.quantity);
    if (cost === null && (await expireDue(c, input.rewardId)) > 0) cost = await takeStock(c, input.rewardId, input.quantity);
    if (cost === null) {
      const reward = (await c.query<{ active: boolean; stock: number }>('SELECT active, stock FROM rewards WHERE id = $1', [input.rewardId])).rows[0];
      if (!reward || !reward.active) throw notFound('reward');
      throw new ApiError(409, 'OUT_OF_STOCK', `only ${reward.stock} left`, { stock: reward.stock });
    }
    const id = `0x${randomBytes(32).toString('hex')}`;
    const { rows } = await c.query<Row>(
      `INSERT INTO redemptions (id, player_id, reward_id, quantity, amount, expires_at, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7) RETURNING ${COLUMNS}`,
      [id, input.playerId, input.rewardId, input.quantity, (cost * BigInt(input.quantity)).toString(), input.ttlSeconds, input.idempotencyKey]);
    return { redemption: toRedemption(rows[0]!), replayed: false };
  });
}

/** A redemption of `playerId` (404 for anyone else's). */
export async function loadRedemption(pool: pg.Pool, id: string, playerId: string): Promise<Redemption> {
  const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM redemptions WHERE id = $1 AND player_id = $2`, [id.toLowerCase(), playerId]);
  if (!rows[0]) throw notFound('redemption');
  return toRedemption(rows[0]);
}

export interface CatalogItem {
  id: string;
  title: string;
  description: string;
  partner: string;
  priceHeart: string;
  stock: number;
}

/** Active rewards with their live stock, cheapest first. */
export async function catalog(pool: pg.Pool): Promise<CatalogItem[]> {
  const { rows } = await pool.query<Row>(
    'SELECT id, title, description, partner, cost_heart::text AS price, stock FROM rewards WHERE active ORDER BY cost_heart, title, id');
  return rows.map((r) => ({ id: r.id as string, title: r.title as string, description: r.description as string, partner: r.partner as string, priceHeart: r.price as string, stock: r.stock as number }));
}
