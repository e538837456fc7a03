// Verifies a proof bundle against LedgerAnchor on any EVM RPC: needs only the bundle and an RPC URL.
//
//   npm run verify -- proof-bundle.json --rpc https://...
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createPublicClient, http, type PublicClient } from 'viem';
import { decodeEntry, fromHex, leafHash, verifyConsistency, verifyInclusion } from '../ledger/index.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { buildProofBundle, type ProofBundle } from '../lib/proof-bundle.ts';

export { buildProofBundle };
export type { ProofBundle };

export type VerifyResult = { ok: true; epoch: number; seq: number; logRoot: string } | { ok: false; field: string; reason: string };

const fail = (field: string, reason: string): VerifyResult => ({ ok: false, field, reason });
const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isHashList = (v: unknown) => Array.isArray(v) && v.every((h) => typeof h === 'string' && /^0x[0-9a-fA-F]{64}$/.test(h));

/** Checks the bundle's shape, the entry's inclusion in the anchored root and the optional consistency proof. */
export async function verifyBundle(b: ProofBundle, client: PublicClient): Promise<VerifyResult> {
  if (b?.version !== 1) return fail('version', 'must be 1');
  if (typeof b.ledgerAnchor !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(b.ledgerAnchor)) return fail('ledgerAnchor', 'not an address');
  for (const k of ['chainId', 'epoch', 'treeSize'] as const) if (!isUint(b[k])) return fail(k, 'not a non-negative integer');
  if (!isUint(b.entry?.seq)) return fail('entry.seq', 'not a non-negative integer');
  if (!isHashList(b.inclusionProof)) return fail('inclusionProof', 'must be a list of 32-byte hex hashes');
  let decoded;
  try {
    decoded = decodeEntry(fromHex(b.entry.encoded, 'entry.encoded'));
  } catch (err) {
    return fail('entry.encoded', (err as Error).message);
  }
  if (Number(decoded.seq) !== b.entry.seq) return fail('entry.seq', `encoding has seq ${decoded.seq}, bundle says ${b.entry.seq}`);
  const chainId = await client.getChainId();
  if (chainId !== b.chainId) return fail('chainId', `RPC is chain ${chainId}, bundle says ${b.chainId}`);
  const read = (epoch: number) => client.readContract({ address: b.ledgerAnchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [BigInt(epoch)] });
  let rec;
  try {
    rec = await read(b.epoch);
  } catch {
    return fail('epoch', `epoch ${b.epoch} is not anchored at ${b.ledgerAnchor}`);
  }
  if (Number(rec.treeSize) !== b.treeSize) return fail('treeSize', `anchored tree size is ${rec.treeSize}, bundle says ${b.treeSize}`);
  if (b.entry.seq >= b.treeSize) return fail('entry.seq', `seq ${b.entry.seq} is outside the tree of size ${b.treeSize}`);
  const leaf = leafHash(fromHex(b.entry.encoded));
  if (!verifyInclusion(leaf, b.entry.seq, b.treeSize, b.inclusionProof.map((h) => fromHex(h)), fromHex(rec.logRoot))) {
    return fail('inclusionProof', `does not lead from the entry to the anchored log root ${rec.logRoot}`);
  }
  if (b.consistency) {
    const c = b.consistency;
    if (!isUint(c.fromEpoch) || !isUint(c.toEpoch)) return fail('consistency.fromEpoch', 'epochs must be non-negative integers');
    if (!isHashList(c.proof)) return fail('consistency.proof', 'must be a list of 32-byte hex hashes');
    const [a, z] = await Promise.all([read(c.fromEpoch), read(c.toEpoch)]).catch(() => [null, null]);
    if (!a || !z) return fail('consistency', `epoch ${c.fromEpoch} or ${c.toEpoch} is not anchored`);
    if (!verifyConsistency(Number(a.treeSize), Number(z.treeSize), c.proof.map((h) => fromHex(h)), fromHex(a.logRoot), fromHex(z.logRoot))) {
      return fail('consistency.proof', `does not show epoch ${c.toEpoch} extends epoch ${c.fromEpoch}`);
    }
  }
  return { ok: true, epoch: b.epoch, seq: b.entry.seq, logRoot: rec.logRoot };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rpc: { type: 'string' } } });
  const file = positionals[0];
  if (!file || !values.rpc) throw new Error('usage: npm run verify -- <proof-bundle.json> --rpc <url>');
  const bundle = JSON.parse(await readFile(file, 'utf8')) as ProofBundle;
  const result = await verifyBundle(bundle, createPublicClient({ transport: http(values.rpc) }));
  if (!result.ok) {
    console.error(`REJECTED: ${result.field}: ${result.reason}`);
    process.exit(1);
  }
  console.log(`OK: entry ${result.seq} is in epoch ${result.epoch} (log root ${result.logRoot}, read from the chain)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => { console.error(`verify: ${(err as Error).message}`); process.exit(1); });
}
