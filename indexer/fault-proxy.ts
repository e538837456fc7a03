// Test support: a JSON-RPC proxy on loopback that injects faults with a seeded PRNG.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomInt, seededRandom } from './seeded.ts';

export const FAULTS = ['drop', 'delay', 'serverError', 'tooMany', 'truncate'] as const;
export type Fault = (typeof FAULTS)[number];

/** Probability of each fault per request (their sum ≤ 1; the rest pass through untouched). */
export type FaultRates = Record<Fault, number>;

export const NO_FAULTS: FaultRates = { drop: 0, delay: 0, serverError: 0, tooMany: 0, truncate: 0 };

export interface FaultProxy {
  url: string;
  /** Requests answered per outcome ('pass' = forwarded untouched). */
  readonly stats: Record<Fault | 'pass', number>;
  setRates(rates: FaultRates): void;
  close(): Promise<void>;
}

/**
 * Forwards POSTed JSON-RPC bodies to `upstream`; each request draws one outcome from `rates` with a
 * PRNG seeded by `seed`: `drop` closes the connection without an answer, `delay` forwards after up to
 * `maxDelayMs`, `serverError` answers 502/503, `tooMany` answers 429 with a rate-limit RPC error,
 * `truncate` forwards and then returns only the first part of the JSON body (status 200). The draws
 * follow the order requests arrive in, so a seed reproduces exactly only for sequential clients.
 */
export async function startFaultProxy(upstream: string, o: { seed: number; rates: FaultRates; maxDelayMs?: number }): Promise<FaultProxy> {
  const random = seededRandom(o.seed);
  let rates = o.rates;
  const maxDelayMs = o.maxDelayMs ?? 300;
  const stats: FaultProxy['stats'] = { pass: 0, drop: 0, delay: 0, serverError: 0, tooMany: 0, truncate: 0 };
  const sockets = new Set<Socket>();

  const draw = (): Fault | 'pass' => {
    let r = random();
    for (const f of FAULTS) {
      if (r < rates[f]) return f;
      r -= rates[f];
    }
    return 'pass';
  };

  async function forward(body: Buffer): Promise<{ status: number; text: string }> {
    const res = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, text: await res.text() };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const fault = draw();
    stats[fault]++;
    const json = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    switch (fault) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'serverError':
        res.writeHead(random() < 0.5 ? 502 : 503, { 'content-type': 'text/plain' }).end('upstream unavailable');
        return;
      case 'tooMany':
        res.setHeader('retry-after', '0');
        json(429, JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32005, message: 'rate limit exceeded' } }));
        return;
      case 'delay':
        await sleep(randomInt(random, 1, maxDelayMs));
        break;
      default:
        break;
    }
    const up = await forward(body);
    if (fault === 'truncate') json(200, up.text.slice(0, Math.max(1, randomInt(random, 1, up.text.length - 1))));
    else json(up.status, up.text);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setRates(r) {
      rates = r;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
