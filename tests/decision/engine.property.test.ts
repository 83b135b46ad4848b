import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Answers,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  promptGoodEnough,
} from '../../src/decision/answers.js';
import { MIN_EXAMPLES_FOR_FINE_TUNING, PROMPT_TRIED_LABELS } from '../../src/decision/content.js';
import {
  decide,
  matchRule,
  RULES_VERSION,
  verdictIncludesFineTune,
  verdictIncludesRag,
} from '../../src/decision/engine.js';
import {
  type Decision,
  tradeoffColumns,
  VERDICTS,
  WARNING_CODES,
} from '../../src/decision/types.js';
import { everyAnswerCombination, validAnswersArb } from './arbitraries.js';

const codes = (decision: Decision) => decision.warnings.map((w) => w.code);

/** Every string the engine produces other than URLs. */
function engineText(decision: Decision): string[] {
  return [
    decision.headline,
    ...decision.rationale,
    ...decision.warnings.map((w) => w.message),
    ...decision.nextSteps,
    ...decision.measure,
    ...decision.tradeoffs.flatMap((row) => [
      row.aspect,
      ...tradeoffColumns(row).map((column) => column.text),
    ]),
    ...decision.sources.map((source) => source.title),
  ];
}

describe('decide, for any valid answers', () => {
  it('gives exactly one known verdict, a non-empty rationale and well-formed parts', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const decision = decide(answers);
        expect(VERDICTS).toContain(decision.verdict);
        expect(decision.rationale.length).toBeGreaterThan(0);
        expect(decision.nextSteps.length).toBeGreaterThan(0);
        expect(decision.measure.length).toBeGreaterThan(0);
        expect(decision.sources.length).toBeGreaterThan(0);
        expect(decision.rulesVersion).toBe(RULES_VERSION);
        for (const warning of decision.warnings) {
          expect(WARNING_CODES).toContain(warning.code);
          expect(warning.message.length).toBeGreaterThan(0);
        }
        for (const source of decision.sources) {
          expect(new URL(source.url).protocol).toBe('https:');
        }
      }),
    );
  });

  it('lists warnings once each, in the stable code order', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const order = decide(answers).warnings.map((w) => WARNING_CODES.indexOf(w.code));
        expect(order).toEqual([...new Set(order)].sort((a, b) => a - b));
      }),
    );
  });

  it('writes plain text only: no mrkdwn markup, no line breaks, a short headline', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const decision = decide(answers);
        expect(decision.headline.length).toBeLessThanOrEqual(150);
        for (const text of engineText(decision)) {
          expect(text).not.toMatch(/[*_~`<>\n]/);
          expect(text.trim()).toBe(text);
        }
      }),
    );
  });

  it('depends only on the answers, not on the title or problem, and is deterministic', () => {
    fc.assert(
      fc.property(validAnswersArb, fc.string({ minLength: 1, maxLength: 20 }), (answers, other) => {
        const decision = decide(answers);
        expect(decide(structuredClone(answers))).toEqual(decision);
        expect(decide({ ...answers, title: `${other}!`, problem: other })).toEqual(decision);
        expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
      }),
    );
  });

  it('keeps to the rule: retrieve for knowledge, fine-tune for behavior', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const { verdict } = decide(answers);
        const diagnosed = answers.gap !== 'neither' && answers.gap !== 'unsure';
        const promptFallsShort = !promptGoodEnough(answers.promptTried);
        // The prompt first: a few pages of stable facts stay in the prompt, scored or not, since
        // retrieval would hand the model the same pages.
        const factsStayInPrompt =
          answers.knowledge?.fitsInPrompt === true && !answers.knowledge.changesOften;
        expect(verdictIncludesRag(verdict)).toBe(
          diagnosed && promptFallsShort && gapIncludesKnowledge(answers.gap) && !factsStayInPrompt,
        );
        expect(verdictIncludesFineTune(verdict)).toBe(
          diagnosed &&
            gapIncludesBehavior(answers.gap) &&
            // Only a prompt scored on real examples that fell short opens fine-tuning.
            answers.promptTried === 'scored-falls-short' &&
            (answers.behavior?.labeledExamples ?? 0) >= MIN_EXAMPLES_FOR_FINE_TUNING,
        );
      }),
    );
  });

  it('sets every row of a trade-offs table against the same options, the chosen one among them', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const { verdict, tradeoffs } = decide(answers);
        const options = tradeoffs.map((row) => tradeoffColumns(row).map((c) => c.column));
        const [first] = options;
        for (const row of options) {
          expect(row).toEqual(first);
          expect(row.length).toBeGreaterThanOrEqual(2);
        }
        if (!first) return;
        if (verdictIncludesRag(verdict)) expect(first).toContain('rag');
        if (verdictIncludesFineTune(verdict)) expect(first).toContain('fineTuning');
        // A prompt verdict shows the prompt, but for a working prompt never asked whether the
        // facts fit: that review keeps the table it was given.
        const keptFromBefore =
          promptGoodEnough(answers.promptTried) &&
          gapIncludesKnowledge(answers.gap) &&
          answers.knowledge?.fitsInPrompt === undefined;
        if (verdict === 'prompt' && !keptFromBefore) expect(first).toContain('prompt');
      }),
    );
  });

  it('warns that weights keep no access control iff the data is restricted and the verdict fine-tunes', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const decision = decide(answers);
        expect(codes(decision).includes('restricted-data-in-weights')).toBe(
          answers.restrictedData === true && verdictIncludesFineTune(decision.verdict),
        );
        // The step that filters what retrieval or the load brings; a prompt every user shares
        // gets its own step (only what every user may see), not this one.
        const accessStep = decision.nextSteps.some((step) =>
          /^(Filter retrieval by|Load only what) the asker/.test(step),
        );
        expect(accessStep).toBe(
          answers.restrictedData === true && verdictIncludesRag(decision.verdict),
        );
      }),
    );
  });

  it('decides restricted data not said, or said no, exactly as before it was asked', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const { restrictedData: _said, ...notSaid } = answers;
        const before = decide(notSaid);
        expect(decide({ ...notSaid, restrictedData: false })).toEqual(before);
        // Said yes: the same verdict and reasons, with warnings and steps added or reworded.
        const said = decide({ ...notSaid, restrictedData: true });
        expect(said.verdict).toBe(before.verdict);
        // A fine-tune that keeps the facts in the shared prompt no longer says no RAG is needed.
        if (matchRule(notSaid) !== 'both-in-prompt-ready') {
          expect(said.headline).toBe(before.headline);
        }
        expect(said.rationale).toEqual(before.rationale);
        expect(said.decisive).toEqual(before.decisive);
        expect(said.tradeoffs).toEqual(before.tradeoffs);
      }),
    );
  });

  it('warns about facts in weights iff the leaning would tune facts, and about a differing leaning', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const decision = decide(answers);
        const codes = decision.warnings.map((w) => w.code);
        expect(codes.includes('knowledge-in-weights')).toBe(leaningTunesFacts(answers));
        expect(codes.includes('leaning-differs')).toBe(
          answers.leaning !== 'undecided' && answers.leaning !== decision.verdict,
        );
      }),
    );
  });
});

/**
 * The team wants facts in the weights: fine-tune alone for any gap with knowledge in it, or
 * RAG + fine-tune for pure knowledge, where the tuned half would learn only facts.
 */
function leaningTunesFacts(answers: Answers): boolean {
  return (
    (answers.leaning === 'fine-tune' && gapIncludesKnowledge(answers.gap)) ||
    (answers.leaning === 'rag+fine-tune' && answers.gap === 'knowledge')
  );
}

describe('decide, over every answer combination', () => {
  const combinations = everyAnswerCombination();

  it('covers the whole space', () => {
    // knowledge 6 × 5 × 12, both 6 × 5 × 12 × 10, behavior 6 × 5 × 10, neither and unsure 6 × 5.
    expect(combinations).toHaveLength(360 + 3600 + 300 + 30 + 30);
  });

  it('warns about facts in weights iff the leaning would tune facts, whatever the verdict', () => {
    for (const answers of combinations) {
      const codes = decide(answers).warnings.map((w) => w.code);
      expect(codes.includes('knowledge-in-weights'), JSON.stringify(answers)).toBe(
        leaningTunesFacts(answers),
      );
    }
  });

  it('never gives warning advice that contradicts the verdict it sits under', () => {
    const sentences = (text: string) => text.split(/(?<=\.) /);
    for (const answers of combinations) {
      const { verdict, warnings } = decide(answers);
      const where = JSON.stringify(answers);
      for (const { message } of warnings) {
        for (const sentence of sentences(message)) {
          if (/fine-tune only the behavior/i.test(sentence)) {
            // Conditional exactly when the verdict does not fine-tune yet.
            expect(/\bif\b/i.test(sentence), where).toBe(!verdictIncludesFineTune(verdict));
          }
          if (verdict === 'prompt') {
            // Under a prompt verdict the facts stay in the prompt for now; retrieval comes later.
            expect(sentence, where).not.toMatch(/keep the (facts|knowledge half) in retrieval/i);
          }
          if (verdictIncludesRag(verdict)) {
            expect(sentence, where).not.toMatch(/in the prompt for now/i);
          }
        }
      }
    }
  });
});

describe('decide, where the behavior has not met the fine-tuning bar', () => {
  const combinations = everyAnswerCombination();
  const sayings = (decision: Decision) =>
    [
      decision.headline,
      ...decision.rationale,
      ...decision.nextSteps,
      ...decision.warnings.map((w) => w.message),
    ].join(' ');

  it('after a scored prompt fell short, names fine-tuning as the path and data as the blocker', () => {
    for (const answers of combinations) {
      const belowBar = (answers.behavior?.labeledExamples ?? 0) < MIN_EXAMPLES_FOR_FINE_TUNING;
      if (
        !gapIncludesBehavior(answers.gap) ||
        answers.promptTried !== 'scored-falls-short' ||
        !belowBar
      ) {
        continue;
      }
      const decision = decide(answers);
      const where = JSON.stringify(answers);
      expect(decision.headline, where).toMatch(/needs fine-tuning/);
      expect(decision.headline, where).toContain(
        `at least ${MIN_EXAMPLES_FOR_FINE_TUNING} labeled examples`,
      );
      expect(decision.headline, where).toMatch(/stop-gap/);
      expect(decision.nextSteps.join(' '), where).toContain(
        `at least ${MIN_EXAMPLES_FOR_FINE_TUNING}`,
      );
      expect(decision.measure.join(' '), where).toMatch(/baseline/);
    }
  });

  it('never sends a team whose scored prompt fell short back to few-shot prompting', () => {
    for (const answers of combinations) {
      if (!gapIncludesBehavior(answers.gap) || answers.promptTried !== 'scored-falls-short') {
        continue;
      }
      const text = sayings(decide(answers));
      expect(text, JSON.stringify(answers)).not.toMatch(/few-shot|output spec/);
    }
  });

  it('says to collect more examples only when there are fewer than the bar', () => {
    for (const answers of combinations) {
      if (!gapIncludesBehavior(answers.gap)) continue;
      const { headline } = decide(answers);
      const enough = (answers.behavior?.labeledExamples ?? 0) >= MIN_EXAMPLES_FOR_FINE_TUNING;
      if (enough) expect(headline, JSON.stringify(answers)).not.toMatch(/collect/i);
    }
  });

  it('with no labeled examples, never tells the team to use the ones they have', () => {
    for (const answers of combinations) {
      if (answers.behavior?.labeledExamples !== 0 || !gapIncludesBehavior(answers.gap)) continue;
      const text = sayings(decide(answers));
      expect(text, JSON.stringify(answers)).not.toMatch(
        /the examples you have|use them|they go into/,
      );
    }
  });
});

describe('decide, for a knowledge gap', () => {
  const combinations = everyAnswerCombination().filter(
    (answers) => gapIncludesKnowledge(answers.gap) && answers.knowledge,
  );

  it('acknowledges every knowledge answer of yes in the rationale, whatever the verdict', () => {
    for (const answers of combinations) {
      const { rationale } = decide(answers);
      const where = JSON.stringify(answers);
      const said = (prefix: string) => rationale.some((line) => line.startsWith(prefix));
      expect(said('Knowledge changes often: yes'), where).toBe(answers.knowledge?.changesOften);
      expect(said('Citations needed: yes'), where).toBe(answers.knowledge?.citationsNeeded);
      // Answered, it is acknowledged; not asked (an older review), nothing is said about it.
      expect(said('Facts fit in the prompt: '), where).toBe(
        answers.knowledge?.fitsInPrompt !== undefined,
      );
      if (answers.knowledge?.changesOften) {
        expect(rationale.join(' '), where).not.toMatch(/stable/);
      }
    }
  });

  it('points to retrieval, now or as the next step, when the knowledge changes or must be cited', () => {
    for (const answers of combinations) {
      if (!answers.knowledge?.changesOften && !answers.knowledge?.citationsNeeded) continue;
      const decision = decide(answers);
      if (verdictIncludesRag(decision.verdict)) continue;
      expect(decision.nextSteps.join(' '), JSON.stringify(answers)).toMatch(/retrieval|RAG/);
    }
  });
});

describe('decide, for facts that fit in the prompt', () => {
  const combinations = everyAnswerCombination();

  it('keeps a few pages of stable facts in the prompt, whether or not a prompt was scored', () => {
    for (const answers of combinations) {
      if (!gapIncludesKnowledge(answers.gap) || promptGoodEnough(answers.promptTried)) continue;
      const fewAndStable =
        answers.knowledge?.fitsInPrompt === true && !answers.knowledge.changesOften;
      const decision = decide(answers);
      const where = JSON.stringify(answers);
      expect(verdictIncludesRag(decision.verdict), where).toBe(!fewAndStable);
      if (fewAndStable) {
        // A prompt that fell short, for the facts or a scored one for the behavior, may have
        // lacked them; otherwise they go into the prompt first.
        expect(decision.nextSteps[0], where).toMatch(
          matchRule(answers).endsWith('-untried')
            ? /^Put the facts in the prompt/
            : /^If the prompt that fell short did not carry the facts, put them in it/,
        );
        expect(decision.nextSteps[0]?.includes('each with its source'), where).toBe(
          answers.knowledge?.citationsNeeded,
        );
        expect(decision.nextSteps.join(' '), where).not.toMatch(/chunk|Embed|top-k/);
      } else {
        // The rationale gives the real reason a prompt is not tried first.
        expect(decision.rationale.join(' '), where).not.toMatch(/never saw/);
      }
    }
  });

  it('loads a few pages that change weekly whole at each request, and builds no index for them', () => {
    for (const answers of combinations) {
      if (!gapIncludesKnowledge(answers.gap) || promptGoodEnough(answers.promptTried)) continue;
      if (answers.knowledge?.fitsInPrompt !== true || !answers.knowledge.changesOften) continue;
      const { verdict, nextSteps, measure } = decide(answers);
      const where = JSON.stringify(answers);
      expect(verdictIncludesRag(verdict), where).toBe(true);
      expect(nextSteps[0], where).toMatch(/^At each request, load the current source document/);
      const beforeOutgrown = nextSteps.filter((step) => !/outgrows the prompt/.test(step));
      expect(beforeOutgrown.join(' '), where).not.toMatch(/chunk|embed|top-k/i);
      expect(measure.join(' '), where).not.toMatch(/recall@k/);
    }
  });
});

describe('decide, for a leaning', () => {
  it('records it as noted, never as having shaped the verdict', () => {
    for (const answers of everyAnswerCombination()) {
      const decision = decide(answers);
      const line = decision.rationale.find((text) => text.startsWith('Leaning:'));
      const where = JSON.stringify(answers);
      if (answers.leaning === 'undecided') {
        expect(line, where).toBeUndefined();
      } else if (answers.leaning === decision.verdict) {
        // A fine-tune leaning for a gap with facts in it agrees on tuning, not on the facts.
        expect(line, where).toMatch(
          codes(decision).includes('knowledge-in-weights')
            ? / The verdict fine-tunes only the behavior, not the facts: see the warning on facts in the weights\.$/
            : /The answers agree with it\.$/,
        );
      } else {
        expect(line, where).toMatch(/ Noted, but the answers above point to /);
        expect(line, where).not.toMatch(/taken into account/i);
      }
    }
  });
});

describe('decide, for the prompt answer', () => {
  it('opens every rationale with it, diagnosed gap or not', () => {
    for (const answers of everyAnswerCombination()) {
      const [first] = decide(answers).rationale;
      expect(first, JSON.stringify(answers)).toMatch(
        new RegExp(`^Prompt: ${PROMPT_TRIED_LABELS[answers.promptTried].toLowerCase()}\\. \\S`),
      );
    }
  });

  it('never tells a team whose prompt works to build a prompt baseline first', () => {
    for (const answers of everyAnswerCombination()) {
      if (!promptGoodEnough(answers.promptTried)) continue;
      expect(decide(answers).headline, JSON.stringify(answers)).not.toMatch(
        /prompt baseline|Prompt first/,
      );
    }
  });
});
