import { candidates, type Context, distanceKm, FEATURE_NAMES, type FeatureName, pairFeatures, type Profile } from './features.ts';
import type { GeoPoint, MissionRow } from './history.ts';
import { CHOICE_TERMS, choiceFeatureOf, type ChoiceModel, type ChoiceTerm, choiceTerms } from './choice.ts';
import { type MfModel, mfScore } from './mf.ts';
import { mmr } from './mmr.ts';
import { coldStartReason, reasonFor, type ReasonFacts } from './reasons.ts';
import { COLD_FEATURES, coldScorer, contributions, logit, type ScorerWeights, sigmoid } from './scorer.ts';

export interface Recommendation {
  missionId: string;
  zoneId: string;
  title: string;
  type: string;
  difficulty: number;
  /** Relevance in [0, 1] from the hybrid scorer (before diversification). */
  score: number;
  reason: string;
  /** Features that pushed it up, strongest first. */
  signals: string[];
}

export interface RankOptions {
  limit?: number;
  /** MMR trade-off: 1 = pure relevance. */
  lambda?: number;
  /** How many of the best-scored missions MMR chooses from. */
  pool?: number;
  /** Where the player is now (overrides the home zone). */
  location?: GeoPoint;
}

/** The fitted models the scorer reads (null: not fitted, e.g. no completions yet). */
export interface Fitted {
  choice: ChoiceModel | null;
  mf: MfModel | null;
}

export const DEFAULT_LIMIT = 10;
/**
 * Chosen on the development world (seed 3, `npm run recommend:eval -- --tune`): the most diverse setting that
 * costs under 2.5 % of NDCG@10. Against λ = 1 (0.4528, 5.18 categories a list), 0.99 costs 1.0 % for +0.36
 * categories, 0.98 2.4 % for +0.61, 0.97 3.0 % for +0.79; a pool of 12 at λ 0.9 costs 3.0 % for +0.34.
 */
export const DEFAULT_LAMBDA = 0.98;

/** Same category and same zone make two missions redundant in one list. */
export const missionSimilarity = (a: MissionRow, b: MissionRow) => (a.type === b.type ? 0.5 : 0) + (a.zoneId === b.zoneId ? 0.5 : 0);

/** The reason each part of the choice model's utility gives (reasons.ts). */
const TERM_REASON: Record<ChoiceTerm, FeatureName | 'quest'> = {
  distance: 'distance', category: 'category', difficulty: 'difficulty_gap', time_of_day: 'time_of_day', friends: 'friends', quest: 'quest', taste: 'mf',
};

/**
 * When the choice model lifted a mission most: the part of its utility by which it stands out most
 * from the player's other candidates (their mean), as a reason signal.
 */
function choiceReasons(terms: readonly (readonly number[] | undefined)[]): (i: number) => FeatureName | 'quest' {
  const known = terms.filter((t): t is readonly number[] => t !== undefined);
  const mean = CHOICE_TERMS.map((_, k) => known.reduce((a, t) => a + (t[k] ?? 0), 0) / (known.length || 1));
  return (i) => {
    const t = terms[i];
    if (!t) return 'distance';
    let best = 0;
    for (let k = 1; k < CHOICE_TERMS.length; k++) if ((t[k] ?? 0) - (mean[k] ?? 0) > (t[best] ?? 0) - (mean[best] ?? 0)) best = k;
    return TERM_REASON[CHOICE_TERMS[best] as ChoiceTerm];
  };
}

function dominantSlot(ctx: Context, missionId: string): number {
  const s = ctx.missionSlots.get(missionId);
  return s ? s.indexOf(Math.max(...s)) : 1;
}

/** The profile, with `location` standing in for the home when given. */
export function profileAt(ctx: Context, playerId: string, location?: GeoPoint): Profile | undefined {
  const p = ctx.profiles.get(playerId);
  if (!p || !location) return p;
  return { ...p, player: { ...p.player, home: location } };
}

/** Every candidate with its hybrid relevance and reason, best first (no diversification). */
export function scoreCandidates(ctx: Context, { choice, mf }: Fitted, weights: ScorerWeights, profile: Profile) {
  const cold = profile.completions === 0;
  const scorer = cold ? coldScorer(weights) : weights;
  const missions = candidates(ctx, profile);
  // The choice model's terms per candidate: its feature, and for a player with history the reason.
  const terms = choice ? missions.map((m) => choiceTerms(choice, ctx, profile, m)) : undefined;
  const choiceReason = terms && !cold ? choiceReasons(terms) : undefined;
  return missions
    .map((m, i) => {
      let x = pairFeatures(ctx, profile, m, {
        choice: terms ? choiceFeatureOf(profile, terms[i]) : Number.NaN,
        mf: mf ? mfScore(mf, profile.player.id, m.id) : Number.NaN,
      });
      if (cold) x = x.map((v, k) => (COLD_FEATURES.includes(FEATURE_NAMES[k] as FeatureName) ? v : Number.NaN));
      const contrib = contributions(scorer, x);
      const facts: ReasonFacts = {
        mission: m, km: distanceKm(profile, m), friends: Math.round(Math.expm1(x[FEATURE_NAMES.indexOf('friends')] ?? 0)) || 0, total: ctx.totalCount.get(m.id) ?? 0,
        recent: ctx.recentCount.get(m.id) ?? 0, slot: dominantSlot(ctx, m.id),
      };
      const signals = FEATURE_NAMES.map((name, k) => ({ name, c: contrib[k] ?? 0 })).filter((s) => s.c > 0.05).sort((a, b) => b.c - a.c).map((s) => s.name);
      const top = signals[0];
      const reason = cold ? coldStartReason(facts) : reasonFor(top === 'choice' && choiceReason ? choiceReason(i) : (top ?? 'new'), facts);
      return { item: m, relevance: sigmoid(logit(scorer, x)), reason, signals };
    })
    .sort((a, b) => b.relevance - a.relevance || a.item.id.localeCompare(b.item.id));
}

/**
 * Top missions for a player: hybrid relevance, then MMR over the best `pool`
 * for diversity (category and zone); cold-start players (no completion yet)
 * are ranked on the population's choice model, location and popularity. Undefined when the player is unknown.
 */
export function recommendQuests(ctx: Context, models: Fitted, scorer: ScorerWeights, playerId: string, opts: RankOptions = {}) {
  const profile = profileAt(ctx, playerId, opts.location);
  if (!profile) return undefined;
  const { limit = DEFAULT_LIMIT, lambda = DEFAULT_LAMBDA, pool = 50 } = opts;
  const scored = scoreCandidates(ctx, models, scorer, profile);
  const byId = new Map(scored.map((s) => [s.item.id, s]));
  // MMR compares relevance with similarity, so relevance is rescaled to the best of the pool = 1.
  const top = scored.slice(0, Math.max(pool, limit));
  const best = top[0]?.relevance || 1;
  const picked = mmr(top.map((s) => ({ item: s.item, relevance: s.relevance / best })), limit, missionSimilarity, lambda);
  const items: Recommendation[] = picked.map(({ item: m }) => {
    const s = byId.get(m.id);
    return {
      missionId: m.id, zoneId: m.zoneId, title: m.title, type: m.type, difficulty: m.difficulty,
      score: Math.round((s?.relevance ?? 0) * 1e4) / 1e4, reason: s?.reason ?? '', signals: s?.signals ?? [],
    };
  });
  return { coldStart: profile.completions === 0, items };
}
