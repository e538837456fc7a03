// moderateComment: the checks a comment passes on write. Every check runs on
// data shipped inside its npm package (obscenity's English dataset, AFINN-165
// through `sentiment`), so moderation works offline and is deterministic.
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import Sentiment from 'sentiment';

/** Bumped whenever a check or its word lists change; stored with every comment. */
export const MODERATION_VERSION = 1;

/** Why a comment was held for review. */
export type ModerationFlag = 'profanity' | 'insult' | 'threat';

export interface Moderation {
  /** Empty when the comment may be shown at once. */
  flags: ModerationFlag[];
  /** AFINN sum over the words (negative = hostile or sad, positive = friendly). */
  sentimentScore: number;
  /** sentimentScore per word, comparable between short and long comments. */
  sentiment: number;
}

const profanity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const afinn = new Sentiment();

// A small toxicity heuristic for what a profanity list misses: insults aimed
// at a person ("you idiot", "you're pathetic") and threats of harm.
const INSULTS = [
  'idiot', 'idiots', 'stupid', 'moron', 'morons', 'loser', 'losers', 'dumb', 'pathetic', 'worthless', 'scum',
  'imbecile', 'clown', 'clowns', 'trash', 'garbage', 'useless', 'disgusting', 'vermin', 'parasite', 'parasites',
];
const SECOND_PERSON = ['you', 'your', "you're", 'youre', 'u', 'ur', 'ya', 'yall', "y'all"];
const THREATS = [
  /\bkill\s+(?:your\s*self|yourselves|you|u)\b/,
  /\b(?:hurt|beat|stab|shoot|find)\s+(?:you|u)\b/,
  /\bgo\s+die\b/,
  /\bkys\b/,
  /\bi(?:'ll|\s+will)\s+(?:kill|hurt|end)\b/,
  /\byou(?:'re|\s+are)\s+(?:dead|going\s+to\s+die)\b/,
];

const words = (text: string) => text.toLowerCase().normalize('NFKC').match(/[a-z']+/g) ?? [];

/** An insult word within four words of a second-person word, in either order. */
function insults(tokens: string[]): boolean {
  return tokens.some((w, i) => INSULTS.includes(w)
    && tokens.slice(Math.max(0, i - 4), i + 5).some((n) => SECOND_PERSON.includes(n)));
}

/** Flags and sentiment of one comment body. */
export function moderateComment(body: string): Moderation {
  const tokens = words(body);
  const lower = tokens.join(' ');
  const flags: ModerationFlag[] = [];
  if (profanity.hasMatch(body)) flags.push('profanity');
  if (insults(tokens)) flags.push('insult');
  if (THREATS.some((t) => t.test(lower))) flags.push('threat');
  const { score, comparative } = afinn.analyze(body);
  return { flags, sentimentScore: score, sentiment: Number.isFinite(comparative) ? comparative : 0 };
}
