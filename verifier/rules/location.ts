import type { ProofContext, RuleResult } from '../context.ts';
import { continentOf, haversineM } from '../geo.ts';
import type { RuleOptions } from './options.ts';

/** The reported position lies within the mission radius, allowing for the reported accuracy (itself capped). */
export function geofence(ctx: ProofContext, o: RuleOptions): RuleResult {
  const radius = ctx.mission.radiusM > 0 ? ctx.mission.radiusM : o.defaultRadiusM;
  const distance = haversineM(ctx.action, ctx.mission);
  const slack = Math.min(Math.max(ctx.action.accuracyM, 0), o.maxAccuracyM);
  return {
    name: 'geofence',
    passed: distance <= radius + slack,
    severity: 'hard',
    detail: `${distance.toFixed(1)} m from mission (radius ${radius} m + accuracy ${slack.toFixed(1)} m)`,
  };
}

export function gpsAccuracy(ctx: ProofContext, o: RuleOptions): RuleResult {
  const a = ctx.action.accuracyM;
  return {
    name: 'gps_accuracy',
    passed: Number.isFinite(a) && a >= 0 && a <= o.maxAccuracyM,
    severity: 'soft',
    detail: `accuracy ${a} m (max ${o.maxAccuracyM} m)`,
  };
}

/** Speed since the player's previous proof. */
export function travelSpeedKmh(ctx: ProofContext): number {
  if (!ctx.previous) return 0;
  const km = haversineM(ctx.previous, ctx.action) / 1000;
  const hours = Math.abs(ctx.action.capturedAt.getTime() - ctx.previous.capturedAt.getTime()) / 3_600_000;
  if (km < 0.2) return 0;
  return hours === 0 ? Infinity : km / hours;
}

export function impossibleTravel(ctx: ProofContext, o: RuleOptions): RuleResult {
  const speed = travelSpeedKmh(ctx);
  return {
    name: 'impossible_travel',
    passed: speed <= o.maxSpeedKmh,
    severity: 'hard',
    detail: ctx.previous ? `${Number.isFinite(speed) ? speed.toFixed(1) : '∞'} km/h since previous proof` : 'no previous proof',
  };
}

/** A different continent than the previous proof within a day (a flight takes longer than that is plausible). */
export function continentJump(ctx: ProofContext): RuleResult {
  if (!ctx.previous) return { name: 'continent_jump', passed: true, severity: 'hard', detail: 'no previous proof' };
  const from = continentOf(ctx.previous);
  const to = continentOf(ctx.action);
  const hours = Math.abs(ctx.action.capturedAt.getTime() - ctx.previous.capturedAt.getTime()) / 3_600_000;
  return {
    name: 'continent_jump',
    passed: from === to || hours >= 24,
    severity: 'hard',
    detail: `${from} → ${to} in ${hours.toFixed(1)} h`,
  };
}
