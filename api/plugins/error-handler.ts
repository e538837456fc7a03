import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';

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
