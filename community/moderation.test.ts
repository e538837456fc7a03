import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moderateComment } from './moderation.ts';

describe('moderateComment', () => {
  it('flags a known toxic comment: profanity, obfuscated profanity, insults, threats', () => {
    assert.deepEqual(moderateComment('You are a fucking idiot').flags, ['profanity', 'insult']);
    assert.deepEqual(moderateComment('this is sh1t').flags, ['profanity']);
    assert.deepEqual(moderateComment('you stupid loser, go kill yourself').flags, ['insult', 'threat']);
    assert.deepEqual(moderateComment("I'll hurt you if you come back").flags, ['threat']);
  });

  it('lets clean comments through, including words that merely contain a bad substring', () => {
    for (const clean of [
      'Great cleanup today, thank you all!',
      'Meet at the Scunthorpe assassin bug exhibit at 10, bring gloves.',
      'The river bank is full of trash, we need more volunteers.',
      'I felt stupid for forgetting my bags, but it went well.',
    ]) assert.deepEqual(moderateComment(clean).flags, [], clean);
  });

  it('scores sentiment with the right sign and per-word scale', () => {
    const happy = moderateComment('Wonderful work, thank you, this park looks beautiful now');
    const sad = moderateComment('Terrible, the beach is awful and dirty again, I hate it');
    const flat = moderateComment('We gather at the north gate at nine');
    assert.ok(happy.sentimentScore > 0 && happy.sentiment > 0);
    assert.ok(sad.sentimentScore < 0 && sad.sentiment < 0);
    assert.equal(flat.sentimentScore, 0);
    assert.equal(flat.sentiment, 0);
    assert.ok(Math.abs(happy.sentiment) <= 5 && Math.abs(sad.sentiment) <= 5, 'comparative stays on the AFINN scale');
  });
});
