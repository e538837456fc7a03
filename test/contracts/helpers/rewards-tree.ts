// Rewards (claim) trees for contract tests and the gas bench, built with the ledger
// library itself (OpenZeppelin StandardMerkleTree layout, checked against OZ in ledger/).
import type { Address, Hex } from 'viem';
import { buildClaimTree, claimProof, packClaims, toHex, type ClaimTree } from '../../../ledger/index.ts';

export interface RewardLeaf {
  account: Address;
  cumulativeAmount: bigint;
}

export class FastRewardsTree {
  private constructor(private readonly tree: ClaimTree) {}

  static async build(leaves: readonly RewardLeaf[]): Promise<FastRewardsTree> {
    const input = packClaims(leaves.map((l) => l.account), leaves.map((l) => l.cumulativeAmount));
    return new FastRewardsTree(await buildClaimTree(input));
  }

  get root(): Hex {
    return toHex(this.tree.root);
  }

  /** Heap position of input leaf `leafIndex`; the proof has floor(log2(position + 1)) siblings. */
  position(leafIndex: number): number {
    const p = this.tree.treeIndexOf[leafIndex];
    if (p === undefined) throw new Error(`no leaf ${leafIndex}`);
    return p;
  }

  /** StandardMerkleTree proof of input leaf `leafIndex`. */
  proof(leafIndex: number): Hex[] {
    return claimProof(this.tree, leafIndex);
  }
}

/** Deterministic pseudo-random address number `i` (no known key). */
export function syntheticAddress(i: number, salt = 0): Address {
  const hex = (BigInt(salt) * 0x9e3779b97f4a7c15n + BigInt(i) * 0x100000001b3n + 0xcafen).toString(16);
  return `0x${hex.padStart(40, '0').slice(-40)}` as Address;
}
