/**
 * Log trees of anchored epochs, built once per process and kept (least recently
 * used first out) so an inclusion or consistency proof is a lookup, not a
 * rebuild: the ledger is append-only, so the first `treeSize` entries, and the
 * tree over them, never change. Concurrent requests share one build.
 * One cache per database pool; two 1M-entry trees take about 130 MB.
 */
import { buildLogTreeFromEntries, packEntries, type LogTree } from '../ledger/index.ts';
import { readEncodedRange, type SqlExecutor } from './ledger-store.ts';

const KEEP = 2;

class EpochTrees {
  private readonly trees = new Map<number, Promise<LogTree>>();

  tree(db: SqlExecutor, treeSize: number): Promise<LogTree> {
    let tree = this.trees.get(treeSize);
    if (tree) {
      this.trees.delete(treeSize); // re-insert: most recently used last
    } else {
      tree = readEncodedRange(db, 0, treeSize).then((encoded) => {
        if (encoded.length !== treeSize) throw new Error(`the ledger has ${encoded.length} entries, fewer than tree size ${treeSize}`);
        return buildLogTreeFromEntries(packEntries(encoded));
      });
      tree.catch(() => this.trees.delete(treeSize));
    }
    this.trees.set(treeSize, tree);
    for (const size of this.trees.keys()) {
      if (this.trees.size <= KEEP) break;
      this.trees.delete(size);
    }
    return tree;
  }
}

const byPool = new WeakMap<object, EpochTrees>();

/** The log tree over entries [0, treeSize) of the ledger behind `db` (a pool: the cache lives as long as it does). */
export function treeOfSize(db: SqlExecutor, treeSize: number): Promise<LogTree> {
  let trees = byPool.get(db);
  if (!trees) byPool.set(db, (trees = new EpochTrees()));
  return trees.tree(db, treeSize);
}
