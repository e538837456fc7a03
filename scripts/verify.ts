// Verifies a ledger entry against LedgerAnchor on any EVM RPC, without trusting our API or database:
//
//   npm run verify -- proof-bundle.json --rpc <url>          an offline proof bundle (ledger/README.md)
//   npm run verify -- --log <tiles-url> --entry <seq> --rpc <url> [--anchor 0x…] [--vkey <vkey>] [--origin <o>]
//   npm run verify -- --log <tiles-url> --entry-hash 0x… --api <api-url> --rpc <url> …
//
// With --log it reads the tiled transparency log (tlog/): fetches only the tiles the entry needs, checks
// them against the signed checkpoint and the on-chain root of the first epoch covering the entry, and
// that root's consistency with the checkpoint. --entry-hash asks the API for the entry's index (a hint:
// the hash is then checked against the entry the log serves). Exit 0 verified, 1 rejected, 2 bad usage.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createPublicClient, http, type PublicClient } from 'viem';
import { decodeEntry, fromHex, leafHash, verifyConsistency, verifyInclusion } from '../ledger/index.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { buildProofBundle, type ProofBundle } from '../lib/proof-bundle.ts';
import { verifyAnchoredEntry } from '../tlog/anchored-entry.ts';
import { LogError } from '../tlog/client.ts';
import { anchorAddress, openLog } from './log-access.ts';

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

const USAGE = 'usage: npm run verify -- <proof-bundle.json> --rpc <url>\n   or: npm run verify -- --log <tiles-url> (--entry <seq> | --entry-hash 0x… --api <url>) --rpc <url> [--anchor 0x…] [--vkey <vkey>]';

class UsageError extends Error {}

/** The entry's index from --entry, or from the API for --entry-hash (checked later against the log). */
async function entryIndex(v: { entry?: string; 'entry-hash'?: string; api?: string }): Promise<{ index: number; expectHash?: Uint8Array }> {
  if (v.entry !== undefined) {
    if (!/^(0|[1-9]\d{0,15})$/.test(v.entry)) throw new UsageError(`--entry: ${v.entry} is not an entry index (a non-negative integer)`);
    return { index: Number(v.entry) };
  }
  const hash = v['entry-hash'];
  if (!hash) throw new UsageError(`--entry or --entry-hash is required with --log\n${USAGE}`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new UsageError(`--entry-hash: ${hash} is not a 32-byte hex hash`);
  if (!v.api) throw new UsageError('--entry-hash needs --api <url> to look up the entry index (the log is addressed by index)');
  const res = await fetch(`${v.api.replace(/\/+$/, '')}/api/ledger/entries/by-hash/${hash}`);
  if (res.status === 404) throw new Error(`no ledger entry has entry hash ${hash}`);
  if (!res.ok) throw new Error(`--api: GET /api/ledger/entries/by-hash answered HTTP ${res.status}`);
  return { index: ((await res.json()) as { seq: number }).seq, expectHash: fromHex(hash) };
}

async function verifyFromLog(v: Record<string, string | undefined>): Promise<void> {
  const { index, expectHash } = await entryIndex(v);
  const reader = createPublicClient({ transport: http(v.rpc) });
  const client = await openLog('verify', v.log as string, v.vkey, v.origin);
  const anchor = await anchorAddress(reader, v.anchor, v.deployments ?? 'deployments');
  const r = await verifyAnchoredEntry({ client, index, expectHash, reader, anchor });
  const hashHex = `0x${Buffer.from(r.entryHash).toString('hex')}`;
  console.log(`OK: entry ${index} (entry hash ${hashHex}) is in the signed checkpoint of ${r.checkpoint.origin} at size ${r.checkpoint.size}`);
  if (r.anchored) console.log(`OK: and in on-chain epoch ${r.anchored.epoch} (tree size ${r.anchored.treeSize}, log root 0x${Buffer.from(r.anchored.logRoot).toString('hex')}, read from LedgerAnchor ${anchor}), which the checkpoint extends`);
  else console.log(`NOT YET ANCHORED: the latest on-chain epoch covers ${r.anchoredSize} entries; entry ${index} will be anchored at the next epoch close`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rpc: { type: 'string' }, log: { type: 'string' }, entry: { type: 'string' }, 'entry-hash': { type: 'string' }, api: { type: 'string' },
      anchor: { type: 'string' }, vkey: { type: 'string' }, origin: { type: 'string' }, deployments: { type: 'string' },
    },
  });
  if (!values.rpc) throw new UsageError(`--rpc is required\n${USAGE}`);
  if (values.log) {
    try {
      await verifyFromLog(values);
    } catch (err) {
      if (err instanceof LogError) {
        console.error(`REJECTED: ${err.message}`);
        process.exit(1);
      }
      throw err;
    }
    return;
  }
  const file = positionals[0];
  if (!file) throw new UsageError(USAGE);
  const bundle = JSON.parse(await readFile(file, 'utf8')) as ProofBundle;
  const result = await verifyBundle(bundle, createPublicClient({ transport: http(values.rpc) }));
  if (!result.ok) {
    console.error(`REJECTED: ${result.field}: ${result.reason}`);
    process.exit(1);
  }
  console.log(`OK: entry ${result.seq} is in epoch ${result.epoch} (log root ${result.logRoot}, read from the chain)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(`verify: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
