// Relayed Heart transfers: the player's permit for the relayer, then transferFrom(player → to) sent by
// the relayer. Idempotent per (player, idempotencyKey); a retry resumes where the last attempt stopped.
import { randomUUID } from 'node:crypto';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { heartTokenAbi } from '../../lib/heart-token.ts';
import type { RelayedTx, Relayer } from '../../lib/relayer.ts';
import type { Deps } from '../deps.ts';
import { conflict } from '../errors.ts';
import { checkPermit, relayWithPermit } from './permit.ts';

export interface TransferInput {
  playerId: string;
  from: Address;
  to: Address;
  amount: bigint;
  deadline: bigint;
  signature: Hex;
  idempotencyKey: string;
}

export interface TransferResult {
  transferId: string;
  from: Address;
  to: Address;
  amount: bigint;
  permit: RelayedTx | null;
  transfer: RelayedTx;
  replayed: boolean;
}

type Row = { id: string; to_address: string; amount: string; deadline: string };

export async function relayTransfer(deps: Deps, relayer: Relayer, input: TransferInput): Promise<TransferResult> {
  const { pool } = deps;
  const find = async () => (await pool.query<Row>(
    'SELECT id, to_address, amount::text, deadline::text FROM token_transfers WHERE player_id = $1 AND idempotency_key = $2', [input.playerId, input.idempotencyKey])).rows[0];
  let row = await find();
  const replayed = row !== undefined;
  if (!row) {
    await checkPermit(deps, relayer, { owner: input.from, value: input.amount, deadline: input.deadline, signature: input.signature });
    await pool.query(
      `INSERT INTO token_transfers (id, player_id, idempotency_key, from_address, to_address, amount, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (player_id, idempotency_key) DO NOTHING`,
      [randomUUID(), input.playerId, input.idempotencyKey, input.from, input.to, input.amount.toString(), input.deadline.toString()]);
    row = (await find())!;
  }
  if (row.to_address !== input.to || BigInt(row.amount) !== input.amount || BigInt(row.deadline) !== input.deadline) {
    throw conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotencyKey was used for another transfer');
  }
  const { permit, call } = await relayWithPermit(deps, relayer, { owner: input.from, value: input.amount, deadline: input.deadline, signature: input.signature }, row.id, {
    kind: 'transfer', data: encodeFunctionData({ abi: heartTokenAbi, functionName: 'transferFrom', args: [input.from, input.to, input.amount] }),
  });
  return { transferId: row.id, from: input.from, to: input.to, amount: input.amount, permit, transfer: call, replayed };
}
