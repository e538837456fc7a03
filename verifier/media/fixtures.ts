import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

/** A seeded synthetic "photo": soft coloured blobs over a gradient, with texture — test fixture, JPEG bytes. */
export async function syntheticPhoto(seed: number, width = 640, height = 480, quality = 90): Promise<Buffer> {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const blobs = Array.from({ length: 7 }, () => ({ x: rnd() * width, y: rnd() * height, r: (0.1 + rnd() * 0.3) * width, c: [rnd() * 255, rnd() * 255, rnd() * 255] }));
  const base = [rnd() * 255, rnd() * 255, rnd() * 255];
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const px = [0, 1, 2].map((k) => (base[k] ?? 0) * (0.5 + (0.5 * y) / height));
      for (const b of blobs) {
        const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r));
        for (let k = 0; k < 3; k++) px[k] = (px[k] ?? 0) * (1 - w) + (b.c[k] ?? 0) * w;
      }
      const noise = (rnd() - 0.5) * 12;
      for (let k = 0; k < 3; k++) buf[(y * width + x) * 3 + k] = Math.max(0, Math.min(255, (px[k] ?? 0) + noise));
    }
  return sharp(buf, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

/**
 * A camera-sized JPEG (default 2400×1800, ~1–3 MB): a small synthetic photo
 * scaled up, with per-pixel sensor noise so it compresses like a real one.
 * Distinct seeds give unrelated perceptual hashes.
 */
export async function largePhoto(seed: number, width = 2400, height = 1800, quality = 85): Promise<Buffer> {
  const raw = await sharp(await syntheticPhoto(seed, 160, 120)).resize(width, height).raw().toBuffer();
  const noise = randomBytes(raw.length);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.max(0, Math.min(255, (raw[i] ?? 0) + ((noise[i] ?? 0) & 31) - 16));
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
