// One in-memory RFC 6962 log tree over the ledger prefix [0, size), shared by
// proof requests. Entries below an anchored tree size never change (the ledger
// is append-only), and a tree over a longer prefix proves inclusion and
// consistency for any smaller size, so one tree — the largest asked for — serves
// every epoch. Building it reads the prefix once; later proofs are O(log n).
import { buildLogTreeFromEntries, packEntries } from '../ledger/index.ts';
import type { LogTree } from '../ledger/merkle-log.ts';
import { readEncodedRange, type SqlExecutor } from './ledger-store.ts';

export class LogTreeCache {
  private tree: Promise<LogTree> | null = null;
  private size = 0;

  /** A tree over at least the first `size` entries; builds (once, shared by concurrent callers) when the cached one is shorter. */
  covering(sql: SqlExecutor, size: number): Promise<LogTree> {
    if (this.tree && this.size >= size) return this.tree;
    const build = readEncodedRange(sql, 0, size).then((encoded) => {
      if (encoded.length < size) throw new Error(`ledger_entries: ${size} entries asked, ${encoded.length} stored`);
      return buildLogTreeFromEntries(packEntries(encoded));
    });
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
}
