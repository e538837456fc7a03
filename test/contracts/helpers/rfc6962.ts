// The contracts' RFC 6962 tests build their trees with the ledger library itself,
// so on-chain verification is checked against exactly what the platform anchors.
import type { Hex } from 'viem';
import { buildLogTree, leafHash, logRoot, proveConsistency, proveInclusion, toHex, type LogTree } from '../../../ledger/index.ts';

export { toHex };
export const hashLeaf = leafHash;

export class Rfc6962Tree {
  private constructor(private readonly tree: LogTree) {}

  static async fromLeafHashes(leafHashes: readonly Uint8Array[]): Promise<Rfc6962Tree> {
    return new Rfc6962Tree(await buildLogTree(Buffer.concat(leafHashes)));
  }

  static fromEntries(entries: readonly Uint8Array[]): Promise<Rfc6962Tree> {
    return Rfc6962Tree.fromLeafHashes(entries.map(leafHash));
  }

  get size(): number {
    return this.tree.size;
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Hex {
    return toHex(this.tree.node(0, index));
  }

  root(size = this.size): Hex {
    return toHex(logRoot(this.tree, size));
  }

  inclusionProof(index: number, size = this.size): Hex[] {
    return proveInclusion(this.tree, index, size).map(toHex);
  }

  consistencyProof(size1: number, size2 = this.size): Hex[] {
    return size1 === 0 ? [] : proveConsistency(this.tree, size1, size2).map(toHex);
  }
}
