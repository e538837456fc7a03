import sharp from 'sharp';

const N = 32;
const K = 8;

/** cos((2x+1)uπ/2N) table for the 32-point DCT-II. */
const COS: Float64Array = (() => {
  const t = new Float64Array(N * N);
  for (let u = 0; u < N; u++) for (let x = 0; x < N; x++) t[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return t;
})();

/**
 * 64-bit DCT perceptual hash: 32×32 grayscale, 2-D DCT, the 8×8 lowest
 * frequencies, one bit per coefficient above their median (DC excluded from
 * the median). Robust to recompression, resizing, small crops and brightness.
 */
export async function phash(image: Uint8Array): Promise<bigint> {
  const px = await sharp(image).rotate().greyscale().resize(N, N, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  const rows = new Float64Array(K * N);
  for (let u = 0; u < K; u++)
    for (let y = 0; y < N; y++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += (px[y * N + x] ?? 0) * (COS[u * N + x] ?? 0);
      rows[u * N + y] = s;
    }
  const coeffs: number[] = [];
  for (let v = 0; v < K; v++)
    for (let u = 0; u < K; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += (rows[u * N + y] ?? 0) * (COS[v * N + y] ?? 0);
      coeffs.push(s);
    }
  const sorted = coeffs.slice(1).sort((a, b) => a - b);
  const median = ((sorted[31] ?? 0) + (sorted[32] ?? 0)) / 2;
  let hash = 0n;
  for (const c of coeffs) hash = (hash << 1n) | (c > median ? 1n : 0n);
  return hash;
}

export function hamming(a: bigint, b: bigint): number {
  let x = BigInt.asUintN(64, a ^ b);
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/** The four 16-bit chunks of a hash, high first (multi-index hashing: two hashes within distance d agree on some chunk within floor(d/4) bits). */
export function chunks(hash: bigint): [number, number, number, number] {
  const h = BigInt.asUintN(64, hash);
  return [0, 1, 2, 3].map((i) => Number((h >> BigInt(48 - 16 * i)) & 0xffffn)) as [number, number, number, number];
}

/** Unsigned 64-bit hash ↔ Postgres BIGINT (signed). */
export const toSigned = (h: bigint) => BigInt.asIntN(64, h);
export const toUnsigned = (h: bigint) => BigInt.asUintN(64, h);
