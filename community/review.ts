// Admin moderation of comments: the queue (items shaped `{ kind: 'comment', ... }`,
// merged into the admin review queue by api/review/comments.ts) and approve/hide
// decisions, each audited in audit_log in the same transaction.
import { conflict, notFound } from '../api/errors.ts';
import type { Db } from '../lib/db.ts';
import type { Comment, CommentStatus } from '../lib/generated/prisma/client.ts';

export type Decision = 'approve' | 'hide';

export const moderationItem = (c: Comment) => ({
  kind: 'comment' as const,
  id: c.id, status: c.status, flags: c.flags, body: c.body, authorId: c.authorId, zoneId: c.zoneId, actionId: c.actionId,
  sentiment: c.sentiment, moderationVersion: c.moderationVersion, createdAt: c.createdAt.toISOString(),
  reviewerId: c.reviewerId, reviewedAt: c.reviewedAt?.toISOString() ?? null, reviewReason: c.reviewReason,
});

export interface ReviewInput {
  commentId: string;
  adminId: string;
  decision: Decision;
  reason: string;
  ip?: string;
}

/**
 * approve → visible, hide → hidden, recorded with the reviewer and reason and
 * one audit_log row. Idempotent: a comment already reviewed into that state is
 * returned unchanged (`changed: false`, no audit row). A later opposite
 * decision is audited like the first, unless `once` (the admin review queue):
 * then a reviewed comment answers 409 ALREADY_DECIDED to a different decision.
 */
export async function reviewComment(db: Db, input: ReviewInput, now = new Date(), o: { once?: boolean } = {}): Promise<{ comment: Comment; changed: boolean }> {
  const target: CommentStatus = input.decision === 'approve' ? 'visible' : 'hidden';
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM comments WHERE id = ${input.commentId}::uuid FOR UPDATE`;
    if (!locked[0]) throw notFound('comment');
    const current = await tx.comment.findUniqueOrThrow({ where: { id: input.commentId } });
    if (current.status === target && current.reviewedAt) return { comment: current, changed: false };
    if (o.once && current.reviewedAt) {
      throw conflict('ALREADY_DECIDED', `comment ${current.id} was already decided (${current.status}) at ${current.reviewedAt.toISOString()}`);
    }
    const comment = await tx.comment.update({
      where: { id: input.commentId },
      data: { status: target, reviewerId: input.adminId, reviewedAt: now, reviewReason: input.reason },
    });
    await tx.auditLog.create({
      data: {
        actorId: input.adminId, action: `moderation.comment.${input.decision}`, target: `comment:${comment.id}`, ip: input.ip ?? null,
        data: { from: current.status, to: target, reason: input.reason, flags: current.flags, authorId: current.authorId },
      },
    });
    return { comment, changed: true };
  });
}
