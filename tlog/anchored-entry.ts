/**
 * One entry checked from the tiled log and the chain, with nothing from our API:
 * inclusion in the signed checkpoint (tiles fetched as needed), and inclusion in
 * the root LedgerAnchor holds for the first epoch that covers it, plus the
 * consistency of that on-chain root with the checkpoint (so a log showing the
 * public one tree and the chain another is caught). Browser-safe.
 */
import type { Address, PublicClient } from 'viem';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { LogClient } from './client.ts';
import { LogError } from './client.ts';
import { equalBytes, hex } from './hash.ts';

export interface AnchoredEntry {
  index: number;
  entry: Uint8Array;
  /** SHA-256 of the entry's encoding: the ledger's entry hash. */
  entryHash: Uint8Array;
  checkpoint: Checkpoint;
  /** The first anchored epoch covering the entry, or null when none does yet. */
  anchored: { epoch: number; treeSize: number; logRoot: Uint8Array } | null;
  /** Entries covered by the latest anchored epoch (0 when none). */
  anchoredSize: number;
}

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.slice(2).match(/../g) ?? [], (b) => parseInt(b, 16));

/** Verifies entry `index` (and, if given, that its entry hash is `expectHash`). Throws LogError on any inconsistency. */
export async function verifyAnchoredEntry(o: { client: LogClient; index: number; expectHash?: Uint8Array; reader: PublicClient; anchor: Address }): Promise<AnchoredEntry> {
  const checkpoint = await o.client.checkpoint();
  const v = await o.client.verifyEntry(o.index, { checkpoint });
  const entryHash = new Uint8Array(await crypto.subtle.digest('SHA-256', v.entry as Uint8Array<ArrayBuffer>));
  if (o.expectHash && !equalBytes(entryHash, o.expectHash)) throw new LogError(`entry ${o.index} has entry hash ${hex(entryHash)}, not ${hex(o.expectHash)}`);
  const read = (epoch: number) => o.reader.readContract({ address: o.anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [BigInt(epoch)] });
  const latest = Number(await o.reader.readContract({ address: o.anchor, abi: ledgerAnchorAbi, functionName: 'latestEpoch' }));
  const latestRec = latest > 0 ? await read(latest) : null;
  const anchoredSize = latestRec ? Number(latestRec.treeSize) : 0;
  if (anchoredSize > checkpoint.size) throw new LogError(`the chain anchors ${anchoredSize} entries but the log's checkpoint has only ${checkpoint.size}: the log is behind the chain or withholding entries`);
  let anchored: AnchoredEntry['anchored'] = null;
  if (o.index < anchoredSize) {
    // epochs grow: walk back from the latest to the first one covering the entry
    let epoch = latest;
    let rec = latestRec as NonNullable<typeof latestRec>;
    while (epoch > 1) {
      const prev = await read(epoch - 1);
      if (Number(prev.treeSize) <= o.index) break;
      epoch--;
      rec = prev;
    }
    anchored = { epoch, treeSize: Number(rec.treeSize), logRoot: fromHex(rec.logRoot) };
    await o.client.verifyEntry(o.index, { checkpoint, trusted: { size: anchored.treeSize, root: anchored.logRoot } });
  }
  if (latestRec && anchored?.epoch !== latest) {
    // the newest on-chain root must be a prefix of the checkpoint too
    await o.client.verifyConsistent({ origin: checkpoint.origin, size: anchoredSize, root: fromHex(latestRec.logRoot) }, checkpoint);
  }
  return { index: o.index, entry: v.entry, entryHash, checkpoint, anchored, anchoredSize };
}
