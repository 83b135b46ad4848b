import { describe, expect, it } from 'vitest';
import { decide } from '../../src/decision/engine.js';
import { decisionSchema, parseValue } from '../../src/storage/codecs.js';
import { parseAnswers } from '../decision/arbitraries.js';
import { decisionFixture } from './support.js';

describe('decisionSchema', () => {
  it('keeps a trade-off set against the prompt, one set against RAG, and one setting the prompt against RAG', () => {
    const inputs = [
      { gap: 'neither' },
      { gap: 'knowledge', knowledge: { changesOften: true, citationsNeeded: true } },
      {
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
      },
      {
        gap: 'both',
        knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
        behavior: { labeledExamples: 3, trainingBudget: false },
      },
    ] as const;
    const shapes = new Set<string>();
    for (const input of inputs) {
      const decision = decide(parseAnswers({ title: 't', promptTried: 'not-yet', ...input }));
      for (const row of decision.tradeoffs) shapes.add(Object.keys(row).sort().join());
      expect(parseValue(decisionSchema, JSON.parse(JSON.stringify(decision)), 'row')).toEqual(
        decision,
      );
    }
    expect([...shapes].sort()).toEqual([
      'aspect,fineTuning,prompt',
      'aspect,fineTuning,prompt,rag',
      'aspect,fineTuning,rag',
      'aspect,prompt,rag',
    ]);
  });

  it('still reads decisions stored before the prompt was set against RAG', () => {
    const stored = {
      ...decisionFixture('prompt'),
      tradeoffs: [
        { aspect: 'Update a fact', rag: 'Edit the source', fineTuning: 'Retrain' },
        { aspect: 'Cost to set up', prompt: 'An afternoon', fineTuning: 'GPU time' },
      ],
    };
    expect(parseValue(decisionSchema, stored, 'row')).toEqual(stored);
  });

  it('keeps which reasons decided the verdict, and reads decisions stored without them', () => {
    const decision = decide(
      parseAnswers({
        title: 't',
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
      }),
    );
    expect(decision.decisive?.length).toBeGreaterThan(0);
    expect(parseValue(decisionSchema, JSON.parse(JSON.stringify(decision)), 'row')).toEqual(
      decision,
    );
    const { decisive: _decisive, ...before } = decision;
    expect(parseValue(decisionSchema, before, 'row')).toEqual(before);
  });

  it('refuses a trade-off with a single option', () => {
    const lonely = { ...decisionFixture(), tradeoffs: [{ aspect: 'Cost', rag: 'Days' }] };
    expect(() => parseValue(decisionSchema, lonely, 'row')).toThrow(/tradeoffs/);
  });
});
