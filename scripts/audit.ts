// Audits the ledger: recomputes the hash chain and every epoch's roots from Postgres and compares them with
// the S3 manifests and the on-chain LedgerAnchor records. Prints the first divergence; exits 1 on any.
//
//   npm run audit
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import type { Address, PublicClient } from 'viem';
import { toHex, verifyChain } from '../ledger/index.ts';
import { buildEpochExport, sha256 } from '../lib/epoch-export.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { readEncodedRange } from '../lib/ledger-store.ts';
import type { Storage } from '../lib/storage.ts';

export interface AuditOptions { pool: pg.Pool; storage: Storage; reader: PublicClient; anchor: Address }
export type AuditResult = { ok: true; entries: number; epochs: number } | { ok: false; where: string; reason: string };

const bad = (where: string, reason: string): AuditResult => ({ ok: false, where, reason });
const hex = (b: unknown) => toHex(new Uint8Array(b as Buffer));

export async function auditLedger(o: AuditOptions): Promise<AuditResult> {
  const [{ n }] = (await o.pool.query('SELECT count(*)::int AS n FROM ledger_entries')).rows as [{ n: number }];
  let encoded: Uint8Array[];
  const client = await o.pool.connect();
  try {
    encoded = await readEncodedRange(client, 0, n);
  } catch (err) {
    return bad('ledger_entries', (err as Error).message);
  } finally {
    client.release();
  }
  const { rows: hashes } = await o.pool.query('SELECT seq::int AS seq, entry_hash FROM ledger_entries ORDER BY ledger_entries.seq');
  for (const [i, r] of hashes.entries()) {
    const h = sha256(encoded[i] as Uint8Array);
    if (hex(r.entry_hash) !== toHex(h)) return bad(`entry seq ${r.seq}`, `entry_hash ${hex(r.entry_hash)} != SHA-256(encoded) ${toHex(h)}`);
  }
  const chain = verifyChain(encoded);
  if (!chain.ok) return bad(`entry seq ${chain.index}`, chain.reason);
  const { rows: epochs } = await o.pool.query('SELECT * FROM epochs ORDER BY epoch');
  let previous: { treeSize: number; root: Uint8Array } | undefined;
  for (const e of epochs) {
    const where = `epoch ${e.epoch} (${e.month})`;
    const size = Number(e.tree_size);
    if (size > encoded.length) return bad(where, `tree_size ${size} > ${encoded.length} entries`);
    let ex;
    try {
      ex = await buildEpochExport(e.epoch, e.month, encoded.slice(0, size), previous);
    } catch (err) {
      return bad(where, (err as Error).message);
    }
    if (toHex(ex.epoch.logRoot) !== hex(e.log_root)) return bad(where, `log_root ${hex(e.log_root)} != recomputed ${toHex(ex.epoch.logRoot)}`);
    if (toHex(ex.epoch.claimsRoot) !== hex(e.rewards_root)) return bad(where, `rewards_root ${hex(e.rewards_root)} != recomputed ${toHex(ex.epoch.claimsRoot)}`);
    previous = { treeSize: size, root: ex.epoch.logRoot };
    if (e.status === 'closing') continue;
    const prefix = `epochs/${e.epoch}/`;
    const manifest = await o.storage.get(prefix + 'manifest.json').catch(() => null);
    if (!manifest) return bad(where, `S3 ${prefix}manifest.json is missing`);
    if (toHex(sha256(manifest)) !== hex(e.export_hash)) return bad(where, `S3 manifest SHA-256 ${toHex(sha256(manifest))} != export_hash ${hex(e.export_hash)}`);
    if (toHex(ex.manifestHash) !== hex(e.export_hash)) return bad(where, 'manifest recomputed from Postgres differs from the exported one');
    for (const [name, bytes] of Object.entries(ex.files)) {
      const stored = await o.storage.get(prefix + name).catch(() => null);
      if (!stored || toHex(sha256(stored)) !== toHex(sha256(bytes))) return bad(where, `S3 ${prefix}${name} differs from its manifest hash`);
    }
    if (e.status !== 'anchored') continue;
    const rec = await o.reader.readContract({ address: o.anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [BigInt(e.epoch)] }).catch(() => null);
    if (!rec) return bad(where, 'not anchored on-chain');
    if (Number(rec.treeSize) !== size) return bad(where, `on-chain treeSize ${rec.treeSize} != ${size}`);
    if (rec.logRoot !== hex(e.log_root)) return bad(where, `on-chain logRoot ${rec.logRoot} != ${hex(e.log_root)}`);
    if (rec.rewardsRoot !== hex(e.rewards_root)) return bad(where, `on-chain rewardsRoot ${rec.rewardsRoot} != ${hex(e.rewards_root)}`);
    const okExport = await o.reader.readContract({ address: o.anchor, abi: ledgerAnchorAbi, functionName: 'verifyExport', args: [BigInt(e.epoch), e.export_uri, hex(e.export_hash)] });
    if (!okExport) return bad(where, 'on-chain export commitment does not match (export_uri, export_hash)');
  }
  return { ok: true, entries: encoded.length, epochs: epochs.length };
}

async function main(): Promise<void> {
  const { openOperator } = await import('./ledger-ops.ts');
  const ops = await openOperator();
  try {
    const r = await auditLedger(ops);
    if (!r.ok) {
      console.error(`AUDIT FAILED at ${r.where}: ${r.reason}`);
      process.exitCode = 1;
    } else console.log(`audit OK: ${r.entries} entries, ${r.epochs} epochs`);
  } finally {
    await ops.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => { console.error(`audit: ${(err as Error).message}`); process.exit(1); });
}
