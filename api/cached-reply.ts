import type { FastifyReply } from 'fastify';
import type { ReadCache } from '../lib/read-cache.ts';

/**
 * Sends the route's 200 body from `cache` (key `key`, `ttlS`), computing it with
 * `view()` and the route's response serializer on a miss. Errors `view()` throws
 * are answered as usual and never cached.
 */
export async function sendCached(reply: FastifyReply, cache: ReadCache, key: string, ttlS: number, view: () => Promise<unknown>): Promise<FastifyReply> {
  const body = await cache.get(key, ttlS, async () => String(reply.serialize(await view()))); // a JSON serializer's output is a string
  return reply.type('application/json; charset=utf-8').send(body);
}
