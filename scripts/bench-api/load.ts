// The two loads of `npm run bench:api`: reads at a fixed rate (open loop), submissions as fast as taken (autocannon).
import autocannon, { type Result } from 'autocannon';
import { openLoop, type OpenLoopResult } from './open-loop.ts';
import type { Submission } from './submissions.ts';
import type { World } from './seed.ts';

export interface ReadKind {
  name: string;
  /** the path of the i-th request of this kind, made as `player` */
  path: (i: number, player: { id: string }) => string;
}

/** proof bundle, profile (the caller's own), quest list, leaderboard. */
export function readKinds(world: World): ReadKind[] {
  return [
    { name: 'proof bundle', path: (i) => `/api/ledger/entries/${(i * 104_729) % world.entries}/proof` },
    { name: 'profile', path: (_i, player) => `/api/player/${player.id}` },
    { name: 'quest list', path: (i) => `/api/quest/list?zoneId=${world.zones[i % world.zones.length]!}` },
    { name: 'leaderboard', path: (i) => (i % 2 ? '/api/leaderboard?period=weekly' : `/api/leaderboard?period=daily&zoneId=${world.zones[i % world.zones.length]!}`) },
  ];
}

/** Keeps the first few non-2xx answers, to print beside the figures. */
export class Failures {
  readonly samples: string[] = [];
  note(status: number, body: string, what: string) {
    if (status >= 300 && this.samples.length < 3) this.samples.push(`${what} → ${status} ${body.slice(0, 160)}`);
  }
}

/**
 * Reads of `kinds` (in turn) at a fixed overall rate, for `duration` s or `amount` requests, open loop (open-loop.ts:
 * each request is sent when it is due and its latency counts from then). Every request is signed in as a player,
 * so the per-player rate limits apply as in production.
 */
export function mixedReads(url: string, kinds: ReadKind[], readers: World['players'], tokenOf: (p: World['players'][number]) => string,
  o: { rate: number; duration: number; amount?: number; failures?: Failures }): Promise<OpenLoopResult> {
  const kindOf = (n: number) => kinds[n % kinds.length]!;
  return openLoop(url, {
    rate: o.rate, timeoutMs: 10_000, ...(o.amount ? { amount: o.amount } : { duration: o.duration }),
    request: (n) => {
      const k = Math.floor(n / kinds.length);
      const player = readers[(k * 7_919) % readers.length]!;
      return { method: 'GET', path: kindOf(n).path(k, player), headers: { authorization: `Bearer ${tokenOf(player)}` } };
    },
    onResponse: (status, body, n) => o.failures?.note(status, body, kindOf(n).name),
  });
}

/**
 * One POST /api/proof/submit per prepared submission, as fast as the API takes
 * them, for `duration` s. Should the prepared ones run out, the last one is
 * repeated (idempotent: same proof, nothing new) until the time is up.
 */
export function submissions(url: string, subs: Submission[], tokenOf: (playerId: string) => string, o: { duration: number; accepted: Set<string>; failures: Failures }): Promise<Result> {
  let i = 0;
  return autocannon({
    url, connections: 32, duration: o.duration, timeout: 30,
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        const s = subs[Math.min(i++, subs.length - 1)]!;
        return { ...req, path: '/api/proof/submit', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenOf(s.playerId)}` }, body: JSON.stringify(s.body) };
      },
      onResponse: (status, body) => {
        if (status === 200) o.accepted.add((JSON.parse(body) as { id: string }).id);
        o.failures.note(status, body, 'submit');
      },
    }],
  });
}
