import { describe, expect, it } from 'vitest';
import { decide } from '../../src/decision/engine.js';
import { decisionSchema, parseValue } from '../../src/storage/codecs.js';
import { parseAnswers } from '../decision/arbitraries.js';

describe('decisionSchema', () => {
  it('keeps a trade-off set against the prompt, and one set against RAG', () => {
    for (const gap of ['neither', 'knowledge'] as const) {
      const answers = parseAnswers({
        title: 't',
        promptTried: 'not-yet',
        gap,
        ...(gap === 'knowledge'
          ? { knowledge: { changesOften: true, citationsNeeded: true } }
          : {}),
      });
      const decision = decide(answers);
      expect(parseValue(decisionSchema, JSON.parse(JSON.stringify(decision)), 'row')).toEqual(
        decision,
      );
    }
  });
});
