// An open-loop load at a fixed rate for `npm run bench:api`: request i is due at
// start + i/rate whatever happened to the earlier ones, and its latency runs from
// that due time to the end of its response, so time spent queued anywhere (this
// process, a socket, the API) counts and a slow server cannot slow the load down
// (no coordinated omission). autocannon's `overallRate` instead gives each
// connection a quota per second that it spends back to back at each tick: every
// second starts with all connections in flight at once, so its latencies are
// those of a burst at full concurrency, not of the rate asked for.
import http from 'node:http';

export interface OpenLoopRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** responses per status code */
  codes: Record<number, number>;
  /** ms from due time to end of response, 2xx only */
  latency: { p50: number; p99: number; max: number };
  /** requests sent per second, from the first to the last one sent */
  rate: number;
  /** the 2xx answers slower than `slowMs` (25 ms): request number, due time (epoch ms) and latency */
  slow: { i: number; at: number; ms: number }[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/**
 * `amount` requests (or `duration` s worth) of `request(i)` against `url` at `rate` per second on up to `sockets`
 * keep-alive connections; `onResponse` sees each answer.
 */
export async function openLoop(url: string, o: {
  rate: number; duration?: number; amount?: number; sockets?: number; timeoutMs?: number; slowMs?: number;
  request: (i: number) => OpenLoopRequest; onResponse?: (status: number, body: string, i: number) => void;
}): Promise<OpenLoopResult> {
  const total = o.amount ?? Math.round((o.duration ?? 0) * o.rate);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.sockets ?? 256 });
  const target = new URL(url);
  const latencies: number[] = [];
  const result: OpenLoopResult = { sent: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, codes: {}, latency: { p50: 0, p99: 0, max: 0 }, rate: 0, slow: [] };
  const start = performance.now();
  let pending = 0;
  let lastSent = start;

  const send = (i: number, due: number) => new Promise<void>((done) => {
    const r = o.request(i);
    const req = http.request({ agent, host: target.hostname, port: target.port, method: r.method, path: r.path, headers: r.headers, timeout: o.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        result.codes[status] = (result.codes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          result.ok++;
          const ms = performance.now() - due;
          latencies.push(ms);
          if (ms >= (o.slowMs ?? 25)) result.slow.push({ i, at: performance.timeOrigin + due, ms });
        } else result.non2xx++;
        o.onResponse?.(status, Buffer.concat(chunks).toString('utf8'), i);
        done();
      });
    });
    req.on('timeout', () => {
      result.timeouts++;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => {
      result.errors++;
      done();
    });
    req.end(r.body);
  });

  await new Promise<void>((finished) => {
    const tick = () => {
      const dueNow = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
      for (; result.sent < dueNow; result.sent++) {
        const i = result.sent;
        pending++;
        void send(i, start + (i * 1000) / o.rate).then(() => {
          if (--pending === 0 && result.sent === total) finished();
        });
      }
      lastSent = performance.now();
      if (result.sent < total) setTimeout(tick, 1);
      else if (pending === 0) finished();
    };
    tick();
  });
  result.rate = total > 1 ? ((total - 1) * 1000) / (lastSent - start) : total; // request i is sent at or after its due time i/rate
  agent.destroy();
  latencies.sort((a, b) => a - b);
  result.latency = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 };
  return result;
}
