import { HttpRequestError } from 'viem';

/** A failure worth retrying after a pause (RPC hiccup, a log from a block that was just replaced). */
export class RetryableError extends Error {
  override name = 'RetryableError';
}

/** A failure that retrying cannot fix (reorg deeper than finality, missing deployment): stop the process. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

/**
 * JSON-RPC codes the same request can never succeed with: invalid request, method not found,
 * invalid params, method not supported (EIP-1474).
 */
const FATAL_RPC_CODES = new Set([-32600, -32601, -32602, -32004]);
/** HTTP statuses that say the endpoint or its credentials are wrong, not that it is busy. */
const FATAL_HTTP_STATUSES = new Set([400, 401, 403, 404, 405]);

/**
 * Whether the indexer should pause and try the step again. Retryable: dropped connections, timeouts,
 * HTTP 408/429/5xx, truncated or garbled response bodies, node-side errors (-32603, -32005 limit exceeded, -32000),
 * Postgres being unavailable. Not retryable: `NonRetryableError`, and RPC answers that mean the request
 * itself is wrong (the codes and statuses above) — retrying those would hide a misconfiguration.
 */
export function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof NonRetryableError) return false;
    if (e instanceof RetryableError) return true;
    if (e instanceof HttpRequestError && e.status !== undefined && FATAL_HTTP_STATUSES.has(e.status)) return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && FATAL_RPC_CODES.has(code)) return false;
  }
  return true;
}

/** Whether the RPC answered HTTP 429 (anywhere in the cause chain). */
export function isRateLimited(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if ((e as { status?: unknown }).status === 429) return true;
  }
  return false;
}
