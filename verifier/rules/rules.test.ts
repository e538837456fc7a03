import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProofContext } from '../context.ts';
import { continentOf, haversineM } from '../geo.ts';
import { runRules } from './index.ts';
import { continentJump, geofence, gpsAccuracy, impossibleTravel } from './location.ts';
import { duplicateMedia, mediaIntegrity, witnessCollusion } from './media.ts';
import { DEFAULT_RULE_OPTIONS as o } from './options.ts';
import { burst, exifConsistency, timestampSanity } from './time.ts';

const T = new Date('2026-11-20T12:00:00Z');
const at = (ms: number) => new Date(T.getTime() + ms);
const PARIS = { latitude: 48.8566, longitude: 2.3522 };
/** A point `m` metres north of `p`. */
const north = (p: { latitude: number; longitude: number }, m: number) => ({ latitude: p.latitude + m / 111_195, longitude: p.longitude });

function ctx(over: Partial<ProofContext> = {}): ProofContext {
  return {
    action: { ...PARIS, accuracyM: 5, capturedAt: at(-60_000), submittedAt: T },
    mission: { ...PARIS, radiusM: 50 },
    previous: null,
    recentSubmissions: [],
    exif: null,
    media: { decodable: true, typeMismatch: false, exactDuplicate: false, nearestHamming: 64 },
    witnesses: [],
    now: T,
    ...over,
  };
}
const withAction = (a: Partial<ProofContext['action']>) => ctx({ action: { ...ctx().action, ...a } });

describe('geo', () => {
  it('haversine matches a known distance (Paris–London ≈ 343.5 km)', () => {
    const d = haversineM(PARIS, { latitude: 51.5074, longitude: -0.1278 });
    assert.ok(Math.abs(d - 343_500) < 1500, String(d));
    assert.ok(Math.abs(haversineM(PARIS, north(PARIS, 100)) - 100) < 0.5);
  });
  it('names continents', () => {
    assert.equal(continentOf(PARIS), 'EU');
    assert.equal(continentOf({ latitude: 40.7, longitude: -74 }), 'NA');
    assert.equal(continentOf({ latitude: -23.5, longitude: -46.6 }), 'SA');
    assert.equal(continentOf({ latitude: 35.7, longitude: 139.7 }), 'AS');
    assert.equal(continentOf({ latitude: -33.9, longitude: 151.2 }), 'OC');
    assert.equal(continentOf({ latitude: -1.3, longitude: 36.8 }), 'AF');
  });
});

describe('rules', () => {
  it('geofence: inside passes, outside fails, reported accuracy gives slack up to the cap', () => {
    assert.equal(geofence(withAction(north(PARIS, 40)), o).passed, true);
    assert.equal(geofence(withAction(north(PARIS, 58)), o).passed, false);
    assert.equal(geofence(withAction({ ...north(PARIS, 58), accuracyM: 10 }), o).passed, true);
    assert.equal(geofence(withAction({ ...north(PARIS, 80), accuracyM: 500 }), o).passed, false);
    assert.equal(geofence(ctx({ mission: { ...PARIS, radiusM: 0 }, action: { ...ctx().action, ...north(PARIS, 45) } }), o).passed, true);
    assert.equal(geofence(ctx(), o).severity, 'hard');
  });
  it('gps accuracy ≤ 15 m', () => {
    assert.equal(gpsAccuracy(withAction({ accuracyM: 15 }), o).passed, true);
    assert.equal(gpsAccuracy(withAction({ accuracyM: 15.1 }), o).passed, false);
    assert.equal(gpsAccuracy(withAction({ accuracyM: Number.NaN }), o).passed, false);
  });
  it('impossible travel: > 100 km/h since previous proof', () => {
    const prevNear = { ...north(PARIS, -50_000), capturedAt: at(-60_000 - 3_600_000) }; // 50 km in 1 h
    assert.equal(impossibleTravel(ctx({ previous: prevNear }), o).passed, true);
    const prevFar = { ...north(PARIS, -150_000), capturedAt: at(-60_000 - 3_600_000) }; // 150 km in 1 h
    assert.equal(impossibleTravel(ctx({ previous: prevFar }), o).passed, false);
    const sameTime = { ...north(PARIS, -5_000), capturedAt: at(-60_000) };
    assert.equal(impossibleTravel(ctx({ previous: sameTime }), o).passed, false);
    assert.equal(impossibleTravel(ctx(), o).passed, true);
  });
  it('continent jump within a day fails; after a day passes', () => {
    const nyc = { latitude: 40.7, longitude: -74, capturedAt: at(-10 * 3_600_000) };
    assert.equal(continentJump(ctx({ previous: nyc })).passed, false);
    assert.equal(continentJump(ctx({ previous: { ...nyc, capturedAt: at(-30 * 3_600_000) } })).passed, true);
  });
  it('timestamp: future beyond skew and too old fail', () => {
    assert.equal(timestampSanity(withAction({ capturedAt: at(60_000) }), o).passed, true);
    assert.equal(timestampSanity(withAction({ capturedAt: at(10 * 60_000) }), o).passed, false);
    assert.equal(timestampSanity(withAction({ capturedAt: at(-25 * 3_600_000) }), o).passed, false);
    assert.equal(timestampSanity(withAction({ capturedAt: at(-23 * 3_600_000) }), o).passed, true);
  });
  it('burst: several within a second, or too many per hour', () => {
    assert.equal(burst(ctx({ recentSubmissions: [at(-200), at(-500)] }), o).passed, false);
    assert.equal(burst(ctx({ recentSubmissions: [at(-200)] }), o).passed, true);
    const hourly = Array.from({ length: 12 }, (_, i) => at(-(i + 1) * 240_000));
    assert.equal(burst(ctx({ recentSubmissions: hourly }), o).passed, false);
    assert.equal(burst(ctx({ recentSubmissions: hourly.slice(1) }), o).passed, true);
  });
  it('exif: agreeing GPS/time pass, a far position or distant time fails, absent passes', () => {
    assert.equal(exifConsistency(ctx(), o).passed, true);
    assert.equal(exifConsistency(ctx({ exif: { ...north(PARIS, 20), takenAt: at(-90_000) } }), o).passed, true);
    assert.equal(exifConsistency(ctx({ exif: { ...north(PARIS, 5_000) } }), o).passed, false);
    assert.equal(exifConsistency(ctx({ exif: { takenAt: at(-5 * 3_600_000) } }), o).passed, false);
  });
  it('media: undecodable / type mismatch / duplicates / collusion', () => {
    const m = ctx().media;
    assert.equal(mediaIntegrity(ctx({ media: { ...m, typeMismatch: true } })).passed, false);
    assert.equal(mediaIntegrity(ctx({ media: { ...m, decodable: false } })).passed, false);
    assert.equal(duplicateMedia(ctx({ media: { ...m, exactDuplicate: true } }), o).passed, false);
    assert.equal(duplicateMedia(ctx({ media: { ...m, nearestHamming: 7 } }), o).passed, false);
    assert.equal(duplicateMedia(ctx({ media: { ...m, nearestHamming: 12 } }), o).passed, true);
    assert.equal(witnessCollusion(ctx({ witnesses: [{ priorWitnessedForPlayer: 9 }, { priorWitnessedForPlayer: 7 }] })).passed, false);
    assert.equal(witnessCollusion(ctx({ witnesses: [{ priorWitnessedForPlayer: 1 }, { priorWitnessedForPlayer: 7 }] })).passed, true);
  });
  it('an honest proof passes every rule', () => {
    const failed = runRules(ctx()).filter((r) => !r.passed);
    assert.deepEqual(failed, []);
    assert.equal(runRules(ctx()).length, 10);
  });
});
