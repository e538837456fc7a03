// Closes a month of the impact ledger: log head + claims → S3 export under epochs/<epoch>/ → one anchorEpoch tx.
// Resumable: the epochs row moves closing → exported → anchoring (tx hash saved before waiting) → anchored.
//
//   npm run epoch:close -- --month 2026-10      (env: DATABASE_URL, S3_*, RPC_URL, OPERATOR_PRIVATE_KEY, DEPLOYMENTS_DIR)
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import type { Address, Hex, PublicClient, WalletClient } from 'viem';
import { equalBytes } from '../ledger/bytes.ts';
import { toHex } from '../ledger/index.ts';
import { buildEpochExport, EXPORT_FILES } from '../lib/epoch-export.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { lockLedger, readEncodedRange } from '../lib/ledger-store.ts';
import { sendWithSenderLock } from '../lib/sender-nonce.ts';
import type { Storage } from '../lib/storage.ts';
import { publishLog, signerFromConfig } from '../tlog/publisher.ts';
import type { PublishOptions } from '../tlog/publisher.ts';

export interface CloseEpochOptions {
  pool: pg.Pool;
  storage: Storage;
  reader: PublicClient;
  writer: WalletClient;
  /** LedgerAnchor address (deployments.contracts.LedgerAnchor.address). */
  anchor: Address;
  month: string;
  now?: Date;
  progress?: (done: number, total: number) => void;
  /** Test hook simulating a crash: stop after this step. */
  stopAfter?: 'export' | 'send';
  log?: (msg: string) => void;
  /** Tiled log (tlog/): publish a signed checkpoint at the epoch's tree size (root checked) before anchoring. */
  tlog?: Pick<PublishOptions, 'signer' | 'origin'>;
}

export interface CloseEpochResult { epoch: number; month: string; status: 'anchored' | 'already-closed'; treeSize: number; exportUri: string; txHash: string | null }

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export function monthEnd(month: string): Date {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`month: expected YYYY-MM, got ${month}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
}
const monthOf = (d: Date) => d.toISOString().slice(0, 7);
const nextMonth = (month: string) => monthOf(monthEnd(month));

type Row = Record<string, unknown>;
const q = async (c: pg.Pool | pg.PoolClient, text: string, params: unknown[] = []): Promise<Row[]> => (await c.query(text, params)).rows;

/** Decides which epoch number `month` gets, or throws why it cannot be closed now. */
async function planEpoch(pool: pg.Pool, month: string, now: Date): Promise<{ epoch: number; row: Row | undefined }> {
  const end = monthEnd(month);
  const [row] = await q(pool, 'SELECT * FROM epochs WHERE month = $1', [month]);
  if (row) return { epoch: row.epoch as number, row };
  if (now < end) throw new Error(`month ${month} is not over yet (ends ${end.toISOString()})`);
  const [last] = await q(pool, 'SELECT * FROM epochs ORDER BY epoch DESC LIMIT 1');
  if (last) {
    if (last.status !== 'anchored') throw new Error(`earlier month ${String(last.month)} (epoch ${String(last.epoch)}) is not closed yet: run it first`);
    const expected = nextMonth(String(last.month));
    if (month !== expected) throw new Error(`month ${month} ${month < expected ? 'is already covered' : `skips unclosed month ${expected}`}`);
    return { epoch: (last.epoch as number) + 1, row: undefined };
  }
  const [first] = await q(pool, 'SELECT created_at FROM ledger_entries WHERE seq = 0');
  if (!first) throw new Error('the ledger is empty: nothing to close');
  const firstMonth = monthOf(first.created_at as Date);
  if (month > firstMonth) throw new Error(`month ${month} skips unclosed month ${firstMonth} (month of the first entry)`);
  if (month < firstMonth) throw new Error(`month ${month} has no entries (the first entry is in ${firstMonth})`);
  return { epoch: 1, row: undefined };
}

/** Closes `month` (idempotent, resumable). */
export async function closeEpoch(o: CloseEpochOptions): Promise<CloseEpochResult> {
  const log = o.log ?? (() => {});
  const now = o.now ?? new Date();
  const plan = await planEpoch(o.pool, o.month, now);
  const { epoch } = plan;
  const prefix = `epochs/${epoch}/`;
  const exportUri = `s3://${o.storage.bucket}/${prefix}manifest.json`;
  if (plan.row?.status === 'anchored') {
    log(`epoch ${epoch} (${o.month}) is already anchored: nothing to do`);
    return { epoch, month: o.month, status: 'already-closed', treeSize: Number(plan.row.tree_size), exportUri, txHash: (plan.row.anchor_tx_hash as string | null) ?? null };
  }
  // The ledger prefix: every entry appended before the month's end (waits for in-flight appends).
  const client = await o.pool.connect();
  let encoded: Uint8Array[];
  try {
    await client.query('BEGIN');
    await lockLedger(client);
    const [{ n }] = (await q(client, 'SELECT coalesce(max(seq) + 1, 0)::int AS n FROM ledger_entries WHERE created_at < $1', [monthEnd(o.month)])) as [{ n: number }];
    encoded = await readEncodedRange(client, 0, n);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  if (encoded.length === 0) throw new Error(`no entries before the end of ${o.month}`);
  const [prev] = await q(o.pool, `SELECT tree_size, log_root FROM epochs WHERE epoch = $1 AND status = 'anchored'`, [epoch - 1]);
  const previous = prev ? { treeSize: Number(prev.tree_size), root: new Uint8Array(prev.log_root as Buffer) } : undefined;
  log(`epoch ${epoch} (${o.month}): ${encoded.length} entries`);
  const ex = await buildEpochExport(epoch, o.month, encoded, previous, o.progress);

  let row = plan.row;
  if (!row) {
    const c = await o.pool.connect();
    try {
      await c.query('BEGIN');
      [row] = await q(c, `INSERT INTO epochs (epoch, month, status, tree_size, log_root, rewards_root) VALUES ($1, $2, 'closing', $3, $4, $5) RETURNING *`,
        [epoch, o.month, ex.epoch.treeSize, Buffer.from(ex.epoch.logRoot), Buffer.from(ex.epoch.claimsRoot)]);
      for (const [i, cl] of ex.claims.entries()) {
        await c.query('INSERT INTO reward_claims (epoch, address, cumulative_amount, leaf_index) VALUES ($1, $2, $3, $4)', [epoch, cl.address, cl.amount.toString(), i]);
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    } finally {
      c.release();
    }
  } else if (Number(row.tree_size) !== ex.epoch.treeSize || !equalBytes(new Uint8Array(row.log_root as Buffer), ex.epoch.logRoot)) {
    throw new Error(`epoch ${epoch}: stored head (size ${String(row.tree_size)}) differs from the recomputed one (size ${ex.epoch.treeSize}); run npm run audit`);
  }
  if (!row) throw new Error('unreachable');
  if (row.status === 'closing') {
    for (const name of EXPORT_FILES) await o.storage.put(prefix + name, ex.files[name] as Uint8Array, name.endsWith('.csv') ? 'text/csv' : 'application/json');
    await o.storage.put(prefix + 'manifest.json', ex.manifest, 'application/json');
    [row] = await q(o.pool, `UPDATE epochs SET status = 'exported', export_uri = $2, export_hash = $3 WHERE epoch = $1 RETURNING *`, [epoch, exportUri, Buffer.from(ex.manifestHash)]);
    log(`epoch ${epoch}: export written to ${exportUri}`);
    if (o.stopAfter === 'export') throw new Error('stopped after export');
  }
  if (!row) throw new Error('unreachable');
  if (o.tlog) await publishLog({ pool: o.pool, storage: o.storage, ...o.tlog, upTo: ex.epoch.treeSize, expectRoot: ex.epoch.logRoot, alsoAt: `epochs/${epoch}/checkpoint` });
  const txHash = await anchor(o, epoch, row, ex.epoch.consistencyProof, exportUri, ex.manifestHash, log);
  const [block] = txHash ? [await o.reader.getTransactionReceipt({ hash: txHash as Hex }).then((r) => r.blockNumber, () => null)] : [null];
  await o.pool.query(`UPDATE epochs SET status = 'anchored', anchor_tx_hash = coalesce($2, anchor_tx_hash), anchor_block = $3, anchored_at = now() WHERE epoch = $1`,
    [epoch, txHash, block === null ? null : block.toString()]);
  log(`epoch ${epoch} (${o.month}) anchored${txHash ? ` in ${txHash}` : ''}`);
  return { epoch, month: o.month, status: 'anchored', treeSize: ex.epoch.treeSize, exportUri, txHash };
}

async function anchor(o: CloseEpochOptions, epoch: number, row: Row, proof: Uint8Array[], uri: string, hash: Uint8Array, log: (m: string) => void): Promise<string | null> {
  const chainHas = async () => (await o.reader.readContract({ address: o.anchor, abi: ledgerAnchorAbi, functionName: 'latestEpoch' })) >= BigInt(epoch);
  const saved = row.anchor_tx_hash as string | null;
  if (saved) {
    const receipt = await o.reader.getTransactionReceipt({ hash: saved as Hex }).catch(() => null)
      ?? (await o.reader.getTransaction({ hash: saved as Hex }).catch(() => null) ? await o.reader.waitForTransactionReceipt({ hash: saved as Hex }) : null);
    if (receipt?.status === 'success') return saved;
  }
  if (await chainHas()) {
    const rec = await o.reader.readContract({ address: o.anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [BigInt(epoch)] });
    if (rec.logRoot !== toHex(new Uint8Array(row.log_root as Buffer))) throw new Error(`epoch ${epoch} is anchored on-chain with a different log root ${rec.logRoot}`);
    log(`epoch ${epoch} is already anchored on-chain`);
    return saved;
  }
  const account = o.writer.account;
  if (!account) throw new Error('chain writer has no account');
  // The operator key may be the API relayer's too: the nonce is chosen under the same send lock.
  const txHash = await sendWithSenderLock({ pool: o.pool, chain: o.reader }, account.address, (nonce) => o.writer.writeContract({
    address: o.anchor, abi: ledgerAnchorAbi, functionName: 'anchorEpoch', account, chain: null, nonce,
    args: [BigInt(epoch), BigInt(row.tree_size as string), toHex(new Uint8Array(row.log_root as Buffer)), toHex(new Uint8Array(row.rewards_root as Buffer)), uri, toHex(hash), proof.map(toHex)],
  }));
  await o.pool.query(`UPDATE epochs SET status = 'anchoring', anchor_tx_hash = $2 WHERE epoch = $1`, [epoch, txHash]);
  log(`epoch ${epoch}: anchorEpoch sent ${txHash}`);
  if (o.stopAfter === 'send') throw new Error('stopped after send');
  const receipt = await o.reader.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== 'success') throw new Error(`anchorEpoch ${txHash} reverted`);
  return txHash;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { month: { type: 'string' } } });
  if (!values.month) throw new Error('usage: npm run epoch:close -- --month YYYY-MM');
  const { openOperator } = await import('./ledger-ops.ts');
  const ops = await openOperator();
  const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: 'proofs [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic) : null;
  try {
    const result = await closeEpoch({
      ...ops, month: values.month, log: (m) => console.log(m), tlog: { signer: await signerFromConfig(ops.config), origin: ops.config.TLOG_ORIGIN },
      progress: bar ? (done, total) => { if (done <= 1000 || !bar.getTotal()) bar.start(total, 0); bar.update(done); if (done === total) bar.stop(); } : undefined,
    });
    console.log(JSON.stringify(result));
  } finally {
    await ops.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => { console.error(`epoch:close: ${(err as Error).message}`); process.exit(1); });
}
