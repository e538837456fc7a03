// Keyset pagination over (created_at, id): an opaque cursor names the last row
// of a page, so pages stay stable while new rows arrive.
import { ApiError } from '../api/errors.ts';

export interface Position {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeCursor = (p: Position) => Buffer.from(`${p.createdAt.getTime()}.${p.id}`).toString('base64url');

/** The position a cursor names; a malformed cursor is a 400. */
export function decodeCursor(cursor: string): Position {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString().split('.');
  const createdAt = new Date(Number(ms));
  if (!id || !UUID.test(id) || !/^\d{1,15}$/.test(ms ?? '') || Number.isNaN(createdAt.getTime())) {
    throw new ApiError(400, 'BAD_CURSOR', 'cursor is not one this API returned');
  }
  return { createdAt, id };
}

/** Prisma filter for rows strictly after `p` in the given order. */
export function after(p: Position, order: 'asc' | 'desc') {
  const op = order === 'asc' ? 'gt' : 'lt';
  return { OR: [{ createdAt: { [op]: p.createdAt } }, { createdAt: p.createdAt, id: { [op]: p.id } }] };
}

/** Splits a `limit + 1` fetch into the page and the cursor of the next one (null on the last page). */
export function pageOf<T extends Position>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
