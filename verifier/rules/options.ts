/** Thresholds of the rule checks (defaults; the worker takes them from lib/config.ts). */
export interface RuleOptions {
  defaultRadiusM: number;
  maxAccuracyM: number;
  maxSpeedKmh: number;
  clockSkewS: number;
  maxAgeH: number;
  burstWindowMs: number;
  burstCount: number;
  maxPerHour: number;
  exifMaxDistanceM: number;
  exifMaxSkewS: number;
  /** Hamming distance of 64-bit perceptual hashes at or below which two photos are the same picture (≤ 11). */
  nearDuplicateHamming: number;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  defaultRadiusM: 50,
  maxAccuracyM: 15,
  maxSpeedKmh: 100,
  clockSkewS: 120,
  maxAgeH: 24,
  burstWindowMs: 1000,
  burstCount: 3,
  maxPerHour: 12,
  exifMaxDistanceM: 200,
  exifMaxSkewS: 600,
  nearDuplicateHamming: 7,
};
