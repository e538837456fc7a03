// Comments on zone communities and on actions: the write pipeline
// (idempotency, repeat-offender limit, moderation) and the public listing.
import { ApiError, conflict, notFound } from '../api/errors.ts';
import type { Db } from '../lib/db.ts';
import type { Comment } from '../lib/generated/prisma/client.ts';
import { after, decodeCursor, pageOf } from './cursor.ts';
import { MODERATION_VERSION, moderateComment } from './moderation.ts';

export const COMMENT_MAX_CHARS = 1000;
/**
 * A player with this many held-back comments (flagged and not approved by an
 * admin, or hidden by one) within OFFENDER_WINDOW_MS may not comment until the
 * oldest of them leaves the window.
 */
export const OFFENDER_LIMIT = 3;
export const OFFENDER_WINDOW_MS = 24 * 3_600_000;

export interface CommentInput {
  authorId: string;
  clientKey: string;
  body: string;
  zoneId?: string;
  actionId?: string;
}

const sameRequest = (c: Comment, input: CommentInput, body: string) =>
  c.body === body && (input.actionId ? c.actionId === input.actionId : c.actionId === null && c.zoneId === input.zoneId);

/** The zone a comment belongs to: the given zone, or the zone of the action's mission. */
async function targetZone(db: Db, input: CommentInput): Promise<string> {
  if (input.actionId) {
    const action = await db.action.findUnique({ where: { id: input.actionId }, select: { mission: { select: { zoneId: true } } } });
    if (!action) throw notFound('action');
    return action.mission.zoneId;
  }
  const zone = input.zoneId ? await db.zone.findUnique({ where: { id: input.zoneId }, select: { id: true } }) : null;
  if (!zone) throw notFound('zone');
  return zone.id;
}

/**
 * Stores a comment once per (author, clientKey): a retry with the same key and
 * content returns the stored comment (`created: false`), other content under
 * the key is a 409. Flagged comments are stored `pending` (hidden until an
 * admin decides); repeat offenders get a 429 and nothing is stored.
 */
export async function postComment(db: Db, input: CommentInput, now = new Date()): Promise<{ comment: Comment; created: boolean }> {
  const body = input.body.trim();
  if (!body) throw new ApiError(400, 'EMPTY_COMMENT', 'a comment needs some text');
  const replay = async () => {
    const existing = await db.comment.findUnique({ where: { authorId_clientKey: { authorId: input.authorId, clientKey: input.clientKey } } });
    if (existing && !sameRequest(existing, input, body)) throw conflict('IDEMPOTENCY_KEY_REUSED', 'this client key was used for a different comment');
    return existing;
  };
  const earlier = await replay();
  if (earlier) return { comment: earlier, created: false };
  const zoneId = await targetZone(db, input);
  const verdict = moderateComment(body);
  try {
    const comment = await db.$transaction(async (tx) => {
      // One writer per author at a time, so concurrent posts cannot slip past the offender limit.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`comment:${input.authorId}`}, 0))::text`;
      const since = new Date(now.getTime() - OFFENDER_WINDOW_MS);
      const held = await tx.comment.findMany({
        where: { authorId: input.authorId, status: { not: 'visible' }, createdAt: { gte: since } },
        orderBy: { createdAt: 'asc' }, select: { createdAt: true }, take: OFFENDER_LIMIT,
      });
      const oldest = held[0];
      if (held.length >= OFFENDER_LIMIT && oldest) {
        const retryAt = new Date(oldest.createdAt.getTime() + OFFENDER_WINDOW_MS);
        throw new ApiError(429, 'REPEAT_OFFENDER', 'too many of your recent comments were held for moderation; try again later',
          { heldComments: held.length, windowHours: OFFENDER_WINDOW_MS / 3_600_000, retryAt: retryAt.toISOString() });
      }
      return tx.comment.create({
        data: {
          authorId: input.authorId, clientKey: input.clientKey, zoneId, actionId: input.actionId ?? null, body,
          status: verdict.flags.length ? 'pending' : 'visible', flags: verdict.flags,
          sentiment: verdict.sentiment, sentimentScore: verdict.sentimentScore, moderationVersion: MODERATION_VERSION, createdAt: now,
        },
      });
    });
    return { comment, created: true };
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    const raced = await replay();
    if (!raced) throw err;
    return { comment: raced, created: false };
  }
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Visible comments of a zone (its own and its actions'), newest first, with their authors' display names. */
export async function listZoneComments(db: Db, zoneId: string, { limit, cursor }: PageRequest) {
  const rows = await db.comment.findMany({
    where: { zoneId, status: 'visible', ...(cursor ? after(decodeCursor(cursor), 'desc') : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const { items, nextCursor } = pageOf(rows, limit);
  const authors = await db.player.findMany({ where: { id: { in: [...new Set(items.map((c) => c.authorId))] } }, select: { id: true, displayName: true } });
  const names = new Map(authors.map((a) => [a.id, a.displayName]));
  return {
    comments: items.map((c) => ({
      id: c.id, zoneId: c.zoneId, actionId: c.actionId, authorId: c.authorId, authorName: names.get(c.authorId) ?? null,
      body: c.body, sentiment: c.sentiment, createdAt: c.createdAt.toISOString(),
    })),
    nextCursor,
  };
}

/** What the author sees after posting. */
export const ownCommentView = (c: Comment) => ({
  id: c.id, zoneId: c.zoneId, actionId: c.actionId, body: c.body, status: c.status, flags: c.flags,
  sentiment: c.sentiment, createdAt: c.createdAt.toISOString(),
});
