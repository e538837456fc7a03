// `npm run ledger:bundle -- --seq <n> [--epoch <e>] [--out bundle.json]`: writes the proof
// bundle of ledger entry <n> against an anchored epoch (the first that contains it, or <e>),
// ready for `npm run verify -- bundle.json --rpc <url>` on any machine.
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Address, PublicClient } from 'viem';
import { buildLogTreeFromEntries, closeDefaultHashPool, packEntries, proveInclusion } from '../ledger/index.ts';
import { readEncodedRange, sqlRows, type SqlExecutor } from '../lib/ledger-store.ts';
import { openOperator } from './ledger-ops.ts';
import { buildProofBundle, type ProofBundle } from './verify.ts';

/** The proof bundle of entry `seq` against the first anchored epoch that contains it (or `epoch`). */
export async function bundleForEntry(
  op: { pool: SqlExecutor; reader: PublicClient; anchor: Address },
  seq: number,
  epoch?: number,
): Promise<ProofBundle> {
  const rows = await sqlRows(
    op.pool,
    `SELECT epoch, tree_size::text AS tree_size FROM epochs
      WHERE status = 'anchored' AND tree_size > $1 AND ($2::int IS NULL OR epoch = $2) ORDER BY epoch LIMIT 1`,
    [seq, epoch ?? null],
  );
  const row = rows[0];
  if (!row) throw new Error(`seq: no anchored epoch${epoch ? ` ${epoch}` : ''} contains entry ${seq} yet`);
  const treeSize = Number(row.tree_size);
  const encoded = await readEncodedRange(op.pool, 0, treeSize);
  const tree = await buildLogTreeFromEntries(packEntries(encoded));
  return buildProofBundle({
    chainId: await op.reader.getChainId(),
    ledgerAnchor: op.anchor,
    epoch: Number(row.epoch),
    treeSize,
    seq,
    encoded: encoded[seq]!,
    inclusionProof: proveInclusion(tree, seq, treeSize),
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seq: { type: 'string' }, epoch: { type: 'string' }, out: { type: 'string' } } });
  const seq = Number(values.seq);
  if (!values.seq || !Number.isSafeInteger(seq) || seq < 0) throw new Error('seq: required, a non-negative integer (--seq <n>)');
  const epoch = values.epoch === undefined ? undefined : Number(values.epoch);
  if (epoch !== undefined && (!Number.isSafeInteger(epoch) || epoch < 1)) throw new Error('epoch: must be a positive integer');
  const op = await openOperator();
  try {
    const json = `${JSON.stringify(await bundleForEntry(op, seq, epoch), null, 2)}\n`;
    if (values.out) await writeFile(values.out, json);
    else process.stdout.write(json);
  } finally {
    await op.close();
    await closeDefaultHashPool();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(`ledger:bundle: ${(err as Error).message}`);
    process.exit(1);
  });
}
