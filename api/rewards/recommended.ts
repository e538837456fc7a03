import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../../lib/config.ts';

export interface RewardPick {
  score: number;
  reason: string;
}

/** The marketplace asks for every reward in stock (the internal route's own cap). */
export const RECOMMEND_REWARDS_MAX = 100;

/**
 * The recommender's order of the rewards in stock for a player, from the internal
 * POST /recommend/rewards (same token, rate limit and schema as any other service
 * calling it; counted against the player's own IP, so one busy client cannot spend
 * everyone's budget), best first. Null when the recommender is unavailable: any answer
 * but 200 (rate-limited, failing) or no answer at all; the caller serves its plain order.
 */
export async function recommendedRewards(app: FastifyInstance, config: Config, req: { playerId: string; ip: string; log: FastifyBaseLogger }): Promise<Map<string, RewardPick> | null> {
  try {
    const res = await app.inject({
      method: 'POST', url: '/recommend/rewards', headers: { 'x-internal-token': config.INTERNAL_API_TOKEN },
      payload: { playerId: req.playerId, limit: RECOMMEND_REWARDS_MAX }, remoteAddress: req.ip,
    });
    if (res.statusCode !== 200) {
      req.log.warn({ status: res.statusCode }, 'reward recommender unavailable: plain order');
      return null;
    }
    const items = (res.json() as { items: { rewardId: string; score: number; reason: string }[] }).items;
    return new Map(items.map((i) => [i.rewardId, { score: i.score, reason: i.reason }]));
  } catch (err) {
    req.log.warn({ err }, 'reward recommender unavailable: plain order');
    return null;
  }
}
