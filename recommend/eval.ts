import { candidates, distanceKm, type Profile } from './features.ts';
import { ndcgAt, recallAt } from './metrics.ts';
import { mfScore, trainMf } from './mf.ts';
import { DEFAULT_LAMBDA, recommendQuests, scoreCandidates } from './rank.ts';
import { loadScorer, scorerVersion } from './scorer.ts';
import { simulateWorld } from './sim.ts';
import { type Split, timeSplit } from './split.ts';

/** A world the scorer never saw (it learns on TRAIN_SEED). */
export const EVAL_SEED = 2;
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

/** Popularity, nearest-zone, BPR alone and the hybrid (with and without MMR) on one time-ordered split. */
export async function evaluate(seed = EVAL_SEED) {
  const world = simulateWorld({ seed });
  const split = timeSplit(world);
  const scorer = loadScorer();
  const mf = await trainMf(split.train.completions, { missions: split.ctx.missions });
  const { ctx } = split;
  const allTime = new Map<string, number>();
  for (const c of split.train.completions) allTime.set(c.missionId, (allTime.get(c.missionId) ?? 0) + 1);
  const recent = (id: string) => ctx.recentCount.get(id) ?? 0;
  const byKey = (p: Profile, key: (id: string, p: Profile) => number) =>
    candidates(ctx, p).map((m) => ({ id: m.id, k: key(m.id, p) })).sort((a, b) => b.k - a.k || a.id.localeCompare(b.id)).map((x) => x.id);
  const missions = ctx.missions;
  const types = new Map([...missions].map(([id, m]) => [id, m.type]));
  const rows = [
    measure(split, 'popularity (all time)', (p) => byKey(p, (id) => allTime.get(id) ?? 0), true, types),
    measure(split, 'popularity (30 days)', (p) => byKey(p, (id) => recent(id) * 1e6 + (allTime.get(id) ?? 0)), true, types),
    measure(split, 'nearest zone', (p) => byKey(p, (id, q) => { const m = missions.get(id); return m ? -distanceKm(q, m) * 1e3 + Math.min(recent(id), 999) / 1e3 : -Infinity; }), true, types),
    measure(split, 'BPR (TF.js) alone', (p) => byKey(p, (id, q) => { const s = mfScore(mf, q.player.id, id); return Number.isFinite(s) ? s : -1e9 + recent(id); }), false, types),
    measure(split, 'hybrid without BPR, no MMR', (p) => scoreCandidates(ctx, null, scorer, p).map((s) => s.item.id), false, types),
    measure(split, 'hybrid, no MMR', (p) => scoreCandidates(ctx, mf, scorer, p).map((s) => s.item.id), false, types),
    measure(split, `hybrid + MMR λ=${DEFAULT_LAMBDA} (served)`, (p) => recommendQuests(ctx, mf, scorer, p.player.id)?.items.map((i) => i.missionId) ?? [], false, types),
    measure(split, "ceiling: the simulator's hidden preferences", (p) => byKey(p, (id, q) => world.preference(q.player.id, id)), false, types),
  ];
  const coldPlayers = [...split.relevant.keys()].filter((id) => split.ctx.profiles.get(id)?.completions === 0).length;
  return { rows, version: scorerVersion(scorer), players: split.relevant.size, coldPlayers, missions: missions.size, train: split.train.completions.length };
}

export function formatTable(r: Awaited<ReturnType<typeof evaluate>>): string {
  const best = Math.max(...r.rows.filter((x) => x.baseline).map((x) => x.ndcg));
  const head = `${'method'.padEnd(44)} recall@10  NDCG@10  ×best-baseline  cold NDCG@10  categories/list`;
  const lines = r.rows.map((x) =>
    `${x.method.padEnd(44)} ${x.recall.toFixed(4).padStart(9)}  ${x.ndcg.toFixed(4).padStart(7)}  ${(x.ndcg / best).toFixed(2).padStart(14)}  ${x.coldNdcg.toFixed(4).padStart(12)}  ${x.categories.toFixed(2).padStart(15)}`);
  return [
    `simulated world seed ${EVAL_SEED}: ${r.missions} missions, ${r.train} training completions; held out the last 20 days for ${r.players} players (${r.coldPlayers} cold-start); scorer ${r.version.slice(0, 16)}…`,
    head, ...lines,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatTable(await evaluate()));
}
