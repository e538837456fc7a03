import type { GeoPoint, ProofContext } from '../context.ts';
import { Rng } from './prng.ts';

export const CHEATS = ['spoof', 'replay', 'edited', 'burst', 'teleport', 'time', 'collusion'] as const;
export type Label = 'honest' | (typeof CHEATS)[number];

export interface Sample {
  label: Label;
  ctx: ProofContext;
}

const CITIES: GeoPoint[] = [
  { latitude: 48.8566, longitude: 2.3522 },
  { latitude: 40.7128, longitude: -74.006 },
  { latitude: -23.55, longitude: -46.63 },
  { latitude: 35.68, longitude: 139.69 },
  { latitude: -1.29, longitude: 36.82 },
  { latitude: -33.87, longitude: 151.21 },
  { latitude: 19.43, longitude: -99.13 },
  { latitude: 28.61, longitude: 77.21 },
];

const H = 3_600_000;

/** A point `m` metres from `p` in direction `bearing` (flat-earth offset; fine below a few hundred km). */
function offset(p: GeoPoint, m: number, bearing: number): GeoPoint {
  const dLat = (m * Math.cos(bearing)) / 111_195;
  const dLon = (m * Math.sin(bearing)) / (111_195 * Math.cos((p.latitude * Math.PI) / 180));
  return { latitude: p.latitude + dLat, longitude: p.longitude + dLon };
}

/** An honest proof: GPS scatter inside the geofence, normal pacing, unique photo, ordinary witnesses. */
function honest(r: Rng, now: Date): ProofContext {
  const centre = offset(r.pick(CITIES), r.uniform(0, 20_000), r.uniform(0, 2 * Math.PI));
  const radiusM = r.pick([30, 50, 50, 50, 80, 100]);
  const pos = offset(centre, Math.abs(r.normal(0, radiusM * 0.3)), r.uniform(0, 2 * Math.PI));
  const submittedAt = new Date(now.getTime() - r.uniform(0, 10_000));
  const capturedAt = new Date(submittedAt.getTime() - (r.chance(0.03) ? r.uniform(1, 20) * H : r.exp(10 * 60_000)));
  const accuracyM = r.chance(0.03) ? r.uniform(15, 30) : Math.min(3 + r.exp(3), 15);
  let previous: ProofContext['previous'] = null;
  if (r.chance(0.8)) {
    const gapH = r.chance(0.04) ? r.uniform(2, 4) : r.uniform(1, 48);
    const km = r.chance(0.04) ? gapH * r.uniform(40, 90) : r.uniform(0.5, 20);
    previous = { ...offset(pos, km * 1000, r.uniform(0, 2 * Math.PI)), capturedAt: new Date(capturedAt.getTime() - gapH * H) };
  }
  const n = Math.floor(r.exp(0.8));
  const recentSubmissions = Array.from({ length: Math.min(n, 6) }, (_, i) => new Date(submittedAt.getTime() - (i + 1) * r.uniform(300_000, 580_000)));
  let exif: ProofContext['exif'] = null;
  if (r.chance(0.6)) {
    exif = { takenAt: new Date(capturedAt.getTime() + r.normal(0, 60_000)) };
    if (r.chance(0.7)) Object.assign(exif, offset(pos, r.uniform(0, 60), r.uniform(0, 2 * Math.PI)));
  }
  const witnesses = Array.from({ length: r.int(0, 3) }, () => ({ priorWitnessedForPlayer: r.chance(0.06) ? r.int(3, 7) : r.int(0, 2) }));
  return {
    action: { ...pos, accuracyM, capturedAt, submittedAt },
    mission: { ...centre, radiusM },
    previous,
    recentSubmissions,
    exif,
    media: { decodable: true, typeMismatch: r.chance(0.002), exactDuplicate: false, nearestHamming: r.chance(0.005) ? r.int(10, 15) : r.int(16, 40) },
    witnesses,
    now,
  };
}

/** Turns an honest proof into a cheat of one kind; about a third of each kind is subtle (no rule fires). */
function cheat(r: Rng, c: ProofContext, kind: (typeof CHEATS)[number]): void {
  const a = c.action;
  const subtle = r.chance(0.35);
  switch (kind) {
    case 'spoof': {
      if (!subtle) Object.assign(a, offset(c.mission, c.mission.radiusM * r.uniform(1.6, 200), r.uniform(0, 2 * Math.PI)));
      else {
        Object.assign(a, offset(c.mission, r.uniform(0, 1.5), r.uniform(0, 2 * Math.PI)));
        a.accuracyM = r.pick([5, 10, 1]);
        if (c.exif && r.chance(0.5)) Object.assign(c.exif, offset(c.mission, r.uniform(500, 30_000), 1));
      }
      break;
    }
    case 'replay':
      if (r.chance(0.5)) c.media.exactDuplicate = true;
      c.media.nearestHamming = subtle ? r.int(0, 4) : 0;
      if (c.exif?.takenAt) c.exif.takenAt = new Date(a.capturedAt.getTime() - r.uniform(2, 400) * 24 * H);
      break;
    case 'edited':
      c.media.nearestHamming = subtle ? r.int(8, 12) : r.int(1, 7);
      if (r.chance(0.5)) c.exif = null;
      break;
    case 'burst': {
      const t = a.submittedAt.getTime();
      c.recentSubmissions = subtle
        ? Array.from({ length: r.int(7, 11) }, (_, i) => new Date(t - (i + 1) * r.uniform(120_000, 300_000)))
        : Array.from({ length: r.int(2, 20) }, (_, i) => new Date(t - (i < 3 ? r.uniform(0, 900) : (i + 1) * 150_000)));
      break;
    }
    case 'teleport': {
      const gapH = r.uniform(0.5, 10);
      const kmh = subtle ? r.uniform(130, 300) : r.uniform(400, 5000);
      c.previous = { ...offset(a, gapH * kmh * 1000, r.uniform(0, 2 * Math.PI)), capturedAt: new Date(a.capturedAt.getTime() - gapH * H) };
      if (!subtle && r.chance(0.5)) c.previous = { ...r.pick(CITIES.filter((p) => Math.abs(p.longitude - a.longitude) > 40)), capturedAt: c.previous.capturedAt };
      break;
    }
    case 'time': {
      const mode = r.int(0, 2);
      if (mode === 0) a.capturedAt = new Date(a.submittedAt.getTime() + r.uniform(5, 180) * 60_000);
      else if (mode === 1) a.capturedAt = new Date(a.submittedAt.getTime() - r.uniform(26, 400) * H);
      else c.exif = { ...(c.exif ?? {}), takenAt: new Date(a.capturedAt.getTime() - r.uniform(1, 72) * H) };
      break;
    }
    case 'collusion':
      c.witnesses = subtle
        ? Array.from({ length: r.int(1, 2) }, () => ({ priorWitnessedForPlayer: r.int(3, 6) }))
        : Array.from({ length: r.int(2, 5) }, () => ({ priorWitnessedForPlayer: r.int(5, 30) }));
      break;
  }
}

/** `n` proofs; `cheatRate` of them cheats spread evenly over the kinds. Deterministic for a seed. */
export function simulate(n: number, seed: number, cheatRate = 0.5): Sample[] {
  const r = new Rng(seed);
  const now = new Date('2026-11-20T12:00:00Z');
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const ctx = honest(r, now);
    if (r.chance(cheatRate)) {
      const kind = r.pick(CHEATS);
      cheat(r, ctx, kind);
      out.push({ label: kind, ctx });
    } else out.push({ label: 'honest', ctx });
  }
  return out;
}
