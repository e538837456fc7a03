import type { ProofContext } from './context.ts';
import { continentOf, haversineM } from './geo.ts';
import { travelSpeedKmh } from './rules/location.ts';

/** Behavioural + media features of a proof, each scaled to roughly [0, 3]. Order is part of the model. */
export const FEATURE_NAMES = [
  'distance_ratio',
  'pinned_to_centre',
  'accuracy',
  'speed',
  'continent_change',
  'capture_age',
  'capture_ahead',
  'burst_1s',
  'rate_1h',
  'exif_present',
  'exif_distance',
  'exif_time_diff',
  'exact_duplicate',
  'phash_similarity',
  'bad_media',
  'witnesses',
  'repeat_witnesses',
  'has_previous',
] as const;

const cap = (v: number, max: number) => (Number.isFinite(v) ? Math.min(Math.max(v, 0), max) : max);

export function features(ctx: ProofContext): number[] {
  const a = ctx.action;
  const radius = ctx.mission.radiusM > 0 ? ctx.mission.radiusM : 50;
  const distance = haversineM(a, ctx.mission);
  const speed = travelSpeedKmh(ctx);
  const aheadS = (a.capturedAt.getTime() - a.submittedAt.getTime()) / 1000;
  const t = a.submittedAt.getTime();
  const recent = ctx.recentSubmissions.map((d) => d.getTime()).filter((x) => t - x <= 3_600_000);
  const e = ctx.exif;
  const exifKm = e?.latitude !== undefined && e.longitude !== undefined ? haversineM({ latitude: e.latitude, longitude: e.longitude }, a) / 1000 : 0;
  const exifMin = e?.takenAt ? Math.abs(e.takenAt.getTime() - a.capturedAt.getTime()) / 60_000 : 0;
  const repeat = ctx.witnesses.filter((w) => w.priorWitnessedForPlayer >= 3).length;
  return [
    cap(Math.log1p(distance / radius), 3),
    distance < 2 ? 1 : 0,
    cap(a.accuracyM / 15, 3),
    cap(Math.log1p(speed) / 2, 3),
    ctx.previous && continentOf(ctx.previous) !== continentOf(a) ? 1 : 0,
    cap(-aheadS / 86_400, 3),
    cap(aheadS / 600, 3),
    cap(recent.filter((x) => Math.abs(t - x) <= 1000).length / 2, 3),
    cap(recent.length / 12, 3),
    e ? 1 : 0,
    cap(Math.log1p(exifKm), 3),
    cap(Math.log1p(exifMin) / 3, 3),
    ctx.media.exactDuplicate ? 1 : 0,
    cap(1 - ctx.media.nearestHamming / 24, 1),
    !ctx.media.decodable || ctx.media.typeMismatch ? 1 : 0,
    cap(ctx.witnesses.length / 4, 3),
    cap(repeat / 2, 3),
    ctx.previous ? 1 : 0,
  ];
}
