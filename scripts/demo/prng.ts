// Seeded PRNG for the demo world (mulberry32): the same seed gives the same world.
import { mulberry32 } from '../../lib/mulberry32.ts';

export class Prng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) { this.next = mulberry32(seed); }
  /** Integer in [min, max]. */
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  chance(p: number): boolean { return this.next() < p; }
  /** Normal-ish jitter in [-1, 1] (mean of two uniforms). */
  jitter(): number { return this.next() + this.next() - 1; }
  bytes(n: number): Uint8Array { return Uint8Array.from({ length: n }, () => Math.floor(this.next() * 256)); }
  hex(n: number): string { return Array.from(this.bytes(n), (b) => b.toString(16).padStart(2, '0')).join(''); }
  /** A version-4 shaped UUID from the stream. */
  uuid(): string {
    const b = this.bytes(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}
