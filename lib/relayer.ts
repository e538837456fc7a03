// The operator's relayer: sends transactions for players from any number of API instances
// without nonce collisions, records each one, and follows it to confirmation.
import type pg from 'pg';
import type { Address, Hex, PublicClient, WalletClient } from 'viem';
import { createChainWriter } from './chain.ts';
import { inSenderTurn, nextNonce } from './sender-nonce.ts';

export type RelayStatus = 'pending' | 'confirmed' | 'failed';

/** One relayed transaction; (kind, ref) names the action it performs and makes sending it idempotent. */
export interface RelayedTx {
  kind: string;
  ref: string;
  txHash: Hex;
  nonce: number;
  status: RelayStatus;
  blockNumber: bigint | null;
}

export interface RelayRequest {
  kind: string;
  ref: string;
  to: Address;
  data: Hex;
  /** Gas limit; estimated by the node when absent. */
  gas?: bigint;
}

export interface RelayerOptions {
  pool: pg.Pool;
  chain: PublicClient;
  rpcUrl: string;
  privateKey: Hex;
}

type Row = { kind: string; ref: string; tx_hash: string; nonce: number; status: RelayStatus; block_number: string | null };
const view = (r: Row): RelayedTx => ({
  kind: r.kind, ref: r.ref, txHash: r.tx_hash as Hex, nonce: r.nonce, status: r.status, blockNumber: r.block_number === null ? null : BigInt(r.block_number),
});

/**
 * Invariant: a nonce is assigned and its transaction handed to the node while holding a
 * Postgres advisory lock keyed by (chain, sender) (lib/sender-nonce.ts, shared with epoch
 * anchoring when it signs with the same key), so every instance sees the previous
 * send in the node's pending count (and in relayer_transactions) before it picks the next
 * nonce. The lock is transaction-scoped: a crashed instance releases it with its connection.
 */
export class Relayer {
  private readonly writer: WalletClient;
  private chainId: number | undefined;

  constructor(private readonly o: RelayerOptions) {
    this.writer = createChainWriter(o.rpcUrl, o.privateKey);
  }

  /** The operator address (lowercase). */
  get address(): Address {
    return this.writer.account!.address.toLowerCase() as Address;
  }

  private async chain(): Promise<number> {
    this.chainId ??= await this.o.chain.getChainId();
    return this.chainId;
  }

  /** The relayed transaction of (kind, ref), if any. */
  async find(kind: string, ref: string): Promise<RelayedTx | null> {
    const { rows } = await this.o.pool.query<Row>('SELECT kind, ref, tx_hash, nonce, status, block_number::text FROM relayer_transactions WHERE kind = $1 AND ref = $2', [kind, ref]);
    return rows[0] ? view(rows[0]) : null;
  }

  /**
   * Sends the transaction of (kind, ref) once: an existing pending or confirmed one is
   * returned as is; a failed one is sent again. Throws what the node throws (a call
   * that would revert is refused at gas estimation and nothing is recorded).
   */
  async send(req: RelayRequest): Promise<RelayedTx> {
    const chainId = await this.chain();
    return inSenderTurn(this.o.pool, chainId, this.address, async (c) => {
      const existing = (await c.query<Row>('SELECT kind, ref, tx_hash, nonce, status, block_number::text FROM relayer_transactions WHERE kind = $1 AND ref = $2', [req.kind, req.ref])).rows[0];
      if (existing && existing.status !== 'failed') return view(existing);
      const nonce = await nextNonce(c, this.o.chain, chainId, this.address);
      const w = this.writer;
      const txHash = await w.sendTransaction({ account: w.account!, chain: null, to: req.to, data: req.data, nonce, gas: req.gas });
      const { rows } = await c.query<Row>(
        `INSERT INTO relayer_transactions (chain_id, sender, nonce, kind, ref, tx_hash) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, ref) DO UPDATE SET chain_id = EXCLUDED.chain_id, sender = EXCLUDED.sender, nonce = EXCLUDED.nonce,
           tx_hash = EXCLUDED.tx_hash, status = 'pending', block_number = NULL, updated_at = now()
         RETURNING kind, ref, tx_hash, nonce, status, block_number::text`,
        [chainId, this.address, nonce, req.kind, req.ref, txHash]);
      return view(rows[0]!);
    });
  }

  /** Confirmation following: a pending transaction becomes confirmed or failed once its receipt exists. */
  async refresh(tx: RelayedTx): Promise<RelayedTx> {
    if (tx.status !== 'pending') return tx;
    const receipt = await this.o.chain.getTransactionReceipt({ hash: tx.txHash }).catch(() => null);
    if (!receipt) return tx;
    return this.record(tx, receipt.status === 'success' ? 'confirmed' : 'failed', receipt.blockNumber);
  }

  /** Waits for the receipt of `tx` and records its outcome. */
  async wait(tx: RelayedTx): Promise<RelayedTx> {
    if (tx.status !== 'pending') return tx;
    const receipt = await this.o.chain.waitForTransactionReceipt({ hash: tx.txHash });
    return this.record(tx, receipt.status === 'success' ? 'confirmed' : 'failed', receipt.blockNumber);
  }

  /**
   * Refreshes every pending transaction of this sender; returns how many changed state. One the
   * node no longer knows `droppedAfterS` after it was sent (evicted from the pool, never mined) is
   * marked failed: it must stop reserving its nonce, and its (kind, ref) may be sent again.
   */
  async followPending(droppedAfterS = 600): Promise<number> {
    const { rows } = await this.o.pool.query<Row & { stale: boolean }>(
      `SELECT kind, ref, tx_hash, nonce, status, block_number::text, updated_at < now() - make_interval(secs => $2) AS stale
         FROM relayer_transactions WHERE status = 'pending' AND sender = $1 ORDER BY nonce LIMIT 500`, [this.address, droppedAfterS]);
    let changed = 0;
    for (const r of rows) {
      const tx = await this.refresh(view(r));
      if (tx.status !== 'pending') changed++;
      else if (r.stale && !(await this.o.chain.getTransaction({ hash: tx.txHash }).catch(() => null))) {
        await this.o.pool.query(`UPDATE relayer_transactions SET status = 'failed', updated_at = now() WHERE tx_hash = $1 AND status = 'pending'`, [tx.txHash]);
        changed++;
      }
    }
    return changed;
  }

  private async record(tx: RelayedTx, status: RelayStatus, blockNumber: bigint): Promise<RelayedTx> {
    await this.o.pool.query(
      `UPDATE relayer_transactions SET status = $2, block_number = $3, updated_at = now() WHERE tx_hash = $1 AND status = 'pending'`,
      [tx.txHash, status, blockNumber.toString()]);
    return { ...tx, status, blockNumber };
  }
}
