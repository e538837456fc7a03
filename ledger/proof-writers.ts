/**
 * Allocation-free bulk proof writers over the flat layer buffers, shared by the
 * main thread and the hash workers. Output layout: the proof of item q (leaf
 * first + q) occupies out[q·depth·32, (q+1)·depth·32) and lengths[q] holds its
 * node count; nodes are copied as 8 little-endian-agnostic 32-bit words
 * (byte-exact copy). All buffers must be 4-byte aligned.
 */

const words = (b: Uint8Array): Uint32Array => new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);

/**
 * RFC 6962 inclusion proofs at the full tree size from levels (see merkle-log.ts):
 * at level h the sibling j^1 is emitted if it exists; a missing sibling means
 * the lone node was carried up and contributes nothing.
 */
export function writeLogProofs(
  levels: readonly Uint8Array[], first: number, q0: number, q1: number, out: Uint8Array, lengths: Uint8Array,
): void {
  const depth = Math.max(0, levels.length - 1);
  const src = levels.map(words);
  const counts = levels.map((l) => l.length >>> 5);
  const dst = words(out);
  for (let q = q0; q < q1; q++) {
    const start = q * depth * 8;
    let o = start;
    let j = first + q;
    for (let h = 0; h < depth; h++) {
      const s = j ^ 1;
      if (s < (counts[h] as number)) {
        const w = src[h] as Uint32Array;
        const at = s * 8;
        for (let t = 0; t < 8; t++) dst[o + t] = w[at + t] as number;
        o += 8;
      }
      j >>>= 1;
    }
    lengths[q] = (o - start) >>> 3;
  }
}

/** OZ heap-layout proofs (see claim-tree.ts): siblings of value first+q's heap index up to the root. */
export function writeClaimProofs(
  tree: Uint8Array, treeIndexOf: Uint32Array, depth: number, first: number, q0: number, q1: number, out: Uint8Array, lengths: Uint8Array,
): void {
  const src = words(tree);
  const dst = words(out);
  for (let q = q0; q < q1; q++) {
    const start = q * depth * 8;
    let o = start;
    let i = treeIndexOf[first + q] as number;
    while (i > 0) {
      const at = ((i & 1) === 1 ? i + 1 : i - 1) * 8;
      for (let k = 0; k < 8; k++) dst[o + k] = src[at + k] as number;
      o += 8;
      i = (i - 1) >>> 1;
    }
    lengths[q] = (o - start) >>> 3;
  }
}

/** Validates a bulk proof request against `size` leaves and the output buffers. */
export function checkProofRange(size: number, depth: number, from: number, to: number, out: Uint8Array, lengths: Uint8Array): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to > size || from > to) {
    throw new Error(`range [${from}, ${to}) out of bounds for ${size} leaves`);
  }
  if (out.length < (to - from) * depth * 32 || lengths.length < to - from) throw new Error('output buffers too small');
  if (out.byteOffset % 4 !== 0) throw new Error('out must be 4-byte aligned');
}
