// Dispatches review-queue calls to the module of each item kind.
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { ImpactJobData } from '../../lib/queues.ts';
import type { Storage } from '../../lib/storage.ts';
import { decideProof, listProofReviews, type ProofReviewItem } from './proofs.ts';
import type { DecisionInput, ReviewKind, ReviewOutcome, ReviewPage, ReviewQuery } from './types.ts';

export type ReviewItem = ProofReviewItem;

interface ReviewSource {
  list(q: ReviewQuery): Promise<ReviewPage<ReviewItem>>;
  decide(input: DecisionInput): Promise<ReviewOutcome>;
}

export interface ReviewQueue {
  list(q: ReviewQuery): Promise<ReviewPage<ReviewItem>>;
  decide(input: DecisionInput): Promise<ReviewOutcome>;
}

export function reviewQueue(pool: pg.Pool, storage: Storage, impact: Queue<ImpactJobData>): ReviewQueue {
  const sources: Record<ReviewKind, ReviewSource> = {
    proof: { list: (q) => listProofReviews(pool, storage, q), decide: (input) => decideProof(pool, impact, input) },
  };
  return {
    list: (q) => sources[q.kind].list(q),
    decide: (input) => sources[input.kind].decide(input),
  };
}
