import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaceResult } from '@vladmandic/human';
import { facesStage, MIN_LIVENESS } from './faces.ts';

/** The fields of human's face result the stage reads (the rest, mesh, embedding, … play no part). */
const face = (live: number | undefined, real: number | undefined): FaceResult =>
  ({ live, real, boxRaw: [0.25, 0.125, 0.5, 0.375] }) as unknown as FaceResult;

describe('faces stage: screen or print re-photo from liveness', () => {
  it('raises no flag without a face', () => {
    assert.deepEqual(facesStage([]), { flags: [], detail: { count: 0, liveness: 1, spoofScore: 0, boxes: [] } });
  });

  it('flags the image when any face\'s liveness is below MIN_LIVENESS', () => {
    assert.deepEqual(facesStage([face(0.9, 0.8), face(MIN_LIVENESS - 0.01, 0.8)]).flags, ['screen_or_print_photo']);
    assert.deepEqual(facesStage([face(0.9, 0.8), face(MIN_LIVENESS, 0.8)]).flags, []);
  });

  it('records the antispoof score without judging it', () => {
    const { flags, detail } = facesStage([face(0.95, 0.1)]);
    assert.deepEqual(flags, []);
    assert.equal(detail.spoofScore, 0.9);
    assert.equal(detail.liveness, 0.95);
    assert.deepEqual(detail.boxes, [[0.25, 0.125, 0.5, 0.375]]);
  });

  it('treats a face without liveness or antispoof result as live and real', () => {
    assert.deepEqual(facesStage([face(undefined, undefined)]), { flags: [], detail: { count: 1, liveness: 1, spoofScore: 0, boxes: [[0.25, 0.125, 0.5, 0.375]] } });
  });
});
