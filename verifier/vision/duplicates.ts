import type { RuleResult } from '../context.ts';
import type { Queryable } from '../media/index.ts';
import type { VisionCheck, VisionVerdict } from './check.ts';
import { describeImage, descriptorVersion } from './descriptor.ts';
import { DuplicateIndex, storeDescriptor, type VisualMatch } from './dup-index.ts';
import { loadSnapshot, type SnapshotLog, type SnapshotOptions } from './dup-snapshot.ts';
import type { VisionModels } from './models.ts';

export const VISUAL_DUPLICATE = 'visual_duplicate';
/**
 * Soft: it sends the proof to review rather than rejecting it. In
 * `npm run vision:eval` (149,250 unrelated pairs) no unrelated pair reaches the
 * default threshold 0.83 (highest unrelated 0.8245; the ≤ 0.1 % FPR point is 0.74), but a few hundred
 * images cannot show the false-positive rate against a million stored ones.
 */
export const VISUAL_DUPLICATE_SEVERITY: RuleResult['severity'] = 'soft';

const NONE: VisionVerdict = { rules: [], reject: false, confidenceFactor: 1 };

/** The verdict for one image's nearest match of another action: a failed `visual_duplicate` rule at or above `minSimilarity`. */
export function duplicateVerdict(match: VisualMatch | null, minSimilarity: number): VisionVerdict {
  if (!match || match.similarity < minSimilarity) return NONE;
  const detail = `looks like evidence ${match.evidenceId} of action ${match.actionId} (cosine ${match.similarity.toFixed(3)})`;
  return { rules: [{ name: VISUAL_DUPLICATE, passed: false, severity: VISUAL_DUPLICATE_SEVERITY, detail }], reject: false, confidenceFactor: 1 };
}

/**
 * The near-duplicate hook, shaped like the vision check: takes the image's
 * descriptor from the stages (or describes it), catches the index up with every descriptor committed by any
 * worker, looks for the most similar image of another action, then appends
 * this image's descriptor. Non-images and undecodable bytes yield nothing.
 */
export function createDuplicateCheck(models: VisionModels, db: Queryable, index: DuplicateIndex, minSimilarity: number): VisionCheck {
  return async (e) => {
    if (!e.mediaType.startsWith('image/')) return NONE;
    const descriptor = e.descriptor ?? (await describeImage(models, e.bytes).catch(() => undefined));
    if (!descriptor) return NONE;
    await index.catchUp();
    const match = index.nearest(descriptor, e.actionId);
    await storeDescriptor(db, e.evidenceId, e.actionId, index.modelVersion, descriptor);
    return duplicateVerdict(match, minSimilarity);
  };
}

/**
 * Loads the worker's index (at start) and returns the hook: from the newest
 * snapshot when `snapshots` is given and it is usable, else built from every
 * stored descriptor of the models' version; then caught up from Postgres.
 */
export async function loadDuplicateCheck(
  models: VisionModels,
  db: Queryable,
  minSimilarity: number,
  snapshots?: { options: SnapshotOptions; log: SnapshotLog },
): Promise<{ check: VisionCheck; index: DuplicateIndex }> {
  const version = descriptorVersion(models);
  const index = (snapshots && (await loadSnapshot(db, version, snapshots.options, snapshots.log))) ?? new DuplicateIndex(db, version);
  await index.catchUp();
  return { check: createDuplicateCheck(models, db, index, minSimilarity), index };
}
