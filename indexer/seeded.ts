// Test support: a small seeded PRNG so fault schedules and kill points reproduce from a printed seed.

import { mulberry32 } from '../lib/mulberry32.ts';

/** A seeded generator returning floats in [0, 1). */
export const seededRandom = mulberry32;

/** An integer in [min, max] drawn from `random`. */
export const randomInt = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** `given` (a seed printed by a failing run, to reproduce it) or a fresh one. */
export const seedOr = (given: number | undefined) => given ?? Math.floor(Math.random() * 2 ** 31);
