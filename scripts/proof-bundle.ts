// `npm run ledger:bundle -- --seq <n> [--epoch <e>] [--out bundle.json]`: writes the proof
// bundle of ledger entry <n> against an anchored epoch (the first that contains it, or <e>),
// ready for `npm run verify -- bundle.json --rpc <url>` on any machine.
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { closeDefaultHashPool } from '../ledger/index.ts';
import { bundleForEntry } from '../lib/proof-bundle.ts';
import { openOperator } from './ledger-ops.ts';

export { bundleForEntry };

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
