import type { FastifyBaseLogger } from 'fastify';
import { suggestRewards } from '../../recommend/rewards.ts';
import type { Deps } from '../deps.ts';
import { recommenderFor } from '../recommender.ts';

export interface RewardPick {
  score: number;
  reason: string;
}

/** The marketplace ranks every reward in stock (also the cap of POST /recommend/rewards). */
export const RECOMMEND_REWARDS_MAX = 100;

/**
 * The recommender's order of the rewards in stock for a player, best first, from the
 * app's own recommender (a function call: no internal HTTP hop, so the marketplace does not
 * spend the per-IP budget of POST /recommend/rewards). Null when the recommender fails
 * (its snapshot or its queries); the caller then serves its plain order.
 */
export async function recommendedRewards(deps: Deps, req: { playerId: string; log: FastifyBaseLogger }): Promise<Map<string, RewardPick> | null> {
  try {
    const snap = await recommenderFor(deps).snapshot(req.playerId);
    const items = await suggestRewards(deps.db, snap.ctx, snap.mf, req.playerId, RECOMMEND_REWARDS_MAX);
    return new Map(items.map((i) => [i.rewardId, { score: i.score, reason: i.reason }]));
  } catch (err) {
    req.log.warn({ err }, 'reward recommender unavailable: plain order');
    return null;
  }
}
