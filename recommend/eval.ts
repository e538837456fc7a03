import { CHOICE_DEFAULTS, type ChoiceOptions, choiceFeature, choiceUtility, fitChoiceModel, missionEffect } from './choice.ts';
import { candidates, distanceKm, FEATURE_NAMES, pairFeatures, type Profile } from './features.ts';
import { boundRanker } from './bound.ts';
import { ndcgAt, recallAt } from './metrics.ts';
import { mfScore, trainMf } from './mf.ts';
import { DEFAULT_LAMBDA, recommendQuests, scoreCandidates } from './rank.ts';
import { loadScorer, scorerVersion } from './scorer.ts';
import { simulateWorld } from './sim.ts';
import { type Split, timeSplit } from './split.ts';

/** A world the scorer never saw (it learns on TRAIN_SEED). */
export const EVAL_SEED = 2;
/** The world hyper-parameters are chosen on (`--tune`): neither the training nor the evaluation world. */
export const DEV_SEED = 3;
const K = 10;

export interface EvalRow {
  method: string;
  recall: number;
  ndcg: number;
  coldNdcg: number;
  /** Mean number of distinct categories in a top-10 list. */
  categories: number;
  baseline: boolean;
}

type Ranker = (profile: Profile) => string[];

/** Features whose small values speak for a mission (ranked ascending when measured alone). */
const LOWER_FIRST: ReadonlySet<string> = new Set(['distance', 'distance_personal', 'difficulty_gap']);

function measure(split: Split, method: string, rank: Ranker, baseline: boolean, types: Map<string, string>): EvalRow {
  let recall = 0, ndcg = 0, coldNdcg = 0, cold = 0, cats = 0;
  for (const [playerId, relevant] of split.relevant) {
    const profile = split.ctx.profiles.get(playerId);
    if (!profile) continue;
    const top = rank(profile).slice(0, K);
    recall += recallAt(top, relevant, K);
    const n = ndcgAt(top, relevant, K);
    ndcg += n;
    if (profile.completions === 0) [coldNdcg, cold] = [coldNdcg + n, cold + 1];
    cats += new Set(top.map((id) => types.get(id))).size;
  }
  const players = split.relevant.size || 1;
  return { method, recall: recall / players, ndcg: ndcg / players, coldNdcg: coldNdcg / (cold || 1), categories: cats / players, baseline };
}

/** Candidate ids by a key, best first (ties by id). */
const rankBy = (split: Split, p: Profile, key: (id: string, p: Profile) => number) =>
  candidates(split.ctx, p).map((m) => ({ id: m.id, k: key(m.id, p) })).sort((a, b) => b.k - a.k || a.id.localeCompare(b.id)).map((x) => x.id);

/**
 * Baselines (popularity, nearest zone), each component alone (every pair feature ranked
 * on its own, in its natural direction; BPR; the choice model), the hybrid with and
 * without BPR, with MMR as served, and the ceiling, on one
 * time-ordered split of a world nothing was learnt or tuned on.
 */
export async function evaluate(seed = EVAL_SEED, { bound = false } = {}) {
  const world = simulateWorld({ seed, record: bound });
  const split = timeSplit(world);
  const scorer = loadScorer();
  const { ctx } = split;
  const mf = await trainMf(split.train.completions, { missions: ctx.missions });
  const choice = fitChoiceModel(ctx);
  const allTime = new Map<string, number>();
  for (const c of split.train.completions) allTime.set(c.missionId, (allTime.get(c.missionId) ?? 0) + 1);
  const recent = (id: string) => ctx.recentCount.get(id) ?? 0;
  const missions = ctx.missions;
  const types = new Map([...missions].map(([id, m]) => [id, m.type]));
  const features = new Map<string, Map<string, number[]>>();
  const featuresOf = (p: Profile) => {
    let f = features.get(p.player.id);
    if (!f) features.set(p.player.id, (f = new Map(candidates(ctx, p).map((m) => [m.id, pairFeatures(ctx, p, m, {
      choice: choiceFeature(choice, ctx, p, m), mf: mfScore(mf, p.player.id, m.id),
    })]))));
    return f;
  };
  const alone = FEATURE_NAMES.map((name, k) => {
    const sign = LOWER_FIRST.has(name) ? -1 : 1;
    return measure(split, `  feature alone: ${name}${sign < 0 ? ' (lower first)' : ''}`, (p) => {
      const f = featuresOf(p);
      return rankBy(split, p, (id) => { const v = f.get(id)?.[k] ?? Number.NaN; return Number.isFinite(v) ? sign * v : -Infinity; });
    }, false, types);
  });
  const rows = [
    measure(split, 'popularity (all time)', (p) => rankBy(split, p, (id) => allTime.get(id) ?? 0), true, types),
    measure(split, 'popularity (30 days)', (p) => rankBy(split, p, (id) => recent(id) * 1e6 + (allTime.get(id) ?? 0)), true, types),
    measure(split, 'nearest zone', (p) => rankBy(split, p, (id, q) => { const m = missions.get(id); return m ? -distanceKm(q, m) * 1e3 + Math.min(recent(id), 999) / 1e3 : -Infinity; }), true, types),
    ...alone,
    measure(split, 'BPR (TF.js) alone', (p) => rankBy(split, p, (id, q) => { const s = mfScore(mf, q.player.id, id); return Number.isFinite(s) ? s : -1e9 + recent(id); }), false, types),
    measure(split, 'choice model alone', (p) => rankBy(split, p, (id, q) => { const m = missions.get(id); const s = m ? choiceUtility(choice, ctx, q, m) : Number.NaN; return Number.isFinite(s) ? s : -1e9 + recent(id); }), false, types),
    measure(split, 'hybrid without BPR', (p) => scoreCandidates(ctx, { choice, mf: null }, scorer, p).map((s) => s.item.id), false, types),
    measure(split, 'hybrid, no MMR', (p) => scoreCandidates(ctx, { choice, mf }, scorer, p).map((s) => s.item.id), false, types),
    measure(split, `hybrid + MMR λ=${DEFAULT_LAMBDA} (served)`, (p) => recommendQuests(ctx, { choice, mf }, scorer, p.player.id)?.items.map((i) => i.missionId) ?? [], false, types),
    ...(bound ? [
      measure(split, 'bound: simulator\'s rule, missions known', boundRanker(world, split), false, types),
      measure(split, '  bound, mission effects as the choice model\'s', boundRanker(world, split, { missionEffect: (id) => missionEffect(choice, id) }), false, types),
      measure(split, '  bound without missions\' latent vectors', boundRanker(world, split, { withoutLatent: true }), false, types),
    ] : []),
    measure(split, "ceiling: the simulator's hidden preferences", (p) => rankBy(split, p, (id, q) => world.preference(q.player.id, id)), false, types),
  ];
  const coldPlayers = [...split.relevant.keys()].filter((id) => split.ctx.profiles.get(id)?.completions === 0).length;
  return { seed, rows, version: scorerVersion(scorer), players: split.relevant.size, coldPlayers, missions: missions.size, train: split.train.completions.length, choices: choice.choices };
}

export function formatTable(r: Awaited<ReturnType<typeof evaluate>>): string {
  const best = Math.max(...r.rows.filter((x) => x.baseline).map((x) => x.ndcg));
  const head = `${'method'.padEnd(46)} recall@10  NDCG@10  ×best-baseline  cold NDCG@10  categories/list`;
  const lines = r.rows.map((x) =>
    `${x.method.padEnd(46)} ${x.recall.toFixed(4).padStart(9)}  ${x.ndcg.toFixed(4).padStart(7)}  ${(x.ndcg / best).toFixed(2).padStart(14)}  ${x.coldNdcg.toFixed(4).padStart(12)}  ${x.categories.toFixed(2).padStart(15)}`);
  return [
    `simulated world seed ${r.seed}: ${r.missions} missions, ${r.train} training completions (${r.choices} past choices for the choice model); `
      + `held out the last 20 days for ${r.players} players (${r.coldPlayers} cold-start); scorer ${r.version.slice(0, 16)}…`,
    head, ...lines,
  ].join('\n');
}

/** The choice model alone on the development world, for each setting in `grid` (NDCG@10, cpu seconds to fit). */
export function tuneChoice(grid: ChoiceOptions[], seed = DEV_SEED): string[] {
  const split = timeSplit(simulateWorld({ seed }));
  const types = new Map([...split.ctx.missions].map(([id, m]) => [id, m.type]));
  return grid.map((opts) => {
    const t0 = process.cpuUsage();
    const model = fitChoiceModel(split.ctx, opts);
    const cpu = process.cpuUsage(t0).user / 1e6;
    const row = measure(split, 'choice', (p) => rankBy(split, p, (id, q) => { const m = split.ctx.missions.get(id); return m ? choiceUtility(model, split.ctx, q, m) : Number.NaN; }), false, types);
    return `${JSON.stringify({ ...CHOICE_DEFAULTS, ...opts })}  NDCG@10 ${row.ndcg.toFixed(4)}  fit ${cpu.toFixed(1)} s cpu`;
  });
}

/** The served hybrid on the development world for each MMR λ and pool (NDCG@10, categories per list). */
export async function tuneMmr(settings: { lambda: number; pool?: number }[], seed = DEV_SEED): Promise<string[]> {
  const split = timeSplit(simulateWorld({ seed }));
  const scorer = loadScorer();
  const models = { choice: fitChoiceModel(split.ctx), mf: await trainMf(split.train.completions, { missions: split.ctx.missions }) };
  const types = new Map([...split.ctx.missions].map(([id, m]) => [id, m.type]));
  return settings.map((opts) => {
    const row = measure(split, 'mmr', (p) => recommendQuests(split.ctx, models, scorer, p.player.id, opts)?.items.map((i) => i.missionId) ?? [], false, types);
    return `λ=${opts.lambda}${opts.pool ? ` pool ${opts.pool}` : ''}  NDCG@10 ${row.ndcg.toFixed(4)}  categories/list ${row.categories.toFixed(2)}`;
  });
}

const MMR_GRID = [{ lambda: 1 }, { lambda: 0.99 }, { lambda: 0.98 }, { lambda: 0.97 }, { lambda: 0.95 }, { lambda: 0.9, pool: 12 }];

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--tune')) {
    const grid: ChoiceOptions[] = [{}, { difficultyL2: 0.5, slopeL2: 1000 }, { difficultyL2: 0.5 }, { slopeL2: 1000 }, { difficultyL2: 100 }, { slopeL2: 3 },
      { playerL2: 1 }, { playerL2: 0.3 }, { distanceL2: 1 }, { factors: 0 }, { factors: 8 }, { latentL2: 5 }, { missionL2: 0.5 }];
    console.log(`choice model on the development world (seed ${DEV_SEED}):`);
    for (const line of tuneChoice(grid)) console.log(line);
    console.log(`MMR on the development world (seed ${DEV_SEED}), the hybrid as served:`);
    for (const line of await tuneMmr(MMR_GRID)) console.log(line);
  } else {
    console.log(formatTable(await evaluate(EVAL_SEED, { bound: process.argv.includes('--bound') })));
  }
}
