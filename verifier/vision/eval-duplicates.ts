// Near-duplicate search on a generated set (deterministic, seeded), part of npm run
// vision:eval: the project's own base photos (packaged photos + rendered scenes), each with
// every edit of eval-images.ts, against unrelated images. Prints, per edit type and overall,
// the true-positive rate at ≤ 0.1 % false positives for the visual descriptor and for the
// 64-bit pHash alone, in the same run. Figures are printed, never asserted.
import { hamming, phash } from '../media/phash.ts';
import { describeImage, similarity } from './descriptor.ts';
import { applyEdit, EDITS, packagedPhoto, PACKAGED_PHOTOS, renderedScene, type EditName } from './eval-images.ts';
import type { VisionModels } from './models.ts';

export interface DuplicateEvalSize {
  /** Rendered base photos beside the PACKAGED_PHOTOS packaged ones. */
  renderedBases: number;
  /** Unrelated rendered scenes stored beside the bases. */
  distractors: number;
}

export const FULL_DUPLICATES: DuplicateEvalSize = { renderedBases: 33, distractors: 150 };
export const QUICK_DUPLICATES: DuplicateEvalSize = { renderedBases: 8, distractors: 40 };

const MAX_FPR = 0.001;

interface Item {
  desc: Float32Array;
  hash: bigint;
}

interface Query extends Item {
  edit: EditName;
  base: number;
}

/** Score above which at most MAX_FPR of the negatives lie, and the share of positives above it. */
function tprAtFpr(pos: number[], neg: number[], maxFpr = MAX_FPR): { tpr: number; threshold: number } {
  const sorted = [...neg].sort((a, b) => b - a);
  const allowed = Math.floor(sorted.length * maxFpr);
  const threshold = sorted[allowed] ?? -Infinity;
  return { tpr: pos.filter((p) => p > threshold).length / pos.length, threshold };
}

const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;

/** Runs the near-duplicate evaluation and prints its table. Returns the number of images described. */
export async function evalDuplicates(models: VisionModels, { renderedBases, distractors }: DuplicateEvalSize): Promise<number> {
  const describe = async (bytes: Buffer): Promise<Item> => ({ desc: await describeImage(models, bytes), hash: await phash(bytes) });

  const baseBytes: Buffer[] = [];
  for (let i = 0; i < PACKAGED_PHOTOS; i++) baseBytes.push(await packagedPhoto(i));
  for (let i = 0; i < renderedBases; i++) baseBytes.push(await renderedScene(i));
  const stored: Item[] = [];
  for (const b of baseBytes) stored.push(await describe(b));
  for (let i = 0; i < distractors; i++) stored.push(await describe(await renderedScene(10_000 + i)));

  const queries: Query[] = [];
  for (const [base, bytes] of baseBytes.entries())
    for (const [e, edit] of EDITS.entries()) queries.push({ ...(await describe(await applyEdit(bytes, edit, base * 100 + e))), edit, base });

  // Scores: higher = more alike. pHash: 64 − Hamming distance.
  const cos = { pos: new Map<EditName, number[]>(), neg: [] as number[] };
  const ph = { pos: new Map<EditName, number[]>(), neg: [] as number[] };
  for (const q of queries) {
    for (const [i, s] of stored.entries()) {
      const c = similarity(q.desc, s.desc);
      const h = 64 - hamming(q.hash, s.hash);
      if (i === q.base) {
        cos.pos.set(q.edit, [...(cos.pos.get(q.edit) ?? []), c]);
        ph.pos.set(q.edit, [...(ph.pos.get(q.edit) ?? []), h]);
      } else {
        cos.neg.push(c);
        ph.neg.push(h);
      }
    }
  }
  // One threshold for every edit (the rule cannot know the edit): the one at ≤ 0.1 % FPR over all negatives.
  const all = (m: Map<EditName, number[]>) => [...m.values()].flat();
  const cosAll = tprAtFpr(all(cos.pos), cos.neg);
  const phAll = tprAtFpr(all(ph.pos), ph.neg);
  const rate = (pos: number[], threshold: number) => pos.filter((p) => p > threshold).length / pos.length;
  // Both rules together (the verifier runs the pHash rule too): each at ≤ 0.05 % FPR, so their union stays ≤ 0.1 %.
  const cosHalf = tprAtFpr([], cos.neg, MAX_FPR / 2).threshold;
  const phHalf = tprAtFpr([], ph.neg, MAX_FPR / 2).threshold;
  const either = (c: number[], h: number[]) => c.filter((x, i) => x > cosHalf || (h[i] ?? 0) > phHalf).length / Math.max(c.length, 1);
  const unionFpr = either(cos.neg, ph.neg);

  console.log(`near-duplicate eval: ${baseBytes.length} base photos (${PACKAGED_PHOTOS} packaged, ${renderedBases} rendered) + ${distractors} unrelated rendered scenes stored;`);
  console.log(`${queries.length} edited copies queried against all ${stored.length} stored images → ${queries.length} positive and ${cos.neg.length} negative pairs`);
  console.log(`thresholds at ≤ ${MAX_FPR * 100} % FPR: descriptor cosine > ${cosAll.threshold.toFixed(4)}, pHash Hamming < ${64 - phAll.threshold}\n`);
  console.log('edit            descriptor   pHash    either   (true-positive rate at the shared thresholds)');
  for (const edit of EDITS)
    console.log(`${edit.padEnd(15)} ${pct(rate(cos.pos.get(edit) ?? [], cosAll.threshold))}   ${pct(rate(ph.pos.get(edit) ?? [], phAll.threshold))}   ${pct(either(cos.pos.get(edit) ?? [], ph.pos.get(edit) ?? []))}`);
  console.log(`${'overall'.padEnd(15)} ${pct(cosAll.tpr)}   ${pct(phAll.tpr)}   ${pct(either(all(cos.pos), all(ph.pos)))}`);
  console.log(`either = descriptor cosine > ${cosHalf.toFixed(4)} or pHash Hamming < ${64 - phHalf}; measured FPR of the pair ${(unionFpr * 100).toFixed(3)} %`);
  const negMax = cos.neg.reduce((a, b) => Math.max(a, b), -1);
  const posMin = all(cos.pos).reduce((a, b) => Math.min(a, b), 1);
  console.log(`\ndescriptor: highest unrelated cosine ${negMax.toFixed(4)}; lowest duplicate cosine ${posMin.toFixed(4)}`);
  console.log(`at cosine ≥ ${negMax.toFixed(4)} (no false positive in this set): ${pct(rate(all(cos.pos), negMax))} of duplicates found`);
  return stored.length + queries.length;
}
