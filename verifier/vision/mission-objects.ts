import type { ObjectType } from '@vladmandic/human';

/** Mission types (api/routes/schemas.ts MISSION_TYPES). */
export type MissionType = 'cleanup' | 'planting' | 'recycling' | 'education' | 'care' | 'water' | 'energy';

/**
 * What a proof photo of each mission type is expected to show, in the COCO
 * classes the packaged centernet detector knows. At least one of them must
 * be detected; otherwise the proof is flagged `no_expected_objects`.
 * Versioned data: change it here, in one place.
 */
export const EXPECTED_OBJECTS: Record<MissionType, readonly ObjectType[]> = {
  cleanup: ['person', 'bottle', 'cup', 'handbag', 'backpack', 'suitcase', 'bench', 'truck', 'umbrella', 'wine glass', 'bowl'],
  planting: ['potted plant', 'person', 'vase', 'bench', 'broccoli', 'bird'],
  recycling: ['bottle', 'cup', 'wine glass', 'bowl', 'book', 'cell phone', 'laptop', 'tv', 'keyboard', 'mouse', 'remote', 'scissors', 'person'],
  education: ['book', 'laptop', 'person', 'chair', 'dining table', 'tv', 'clock', 'scissors', 'keyboard', 'mouse'],
  care: ['person', 'dog', 'cat', 'bird', 'horse', 'sheep', 'cow', 'bed', 'bench', 'couch', 'chair', 'teddy bear', 'cup', 'bowl'],
  water: ['bottle', 'cup', 'bowl', 'boat', 'sink', 'surfboard', 'bird', 'person', 'toilet'],
  energy: ['tv', 'laptop', 'refrigerator', 'microwave', 'oven', 'toaster', 'car', 'bicycle', 'cell phone', 'clock', 'traffic light', 'person'],
};

export function isMissionType(v: string): v is MissionType {
  return Object.hasOwn(EXPECTED_OBJECTS, v);
}
