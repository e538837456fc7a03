// The 'comment' kind of the review queue: comments moderation held back (status pending),
// decided through community/review.ts (approve → visible, reject → hidden; audited).
import { moderationItem, reviewComment } from '../../community/review.ts';
import type { Db } from '../../lib/db.ts';
import type { DecisionInput, ReviewOutcome, ReviewPage, ReviewQuery } from './types.ts';

export type CommentReviewItem = ReturnType<typeof moderationItem>;

/** Oldest first; `flag` matches the moderation flag (a `hard:`/`soft:` prefix is ignored: comment flags have no severity); `zoneId` is the comment's zone. */
export async function listCommentReviews(db: Db, q: ReviewQuery): Promise<ReviewPage<CommentReviewItem>> {
  const flag = q.flag?.replace(/^(hard|soft):/, '');
  const where = { status: 'pending' as const, ...(q.zoneId ? { zoneId: q.zoneId } : {}), ...(flag ? { flags: { has: flag } } : {}) };
  const [rows, total] = await Promise.all([
    db.comment.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: q.limit, skip: q.offset }),
    db.comment.count({ where }),
  ]);
  return { items: rows.map(moderationItem), total };
}

/** One decision per comment: the same decision again returns the first outcome; a different one answers 409 ALREADY_DECIDED. */
export async function decideComment(db: Db, input: DecisionInput): Promise<ReviewOutcome> {
  const { comment } = await reviewComment(db, {
    commentId: input.id, adminId: input.reviewerId, decision: input.decision === 'approve' ? 'approve' : 'hide', reason: input.reason, ...(input.ip ? { ip: input.ip } : {}),
  }, new Date(), { once: true });
  return {
    kind: 'comment', id: comment.id, decision: input.decision, reason: comment.reviewReason ?? input.reason,
    reviewerId: comment.reviewerId ?? input.reviewerId, decidedAt: (comment.reviewedAt ?? new Date()).toISOString(),
  };
}
