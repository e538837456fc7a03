// Dispatches review-queue calls to the module of each item kind; without a kind, lists every kind merged oldest first.
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { Db } from '../../lib/db.ts';
import type { ImpactJobData } from '../../lib/queues.ts';
import type { Storage } from '../../lib/storage.ts';
import { decideComment, listCommentReviews, type CommentReviewItem } from './comments.ts';
import { decideProof, listProofReviews, type ProofReviewItem } from './proofs.ts';
import { REVIEW_KINDS, type DecisionInput, type ReviewKind, type ReviewOutcome, type ReviewPage, type ReviewQuery } from './types.ts';

export type ReviewItem = ProofReviewItem | CommentReviewItem;

interface ReviewSource {
  list(q: ReviewQuery): Promise<ReviewPage<ReviewItem>>;
  decide(input: DecisionInput): Promise<ReviewOutcome>;
}

export interface ReviewQueue {
  list(q: ReviewQuery): Promise<ReviewPage<ReviewItem>>;
  decide(input: DecisionInput): Promise<ReviewOutcome>;
}

/** When an item entered the queue: a proof when the verifier sent it to review, a comment when it was written. */
const queuedAt = (i: ReviewItem) => (i.kind === 'proof' ? i.verifiedAt : i.createdAt);

export function reviewQueue(pool: pg.Pool, db: Db, storage: Storage, impact: Queue<ImpactJobData>): ReviewQueue {
  const sources: Record<ReviewKind, ReviewSource> = {
    proof: { list: (q) => listProofReviews(pool, storage, q), decide: (input) => decideProof(pool, impact, input) },
    comment: { list: (q) => listCommentReviews(db, q), decide: (input) => decideComment(db, input) },
  };
  return {
    async list(q) {
      if (q.kind) return sources[q.kind].list(q);
      // every kind: the first offset + limit of each, merged by queue time, then the page
      const pages = await Promise.all(REVIEW_KINDS.map((k) => sources[k].list({ ...q, kind: k, limit: q.offset + q.limit, offset: 0 })));
      const merged = pages.flatMap((p) => p.items).sort((a, b) => queuedAt(a).localeCompare(queuedAt(b)) || a.id.localeCompare(b.id));
      return { items: merged.slice(q.offset, q.offset + q.limit), total: pages.reduce((n, p) => n + p.total, 0) };
    },
    decide: (input) => sources[input.kind].decide(input),
  };
}
