import type { ProofContext, RuleResult } from '../context.ts';
import { continentJump, geofence, gpsAccuracy, impossibleTravel } from './location.ts';
import { duplicateMedia, mediaIntegrity, witnessCollusion } from './media.ts';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from './options.ts';
import { burst, exifConsistency, timestampSanity } from './time.ts';

export { DEFAULT_RULE_OPTIONS, type RuleOptions };

/** Every rule check on one proof. */
export function runRules(ctx: ProofContext, o: RuleOptions = DEFAULT_RULE_OPTIONS): RuleResult[] {
  return [
    geofence(ctx, o),
    gpsAccuracy(ctx, o),
    impossibleTravel(ctx, o),
    continentJump(ctx),
    timestampSanity(ctx, o),
    burst(ctx, o),
    exifConsistency(ctx, o),
    mediaIntegrity(ctx),
    duplicateMedia(ctx, o),
    witnessCollusion(ctx),
  ];
}
