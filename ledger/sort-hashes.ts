/**
 * Stable ascending sort of n 32-byte hashes (flat buffer) by big-endian value,
 * returned as a permutation: order[p] = index of the p-th smallest hash; equal
 * hashes keep their input order (as Array.prototype.sort does in OpenZeppelin).
 * LSD radix sort on the first 32 bits, then a full comparison inside each run
 * of equal 32-bit prefixes (rare for random hashes). O(n), no per-item objects.
 */
export function sortHashes(hashes: Uint8Array): Uint32Array {
  const n = hashes.length / 32;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 32;
    keys[i] = (((hashes[o] as number) << 24) | ((hashes[o + 1] as number) << 16) | ((hashes[o + 2] as number) << 8) | (hashes[o + 3] as number)) >>> 0;
  }
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let dst = new Uint32Array(n);
  for (const shift of [0, 16]) {
    const count = new Uint32Array(65537); // count[b+1] = items in bucket b, then prefix sums = bucket starts
    for (let i = 0; i < n; i++) {
      const b = ((keys[i] as number) >>> shift) & 0xffff;
      count[b + 1] = (count[b + 1] as number) + 1;
    }
    for (let b = 0; b < 65536; b++) count[b + 1] = (count[b + 1] as number) + (count[b] as number);
    for (let i = 0; i < n; i++) {
      const v = src[i] as number;
      const b = ((keys[v] as number) >>> shift) & 0xffff;
      const at = count[b] as number;
      count[b] = at + 1;
      dst[at] = v;
    }
    [src, dst] = [dst, src];
  }
  // Resolve ties on the 32-bit prefix with a full, stable comparison.
  for (let p = 0; p < n;) {
    let q = p + 1;
    while (q < n && keys[src[q] as number] === keys[src[p] as number]) q++;
    if (q - p > 1) {
      const run = Array.from(src.subarray(p, q)).sort((a, b) => compareAt(hashes, a, b) || a - b);
      src.set(run, p);
    }
    p = q;
  }
  return src;
}

/** Compares hashes a and b (indices into the flat buffer) as big-endian unsigned integers. */
export function compareAt(hashes: Uint8Array, a: number, b: number): number {
  for (let k = 0; k < 32; k++) {
    const d = (hashes[a * 32 + k] as number) - (hashes[b * 32 + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}
