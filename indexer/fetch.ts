import type { Hex, Log, PublicClient } from 'viem';
import { isRateLimited, isRetryable, RetryableError } from './errors.ts';

/** Results below this count let the next range double; above `tooMany` it halves. */
const CHEAP = 2_000;
const TOO_MANY = 10_000;

/**
 * eth_getLogs over adaptive block ranges: a range failing retryably (timeout, "too many results",
 * response size limit, dropped or truncated answer) is bisected and the range size halved; cheap
 * ranges grow it again up to `maxRange`. Non-retryable errors and rate limits (429) are not split.
 */
export class LogFetcher {
  size: bigint;

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: Hex[],
    private readonly maxRange: bigint,
    // small first: a dense chain's 1000 blocks can be more logs than a node answers in time
    initialRange = 10n,
  ) {
    this.size = initialRange < maxRange ? initialRange : maxRange;
  }

  /** The next range to request starting at `from`, ending no later than `end`. */
  nextRange(from: bigint, end: bigint): bigint {
    const to = from + this.size - 1n;
    return to < end ? to : end;
  }

  async fetch(from: bigint, to: bigint): Promise<Log[]> {
    let logs: Log[];
    try {
      logs = await this.client.getLogs({ address: this.addresses, fromBlock: from, toBlock: to });
    } catch (err) {
      // a request that is wrong, or a rate limit, does not get better by splitting it
      if (!isRetryable(err)) throw err;
      if (from === to || isRateLimited(err)) {
        throw new RetryableError(`eth_getLogs failed for blocks ${from}-${to}: ${(err as Error).message}`, { cause: err });
      }
      const span = to - from + 1n;
      this.size = span / 2n > 0n ? span / 2n : 1n;
      const mid = from + span / 2n - 1n;
      // one half after the other: a struggling node must not get twice the requests
      const a = await this.fetch(from, mid);
      return [...a, ...(await this.fetch(mid + 1n, to))];
    }
    if (logs.length > TOO_MANY && this.size > 1n) this.size /= 2n;
    else if (logs.length < CHEAP) this.size = this.size * 2n < this.maxRange ? this.size * 2n : this.maxRange;
    return logs;
  }
}
