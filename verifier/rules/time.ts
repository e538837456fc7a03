import type { ProofContext, RuleResult } from '../context.ts';
import { haversineM } from '../geo.ts';
import type { RuleOptions } from './options.ts';

/** Capture time not in the future (beyond a clock skew) and not older than the window; not after submission. */
export function timestampSanity(ctx: ProofContext, o: RuleOptions): RuleResult {
  const captured = ctx.action.capturedAt.getTime();
  const reference = Math.max(ctx.action.submittedAt.getTime(), 0);
  const aheadS = (captured - reference) / 1000;
  const ageH = (reference - captured) / 3_600_000;
  const passed = Number.isFinite(captured) && aheadS <= o.clockSkewS && ageH <= o.maxAgeH;
  return {
    name: 'timestamp',
    passed,
    severity: 'hard',
    detail: aheadS > o.clockSkewS ? `captured ${aheadS.toFixed(0)} s in the future` : `captured ${ageH.toFixed(2)} h before submission (max ${o.maxAgeH} h)`,
  };
}

/** Several submissions within a second, or an abnormal number in the last hour. */
export function burst(ctx: ProofContext, o: RuleOptions): RuleResult {
  const t = ctx.action.submittedAt.getTime();
  const times = ctx.recentSubmissions.map((d) => d.getTime()).filter((x) => t - x <= 3_600_000 && x <= t + o.burstWindowMs);
  const inWindow = times.filter((x) => Math.abs(t - x) <= o.burstWindowMs).length + 1;
  const inHour = times.length + 1;
  return {
    name: 'burst',
    passed: inWindow < o.burstCount && inHour <= o.maxPerHour,
    severity: 'soft',
    detail: `${inWindow} within ${o.burstWindowMs} ms, ${inHour} in the last hour (max ${o.maxPerHour})`,
  };
}

/** When the photo carries EXIF GPS/time, they agree with the reported position and capture time. */
export function exifConsistency(ctx: ProofContext, o: RuleOptions): RuleResult {
  const e = ctx.exif;
  if (!e || (e.latitude === undefined && e.takenAt === undefined)) {
    return { name: 'exif', passed: true, severity: 'soft', detail: 'no EXIF GPS or time' };
  }
  const problems: string[] = [];
  if (e.latitude !== undefined && e.longitude !== undefined) {
    const d = haversineM({ latitude: e.latitude, longitude: e.longitude }, ctx.action);
    if (d > o.exifMaxDistanceM) problems.push(`EXIF GPS ${d.toFixed(0)} m from reported position`);
  }
  if (e.takenAt) {
    const s = Math.abs(e.takenAt.getTime() - ctx.action.capturedAt.getTime()) / 1000;
    if (s > o.exifMaxSkewS) problems.push(`EXIF time ${s.toFixed(0)} s from capture time`);
  }
  return { name: 'exif', passed: problems.length === 0, severity: 'soft', detail: problems.join('; ') || 'consistent' };
}
