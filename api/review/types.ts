// The human review queue: items of several kinds (proofs the verifier could not decide, comments
// moderation held back): each kind lists its pending items and records one decision per item.
export const REVIEW_KINDS = ['proof', 'comment'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
export type Decision = 'approve' | 'reject';

export interface ReviewQuery {
  /** One kind, or every kind merged oldest first. */
  kind?: ReviewKind;
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
