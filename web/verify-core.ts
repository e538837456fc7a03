// Verification of a ledger proof bundle with no DOM and no Node APIs (fetch, TextEncoder,
// crypto.subtle, viem): the verify page (web/verify.ts) runs it in the browser, tests run it in
// Node. It decodes the entry, hashes it as an RFC 6962 leaf and checks the inclusion proof against
// the log root read from LedgerAnchor.epochRecord over the given RPC — no trust in our servers.
// Same checks and field names as scripts/verify.ts (bundle format: ledger/README.md).
import { parseAbiItem, type Address, type Hex, type PublicClient } from 'viem';
import { fromHex, toHex } from '../ledger/bytes.ts';
import { decodeEntry } from '../ledger/entry.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { TreeHasher } from '../tlog/hash.ts';
import { verifyConsistency, verifyInclusion } from '../tlog/tile-proofs.ts';

export interface WebConfig { rpcUrl: string; explorerUrl: string | null }

export interface EntryView {
  seq: string; player: string; actionId: string; missionId: string; xp: number; heart: string; impactCredits: string;
  fund: { localBps: number; nationalBps: number; globalBps: number }; formulaVersion: number; modelVersion: string;
  score: number; evidenceCommitment: string; prevHash: string; timestamp: string;
}

export type WebVerifyResult =
  | { ok: true; seq: number; epoch: number; treeSize: number; chainId: number; ledgerAnchor: string; logRoot: string; leafHash: string;
    entry: EntryView; anchorTx: string | null; anchorTxUrl: string | null }
  | { ok: false; field: string; reason: string; entry?: EntryView };

const EPOCH_ANCHORED = parseAbiItem('event EpochAnchored(uint64 indexed epoch, uint64 treeSize, bytes32 logRoot, bytes32 rewardsRoot, string exportURI, bytes32 exportHash)');
const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isHashList = (v: unknown): v is string[] => Array.isArray(v) && v.every((h) => typeof h === 'string' && /^0x[0-9a-fA-F]{64}$/.test(h));
const fail = (field: string, reason: string, entry?: EntryView): WebVerifyResult => ({ ok: false, field, reason, ...(entry ? { entry } : {}) });
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The bundle inside pasted text or an API answer: a bundle itself, or `{ bundle, anchorTxHash? }`
 * (GET /api/ledger/entries/:seq/proof), whose tx hash is kept as a link hint. Throws on non-JSON.
 */
export function parseBundleText(text: string): unknown {
  const json: unknown = JSON.parse(text);
  if (!isObj(json) || json.version !== undefined || !isObj(json.bundle)) return json;
  return typeof json.anchorTxHash === 'string' ? { ...json.bundle, anchorTxHash: json.anchorTxHash } : json.bundle;
}

/** Explorer link of a transaction, or null without an explorer. */
export function txUrl(explorerUrl: string | null | undefined, tx: string): string | null {
  return explorerUrl ? `${explorerUrl.replace(/\/+$/, '')}/tx/${tx}` : null;
}

export function entryView(encoded: Uint8Array): EntryView {
  const e = decodeEntry(encoded);
  return {
    seq: e.seq.toString(), player: e.player, actionId: e.actionId, missionId: e.missionId, xp: e.xp, heart: e.heart.toString(),
    impactCredits: e.impactCredits.toString(), fund: { ...e.fund }, formulaVersion: e.formulaVersion, modelVersion: e.modelVersion,
    score: e.score, evidenceCommitment: toHex(e.evidenceCommitment), prevHash: toHex(e.prevHash), timestamp: new Date(e.timestamp).toISOString(),
  };
}

/** Fetches a bundle by ledger seq from the API (`/api/ledger/entries/:seq/proof`); a missing route or entry is a reason, not a throw. */
export async function fetchBundle(apiBase: string, seq: number, get: typeof fetch = (i, init) => fetch(i, init)): Promise<{ ok: true; bundle: unknown } | { ok: false; reason: string }> {
  if (!isUint(seq)) return { ok: false, reason: 'seq must be a non-negative integer' };
  let res: Response;
  try {
    res = await get(`${apiBase.replace(/\/+$/, '')}/api/ledger/entries/${seq}/proof`, { headers: { accept: 'application/json' } });
  } catch (err) {
    return { ok: false, reason: `the API could not be reached: ${(err as Error).message}` };
  }
  const text = await res.text();
  if (res.status === 404) return { ok: false, reason: `no proof for entry ${seq} (not in an anchored epoch yet, or the API does not serve proofs)` };
  if (!res.ok) return { ok: false, reason: `the API answered ${res.status}: ${text.slice(0, 200)}` };
  try {
    return { ok: true, bundle: parseBundleText(text) };
  } catch {
    return { ok: false, reason: 'the API answer is not JSON' };
  }
}

/** Verifies `bundle` (unknown input: every field is checked) against the chain behind `client`. */
export async function verifyBundleWeb(bundle: unknown, client: PublicClient, opts: { explorerUrl?: string | null; hasher?: TreeHasher } = {}): Promise<WebVerifyResult> {
  const hasher = opts.hasher ?? new TreeHasher();
  if (!isObj(bundle)) return fail('bundle', 'not a JSON object');
  const b = bundle;
  if (b.version !== 1) return fail('version', 'must be 1');
  if (typeof b.ledgerAnchor !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(b.ledgerAnchor)) return fail('ledgerAnchor', 'not an address');
  for (const k of ['chainId', 'epoch', 'treeSize'] as const) if (!isUint(b[k])) return fail(k, 'not a non-negative integer');
  const [chainIdWant, epoch, treeSize, anchor] = [b.chainId as number, b.epoch as number, b.treeSize as number, b.ledgerAnchor as Address];
  const e = isObj(b.entry) ? b.entry : {};
  if (!isUint(e.seq)) return fail('entry.seq', 'not a non-negative integer');
  const seq = e.seq;
  if (typeof e.encoded !== 'string') return fail('entry.encoded', 'missing');
  if (!isHashList(b.inclusionProof)) return fail('inclusionProof', 'must be a list of 32-byte hex hashes');
  let encoded: Uint8Array, entry: EntryView;
  try {
    encoded = fromHex(e.encoded, 'entry.encoded');
    entry = entryView(encoded);
  } catch (err) {
    return fail('entry.encoded', (err as Error).message);
  }
  if (entry.seq !== String(seq)) return fail('entry.seq', `encoding has seq ${entry.seq}, bundle says ${seq}`, entry);
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (err) {
    return fail('rpc', `the RPC could not be reached: ${(err as Error).message.split('\n')[0]}`, entry);
  }
  if (chainId !== chainIdWant) return fail('chainId', `RPC is chain ${chainId}, bundle says ${chainIdWant}`, entry);
  const read = (n: number) => client.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [BigInt(n)] });
  let rec;
  try {
    rec = await read(epoch);
  } catch {
    return fail('epoch', `epoch ${epoch} is not anchored at ${anchor}`, entry);
  }
  if (Number(rec.treeSize) !== treeSize) return fail('treeSize', `anchored tree size is ${rec.treeSize}, bundle says ${treeSize}`, entry);
  if (seq >= treeSize) return fail('entry.seq', `seq ${seq} is outside the tree of size ${treeSize}`, entry);
  const leaf = await hasher.leaf(encoded);
  if (!await verifyInclusion(hasher, leaf, seq, treeSize, b.inclusionProof.map((h) => fromHex(h)), fromHex(rec.logRoot))) {
    return fail('inclusionProof', `does not lead from the entry to the anchored log root ${rec.logRoot}`, entry);
  }
  if (b.consistency !== undefined) {
    const c = isObj(b.consistency) ? b.consistency : {};
    if (!isUint(c.fromEpoch) || !isUint(c.toEpoch)) return fail('consistency.fromEpoch', 'epochs must be non-negative integers', entry);
    if (!isHashList(c.proof)) return fail('consistency.proof', 'must be a list of 32-byte hex hashes', entry);
    const [a, z] = await Promise.all([read(c.fromEpoch), read(c.toEpoch)]).catch(() => [null, null]);
    if (!a || !z) return fail('consistency', `epoch ${c.fromEpoch} or ${c.toEpoch} is not anchored`, entry);
    if (!await verifyConsistency(hasher, Number(a.treeSize), Number(z.treeSize), c.proof.map((h) => fromHex(h)), fromHex(a.logRoot), fromHex(z.logRoot))) {
      return fail('consistency.proof', `does not show epoch ${c.toEpoch} extends epoch ${c.fromEpoch}`, entry);
    }
  }
  // The tx link comes from the chain's EpochAnchored log; a hash the bundle carries is only a fallback for RPCs that refuse log queries.
  const hint = typeof b.anchorTxHash === 'string' && /^0x[0-9a-fA-F]{64}$/.test(b.anchorTxHash) ? b.anchorTxHash : null;
  const anchorTx = (await findAnchorTx(client, anchor, epoch)) ?? hint;
  return {
    ok: true, seq, epoch, treeSize, chainId, ledgerAnchor: anchor, logRoot: rec.logRoot, leafHash: toHex(leaf), entry,
    anchorTx, anchorTxUrl: anchorTx ? txUrl(opts.explorerUrl, anchorTx) : null,
  };
}

/** The anchorEpoch transaction of `epoch` from its EpochAnchored log; null when the RPC will not search (e.g. range limits). */
async function findAnchorTx(client: PublicClient, address: Address, epoch: number): Promise<Hex | null> {
  try {
    const logs = await client.getLogs({ address, event: EPOCH_ANCHORED, args: { epoch: BigInt(epoch) }, fromBlock: 'earliest', toBlock: 'latest' });
    return logs[0]?.transactionHash ?? null;
  } catch {
    return null;
  }
}
