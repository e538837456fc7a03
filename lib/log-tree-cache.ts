// One in-memory RFC 6962 log tree over the ledger prefix [0, size), shared by
// proof requests. Entries below an anchored tree size never change (the ledger
// is append-only), and a tree over a longer prefix proves inclusion and
// consistency for any smaller size, so one tree — the largest asked for — serves
// every epoch. Building it reads the prefix once, `chunk` entries at a time
// (only their leaf hashes are kept: a million-entry build never holds a million
// rows at once); growing it for a newly anchored epoch reads and hashes only
// the new entries (the old leaf hashes are reused). Later proofs are O(log n).
import { buildLogTree, hashLogLeaves, packEntries } from '../ledger/index.ts';
import type { LogTree } from '../ledger/merkle-log.ts';
import { readEncodedRange, type SqlExecutor } from './ledger-store.ts';

export class LogTreeCache {
  private tree: Promise<LogTree> | null = null;
  private size = 0;

  constructor(private readonly chunk = 65_536) {}

  /** A tree over at least the first `size` entries; builds (once, shared by concurrent callers) when the cached one is shorter. */
  covering(sql: SqlExecutor, size: number): Promise<LogTree> {
    if (this.tree && this.size >= size) return this.tree;
    const build = this.build(sql, size, this.tree);
    this.tree = build;
    this.size = size;
    build.catch(() => {
      if (this.tree === build) {
        this.tree = null;
        this.size = 0;
      }
    });
    return build;
  }

  /** The tree of the first `size` entries, starting from the leaf hashes of `shorter` when it builds. */
  private async build(sql: SqlExecutor, size: number, shorter: Promise<LogTree> | null): Promise<LogTree> {
    const leaves = new Uint8Array(size * 32);
    const reused = await shorter?.then((t) => t.levels[0], () => undefined);
    if (reused) leaves.set(reused);
    for (let from = (reused?.length ?? 0) / 32; from < size; from += this.chunk) {
      const encoded = await readEncodedRange(sql, from, Math.min(size, from + this.chunk));
      if (from + encoded.length < Math.min(size, from + this.chunk)) throw new Error(`ledger_entries: ${size} entries asked, ${from + encoded.length} stored`);
      leaves.set(await hashLogLeaves(packEntries(encoded)), from * 32);
    }
    return buildLogTree(leaves);
  }
}
