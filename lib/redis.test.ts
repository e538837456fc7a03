import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { startRedis } from '../scripts/stack/redis.ts';
import { freePort } from '../scripts/stack/free-port.ts';
import { createRedis } from './redis.ts';

/** The next `event` of `redis` (events.once would reject on the error events this test expects). */
const next = (redis: { once(e: string, f: () => void): unknown }, event: string) => new Promise<void>((resolve) => redis.once(event, resolve));

test('a Redis restart is logged once and the client carries on (no unhandled error event)', async () => {
  const port = await freePort();
  let server = await startRedis({ port });
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
  const redis = createRedis(`redis://127.0.0.1:${port}`, { logger });
  try {
    assert.equal(await redis.set('k', 'v'), 'OK');
    assert.ok(redis.listenerCount('error') >= 1);

    await server.stop();
    await next(redis, 'reconnecting');
    await next(redis, 'reconnecting'); // at least one failed reconnect (an error event) has happened
    assert.equal(lines.length, 1, 'one warning per outage, not one per reconnect attempt');
    assert.match(lines[0]!, /redis connection error/);

    const ready = next(redis, 'ready');
    server = await startRedis({ port });
    await ready;
    assert.equal(await redis.set('k', 'w'), 'OK');
  } finally {
    redis.disconnect();
    await server.stop();
  }
});
