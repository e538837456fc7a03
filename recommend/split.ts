import { buildContext, candidates, type Context } from './features.ts';
import type { History } from './history.ts';
import { levelAt, type SimWorld } from './sim.ts';

const DAY = 86_400_000;
/** The held-out period: the last TEST_DAYS of a simulated run. */
export const TEST_DAYS = 20;

export interface Split {
  cutoff: number;
  /** Completions before the cutoff only. */
  train: History;
  ctx: Context;
  /** Per player, the missions first completed in the held-out period that were offerable at the cutoff. */
  relevant: Map<string, Set<string>>;
}

/**
 * Time-ordered split: everything the models see happened before the cutoff;
 * the truth is what each player completed after it. Missions that opened
 * after the cutoff are not counted (nobody could have recommended them).
 */
export function timeSplit(world: SimWorld): Split {
  const cutoff = world.start + (world.days - TEST_DAYS) * DAY;
  const train = { ...world.history, completions: world.history.completions.filter((c) => c.at < cutoff) };
  const ctx = buildContext(train, cutoff, levelAt(world.history, cutoff));
  const relevant = new Map<string, Set<string>>();
  const offerable = new Map<string, Set<string>>();
  for (const c of world.history.completions) {
    if (c.at < cutoff) continue;
    const profile = ctx.profiles.get(c.playerId);
    if (!profile) continue;
    let open = offerable.get(c.playerId);
    if (!open) offerable.set(c.playerId, (open = new Set(candidates(ctx, profile).map((m) => m.id))));
    if (!open.has(c.missionId)) continue;
    let set = relevant.get(c.playerId);
    if (!set) relevant.set(c.playerId, (set = new Set()));
    set.add(c.missionId);
  }
  return { cutoff, train, ctx, relevant };
}
