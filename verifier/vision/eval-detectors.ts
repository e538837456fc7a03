// The detector stages of the vision pipeline on a labelled set whose truth is
// known by construction (verifier/vision/eval-labelled.ts): per stage, the
// hit rate on positives and the false-flag rate on negatives, with n. Part
// of npm run vision:eval; figures are printed, never asserted.
import { decodeImage } from './decode.ts';
import { applyEdit, renderedScene } from './eval-images.ts';
import {
  DEGRADATIONS, EMPTY_PICTURES, emptyLandscape, emptyPicture, FACE_CELLS, faceInScene, NATIVE_PHOTOS, nativePhoto, PEOPLE_PHOTOS, peoplePhoto, portrait, printedPhoto,
} from './eval-labelled.ts';
import { MIN_LIVENESS, type FaceBox } from './faces.ts';
import { EXPECTED_OBJECTS, type MissionType } from './mission-objects.ts';
import type { VisionModels } from './models.ts';
import { analyseImage, type VisionAnalysis } from './pipeline.ts';
import { QUALITY_LIMITS, qualityStage } from './quality.ts';
import { UNSAFE_THRESHOLD } from './unsafe.ts';
import { faceBoxes } from './video.ts';

export interface DetectorEvalSize {
  /** Grid faces pasted into rendered scenes (cycling through FACE_SIDES). */
  pastedFaces: number;
  /** Portraits, each also shown as a screen re-photo and as a printed photo. */
  portraits: number;
  /** Rendered scenes with no face (figures with featureless round heads). */
  faceNegatives: number;
  /** Empty rendered landscapes: no person, no object. */
  landscapes: number;
  /** Rendered scenes each degraded by every DEGRADATIONS entry (quality stage only, no model). */
  qualityBases: number;
}

export const FULL_SIZE: DetectorEvalSize = { pastedFaces: 36, portraits: 16, faceNegatives: 24, landscapes: 12, qualityBases: 24 };
export const QUICK_SIZE: DetectorEvalSize = { pastedFaces: 12, portraits: 6, faceNegatives: 8, landscapes: 4, qualityBases: 8 };

/** Side in pixels of a pasted face in the 800×600 scene. */
const FACE_SIDES = [48, 96, 192];

interface Row {
  stage: string;
  finding: string;
  set: string;
  positive: boolean;
  hits: number;
  n: number;
}

const pct = (k: number, n: number) => (n ? `${((k / n) * 100).toFixed(1).padStart(5)} %` : '    – ');

/** Does a detected box contain the centre of the pasted face? */
const covers = (b: FaceBox, truth: FaceBox) => {
  const cx = truth[0] + truth[2] / 2;
  const cy = truth[1] + truth[3] / 2;
  return cx >= b[0] && cx <= b[0] + b[2] && cy >= b[1] && cy <= b[1] + b[3];
};

const count = <T>(items: T[], pred: (x: T) => boolean) => items.filter(pred).length;
const detectedLabels = (a: VisionAnalysis) => ((a.stages.find((s) => s.stage === 'objects')?.detail.detected ?? []) as { label: string }[]).map((d) => d.label);
const fitsMission = (a: VisionAnalysis, m: MissionType) => detectedLabels(a).some((l) => (EXPECTED_OBJECTS[m] as readonly string[]).includes(l));
const spoofed = (a: VisionAnalysis) => a.flags.includes('screen_or_print_photo');
const hasFace = (a: VisionAnalysis) => faceBoxes(a).length > 0;
/** "label k, label k" over the images that show each label, most frequent first. */
function tally(lists: string[][]): string {
  const k = new Map<string, number>();
  for (const l of lists) for (const x of new Set(l)) k.set(x, (k.get(x) ?? 0) + 1);
  return [...k].sort((a, b) => b[1] - a[1]).map(([x, n]) => `${x} ${n}`).join(', ') || 'none';
}

/** Runs the labelled set through the stages and prints the tables. Returns the number of images analysed. */
export async function evalDetectors(models: VisionModels, size: DetectorEvalSize): Promise<number> {
  const analysed: VisionAnalysis[] = [];
  // Every stage runs on every image (as in the verifier); the mission type only names which objects are expected, re-read below per type.
  const analyse = async (bytes: Buffer) => {
    const a = await analyseImage(models, bytes, 'cleanup');
    analysed.push(a);
    return a;
  };
  const rows: Row[] = [];

  // Faces: a grid face pasted at a known box, per size; portraits; images with no face.
  const pastedBySide = new Map<number, { a: VisionAnalysis; box: FaceBox }[]>(FACE_SIDES.map((s) => [s, []]));
  for (let i = 0; i < size.pastedFaces; i++) {
    const side = FACE_SIDES[i % FACE_SIDES.length] ?? 96;
    const { bytes, box } = await faceInScene((i * 7) % FACE_CELLS, side, 20_000 + i);
    pastedBySide.get(side)?.push({ a: await analyse(bytes), box });
  }
  for (const [side, items] of pastedBySide)
    rows.push({ stage: 'faces', finding: 'the pasted face found', set: `grid face pasted at ${side} px into a rendered scene`, positive: true, hits: count(items, ({ a, box }) => faceBoxes(a).some((b) => covers(b, box))), n: items.length });
  const pasted = [...pastedBySide.values()].flat();
  rows.push({ stage: 'faces', finding: 'a face found elsewhere', set: 'the same scenes (nothing but the pasted face is a face)', positive: false, hits: count(pasted, ({ a, box }) => faceBoxes(a).some((b) => !covers(b, box))), n: pasted.length });

  const portraits: { direct: VisionAnalysis; screen: VisionAnalysis; print: VisionAnalysis }[] = [];
  for (let i = 0; i < size.portraits; i++) {
    const bytes = await portrait((i * 11 + 5) % FACE_CELLS, 21_000 + i);
    portraits.push({ direct: await analyse(bytes), screen: await analyse(await applyEdit(bytes, 'screen', 22_000 + i)), print: await analyse(await printedPhoto(bytes, 23_000 + i)) });
  }
  const direct = portraits.map((p) => p.direct);
  rows.push({ stage: 'faces', finding: '≥ 1 face found', set: 'portrait: grid face at 360 px on a defocused scene', positive: true, hits: count(direct, hasFace), n: direct.length });

  const scenes: VisionAnalysis[] = [];
  for (let i = 0; i < size.faceNegatives; i++) scenes.push(await analyse(await renderedScene(30_000 + i)));
  const empty: VisionAnalysis[] = [];
  for (let i = 0; i < EMPTY_PICTURES; i++) empty.push(await analyse(await emptyPicture(i)));
  for (let i = 0; i < size.landscapes; i++) empty.push(await analyse(await emptyLandscape(31_000 + i)));
  rows.push({ stage: 'faces', finding: 'any face found', set: 'rendered scenes (drawn figures, featureless heads)', positive: false, hits: count(scenes, hasFace), n: scenes.length });
  rows.push({ stage: 'faces', finding: 'any face found', set: 'screenshots, stamp, icon, empty landscapes', positive: false, hits: count(empty, hasFace), n: empty.length });

  // Spoof: the flag needs a detected face, so rates are over images where one was found, and over all (the pipeline's view).
  for (const [kind, xs] of [['screen re-photo', portraits.map((p) => p.screen)], ['printed photo', portraits.map((p) => p.print)]] as const) {
    rows.push({ stage: 'spoof', finding: 'screen_or_print_photo', set: `${kind} of a portrait, where a face was found`, positive: true, hits: count(xs.filter(hasFace), spoofed), n: xs.filter(hasFace).length });
    rows.push({ stage: 'spoof', finding: 'screen_or_print_photo', set: `${kind} of a portrait, all`, positive: true, hits: count(xs, spoofed), n: xs.length });
  }
  const people: VisionAnalysis[] = [];
  for (let i = 0; i < PEOPLE_PHOTOS; i++) people.push(await analyse(await peoplePhoto(i)));
  const genuine = [direct, pasted.map((p) => p.a), people];
  for (const [set, xs] of [['portraits', direct], ['grid faces pasted into scenes', pasted.map((p) => p.a)], ['shipped photos of people', people]] as const)
    rows.push({ stage: 'spoof', finding: 'screen_or_print_photo', set: `${set} (not re-photographed), face found`, positive: false, hits: count(xs.filter(hasFace), spoofed), n: xs.filter(hasFace).length });

  // Unsafe: nothing here is unsafe, so only its false flags are measured.
  rows.push({ stage: 'unsafe', finding: 'unsafe_content', set: 'every image above (all clean)', positive: false, hits: count(analysed, (a) => a.flags.includes('unsafe_content')), n: analysed.length });

  printRows(rows);
  printSpoofThresholds(portraits.map((p) => p.screen), portraits.map((p) => p.print), genuine.flat());
  printObjects(people, direct, empty, scenes);
  const unsafeMax = analysed.reduce((m, a) => Math.max(m, Number(a.stages.find((s) => s.stage === 'unsafe')?.detail.score ?? 0)), 0);
  console.log(`unsafe: highest score on a clean image ${unsafeMax.toFixed(3)} (flag at ≥ ${UNSAFE_THRESHOLD}); no unsafe image is generated, so its recall is not measured here`);
  const qualityImages = await evalQuality(size.qualityBases);
  return analysed.length + qualityImages;
}

function printRows(rows: Row[]): void {
  console.log('\ndetector stages on a labelled set (truth known by construction: verifier/vision/eval-labelled.ts; + positive, − negative)');
  console.log(`${'stage'.padEnd(8)}${'finding'.padEnd(24)}${'images'.padEnd(64)}${'hit rate'.padStart(9)}${'false flags'.padStart(13)}${'n'.padStart(5)}`);
  for (const r of rows)
    console.log(`${r.stage.padEnd(8)}${r.finding.padEnd(24)}${`${r.positive ? '+' : '−'} ${r.set}`.padEnd(64)}${(r.positive ? pct(r.hits, r.n) : '').padStart(9)}${(r.positive ? '' : pct(r.hits, r.n)).padStart(13)}${String(r.n).padStart(5)}`);
  console.log('labels: the grid faces are ones human\'s own demo once extracted (~100 px, enlarged), so face recall is optimistic for such faces;');
  console.log('screen and print re-photos are simulations (eval-images.ts screen, eval-labelled.ts printedPhoto), not camera captures; n is small: read rates ± a few images');
}

/** A number from the faces stage's detail. */
const facesDetail = (a: VisionAnalysis, key: 'liveness' | 'spoofScore') => Number(a.stages.find((s) => s.stage === 'faces')?.detail[key]);

/** Catch rate on screen / print re-photos against false flags on faces never re-photographed, per threshold on liveness and on antispoof, over images where a face was found. */
function printSpoofThresholds(screen: VisionAnalysis[], print: VisionAnalysis[], genuine: VisionAnalysis[]): void {
  const [s, p, g] = [screen, print, genuine].map((xs) => xs.filter(hasFace)) as [VisionAnalysis[], VisionAnalysis[], VisionAnalysis[]];
  console.log(`\nspoof thresholds (images with a face found): + screen re-photos (${s.length}), + printed photos (${p.length}), − faces never re-photographed (${g.length}: portraits, pasted grid faces, photos of people)`);
  console.log(`${'rule: flag when any face has'.padEnd(34)}${'screen caught'.padStart(14)}${'print caught'.padStart(14)}${'false flags'.padStart(13)}`);
  const line = (rule: string, flagged: (a: VisionAnalysis) => boolean) =>
    console.log(`${rule.padEnd(34)}${pct(count(s, flagged), s.length).padStart(14)}${pct(count(p, flagged), p.length).padStart(14)}${pct(count(g, flagged), g.length).padStart(13)}`);
  for (const t of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    line(`liveness < ${t.toFixed(1)}${t === MIN_LIVENESS ? ' (the stage\'s rule)' : ''}`, (a) => facesDetail(a, 'liveness') < t);
  for (const t of [0.3, 0.4, 0.5, 0.6]) line(`antispoof real < ${t.toFixed(1)}`, (a) => 1 - facesDetail(a, 'spoofScore') < t);
  line('liveness < 0.5 or real < 0.5 (before)', (a) => facesDetail(a, 'liveness') < 0.5 || 1 - facesDetail(a, 'spoofScore') < 0.5);
  console.log('the stage\'s rule was picked on this very set, so its row is optimistic; n is small: read rates ± a few images');
}

/** Objects: a person (every mission type expects one) vs pictures with no COCO object; per mission type. */
function printObjects(people: VisionAnalysis[], portraits: VisionAnalysis[], empty: VisionAnalysis[], scenes: VisionAnalysis[]): void {
  console.log('\nobjects: share of images where the stage found an object the mission type expects (so no no_expected_objects flag)');
  console.log(`${'mission'.padEnd(12)}${`+ photos of people (${people.length})`.padStart(26)}${`+ portraits (${portraits.length})`.padStart(20)}${`− no object (${empty.length})`.padStart(20)}`);
  for (const m of Object.keys(EXPECTED_OBJECTS) as MissionType[])
    console.log(`${m.padEnd(12)}${pct(count(people, (a) => fitsMission(a, m)), people.length).padStart(26)}${pct(count(portraits, (a) => fitsMission(a, m)), portraits.length).padStart(20)}${pct(count(empty, (a) => fitsMission(a, m)), empty.length).padStart(20)}`);
  console.log(`labels found on the photos of people (images): ${tally(people.map(detectedLabels))}`);
  console.log(`labels found on the no-object pictures: ${tally(empty.map(detectedLabels))}; on rendered scenes (houses, trees, figures, litter): ${tally(scenes.map(detectedLabels))}`);
}

/** Quality: the stage alone (no model) on each degradation of sharp rendered scenes and native-resolution photos. Returns the number of images. */
async function evalQuality(renderedBases: number): Promise<number> {
  const bases: { kind: 'rendered' | 'photo'; bytes: Buffer }[] = [];
  for (let i = 0; i < renderedBases; i++) bases.push({ kind: 'rendered', bytes: await renderedScene(32_000 + i) });
  for (let i = 0; i < NATIVE_PHOTOS; i++) bases.push({ kind: 'photo', bytes: await nativePhoto(i) });
  console.log(`\nquality: flags raised on degraded copies of ${renderedBases} rendered scenes (800×600) and ${NATIVE_PHOTOS} shipped photos at native resolution (~800×600)`);
  console.log(`edge sharpness: lowest–highest over the images (blurry below ${QUALITY_LIMITS.minEdgeSharpness}, judged only when the exposure is right)`);
  console.log(`${'degradation'.padEnd(24)}${'expected flag'.padEnd(16)}${'rendered'.padStart(10)}${'photos'.padStart(10)}${'edge sharpness'.padStart(16)}   other flags raised (images)`);
  for (const deg of DEGRADATIONS) {
    const results: { kind: string; flags: string[]; edgeSharpness: number }[] = [];
    for (const b of bases) {
      const decoded = await decodeImage(await deg.apply(b.bytes));
      decoded.tensor.dispose();
      const { flags, detail } = qualityStage(decoded);
      results.push({ kind: b.kind, flags, edgeSharpness: detail.edgeSharpness });
    }
    // Expected flag: its hit rate; none expected: the share with any flag (false flags).
    const rate = (kind: string) => {
      const xs = results.filter((f) => f.kind === kind);
      return pct(count(xs, (f) => (deg.expected ? f.flags.includes(deg.expected) : f.flags.length > 0)), xs.length);
    };
    const sharpness = results.map((r) => r.edgeSharpness);
    const range = `${Math.min(...sharpness).toFixed(2)}–${Math.max(...sharpness).toFixed(2)}`;
    const others = results.map((f) => f.flags.filter((x) => x !== deg.expected));
    console.log(`${deg.name.padEnd(24)}${(deg.expected ?? 'none (− rate)').padEnd(16)}${rate('rendered').padStart(10)}${rate('photo').padStart(10)}${range.padStart(16)}   ${tally(others)}`);
  }
  return bases.length * DEGRADATIONS.length;
}
