/**
 * Claim tree: (address, cumulative Heart wei) leaves, byte-identical to
 * OpenZeppelin's StandardMerkleTree.of(values, ['address', 'uint256']):
 *   leaf  = keccak256(keccak256(abi.encode(address, uint256)))
 *   node  = keccak256(sort(a, b))                 (pairs sorted as uint256)
 *   leaves sorted ascending by hash (stable), stored in a heap array of
 *   2n-1 nodes: sorted leaf p at index 2n-2-p, node t's children at 2t+1 and
 *   2t+2, the root at index 0 (OZ core.makeMerkleTree).
 * Invariant: `tree` is that heap array, flat, 32 bytes per node; value i (the
 * caller's order) sits at treeIndexOf[i]; proofs list siblings leaf → root.
 */
import { asShared, fromHex, sharedBytes, toHex, writeUint } from './bytes.ts';
import { keccak256 } from './hash.ts';
import { defaultHashPool } from './hash-pool.ts';
import type { HashPool } from './hash-pool.ts';
import { sortHashes } from './sort-hashes.ts';
import { checkProofRange, writeClaimProofs } from './proof-writers.ts';

/** Packed claims: addresses 20 bytes each, amounts 32-byte big-endian each. */
export interface ClaimInput {
  addresses: Uint8Array;
  amounts: Uint8Array;
  count: number;
}

export function packClaims(accounts: readonly string[], amounts: readonly bigint[]): ClaimInput {
  if (accounts.length !== amounts.length) throw new Error('packClaims: accounts and amounts differ in length');
  const n = accounts.length;
  const addresses = sharedBytes(n * 20);
  const amt = sharedBytes(n * 32);
  for (let i = 0; i < n; i++) {
    addresses.set(fromHex(accounts[i] as string, `accounts[${i}]`, 20), i * 20);
    writeUint(amt, i * 32, 32, amounts[i] as bigint, `amounts[${i}]`);
  }
  return { addresses, amounts: amt, count: n };
}

export class ClaimTree {
  readonly count: number;
  /** tree: heap array; treeIndexOf[v] = heap index of value v; order[p] = value index of the p-th smallest leaf. */
  constructor(readonly tree: Uint8Array, readonly treeIndexOf: Uint32Array, readonly order: Uint32Array) {
    this.count = treeIndexOf.length;
  }
  get root(): Uint8Array {
    return this.tree.subarray(0, 32);
  }
  /** Value index stored at heap index t (t must be a leaf index). */
  valueAt(t: number): number {
    return this.order[this.tree.length / 32 - 1 - t] as number;
  }
}

/** Builds the OZ-identical claim tree, hashing leaves and each heap level in parallel. */
export async function buildClaimTree(input: ClaimInput, pool: HashPool = defaultHashPool()): Promise<ClaimTree> {
  const n = input.count;
  if (n === 0) throw new Error('buildClaimTree: Expected non-zero number of leaves');
  if (input.addresses.length !== n * 20 || input.amounts.length !== n * 32) throw new Error('buildClaimTree: malformed ClaimInput');
  const leaves = sharedBytes(n * 32);
  await pool.run({ kind: 'claimLeaves', addrs: asShared(input.addresses), amounts: asShared(input.amounts), out: leaves }, n);
  const order = sortHashes(leaves);
  const len = 2 * n - 1;
  const tree = sharedBytes(len * 32);
  const treeIndexOf = new Uint32Array(new SharedArrayBuffer(4 * n)); // shared: read by proof workers
  for (let p = 0; p < n; p++) {
    const v = order[p] as number;
    const t = len - 1 - p;
    tree.set(leaves.subarray(v * 32, v * 32 + 32), t * 32);
    treeIndexOf[v] = t;
  }
  // Internal nodes are 0..n-2; heap depth d spans [2^d - 1, 2^(d+1) - 2]. Deeper levels first.
  let depth = 0;
  while (2 ** (depth + 1) - 1 <= n - 2) depth++;
  for (let d = n > 1 ? depth : -1; d >= 0; d--) {
    const from = 2 ** d - 1;
    const to = Math.min(2 ** (d + 1) - 1, n - 1);
    await pool.run({ kind: 'claimNodes', tree, base: from }, to - from);
  }
  return new ClaimTree(tree, treeIndexOf, order);
}

/** OZ standardLeafHash(['address','uint256'], [account, amount]). */
export function claimLeafHash(account: string, amount: bigint): Uint8Array {
  const abi = new Uint8Array(64);
  abi.set(fromHex(account, 'account', 20), 12);
  writeUint(abi, 32, 32, amount, 'amount');
  return keccak256(keccak256(abi));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let k = 0; k < 32; k++) {
    const d = (a[k] as number) - (b[k] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** OZ standardNodeHash: keccak256 of the two hashes in ascending order. */
export function sortedPairHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  const [x, y] = compare(a, b) <= 0 ? [a, b] : [b, a];
  buf.set(x, 0);
  buf.set(y, 32);
  return keccak256(buf);
}

function nodeAt(t: ClaimTree, i: number): Uint8Array {
  return t.tree.subarray(i * 32, i * 32 + 32);
}

/** Proof for value `valueIndex` (the caller's order), as OZ tree.getProof(valueIndex) returns it. */
export function claimProof(t: ClaimTree, valueIndex: number): `0x${string}`[] {
  let i = t.treeIndexOf[valueIndex];
  if (i === undefined) throw new Error(`claimProof: index ${valueIndex} out of bounds`);
  const proof: `0x${string}`[] = [];
  while (i > 0) {
    proof.push(toHex(nodeAt(t, i % 2 === 1 ? i + 1 : i - 1)));
    i = Math.floor((i - 1) / 2);
  }
  return proof;
}

/** Longest claim proof: depth of the last heap index 2n-2. */
export function claimProofDepth(t: ClaimTree): number {
  return Math.floor(Math.log2(t.tree.length / 32));
}

/** Bulk: proofs of values [from, to) into out (stride claimProofDepth·32 bytes) with counts in lengths; calling thread. */
export function claimProofsInto(t: ClaimTree, from: number, to: number, out: Uint8Array, lengths: Uint8Array): void {
  const depth = claimProofDepth(t);
  checkProofRange(t.count, depth, from, to, out, lengths);
  writeClaimProofs(t.tree, t.treeIndexOf, depth, from, 0, to - from, out, lengths);
}

/** As claimProofsInto, split across the pool's threads; out and lengths must be shared memory. */
export async function claimProofsParallel(
  t: ClaimTree, from: number, to: number, out: Uint8Array, lengths: Uint8Array, pool: HashPool = defaultHashPool(),
): Promise<void> {
  const depth = claimProofDepth(t);
  checkProofRange(t.count, depth, from, to, out, lengths);
  await pool.run({ kind: 'claimProofs', tree: t.tree, treeIndexOf: t.treeIndexOf, depth, first: from, out, lengths }, to - from);
}

export interface ClaimMultiProof {
  /** Value indices of the proven leaves, in the order processMultiProof consumes them (OZ `leaves`). */
  leaves: number[];
  proof: `0x${string}`[];
  proofFlags: boolean[];
}

/** OZ core.getMultiProof over the heap array, for values given by index. */
export function claimMultiProof(t: ClaimTree, valueIndices: readonly number[]): ClaimMultiProof {
  const indices = valueIndices.map((v) => {
    const i = t.treeIndexOf[v];
    if (i === undefined) throw new Error(`claimMultiProof: index ${v} out of bounds`);
    return i;
  }).sort((a, b) => b - a);
  if (indices.some((x, p) => p > 0 && x === indices[p - 1])) throw new Error('claimMultiProof: Cannot prove duplicated index');
  const stack = [...indices];
  const proof: `0x${string}`[] = [];
  const proofFlags: boolean[] = [];
  for (let head = 0; head < stack.length && (stack[head] as number) > 0; head++) {
    const j = stack[head] as number;
    const s = j % 2 === 1 ? j + 1 : j - 1;
    if (stack[head + 1] === s) {
      proofFlags.push(true);
      head++;
    } else {
      proofFlags.push(false);
      proof.push(toHex(nodeAt(t, s)));
    }
    stack.push(Math.floor((j - 1) / 2));
  }
  if (indices.length === 0) proof.push(toHex(t.root));
  return { leaves: indices.map((i) => t.valueAt(i)), proof, proofFlags };
}

/** OZ processProof + compare: does `proof` prove (account, amount) under `root`? */
export function verifyClaim(root: Uint8Array | string, account: string, amount: bigint, proof: readonly string[]): boolean {
  let h = claimLeafHash(account, amount);
  for (const p of proof) h = sortedPairHash(h, fromHex(p, 'proof', 32));
  return toHex(h) === toHex(typeof root === 'string' ? fromHex(root, 'root', 32) : root);
}

/** OZ processMultiProof + compare, for leaves given as (account, amount) in multiproof order. */
export function verifyClaimMultiProof(
  root: Uint8Array | string, leaves: readonly { account: string; amount: bigint }[], proof: readonly string[], proofFlags: readonly boolean[],
): boolean {
  if (leaves.length + proof.length !== proofFlags.length + 1) return false;
  const stack = leaves.map((l) => claimLeafHash(l.account, l.amount));
  const rest = proof.map((p) => fromHex(p, 'proof', 32));
  let head = 0;
  let next = 0;
  for (const flag of proofFlags) {
    const a = stack[head++];
    const b = flag ? stack[head++] : rest[next++];
    if (!a || !b) return false;
    stack.push(sortedPairHash(a, b));
  }
  if (stack.length - head + rest.length - next !== 1) return false;
  const out = head < stack.length ? stack[stack.length - 1] : rest[next];
  return out !== undefined && toHex(out) === toHex(typeof root === 'string' ? fromHex(root, 'root', 32) : root);
}
