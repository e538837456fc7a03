// Nonces of a platform sending account (the operator key) shared by every process that
// signs with it: the API's relayer (claims, permits) and epoch anchoring. Whoever sends
// holds a Postgres advisory lock keyed by (chain, sender) from choosing the nonce until the
// node has accepted the transaction, so the next sender sees it in the node's pending count.
import type pg from 'pg';
import type { Address, Hex, PublicClient } from 'viem';
import { inTransaction } from './transaction.ts';

const senderKey = (chainId: number, sender: Address) => `oneheart.relayer:${chainId}:${sender.toLowerCase()}`;

/** Takes the (chain, sender) send lock for the rest of transaction `c` (released at COMMIT/ROLLBACK, or when a crashed holder's connection closes). */
async function lockSender(c: pg.PoolClient, chainId: number, sender: Address): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [senderKey(chainId, sender)]);
}

/** Per pool, per send lock: the last send queued in this process. */
const turns = new WeakMap<pg.Pool, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` in a transaction on `pool` that holds the (chain, sender) send lock. The sends of one
 * pool (an API process shares one) queue here in memory first, so at most one of its connections
 * waits for or holds the lock: a burst of relays would otherwise hold every pooled connection
 * while they queue on the advisory lock, starving the process's other queries.
 */
export function inSenderTurn<T>(pool: pg.Pool, chainId: number, sender: Address, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const key = senderKey(chainId, sender);
  let queue = turns.get(pool);
  if (!queue) turns.set(pool, (queue = new Map()));
  const run = (queue.get(key) ?? Promise.resolve()).then(() => inTransaction(pool, async (c) => {
    await lockSender(c, chainId, sender);
    return fn(c);
  }));
  const settled = run.catch(() => undefined);
  queue.set(key, settled);
  void settled.then(() => {
    if (queue.get(key) === settled) queue.delete(key);
  });
  return run;
}

/**
 * The next nonce of `sender`, under its send lock: the node's pending count, or past the
 * relayed transactions still tracked as pending (one the node has not seen yet keeps its nonce).
 */
export async function nextNonce(c: pg.PoolClient, chain: PublicClient, chainId: number, sender: Address): Promise<number> {
  const address = sender.toLowerCase();
  const [onChain, tracked] = await Promise.all([
    chain.getTransactionCount({ address: address as Address, blockTag: 'pending' }),
    c.query<{ next: number | null }>(`SELECT max(nonce) + 1 AS next FROM relayer_transactions WHERE chain_id = $1 AND sender = $2 AND status = 'pending'`, [chainId, address]),
  ]);
  return Math.max(onChain, tracked.rows[0]?.next ?? 0);
}

/** Sends one transaction of `sender` (not recorded as relayed) with a nonce chosen under the send lock; `send` must hand it to the node before resolving. */
export async function sendWithSenderLock(o: { pool: pg.Pool; chain: PublicClient }, sender: Address, send: (nonce: number) => Promise<Hex>): Promise<Hex> {
  const chainId = await o.chain.getChainId();
  return inSenderTurn(o.pool, chainId, sender, async (c) => send(await nextNonce(c, o.chain, chainId, sender)));
}
