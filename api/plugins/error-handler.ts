import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';

/** Prisma codes of a database it cannot reach: P1001 unreachable, P1002 timed out, P1017 connection closed. */
const PRISMA_DOWN = new Set(['P1001', 'P1002', 'P1017']);
/** Driver-adapter error kinds of the same failures (Prisma's `meta.driverAdapterError.cause.kind`). */
const ADAPTER_DOWN = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** SQLSTATEs of a server going away: class 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up). */
const SQLSTATE_DOWN = /^(08|57P0[1-3])/;
/**
 * node-postgres's own errors for a connection lost mid-query or a pooled client left broken by it.
 * They carry no code; the driver adapter passes them through and Prisma may wrap them, message and all.
 */
const PG_CONNECTION_LOST = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/;

/**
 * True when `err` says Postgres is unreachable or went away (not that a query
 * was wrong): the request may succeed once the database is back, so it is a 503.
 * Looks at Prisma errors, their driver-adapter cause and raw `pg` errors.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message, meta } = e as { code?: unknown; name?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string } } } };
    if (typeof code === 'string' && typeof name === 'string' && name.startsWith('PrismaClient') && PRISMA_DOWN.has(code)) return true;
    const cause = meta?.driverAdapterError?.cause;
    if (cause && (ADAPTER_DOWN.has(cause.kind ?? '') || SQLSTATE_DOWN.test(cause.code ?? ''))) return true;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && SQLSTATE_DOWN.test(code)) return true;
    if (typeof message === 'string' && PG_CONNECTION_LOST.test(message)) return true;
  }
  return false;
}

/**
 * True when Prisma gave up on an interactive transaction because the database was too busy:
 * no pooled connection within maxWait, or the transaction outlived its timeout (P2028). It was
 * rolled back, so the request changed nothing and may be retried.
 */
export function isDatabaseBusy(err: unknown): boolean {
  const { code, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  return code === 'P2028' && typeof name === 'string' && name.startsWith('PrismaClient');
}

const SOCKET_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True when the object store could not be reached or failed on its side: an AWS
 * SDK error (it carries `$metadata`) that is a socket failure, a timeout or a 5xx.
 */
export function isStorageUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object' || !('$metadata' in err)) return false;
  const { code, name, $metadata } = err as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
  return SOCKET_DOWN.has(code ?? '') || name === 'TimeoutError' || ($metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * True when an ioredis command gave up because Redis is unreachable: it failed
 * after `maxRetriesPerRequest` reconnect attempts, or its connection closed.
 * The rate limiter runs with skipOnError: false, so /api/ fails closed on this.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const { name, message } = (err ?? {}) as { name?: string; message?: string };
  return name === 'MaxRetriesPerRequestError' || message === 'Connection is closed.';
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

/**
 * One place turns every failure into `{ error: { code, message, details?, requestId } }`.
 * Below 500 the caller gets the details; at 500 and above only a generic message
 * (the full error is logged with the request id).
 */
export default fp(async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | ApiError | Error, req, reply) => {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'internal error';
    let details: unknown;
    if (err instanceof ApiError) {
      ({ statusCode: status, code, message, details } = err);
    } else if ('validation' in err && err.validation) {
      status = 400;
      code = 'VALIDATION_FAILED';
      message = err.message;
      details = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message, params: v.params }));
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      status = err.statusCode;
      code = (err as FastifyError).code?.replace(/^FST_ERR_/, '') || 'BAD_REQUEST';
      message = err.message;
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      code = 'DATABASE_UNAVAILABLE';
      message = 'the database is unavailable, retry later';
    } else if (isDatabaseBusy(err)) {
      status = 503;
      code = 'DATABASE_BUSY';
      message = 'the database is busy, retry later';
    } else if (isStorageUnavailable(err)) {
      status = 503;
      code = 'STORAGE_UNAVAILABLE';
      message = 'object storage is unavailable, retry later';
    } else if (isRedisUnavailable(err)) {
      status = 503;
      code = 'REDIS_UNAVAILABLE';
      message = 'Redis is unavailable, retry later';
    }
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code, status }, 'request rejected');
    const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }), requestId: req.id } };
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}`, requestId: req.id } };
    return reply.status(404).send(body);
  });
});
