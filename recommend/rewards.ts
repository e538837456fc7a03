import type { Db } from '../lib/db.ts';
import type { Context } from './features.ts';
import { type MfModel, userSimilarity } from './mf.ts';

/** How many look-alike players (by collaborative vectors) count as "players like you". */
const NEIGHBOURS = 20;

export interface RewardSuggestion {
  rewardId: string;
  title: string;
  costHeart: string;
  affordable: boolean;
  score: number;
  reason: string;
}

interface RewardRow { id: string; title: string; cost: string; stock: number }

/**
 * Rewards in stock for a player: what their friends and look-alike players
 * redeemed (0.45), what everyone redeems (0.2) and how close the player is to
 * affording it with the Heart earned minus what they already spent (0.35).
 */
export async function suggestRewards(db: Db, ctx: Context, mf: MfModel | null, playerId: string, limit = 10): Promise<RewardSuggestion[]> {
  const [rewards, redemptions, [wallet]] = await Promise.all([
    db.$queryRaw<RewardRow[]>`SELECT id::text, title, cost_heart::text AS cost, stock FROM rewards WHERE active AND stock > 0`,
    db.$queryRaw<{ player_id: string; reward_id: string }[]>`SELECT player_id::text, reward_id::text FROM redemptions WHERE status <> 'expired'`,
    db.$queryRaw<{ available: string }[]>`
      SELECT (p.heart_earned - COALESCE((SELECT sum(amount) FROM redemptions r WHERE r.player_id = p.id AND r.status <> 'expired'), 0))::text AS available
      FROM players p WHERE p.id = ${playerId}::uuid`,
  ]);
  const available = BigInt((wallet?.available ?? '0').split('.')[0] ?? '0');
  const profile = ctx.profiles.get(playerId);
  const near = new Set(profile?.friends ?? []);
  if (mf) {
    [...ctx.profiles.keys()].filter((id) => id !== playerId).map((id) => ({ id, s: userSimilarity(mf, playerId, id) }))
      .filter((x) => x.s > 0).sort((a, b) => b.s - a.s).slice(0, NEIGHBOURS).forEach((x) => near.add(x.id));
  }
  const mine = new Set(redemptions.filter((r) => r.player_id === playerId).map((r) => r.reward_id));
  const all = new Map<string, number>();
  const local = new Map<string, number>();
  for (const r of redemptions) {
    all.set(r.reward_id, (all.get(r.reward_id) ?? 0) + 1);
    if (near.has(r.player_id)) local.set(r.reward_id, (local.get(r.reward_id) ?? 0) + 1);
  }
  const maxAll = Math.max(1, ...all.values());
  const maxLocal = Math.max(1, ...local.values());
  return rewards
    .map((r) => {
      const cost = BigInt(r.cost.split('.')[0] ?? '0');
      const affordable = cost <= available;
      const progress = affordable || cost === 0n ? 1 : Number((available * 1000n) / cost) / 1000;
      const byNear = (local.get(r.id) ?? 0) / maxLocal;
      const byAll = (all.get(r.id) ?? 0) / maxAll;
      let reason: string;
      if (byNear > 0 && (local.get(r.id) ?? 0) >= (all.get(r.id) ?? 0) / 2) reason = `${local.get(r.id)} of your friends and players like you redeemed it`;
      else if (byAll > 0.5) reason = `popular: redeemed ${all.get(r.id)} times`;
      else reason = affordable ? 'you can redeem it now' : `you have ${Math.floor(progress * 100)}% of the Heart it costs`;
      if (mine.has(r.id)) reason += ' (you redeemed it before)';
      return { rewardId: r.id, title: r.title, costHeart: r.cost.split('.')[0] ?? '0', affordable, score: Math.round((0.45 * byNear + 0.2 * byAll + 0.35 * progress) * 1e4) / 1e4, reason };
    })
    .sort((a, b) => b.score - a.score || a.rewardId.localeCompare(b.rewardId))
    .slice(0, limit);
}
