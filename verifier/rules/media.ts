import type { ProofContext, RuleResult } from '../context.ts';
import type { RuleOptions } from './options.ts';

export function mediaIntegrity(ctx: ProofContext): RuleResult {
  const m = ctx.media;
  const passed = m.decodable && !m.typeMismatch;
  return {
    name: 'media_integrity',
    passed,
    severity: 'hard',
    detail: !m.decodable ? 'not a decodable image of sane dimensions' : m.typeMismatch ? 'content type differs from declared type' : 'ok',
  };
}

export function duplicateMedia(ctx: ProofContext, o: RuleOptions): RuleResult {
  const m = ctx.media;
  const near = m.nearestHamming <= o.nearDuplicateHamming;
  return {
    name: 'duplicate_media',
    passed: !m.exactDuplicate && !near,
    severity: 'hard',
    detail: m.exactDuplicate ? 'identical photo already submitted' : near ? `near-duplicate photo (Hamming ${m.nearestHamming})` : 'unique',
  };
}

/** Witnesses who keep vouching for the same player look like a ring. */
export function witnessCollusion(ctx: ProofContext): RuleResult {
  const repeat = ctx.witnesses.filter((w) => w.priorWitnessedForPlayer >= 5).length;
  return {
    name: 'witness_collusion',
    passed: repeat < 2,
    severity: 'soft',
    detail: `${repeat} of ${ctx.witnesses.length} witnesses repeatedly vouch for this player`,
  };
}
