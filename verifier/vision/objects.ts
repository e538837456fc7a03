import type { ObjectResult } from '@vladmandic/human';
import { EXPECTED_OBJECTS, type MissionType } from './mission-objects.ts';
import type { VisionFlag } from './stage.ts';

export interface ObjectsDetail extends Record<string, unknown> {
  missionType: MissionType;
  /** Every detected object: COCO label and score. */
  detected: { label: string; score: number }[];
  /** Detected labels the mission type expects. */
  expected: string[];
}

/** Objects stage: does the photo show something the mission type expects? */
export function objectsStage(objects: ObjectResult[], missionType: MissionType): { flags: VisionFlag[]; detail: ObjectsDetail } {
  const wanted = new Set<string>(EXPECTED_OBJECTS[missionType]);
  const detected = objects.map((o) => ({ label: o.label, score: Math.round(o.score * 1000) / 1000 }));
  const expected = [...new Set(detected.filter((o) => wanted.has(o.label)).map((o) => o.label))].sort();
  return { flags: expected.length === 0 ? ['no_expected_objects'] : [], detail: { missionType, detected, expected } };
}
