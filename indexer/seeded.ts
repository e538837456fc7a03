// Test support: a small seeded PRNG so fault schedules and kill points reproduce from a printed seed.

/** mulberry32: a 32-bit seeded generator returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] drawn from `random`. */
export const randomInt = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** `given` (a seed printed by a failing run, to reproduce it) or a fresh one. */
export const seedOr = (given: number | undefined) => given ?? Math.floor(Math.random() * 2 ** 31);
