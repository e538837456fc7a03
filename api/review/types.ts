// The human review queue: items of several kinds (proofs the verifier could not decide; others may
// join: each kind lists its pending items and records one decision per item, append-only).
export const REVIEW_KINDS = ['proof'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
export type Decision = 'approve' | 'reject';

export interface ReviewQuery {
  kind: ReviewKind;
  /** A flag the item carries, e.g. `hard:geofence` or just `geofence`. */
  flag?: string;
  zoneId?: string;
  limit: number;
  offset: number;
}

export interface ReviewPage<Item> {
  items: Item[];
  total: number;
}

export interface DecisionInput {
  kind: ReviewKind;
  id: string;
  decision: Decision;
  reason: string;
  reviewerId: string;
  ip: string | null;
}

export interface ReviewOutcome {
  kind: ReviewKind;
  id: string;
  decision: Decision;
  reason: string;
  reviewerId: string;
  decidedAt: string;
}
