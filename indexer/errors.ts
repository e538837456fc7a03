/** A failure worth retrying after a pause (RPC hiccup, a log from a block that was just replaced). */
export class RetryableError extends Error {
  override name = 'RetryableError';
}

/** A failure that retrying cannot fix (reorg deeper than finality, missing deployment): stop the process. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

export const isNonRetryable = (err: unknown): err is NonRetryableError => err instanceof NonRetryableError;
