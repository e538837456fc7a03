// Badge rules are versioned data (rules-v<N>.json). A published version is
// never edited: a change to any rule is a new file with the next version, and
// award.ts refuses to run when the stored digest of a version disagrees.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import v1 from './rules-v1.json' with { type: 'json' };

const criterion = z.discriminatedUnion('kind', [
  /** Approved deeds over the player's lifetime. */
  z.object({ kind: z.literal('approved-deeds'), atLeast: z.int().positive() }),
  /** Consecutive UTC days with an approved deed (the engine's streak). */
  z.object({ kind: z.literal('streak'), days: z.int().positive() }),
  /** Most approved deeds (ties share) in the deed's zone during the deed's calendar month (UTC, by capture time). */
  z.object({ kind: z.literal('zone-champion'), minDeeds: z.int().positive() }),
  /** Most witnessed approved deeds (ties share) in the zone and month of the deed being approved; goes to its witnesses. */
  z.object({ kind: z.literal('witness-of-the-month'), minWitnessed: z.int().positive() }),
]);

const ruleSet = z.object({
  version: z.int().positive(),
  badges: z.array(z.object({
    code: z.string().regex(/^[a-z0-9-]{1,40}$/),
    name: z.string().min(1).max(60),
    description: z.string().min(1).max(200),
    criterion,
  })).min(1).refine((bs) => new Set(bs.map((b) => b.code)).size === bs.length, 'badge codes must be unique'),
});

export type BadgeRuleSet = z.infer<typeof ruleSet>;
export type BadgeRule = BadgeRuleSet['badges'][number];
export type BadgeCriterion = BadgeRule['criterion'];

/** The rules in force. */
export const BADGE_RULES: BadgeRuleSet = ruleSet.parse(v1);

/** SHA-256 of the canonical JSON of a rule set. */
export const ruleSetDigest = (rules: BadgeRuleSet) => createHash('sha256').update(JSON.stringify(rules)).digest('hex');
