import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Answers,
  type AnswersInput,
  gapIncludesBehavior,
  type PromptTried,
  promptGoodEnough,
} from '../../src/decision/answers.js';
import {
  MIN_EXAMPLES_FOR_FINE_TUNING,
  RULE_CONTENT,
  RULE_IDS,
  type RuleId,
  TRADEOFF_ORDER,
  TRADEOFF_ROWS,
  VERDICT_LABELS,
  WARNING_TITLES,
} from '../../src/decision/content.js';
import {
  decide,
  matchRule,
  RULES_VERSION,
  verdictIncludesFineTune,
  verdictIncludesRag,
} from '../../src/decision/engine.js';
import { type Decision, VERDICTS, WARNING_CODES } from '../../src/decision/types.js';
import { everyAnswerCombination, parseAnswers } from './arbitraries.js';

const knowledge = { changesOften: true, citationsNeeded: true };
/** A few pages of facts that change less than weekly: office addresses, a product's plan names. */
const fewStableFacts = (citationsNeeded = false) => ({
  changesOften: false,
  citationsNeeded,
  fitsInPrompt: true,
});
/** A few pages of facts that change weekly: this week's on-call rota, a price sheet. */
const fewChangingFacts = (citationsNeeded = false) => ({
  changesOften: true,
  citationsNeeded,
  fitsInPrompt: true,
});
const behavior = (labeledExamples: number, trainingBudget = true) => ({
  labeledExamples,
  trainingBudget,
});

/** The prompt answers a review could hold before the checklist asked whether it was scored. */
const OLDER_PROMPT_ANSWERS: readonly PromptTried[] = ['not-yet', 'good-enough', 'still-unreliable'];

/** Pins the decisions of reviews never asked whether the facts fit in the prompt. */
const NOT_ASKED_SNAPSHOT = './__snapshots__/decisions-not-asked-whether-facts-fit.txt';

/** The answers that tell combinations in one gap and prompt answer apart, as a person reads them. */
function answerKey(answers: Answers): string {
  const parts = [`leaning=${answers.leaning}`];
  if (answers.knowledge) {
    const { changesOften, citationsNeeded } = answers.knowledge;
    parts.push(`changesOften=${changesOften} citationsNeeded=${citationsNeeded}`);
  }
  if (answers.behavior) {
    const { labeledExamples, trainingBudget } = answers.behavior;
    parts.push(`labeledExamples=${labeledExamples} trainingBudget=${trainingBudget}`);
  }
  return parts.join(' ');
}

function run(input: Omit<AnswersInput, 'title'>): Decision {
  return decide(parseAnswers({ title: 'A review', ...input }));
}

/** One set of answers that each rule decides. */
const RULE_EXAMPLES = {
  unsure: { promptTried: 'not-yet', gap: 'unsure' },
  'no-gap': { promptTried: 'not-yet', gap: 'neither' },
  'prompt-works': {
    promptTried: 'scored-good-enough',
    gap: 'knowledge',
    knowledge: { changesOften: false, citationsNeeded: false },
  },
  'prompt-works-live-knowledge': { promptTried: 'scored-good-enough', gap: 'knowledge', knowledge },
  'knowledge-in-prompt-untried': {
    promptTried: 'not-yet',
    gap: 'knowledge',
    knowledge: fewStableFacts(),
  },
  'knowledge-in-prompt-unreliable': {
    promptTried: 'scored-falls-short',
    gap: 'knowledge',
    knowledge: fewStableFacts(),
  },
  'knowledge-whole-document-untried': {
    promptTried: 'not-yet',
    gap: 'knowledge',
    knowledge: fewChangingFacts(),
  },
  'knowledge-whole-document-unreliable': {
    promptTried: 'scored-falls-short',
    gap: 'knowledge',
    knowledge: fewChangingFacts(),
  },
  'knowledge-indexed-untried': { promptTried: 'not-yet', gap: 'knowledge', knowledge },
  'knowledge-indexed-unreliable': {
    promptTried: 'scored-falls-short',
    gap: 'knowledge',
    knowledge,
  },
  'behavior-ready': { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(200) },
  'behavior-untried': { promptTried: 'not-yet', gap: 'behavior', behavior: behavior(6) },
  'behavior-untried-enough-examples': {
    promptTried: 'not-yet',
    gap: 'behavior',
    behavior: behavior(200),
  },
  'behavior-needs-examples': {
    promptTried: 'scored-falls-short',
    gap: 'behavior',
    behavior: behavior(0),
  },
  'both-in-prompt-untried': {
    promptTried: 'not-yet',
    gap: 'both',
    knowledge: fewStableFacts(),
    behavior: behavior(6),
  },
  'both-in-prompt-ready': {
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: fewStableFacts(),
    behavior: behavior(200),
  },
  'both-in-prompt-needs-examples': {
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: fewStableFacts(),
    behavior: behavior(6),
  },
  'both-whole-document-untried': {
    promptTried: 'not-yet',
    gap: 'both',
    knowledge: fewChangingFacts(),
    behavior: behavior(6),
  },
  'both-whole-document-ready': {
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: fewChangingFacts(),
    behavior: behavior(200),
  },
  'both-whole-document-needs-examples': {
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: fewChangingFacts(),
    behavior: behavior(6),
  },
  'both-indexed-ready': {
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge,
    behavior: behavior(200),
  },
  'both-indexed-untried': {
    promptTried: 'not-yet',
    gap: 'both',
    knowledge,
    behavior: behavior(200),
  },
  'both-indexed-needs-examples': {
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge,
    behavior: behavior(6),
  },
} satisfies Record<RuleId, Omit<AnswersInput, 'title'>>;

const codes = (decision: Decision) => decision.warnings.map((w) => w.code);
const aspects = (decision: Decision) => decision.tradeoffs.map((row) => row.aspect);
const urls = (decision: Decision) => decision.sources.map((source) => source.url);
/** Characters that Slack mrkdwn (or Markdown) would read as markup. */
const MARKUP = /[*_~`<>]/;

describe('the fine-tuning bar', () => {
  it('is 50 labeled examples, the bottom of the range in OpenAI’s guide', () => {
    expect(MIN_EXAMPLES_FOR_FINE_TUNING).toBe(50);
  });
});

describe('rules, first match wins', () => {
  const cases: [string, Omit<AnswersInput, 'title'>, Decision['verdict']][] = [
    // Rule 1: neither or unsure
    ['neither, not tried', { promptTried: 'not-yet', gap: 'neither' }, 'prompt'],
    ['neither, unreliable', { promptTried: 'scored-falls-short', gap: 'neither' }, 'prompt'],
    ['neither, good enough', { promptTried: 'scored-good-enough', gap: 'neither' }, 'prompt'],
    ['unsure, not tried', { promptTried: 'not-yet', gap: 'unsure' }, 'prompt'],
    [
      'unsure beats a ready behavior',
      { promptTried: 'scored-falls-short', gap: 'unsure', behavior: behavior(500) },
      'prompt',
    ],
    [
      'neither beats a leaning',
      { promptTried: 'scored-falls-short', gap: 'neither', leaning: 'rag+fine-tune' },
      'prompt',
    ],
    // Rule 2: a good-enough prompt
    [
      'good enough, knowledge',
      { promptTried: 'scored-good-enough', gap: 'knowledge', knowledge },
      'prompt',
    ],
    [
      'good enough, behavior with 500 examples',
      { promptTried: 'scored-good-enough', gap: 'behavior', behavior: behavior(500) },
      'prompt',
    ],
    [
      'good enough, both',
      { promptTried: 'scored-good-enough', gap: 'both', knowledge, behavior: behavior(500) },
      'prompt',
    ],
    // Rule 3: knowledge
    ['knowledge, not tried', { promptTried: 'not-yet', gap: 'knowledge', knowledge }, 'rag'],
    [
      'knowledge, unreliable',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge },
      'rag',
    ],
    [
      'knowledge, leaning fine-tune',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge, leaning: 'fine-tune' },
      'rag',
    ],
    [
      'knowledge, not tried, a few pages of stable facts',
      { promptTried: 'not-yet', gap: 'knowledge', knowledge: fewStableFacts(true) },
      'prompt',
    ],
    [
      'knowledge, not tried, facts that fit but change weekly',
      {
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { ...fewStableFacts(), changesOften: true },
      },
      'rag',
    ],
    [
      'knowledge, unreliable, a few pages of stable facts: they stay in the prompt',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge: fewStableFacts() },
      'prompt',
    ],
    [
      'knowledge, unreliable, facts that fit but change weekly',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge: fewChangingFacts() },
      'rag',
    ],
    // Rule 4: behavior
    [
      'behavior, unreliable, 50 examples',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(50) },
      'fine-tune',
    ],
    [
      'behavior, unreliable, 49 examples',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(49) },
      'prompt',
    ],
    [
      'behavior, unreliable, 0 examples',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(0) },
      'prompt',
    ],
    [
      'behavior, not tried, 500 examples',
      { promptTried: 'not-yet', gap: 'behavior', behavior: behavior(500) },
      'prompt',
    ],
    [
      'behavior, ready, no budget',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(500, false) },
      'fine-tune',
    ],
    // Rule 5: both
    [
      'both, unreliable, 50 examples',
      { promptTried: 'scored-falls-short', gap: 'both', knowledge, behavior: behavior(50) },
      'rag+fine-tune',
    ],
    [
      'both, unreliable, 49 examples',
      { promptTried: 'scored-falls-short', gap: 'both', knowledge, behavior: behavior(49) },
      'rag',
    ],
    [
      'both, not tried, 500 examples',
      { promptTried: 'not-yet', gap: 'both', knowledge, behavior: behavior(500) },
      'rag',
    ],
    [
      'both, not tried, a few pages of stable facts, 500 examples',
      {
        promptTried: 'not-yet',
        gap: 'both',
        knowledge: fewStableFacts(),
        behavior: behavior(500),
      },
      'prompt',
    ],
    [
      'both, unreliable, a few pages of stable facts, 500 examples: the facts stay in the prompt',
      {
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge: fewStableFacts(),
        behavior: behavior(500),
      },
      'fine-tune',
    ],
    [
      'both, unreliable, a few pages of stable facts, 49 examples',
      {
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge: fewStableFacts(),
        behavior: behavior(49),
      },
      'prompt',
    ],
    [
      'both, unreliable, facts that fit but change weekly, 50 examples',
      {
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge: fewChangingFacts(),
        behavior: behavior(50),
      },
      'rag+fine-tune',
    ],
    [
      'both, not tried, facts that fit but change weekly, 500 examples',
      {
        promptTried: 'not-yet',
        gap: 'both',
        knowledge: fewChangingFacts(),
        behavior: behavior(500),
      },
      'rag',
    ],
  ];

  it.each(cases)('%s → %s', (_name, input, verdict) => {
    expect(run(input).verdict).toBe(verdict);
  });

  it('ignores the leaning when choosing the verdict', () => {
    for (const [, input, verdict] of cases) {
      for (const leaning of ['undecided', 'prompt', 'rag', 'fine-tune', 'rag+fine-tune'] as const) {
        expect(run({ ...input, leaning }).verdict).toBe(verdict);
      }
    }
  });

  it('names a distinct rule for each reason, each with its own verdict', () => {
    expect(matchRule(parseAnswers({ title: 't', promptTried: 'not-yet', gap: 'unsure' }))).toBe(
      'unsure',
    );
    const verdicts = new Set(RULE_IDS.map((rule) => RULE_CONTENT[rule].verdict));
    expect([...verdicts].sort()).toEqual([...VERDICTS].sort());
  });
});

describe('warnings', () => {
  const cases: [string, Omit<AnswersInput, 'title'>, Decision['warnings'][number]['code'][]][] = [
    [
      'none for a plain RAG case',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge },
      [],
    ],
    [
      'knowledge-in-weights: fine-tune leaning for facts',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge, leaning: 'fine-tune' },
      ['knowledge-in-weights', 'leaning-differs'],
    ],
    [
      'knowledge-in-weights: rag+fine-tune leaning for a knowledge gap, nothing but facts to tune',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge, leaning: 'rag+fine-tune' },
      ['knowledge-in-weights', 'leaning-differs'],
    ],
    [
      'knowledge-in-weights: fine-tune leaning for both, even when the verdict fine-tunes',
      {
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge,
        behavior: behavior(300),
        leaning: 'fine-tune',
      },
      ['knowledge-in-weights', 'leaning-differs'],
    ],
    [
      'no knowledge-in-weights: rag+fine-tune leaning for both is the rule, behavior not ready',
      {
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge,
        behavior: behavior(10),
        leaning: 'rag+fine-tune',
      },
      ['few-examples', 'leaning-differs'],
    ],
    [
      'no knowledge-in-weights: rag+fine-tune leaning for both, prompt good enough',
      {
        promptTried: 'scored-good-enough',
        gap: 'both',
        knowledge,
        behavior: behavior(300),
        leaning: 'rag+fine-tune',
      },
      ['leaning-differs'],
    ],
    [
      'knowledge-in-weights: fine-tune leaning, prompt good enough',
      { promptTried: 'scored-good-enough', gap: 'knowledge', knowledge, leaning: 'fine-tune' },
      ['knowledge-in-weights', 'leaning-differs'],
    ],
    [
      'no knowledge-in-weights: rag+fine-tune leaning for both, verdict agrees',
      {
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge,
        behavior: behavior(300),
        leaning: 'rag+fine-tune',
      },
      [],
    ],
    [
      'no knowledge-in-weights for a behavior gap',
      {
        promptTried: 'scored-falls-short',
        gap: 'behavior',
        behavior: behavior(10),
        leaning: 'fine-tune',
      },
      ['few-examples', 'leaning-differs'],
    ],
    [
      'no knowledge-in-weights for a rag leaning',
      { promptTried: 'scored-falls-short', gap: 'knowledge', knowledge, leaning: 'rag' },
      [],
    ],
    [
      'prompt-untried: behavior',
      { promptTried: 'not-yet', gap: 'behavior', behavior: behavior(10) },
      ['prompt-untried'],
    ],
    [
      'prompt-untried: both',
      { promptTried: 'not-yet', gap: 'both', knowledge, behavior: behavior(500) },
      ['prompt-untried'],
    ],
    [
      'no prompt-untried for knowledge',
      { promptTried: 'not-yet', gap: 'knowledge', knowledge },
      [],
    ],
    ['no prompt-untried for neither', { promptTried: 'not-yet', gap: 'neither' }, []],
    [
      'few-examples: 49',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(49) },
      ['few-examples'],
    ],
    [
      'no few-examples at 50, but no room for a held-out set',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(50) },
      ['held-out-short'],
    ],
    [
      'few-examples: both, 0',
      { promptTried: 'scored-falls-short', gap: 'both', knowledge, behavior: behavior(0) },
      ['few-examples'],
    ],
    [
      'no few-examples before a prompt is tried',
      { promptTried: 'not-yet', gap: 'behavior', behavior: behavior(3) },
      ['prompt-untried'],
    ],
    [
      'no few-examples when the prompt is good enough',
      { promptTried: 'scored-good-enough', gap: 'behavior', behavior: behavior(3) },
      [],
    ],
    [
      'no-training-budget: fine-tune',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(150, false) },
      ['no-training-budget'],
    ],
    [
      'no-training-budget: rag+fine-tune',
      { promptTried: 'scored-falls-short', gap: 'both', knowledge, behavior: behavior(150, false) },
      ['no-training-budget'],
    ],
    [
      'no no-training-budget when nothing is trained',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(49, false) },
      ['few-examples'],
    ],
    [
      'leaning-differs: prompt leaning, RAG verdict',
      { promptTried: 'not-yet', gap: 'knowledge', knowledge, leaning: 'prompt' },
      ['leaning-differs'],
    ],
    [
      'no leaning-differs when undecided',
      { promptTried: 'not-yet', gap: 'neither', leaning: 'undecided' },
      [],
    ],
    [
      'no leaning-differs when it matches',
      { promptTried: 'not-yet', gap: 'neither', leaning: 'prompt' },
      [],
    ],
    [
      'no-diagnosis: unsure',
      { promptTried: 'scored-falls-short', gap: 'unsure' },
      ['no-diagnosis'],
    ],
    [
      'no-diagnosis with a leaning',
      { promptTried: 'not-yet', gap: 'unsure', leaning: 'fine-tune' },
      ['leaning-differs', 'no-diagnosis'],
    ],
    [
      'every applicable warning, in order',
      {
        promptTried: 'not-yet',
        gap: 'both',
        knowledge,
        behavior: behavior(5, false),
        leaning: 'fine-tune',
      },
      ['knowledge-in-weights', 'prompt-untried', 'leaning-differs'],
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(codes(run(input))).toEqual(expected);
  });

  it('few-examples gives the count and the bar', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(12),
    });
    const message = decision.warnings[0]?.message ?? '';
    expect(message).toContain('12 labeled examples');
    expect(message).toContain('50');
  });

  it('no-training-budget says how to get by on a small one', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(300, false),
    });
    const message = decision.warnings[0]?.message ?? '';
    expect(message).toMatch(/hosted fine-tuning/);
    expect(message).toMatch(/QLoRA on a single rented GPU/);
  });

  it('knowledge-in-weights explains why facts do not belong in weights', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'knowledge',
      knowledge,
      leaning: 'fine-tune',
    });
    const message = decision.warnings[0]?.message ?? '';
    expect(message).toContain('pattern, not a fact');
    expect(message).toContain('Fine-tune');
  });

  it('knowledge-in-weights says which half of a both gap belongs in retrieval', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(300),
      leaning: 'fine-tune',
    });
    const message = decision.warnings[0]?.message ?? '';
    expect(decision.verdict).toBe('rag+fine-tune');
    expect(message).toContain('pattern, not a fact');
    expect(message).toContain('Keep the knowledge half in retrieval');
    expect(message).toContain('fine-tune only the behavior');
  });

  it('knowledge-in-weights under a prompt verdict keeps the facts in the prompt for now', () => {
    const decision = run({
      promptTried: 'scored-good-enough',
      gap: 'knowledge',
      knowledge,
      leaning: 'fine-tune',
    });
    const message = decision.warnings[0]?.message ?? '';
    expect(decision.verdict).toBe('prompt');
    expect(message).toContain('pattern, not a fact');
    expect(message).toContain('in the prompt for now, and in retrieval once');
    expect(message).not.toContain('Keep the facts in retrieval');
  });

  it('knowledge-in-weights for a both gap not fine-tuned yet makes tuning the behavior conditional', () => {
    for (const promptTried of ['scored-good-enough', 'not-yet'] as const) {
      const decision = run({
        promptTried,
        gap: 'both',
        knowledge,
        behavior: behavior(300),
        leaning: 'fine-tune',
      });
      const message = decision.warnings[0]?.message ?? '';
      expect(decision.verdict).toBe(promptTried === 'scored-good-enough' ? 'prompt' : 'rag');
      expect(message).toContain('If it comes to fine-tuning, fine-tune only the behavior.');
      expect(message).not.toContain('Keep the knowledge half in retrieval');
    }
  });

  it('knowledge-in-weights says why RAG + fine-tune for pure knowledge still tunes facts', () => {
    const decision = run({
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge,
      leaning: 'rag+fine-tune',
    });
    const message = decision.warnings[0]?.message ?? '';
    expect(message).toContain('RAG + fine-tune for a knowledge gap');
    expect(message).toContain('nothing but facts');
  });

  it('leaning-differs names both options and the reason in one sentence', () => {
    for (const rule of RULE_IDS) {
      const verdict = RULE_CONTENT[rule].verdict;
      const leaning = verdict === 'prompt' ? 'rag' : 'prompt';
      const parsed = parseAnswers({ title: 't', ...RULE_EXAMPLES[rule], leaning });
      expect(matchRule(parsed)).toBe(rule);
      const warning = decide(parsed).warnings.find((w) => w.code === 'leaning-differs');
      expect(warning?.message).toContain(`leaned ${VERDICT_LABELS[leaning]}`);
      expect(warning?.message).toContain(`verdict is ${VERDICT_LABELS[verdict]} because`);
      expect(warning?.message.match(/[.!?](\s|$)/g)).toHaveLength(1);
    }
  });

  it('has a short title for every warning code', () => {
    expect(Object.keys(WARNING_TITLES).sort()).toEqual([...WARNING_CODES].sort());
    for (const title of Object.values(WARNING_TITLES)) expect(title.length).toBeLessThan(30);
  });
});

describe('the course examples', () => {
  it.each(['Who is our Q3 enterprise contact?', 'What does our refund policy say?'])(
    '"%s" (knowledge, still unreliable) → RAG',
    (title) => {
      const decision = decide(
        parseAnswers({
          title,
          promptTried: 'scored-falls-short',
          gap: 'knowledge',
          knowledge: { changesOften: true, citationsNeeded: true },
        }),
      );
      expect(decision.verdict).toBe('rag');
      expect(decision.warnings).toEqual([]);
    },
  );

  it.each([
    ['Always answer as a strict JSON object', 'format'],
    ['Reply in our terse house voice', 'tone'],
    ['Classify tickets into our 9 internal categories', 'classification'],
  ] as const)('"%s" (behavior, still unreliable, 500 examples) → fine-tune', (title, kind) => {
    const decision = decide(
      parseAnswers({
        title,
        promptTried: 'scored-falls-short',
        gap: 'behavior',
        behavior: { kinds: [kind], labeledExamples: 500, trainingBudget: true },
      }),
    );
    expect(decision.verdict).toBe('fine-tune');
    expect(decision.warnings).toEqual([]);
  });

  it('a gap that a system prompt and three examples would have fixed → prompt', () => {
    const decision = decide(
      parseAnswers({
        title: 'Summaries come out too long',
        promptTried: 'not-yet',
        gap: 'behavior',
        behavior: { kinds: ['format'], labeledExamples: 3, trainingBudget: true },
      }),
    );
    expect(decision.verdict).toBe('prompt');
    expect(codes(decision)).toEqual(['prompt-untried']);
    expect(decision.nextSteps.join(' ')).toMatch(
      /explicit output spec into the prompt, with a few examples/,
    );
  });

  it('knowledge plus a strict format, 300 examples → RAG + fine-tune', () => {
    const decision = decide(
      parseAnswers({
        title: 'Contract facts in the finance report layout',
        promptTried: 'scored-falls-short',
        gap: 'both',
        knowledge: { changesOften: true, citationsNeeded: true },
        behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: true },
      }),
    );
    expect(decision.verdict).toBe('rag+fine-tune');
    expect(decision.warnings).toEqual([]);
  });

  it('a team leaning fine-tune for product facts → RAG, with knowledge-in-weights', () => {
    const decision = decide(
      parseAnswers({
        title: 'Teach the assistant our product features',
        leaning: 'fine-tune',
        promptTried: 'scored-falls-short',
        gap: 'knowledge',
        knowledge: { changesOften: true, citationsNeeded: false },
      }),
    );
    expect(decision.verdict).toBe('rag');
    expect(codes(decision)).toContain('knowledge-in-weights');
    expect(decision.tradeoffs.map((row) => row.aspect)).toContain('Risk');
  });
});

describe('rationale', () => {
  const prefixes = (decision: Decision) => decision.rationale.map((line) => line.split(':')[0]);

  it('follows checklist order, one line per deciding answer', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge: { changesOften: true, citationsNeeded: true },
      behavior: { kinds: ['format', 'tone'], labeledExamples: 300, trainingBudget: true },
      leaning: 'rag+fine-tune',
    });
    expect(prefixes(decision)).toEqual([
      'Prompt',
      'Gap',
      'Knowledge changes often',
      'Citations needed',
      'Behavior kinds',
      'Labeled examples',
      'Leaning',
    ]);
    expect(decision.rationale[4]).toContain('format and tone');
  });

  it('explains an undiagnosed gap with the prompt answer and the gap', () => {
    expect(prefixes(run({ promptTried: 'not-yet', gap: 'unsure' }))).toEqual(['Prompt', 'Gap']);
  });

  it('does not ask for a prompt baseline as if none worked when the gap is unsure', () => {
    const decision = run({ promptTried: 'scored-good-enough', gap: 'unsure' });
    expect(decision.headline).not.toMatch(/prompt baseline/);
    expect(decision.rationale[0]).toMatch(
      /^Prompt: yes, scored on real examples, good enough\. A working prompt/,
    );
    expect(decision.nextSteps[0]).toMatch(/^Keep the prompt under version control/);
  });

  it('gives stable knowledge without citations one line', () => {
    const decision = run({
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: { changesOften: false, citationsNeeded: false },
    });
    expect(prefixes(decision)).toEqual(['Prompt', 'Gap', 'Knowledge changes often']);
  });

  it('says whether the examples meet the bar', () => {
    const line = (n: number) =>
      run({
        promptTried: 'scored-falls-short',
        gap: 'behavior',
        behavior: behavior(n),
      }).rationale.find((l) => l.startsWith('Labeled examples'));
    expect(line(49)).toMatch(/^Labeled examples: 49\. Below the 50/);
    expect(line(50)).toMatch(/^Labeled examples: 50\. At or above the 50/);
  });
});

describe('examples enough to train on, but not also to hold out', () => {
  const triage = (labeledExamples: number, promptTried: 'scored-falls-short' | 'not-yet') =>
    run({
      promptTried,
      gap: 'behavior',
      behavior: { kinds: ['classification'], labeledExamples, trainingBudget: true },
    });

  it('triage into 9 classes with 60 examples: fine-tune, warned that no held-out set is left', () => {
    const decision = triage(60, 'scored-falls-short');
    expect(decision.verdict).toBe('fine-tune');
    expect(codes(decision)).toEqual(['held-out-short']);
    const message = decision.warnings[0]?.message ?? '';
    expect(message).toMatch(/^60 labeled examples meet the 50 to train on/);
    expect(message).toContain('about 100 more held out');
    expect(message).toContain('about 150 in all');
    expect(message).toContain('20 to 30 per class');
    expect(WARNING_TITLES['held-out-short']).toBe('No room for a held-out set');
  });

  it('warns from the fine-tuning bar up to the 150 that train and test', () => {
    expect(codes(triage(49, 'scored-falls-short'))).toEqual(['few-examples']);
    expect(codes(triage(50, 'scored-falls-short'))).toEqual(['held-out-short']);
    expect(codes(triage(149, 'scored-falls-short'))).toEqual(['held-out-short']);
    expect(codes(triage(150, 'scored-falls-short'))).toEqual([]);
  });

  it('warns too where the examples are called ready for a fine-tune later', () => {
    expect(codes(triage(60, 'not-yet'))).toEqual(['prompt-untried', 'held-out-short']);
    expect(codes(triage(150, 'not-yet'))).toEqual(['prompt-untried']);
  });

  it('names the classification rule only for classification', () => {
    const format = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: { kinds: ['format'], labeledExamples: 60, trainingBudget: true },
    });
    expect(format.warnings[0]?.message).not.toContain('per class');
  });
});

describe('the deciding answers', () => {
  it('marks one to three rationale lines, in order, as the ones that decided the verdict', () => {
    for (const answers of everyAnswerCombination()) {
      const { rationale, decisive = [] } = decide(answers);
      const where = JSON.stringify(answers);
      expect(decisive.length, where).toBeGreaterThanOrEqual(1);
      expect(decisive.length, where).toBeLessThanOrEqual(3);
      expect(decisive, where).toEqual([...new Set(decisive)].sort((a, b) => a - b));
      for (const index of decisive) expect(rationale[index], where).toBeDefined();
    }
  });

  it('marks the size of the facts where it placed them, and the examples where they met the bar', () => {
    const deciding = (input: Omit<AnswersInput, 'title'>) => {
      const { rationale, decisive = [] } = run(input);
      return decisive.map((index) => rationale[index]?.split(':')[0]);
    };
    expect(deciding(RULE_EXAMPLES['knowledge-in-prompt-untried'])).toEqual([
      'Facts fit in the prompt',
    ]);
    expect(deciding(RULE_EXAMPLES['behavior-ready'])).toEqual(['Labeled examples']);
    expect(deciding(RULE_EXAMPLES['both-in-prompt-ready'])).toEqual([
      'Facts fit in the prompt',
      'Labeled examples',
    ]);
    expect(deciding(RULE_EXAMPLES['prompt-works'])).toEqual(['Prompt']);
    expect(deciding(RULE_EXAMPLES.unsure)).toEqual(['Gap']);
  });
});

describe('a behavior below the fine-tuning bar', () => {
  it('after a measured prompt fell short: fine-tuning is the path, data the blocker', () => {
    const decision = run(RULE_EXAMPLES['behavior-needs-examples']);
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).toBe(
      'Prompt as a stop-gap: the behavior needs fine-tuning, and the blocker is data. Collect at least 50 labeled examples, and measure.',
    );
    expect(decision.rationale[0]).toMatch(/fine-tuning is the path/);
    expect(decision.rationale).toContain(
      'Labeled examples: 0. Below the 50 at which fine-tuning gains usually start to show: collecting at least 50 is what stands between this behavior and a fine-tune.',
    );
    expect(decision.nextSteps[0]).toMatch(/^Collect labeled examples/);
    expect(decision.warnings[0]?.message).toMatch(/Collect at least 50/);
    expect(decision.warnings[0]?.message).toMatch(/stop-gap/);
  });

  it('with facts too: RAG now, the behavior waits for data, not for a better prompt', () => {
    const decision = run(RULE_EXAMPLES['both-indexed-needs-examples']);
    expect(decision.verdict).toBe('rag');
    expect(decision.headline).toMatch(/^RAG for the facts\. The behavior needs fine-tuning/);
    expect(decision.nextSteps.join(' ')).not.toMatch(/few-shot|output spec/);
  });

  it('before any prompt, with enough examples: measure a prompt first, the examples are ready', () => {
    const decision = run(RULE_EXAMPLES['behavior-untried-enough-examples']);
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).toBe(
      'Prompt first: score a prompt on the behavior. If it still falls short, your labeled examples are already enough to fine-tune on.',
    );
    expect(decision.rationale).toContain(
      'Labeled examples: 200. Enough to fine-tune on later, with a held-out set, if the prompt still falls short once scored.',
    );
  });

  it('before any prompt, with facts and enough examples: collecting more is only for those short of the bar', () => {
    const decision = run({
      promptTried: 'not-yet',
      gap: 'both',
      knowledge,
      behavior: behavior(500),
    });
    expect(decision.rationale).toContain(
      'Labeled examples: 500. Enough to fine-tune on later, with a held-out set, if the prompt still falls short once scored.',
    );
    expect(decision.nextSteps.at(-1)).toMatch(
      /; if you don't have them yet, log corrected outputs until you do\.$/,
    );
  });

  it('before any prompt, with no examples: nothing refers to examples they do not have', () => {
    const decision = run({ promptTried: 'not-yet', gap: 'behavior', behavior: behavior(0) });
    expect(decision.headline).not.toMatch(/examples you have/);
    expect(decision.rationale.join(' ')).toMatch(
      /Labeled examples: 0\. Write a few worked examples/,
    );
  });
});

describe('a prompt scored, or only tried', () => {
  const scored = (answers: Answers) =>
    answers.promptTried === 'scored-good-enough' || answers.promptTried === 'scored-falls-short';
  const tone = (promptTried: AnswersInput['promptTried']) =>
    run({
      promptTried,
      gap: 'behavior',
      behavior: { kinds: ['tone'], labeledExamples: 200, trainingBudget: true },
    });

  it('fine-tunes only after a prompt scored on real examples fell short', () => {
    expect(tone('scored-falls-short').verdict).toBe('fine-tune');
    for (const promptTried of ['tried-not-scored', 'still-unreliable'] as const) {
      const decision = tone(promptTried);
      expect(decision.verdict, promptTried).toBe('prompt');
      expect(codes(decision), promptTried).toEqual(['prompt-unscored']);
      expect(decision.warnings[0]?.message, promptTried).toMatch(
        /Score it on 20 to 50 of your labeled examples, kept out of training/,
      );
    }
    expect(WARNING_TITLES['prompt-unscored']).toBe('Score it first');
  });

  it('the reviewer’s case: tried, still unreliable, 60 examples of tone is no fine-tune without a score', () => {
    const decision = run({
      promptTried: 'still-unreliable',
      gap: 'behavior',
      behavior: { kinds: ['tone'], labeledExamples: 60, trainingBudget: true },
    });
    expect(decision.verdict).toBe('prompt');
    expect(codes(decision)).toEqual(['prompt-unscored', 'held-out-short']);
    expect(decision.rationale[0]).toMatch(/^Prompt: yes, still unreliable, scoring not asked\. /);
  });

  it('never fine-tunes on a prompt tried but not scored, whatever else was answered', () => {
    for (const answers of everyAnswerCombination()) {
      if (answers.promptTried === 'not-yet' || scored(answers)) continue;
      const { verdict } = decide(answers);
      expect(verdict, JSON.stringify(answers)).not.toMatch(/fine-tune/);
    }
  });

  it('claims a measurement or an eval only where the answers say the prompt was scored', () => {
    const claims = /\bmeasured\b|\bthe eval (says|shows)\b|reached its limit|eval set that shows/i;
    let checked = 0;
    for (const answers of everyAnswerCombination()) {
      if (scored(answers)) continue;
      const decision = decide(answers);
      const where = JSON.stringify(answers);
      for (const line of [decision.headline, ...decision.rationale]) {
        expect(line, where).not.toMatch(claims);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('tells a team whose prompt was scored good enough to keep its eval set, not to build one', () => {
    const decision = run({
      promptTried: 'scored-good-enough',
      gap: 'behavior',
      behavior: behavior(3),
    });
    expect(decision.rationale[0]).toMatch(/until its score says otherwise/);
    expect(decision.measure.join(' ')).not.toMatch(/Build a small labeled eval set/);
    expect(decision.measure.join(' ')).toMatch(/Keep the eval set it was scored on/);
  });

  it('tells a team whose prompt works by their account to score it, not to keep an eval set it may lack', () => {
    const decision = run({ promptTried: 'good-enough', gap: 'behavior', behavior: behavior(3) });
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).not.toMatch(/eval set that shows it works/);
    expect(decision.headline).toMatch(/score it on real examples/);
    expect(decision.rationale[0]).toMatch(/^Prompt: yes, good enough, scoring not asked\. /);
    expect(decision.measure.join(' ')).toMatch(/Build a small labeled eval set/);
  });

  it('routes a prompt tried but not scored like one not tried, worded for one that exists', () => {
    let checked = 0;
    for (const answers of everyAnswerCombination()) {
      if (answers.promptTried !== 'tried-not-scored') continue;
      checked++;
      const untried = parseAnswers({ ...answers, promptTried: 'not-yet' });
      const where = JSON.stringify(answers);
      expect(matchRule(answers), where).toBe(matchRule(untried));
      const decision = decide(answers);
      expect(decision.rationale[0], where).toMatch(/^Prompt: tried, but not scored yet\. /);
      expect(codes(decision).includes('prompt-untried'), where).toBe(false);
      expect(codes(decision).includes('prompt-unscored'), where).toBe(
        gapIncludesBehavior(answers.gap),
      );
    }
    expect(checked).toBe(720);
  });
});

describe('a prompt good enough against answers that say otherwise', () => {
  it('facts that do not fit: says the prompt carries only part of them, in the headline and a warning', () => {
    const decision = run({
      promptTried: 'scored-good-enough',
      gap: 'knowledge',
      knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
    });
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).not.toMatch(/Maintain the facts in it by hand/);
    expect(decision.headline).toMatch(/only part of the facts/);
    expect(codes(decision)).toEqual(['facts-do-not-fit']);
    expect(WARNING_TITLES['facts-do-not-fit']).toBe('Facts do not fit the prompt');
    expect(decision.warnings[0]?.message).toMatch(
      /^A score on an eval that never asks about the facts the prompt leaves out/,
    );
    // Stable facts that do not fit contradict a working prompt just as much.
    const stable = run({
      promptTried: 'scored-good-enough',
      gap: 'both',
      knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: false },
      behavior: behavior(10),
    });
    expect(codes(stable)).toEqual(['facts-do-not-fit']);
    expect(stable.headline).toMatch(/only part of the facts/);
  });

  it('facts that do not fit: the steps say once what to add to the eval and when to move, the warning points there', () => {
    for (const promptTried of ['scored-good-enough', 'good-enough'] as const) {
      for (const changesOften of [true, false]) {
        for (const gap of ['knowledge', 'both'] as const) {
          const decision = run({
            promptTried,
            gap,
            knowledge: { changesOften, citationsNeeded: changesOften, fitsInPrompt: false },
            ...(gap === 'both' ? { behavior: behavior(10) } : {}),
          });
          const where = `${promptTried}, ${gap}, changes often ${changesOften}`;
          const advice = decision.nextSteps.filter((step) =>
            /leaves out|left out|move the facts to RAG/i.test(step),
          );
          expect(advice, where).toEqual([
            expect.stringMatching(
              /^Add questions about the facts the prompt leaves out to the eval; move the facts to RAG when they fail/,
            ),
          ]);
          const warning = decision.warnings.find((w) => w.code === 'facts-do-not-fit')?.message;
          expect(warning, where).toMatch(/the next steps /);
          expect(warning, where).not.toMatch(/Add such questions|if they fail/);
          expect(decision.headline, where).not.toMatch(/RAG|eval/);
          // An older answer never said the prompt was scored, so nothing claims it was.
          if (promptTried === 'good-enough') expect(warning, where).not.toMatch(/scored/);
        }
      }
    }
  });

  it('a gap not diagnosed: the working prompt stays, with nothing to diagnose yet', () => {
    const answers = parseAnswers({ title: 't', promptTried: 'scored-good-enough', gap: 'unsure' });
    expect(matchRule(answers)).toBe('prompt-works');
    const decision = decide(answers);
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).not.toMatch(/not diagnosed/);
    expect(codes(decision)).toEqual([]);
    expect(decision.rationale[1]).toMatch(/^Gap: not sure yet\. With a prompt that works/);
    expect(decision.nextSteps.join(' ')).toMatch(/sort them/);
  });

  it('stable facts that fit and must be cited: the headline speaks of citing, not of a burden', () => {
    const decision = run({
      promptTried: 'scored-good-enough',
      gap: 'knowledge',
      knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
    });
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).not.toMatch(/burden|by hand/);
    expect(decision.headline).toMatch(/source/);
    expect(decision.headline).toMatch(/outgrow the prompt/);
    expect(codes(decision)).toEqual([]);
  });

  it('facts that fit and change weekly: the headline names what to do when editing them is a burden', () => {
    const decision = run({
      promptTried: 'scored-good-enough',
      gap: 'knowledge',
      knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: true },
    });
    expect(decision.headline).toMatch(/load the current document into each request/);
    expect(decision.headline).not.toMatch(/move them to RAG/);
  });
});

describe('a working prompt for a knowledge gap', () => {
  it('calls small, stable knowledge fine in the prompt', () => {
    const decision = run(RULE_EXAMPLES['prompt-works']);
    expect(decision.rationale[1]).toMatch(/Small, stable knowledge can live in the prompt itself/);
  });

  it('acknowledges knowledge that changes weekly and must be cited, and points to RAG', () => {
    const decision = run(RULE_EXAMPLES['prompt-works-live-knowledge']);
    expect(decision.verdict).toBe('prompt');
    expect(decision.rationale.join(' ')).not.toMatch(/stable/);
    expect(decision.rationale.map((line) => line.split('.')[0])).toEqual([
      'Prompt: yes, scored on real examples, good enough',
      'Gap: knowledge',
      'Knowledge changes often: yes',
      'Citations needed: yes',
    ]);
    expect(decision.nextSteps.join(' ')).not.toMatch(/small, stable|starts changing weekly/);
    expect(decision.nextSteps.at(-1)).toMatch(/^Move the facts to retrieval when/);
  });

  it('with a behavior gap too, gives the same trigger for RAG as the headline', () => {
    const decision = run({
      promptTried: 'scored-good-enough',
      gap: 'both',
      knowledge,
      behavior: behavior(300),
    });
    expect(decision.headline).toMatch(/move them to RAG when that becomes a burden/);
    expect(decision.rationale[1]).toMatch(
      /^Gap: both\. .*RAG becomes worth it when maintaining the facts there becomes a burden/,
    );
    expect(decision.rationale[1]).not.toMatch(/RAG or fine-tuning only earns its cost/);
  });
});

describe('facts that would fit in the prompt', () => {
  const prefixes = (decision: Decision) => decision.rationale.map((line) => line.split(':')[0]);
  const text = (lines: string[]) => lines.join(' ');

  it('reaches a rule that puts the facts where their size and churn say they go', () => {
    const diagnosedWithFacts = everyAnswerCombination().filter(
      (answers) =>
        (answers.gap === 'knowledge' || answers.gap === 'both') &&
        !promptGoodEnough(answers.promptTried),
    );
    // Not tried, tried but not scored, scored short, and the older "still unreliable".
    expect(diagnosedWithFacts).toHaveLength(4 * (60 + 600));
    for (const answers of diagnosedWithFacts) {
      const { changesOften, fitsInPrompt } = answers.knowledge ?? {};
      const place = !fitsInPrompt ? 'indexed' : changesOften ? 'whole-document' : 'in-prompt';
      expect(RULE_CONTENT[matchRule(answers)].facts, JSON.stringify(answers)).toBe(place);
    }
    // A working prompt keeps the facts where they are, and a gap without facts has none to place.
    for (const rule of ['prompt-works', 'prompt-works-live-knowledge', 'behavior-ready'] as const) {
      expect(RULE_CONTENT[rule].facts).toBeUndefined();
    }
  });

  it('knowledge, no prompt yet, a few pages of stable facts → prompt, with its own rule', () => {
    const answers = parseAnswers({ title: 't', ...RULE_EXAMPLES['knowledge-in-prompt-untried'] });
    expect(matchRule(answers)).toBe('knowledge-in-prompt-untried');
    const decision = decide(answers);
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).toMatch(/^Prompt: the facts are few and stable enough/);
    expect(decision.warnings).toEqual([]);
    expect(text(decision.rationale)).not.toMatch(/never saw/);
    expect(prefixes(decision)).toEqual(['Prompt', 'Gap', 'Facts fit in the prompt']);
    expect(decision.rationale[0]).toMatch(/baseline any retrieval would have to beat/);
  });

  it('says what to do: the facts in the prompt, a question-and-answer eval, and when to move to RAG', () => {
    const { nextSteps, measure } = run(RULE_EXAMPLES['knowledge-in-prompt-untried']);
    expect(nextSteps[0]).toMatch(/^Put the facts in the prompt/);
    expect(nextSteps[0]).not.toMatch(/source/);
    expect(text(nextSteps)).toMatch(/eval of question and answer pairs/);
    expect(nextSteps.at(-1)).toMatch(/^Move the facts to RAG when they outgrow the prompt/);
    // Weekly change while they fit means loading the document per request, not an index.
    expect(nextSteps.at(-1)).toMatch(
      /If they start changing weekly while they still fit, load the current source document into the prompt at each request/,
    );
    expect(text(measure)).toMatch(/question and answer pairs/);
    expect(text(measure)).toMatch(/says so rather than guessing/);
  });

  it('still takes the prompt when answers must cite, carrying each fact’s source, and says why', () => {
    const decision = run({
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: fewStableFacts(true),
    });
    expect(decision.verdict).toBe('prompt');
    expect(decision.nextSteps[0]).toMatch(/^Put the facts in the prompt .*each with its source/);
    expect(decision.nextSteps[0]).toMatch(/cite the source of every fact/);
    expect(prefixes(decision)).toEqual([
      'Prompt',
      'Gap',
      'Citations needed',
      'Facts fit in the prompt',
    ]);
    expect(decision.rationale[2]).toBe(
      'Citations needed: yes. That does not rule out the prompt: it can carry each fact’s source beside the fact for answers to cite.',
    );
    expect(aspects(decision)).toEqual(['Update a fact', 'Cite a source', 'Cost to set up', 'Risk']);
  });

  it('facts too many for a prompt → RAG, and the rationale says the size is why, once', () => {
    const decision = run({
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: false },
    });
    expect(decision.verdict).toBe('rag');
    expect(decision.rationale[0]).toBe(
      'Prompt: not yet. No need to wait for one here: a prompt could hold only part of these facts, and the model would guess at the rest.',
    );
    // The no to the size is the deciding answer; "changes often: no" adds nothing beside it.
    expect(prefixes(decision)).toEqual(['Prompt', 'Gap', 'Facts fit in the prompt']);
    const churning = run({
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: false },
    });
    expect(churning.rationale[0]).toBe(decision.rationale[0]);
    expect(prefixes(churning)).toEqual([
      'Prompt',
      'Gap',
      'Knowledge changes often',
      'Facts fit in the prompt',
    ]);
  });

  it('never claims a prompt cannot supply facts the model never saw', () => {
    for (const answers of everyAnswerCombination()) {
      const decision = decide(answers);
      const said = [
        decision.headline,
        ...decision.rationale,
        RULE_CONTENT[matchRule(answers)].because,
      ];
      expect(text(said), JSON.stringify(answers)).not.toMatch(/no prompt can|prompt cannot supply/);
    }
  });

  it('both, no prompt yet, a few pages of stable facts → prompt for facts and behavior together', () => {
    const answers = parseAnswers({ title: 't', ...RULE_EXAMPLES['both-in-prompt-untried'] });
    expect(matchRule(answers)).toBe('both-in-prompt-untried');
    const decision = decide(answers);
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).toMatch(/in one prompt/);
    expect(decision.headline).toMatch(/RAG and fine-tuning wait/);
    expect(codes(decision)).toEqual(['prompt-untried']);
    expect(decision.nextSteps[0]).toMatch(/^Put the facts in the prompt/);
    expect(decision.nextSteps[1]).toMatch(/^In the same prompt, write an explicit output spec/);
    expect(text(decision.nextSteps)).toMatch(/Move the facts to RAG when/);
    expect(prefixes(decision)).toEqual([
      'Prompt',
      'Gap',
      'Facts fit in the prompt',
      'Labeled examples',
    ]);
    expect(aspects(decision)).toEqual([
      'Update a fact',
      'Consistent format or voice',
      'Cost to set up',
      'Risk',
    ]);
  });

  it('both with enough examples still measures the one prompt first', () => {
    const decision = run({
      promptTried: 'not-yet',
      gap: 'both',
      knowledge: fewStableFacts(true),
      behavior: behavior(500),
    });
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).not.toMatch(/collect/i);
    expect(decision.rationale).toContain(
      'Labeled examples: 500. Enough to fine-tune on later, with a held-out set, if the prompt still falls short once scored.',
    );
  });

  it('both, no prompt yet: the last step follows the example count, and keeps the eval apart from the few-shot examples', () => {
    const short = run(RULE_EXAMPLES['both-in-prompt-untried']);
    const enough = run({ ...RULE_EXAMPLES['both-in-prompt-untried'], behavior: behavior(50) });
    expect(short.nextSteps.at(-1)).toMatch(
      /run the checklist again with at least 50 labeled examples/,
    );
    expect(enough.nextSteps.at(-1)).not.toMatch(/with at least 50|log corrected outputs/);
    // 50 examples: enough to train on, not also to hold out a set (the held-out warning).
    expect(enough.nextSteps.at(-1)).toMatch(/are enough to train on, not yet also to judge a tune/);
    expect(enough.nextSteps.at(-1)).toMatch(/a held-out set of about 100 cases, never trained on/);
    const plenty = run({ ...RULE_EXAMPLES['both-in-prompt-untried'], behavior: behavior(150) });
    expect(plenty.nextSteps.at(-1)).toMatch(/already meet the bar for fine-tuning/);
    expect(enough.nextSteps.at(-1)).toMatch(/few-shot examples from them, never from the eval/);
    for (const decision of [short, enough]) {
      expect(text(decision.nextSteps)).toMatch(/No few-shot example may come from it/);
    }
  });

  it('both with facts too many for a prompt → RAG, as before', () => {
    const answers = parseAnswers({
      title: 't',
      promptTried: 'not-yet',
      gap: 'both',
      knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: false },
      behavior: behavior(500),
    });
    expect(matchRule(answers)).toBe('both-indexed-untried');
    expect(codes(decide(answers))).toEqual(['prompt-untried']);
  });

  it('a fine-tune leaning keeps the facts in the prompt for now, and the behavior tune conditional', () => {
    const knowledgeOnly = run({
      ...RULE_EXAMPLES['knowledge-in-prompt-untried'],
      leaning: 'fine-tune',
    });
    expect(codes(knowledgeOnly)).toEqual(['knowledge-in-weights', 'leaning-differs']);
    expect(knowledgeOnly.warnings[0]?.message).toContain(
      'in the prompt for now, and in retrieval once',
    );
    expect(aspects(knowledgeOnly)).toContain('Risk');
    const both = run({ ...RULE_EXAMPLES['both-in-prompt-untried'], leaning: 'fine-tune' });
    expect(codes(both)).toEqual(['knowledge-in-weights', 'prompt-untried', 'leaning-differs']);
    expect(both.warnings[0]?.message).toContain('in the prompt for now');
    expect(both.warnings[0]?.message).toContain(
      'If it comes to fine-tuning, fine-tune only the behavior.',
    );
  });

  it('rests on the prompt-first guide, and on the retrieval research its steps lead to', () => {
    for (const rule of ['knowledge-in-prompt-untried', 'both-in-prompt-untried'] as const) {
      expect(urls(run(RULE_EXAMPLES[rule])), rule).toEqual([
        'https://platform.openai.com/docs/guides/fine-tuning',
        'https://arxiv.org/abs/2005.11401',
      ]);
    }
  });

  it('keeps the verdict once a prompt was good enough', () => {
    for (const fitsInPrompt of [true, false]) {
      const answers = parseAnswers({
        title: 't',
        promptTried: 'scored-good-enough',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt },
      });
      expect(matchRule(answers)).toBe('prompt-works');
      expect(decide(answers).verdict).toBe('prompt');
      expect(prefixes(decide(answers))).toContain('Facts fit in the prompt');
    }
  });

  it('says each point once in a rationale', () => {
    const points = [
      /outgrow/i,
      /stale/i,
      /weekly|change too often/i,
      /index/i,
      /cheap/i,
      /past(e|ing)/i,
    ];
    for (const answers of everyAnswerCombination()) {
      if (answers.knowledge?.fitsInPrompt === undefined) continue;
      const { rationale } = decide(answers);
      for (const point of points) {
        const lines = rationale.filter((line) => point.test(line));
        expect(lines.length, `${point} in ${JSON.stringify(answers)}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('a few pages of stable facts after a measured prompt fell short', () => {
  const text = (lines: string[]) => lines.join(' ');
  const BUILDS_AN_INDEX = /chunk|Embed|vector index|Build the retrieval side|top-k/;

  it('knowledge → prompt: paste them in if they were missing, present them better if they were there', () => {
    const answers = parseAnswers({
      title: 't',
      ...RULE_EXAMPLES['knowledge-in-prompt-unreliable'],
    });
    expect(matchRule(answers)).toBe('knowledge-in-prompt-unreliable');
    const decision = decide(answers);
    expect(decision.verdict).toBe('prompt');
    expect(decision.warnings).toEqual([]);
    expect(decision.headline).toMatch(/^Prompt: keep the few, stable facts in it/);
    expect(decision.nextSteps[0]).toMatch(
      /^If the prompt that fell short did not carry the facts, put them in it as one clearly marked reference section/,
    );
    expect(decision.nextSteps[1]).toMatch(
      /^If it did carry them and answers still get facts wrong/,
    );
    expect(decision.nextSteps[1]).toMatch(/before the question/);
    expect(decision.nextSteps[1]).toMatch(/quotes before the answer/);
    expect(decision.nextSteps[1]).toMatch(/stronger model/);
    expect(text(decision.nextSteps)).not.toMatch(BUILDS_AN_INDEX);
    expect(decision.rationale[0]).toMatch(/retrieval would hand the model the same pages/);
    expect(text(decision.rationale)).not.toMatch(/before building retrieval/);
    expect(text(decision.measure)).toMatch(
      /a fact missing from the reference section, or one there but not used/,
    );
    expect(urls(decision)).toEqual([
      'https://platform.openai.com/docs/guides/fine-tuning',
      'https://platform.claude.com/docs/en/build-with-claude/prompt-engineering/long-context-tips',
      'https://arxiv.org/abs/2005.11401',
      'https://arxiv.org/abs/2307.03172',
    ]);
    const cited = run({
      ...RULE_EXAMPLES['knowledge-in-prompt-unreliable'],
      knowledge: fewStableFacts(true),
    });
    expect(cited.nextSteps[0]).toMatch(/each with its source/);
  });

  it('both with enough examples → fine-tune the behavior, with the facts in the prompt and no RAG', () => {
    // The reviewer's case: it went to RAG + fine-tune while its rationale said to paste the facts in.
    const answers = parseAnswers({
      title: 't',
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: true },
      behavior: { kinds: ['format'], labeledExamples: 500, trainingBudget: true },
    });
    expect(matchRule(answers)).toBe('both-in-prompt-ready');
    const decision = decide(answers);
    expect(decision.verdict).toBe('fine-tune');
    expect(decision.headline).toMatch(
      /keep the few, stable facts in the prompt\. No RAG while they fit\./,
    );
    expect(decision.warnings).toEqual([]);
    expect(text(decision.nextSteps)).not.toMatch(BUILDS_AN_INDEX);
    expect(text(decision.nextSteps)).toMatch(
      /training examples whose prompts carry the same facts section the model will see in production/,
    );
    expect(text(decision.nextSteps)).toMatch(
      /When a fact changes, edit the facts section: .* no retraining/,
    );
    expect(text(decision.measure)).toMatch(/the tuned model must give the new value/);
    expect(text(decision.rationale)).not.toMatch(/before building retrieval/);
  });

  it('both with enough examples keeps the warnings right: facts in the prompt, the budget asked for', () => {
    const leaning = run({ ...RULE_EXAMPLES['both-in-prompt-ready'], leaning: 'fine-tune' });
    expect(codes(leaning)).toEqual(['knowledge-in-weights']);
    const message = leaning.warnings[0]?.message ?? '';
    expect(message).toContain(
      'Keep the facts in the prompt, where an edit is live on the next request, and fine-tune only the behavior',
    );
    expect(message).not.toMatch(/retrieval/);
    const noBudget = run({
      ...RULE_EXAMPLES['both-in-prompt-ready'],
      behavior: behavior(200, false),
      leaning: 'rag+fine-tune',
    });
    expect(codes(noBudget)).toEqual(['no-training-budget', 'leaning-differs']);
  });

  it('both with too few examples → prompt as a stop-gap with the facts in it, collecting examples', () => {
    const answers = parseAnswers({
      title: 't',
      ...RULE_EXAMPLES['both-in-prompt-needs-examples'],
    });
    expect(matchRule(answers)).toBe('both-in-prompt-needs-examples');
    const decision = decide(answers);
    expect(decision.verdict).toBe('prompt');
    expect(decision.headline).toMatch(/^Prompt as a stop-gap, with the facts in it\./);
    expect(codes(decision)).toEqual(['few-examples']);
    expect(text(decision.nextSteps)).not.toMatch(BUILDS_AN_INDEX);
    expect(text(decision.nextSteps)).toMatch(
      /Collect labeled examples of the behavior, with the same facts section in their prompts/,
    );
    const leaning = run({
      ...RULE_EXAMPLES['both-in-prompt-needs-examples'],
      leaning: 'fine-tune',
    });
    expect(leaning.warnings[0]?.message).toContain('in the prompt for now');
    expect(leaning.warnings[0]?.message).toContain(
      'If it comes to fine-tuning, fine-tune only the behavior.',
    );
  });
});

describe('a few pages of facts that change weekly', () => {
  const text = (lines: string[]) => lines.join(' ');
  const LOAD_WHOLE =
    /^At each request, load the current source document .* put it whole in the prompt/;

  it('knowledge → RAG without an index: the current document loaded whole into each request', () => {
    for (const rule of [
      'knowledge-whole-document-untried',
      'knowledge-whole-document-unreliable',
    ] as const) {
      const answers = parseAnswers({ title: 't', ...RULE_EXAMPLES[rule] });
      expect(matchRule(answers)).toBe(rule);
      const decision = decide(answers);
      expect(decision.verdict).toBe('rag');
      expect(decision.headline).toMatch(/^RAG without an index/);
      expect(decision.nextSteps[0]).toMatch(LOAD_WHOLE);
      expect(decision.nextSteps.at(-1)).toMatch(
        /^Build an index .* only when the document outgrows the prompt/,
      );
      expect(text(decision.nextSteps.slice(0, -1))).not.toMatch(/chunk|embed|top-k/i);
      expect(text(decision.measure)).not.toMatch(/recall@k/);
      expect(text(decision.measure)).toMatch(/the answer must give the new value/);
      expect(text(decision.rationale)).not.toMatch(/pasting in by hand|keep pasting/);
    }
  });

  it('says why once: the churn in one line, the size in another', () => {
    const decision = run(RULE_EXAMPLES['knowledge-whole-document-untried']);
    expect(decision.rationale).toEqual([
      'Prompt: not yet. No need to try a fixed prompt first: loading the document at each request costs about as little.',
      'Gap: knowledge. The model lacks facts, and facts are what retrieval supplies at query time.',
      'Knowledge changes often: yes. A copy pasted into the prompt goes stale with every change; loaded from the source at each request, it is always current.',
      'Facts fit in the prompt: yes, so the document goes in whole, with no chunking, embedding or top-k to tune; an index earns its cost once it outgrows the prompt.',
    ]);
  });

  it('cites the section each fact came from when answers must cite', () => {
    const decision = run({
      ...RULE_EXAMPLES['knowledge-whole-document-untried'],
      knowledge: fewChangingFacts(true),
    });
    expect(decision.nextSteps[0]).toMatch(/cite the section each fact came from/);
    expect(decision.rationale).toContain(
      'Citations needed: yes. With the whole document in the prompt, answers can cite the section each fact came from.',
    );
  });

  it.each([
    ['both-whole-document-untried', 'rag'],
    ['both-whole-document-ready', 'rag+fine-tune'],
    ['both-whole-document-needs-examples', 'rag'],
  ] as const)(
    'both: %s → %s, loading the document whole rather than indexing it',
    (rule, verdict) => {
      const answers = parseAnswers({ title: 't', ...RULE_EXAMPLES[rule] });
      expect(matchRule(answers)).toBe(rule);
      const decision = decide(answers);
      expect(decision.verdict).toBe(verdict);
      expect(decision.nextSteps[0]).toMatch(LOAD_WHOLE);
      expect(text(decision.nextSteps)).not.toMatch(
        /Collect the source documents and split them|Build the retrieval side first/,
      );
      expect(text(decision.measure)).not.toMatch(/recall@k/);
    },
  );

  it('the leaning-differs reason does not say the facts are too many for a prompt', () => {
    for (const answers of everyAnswerCombination()) {
      if (answers.knowledge?.fitsInPrompt !== true) continue;
      const decision = decide(answers);
      for (const warning of decision.warnings) {
        expect(warning.message, JSON.stringify(answers)).not.toMatch(
          /beyond what a prompt can carry/,
        );
      }
    }
  });
});

describe('a working prompt whose facts do not all fit in it', () => {
  const text = (lines: string[]) => lines.join(' ');
  const ANSWERS = {
    promptTried: 'scored-good-enough',
    gap: 'knowledge',
    knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: false },
  } as const;

  it('does not call the knowledge small, and watches the facts the prompt leaves out', () => {
    for (const knowledge of [
      ANSWERS.knowledge,
      { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
    ]) {
      for (const gap of ['knowledge', 'both'] as const) {
        const decision = run({ ...ANSWERS, gap, knowledge, behavior: behavior(10) });
        const said = text([...decision.rationale, ...decision.nextSteps]);
        expect(said).not.toMatch(/small, stable|outgrow/i);
        expect(decision.nextSteps.at(-1)).toMatch(
          /^Add questions about the facts the prompt leaves out to the eval; move the facts to RAG when they fail/,
        );
      }
    }
  });

  it('gives a reason for a differing leaning that does not assume the facts fit', () => {
    const decision = run({
      ...ANSWERS,
      knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: false },
      leaning: 'rag',
    });
    const message = decision.warnings.find((w) => w.code === 'leaning-differs')?.message;
    expect(message).toMatch(/questions about the facts it leaves out/);
    expect(message).not.toMatch(/outgrow/);
  });

  it('with facts that fit and change weekly, loads them per request when editing by hand is a burden', () => {
    const decision = run({ ...ANSWERS, knowledge: fewChangingFacts() });
    expect(decision.nextSteps.at(-1)).toMatch(
      /^When editing them by hand becomes a burden, load the current source document into the prompt at each request instead/,
    );
  });
});

describe('trade-offs for facts the prompt carries', () => {
  const columns = (decision: Decision) =>
    decision.tradeoffs.map((row) => ['prompt', 'rag', 'fineTuning'].filter((key) => key in row));

  it.each([
    'knowledge-in-prompt-untried',
    'knowledge-in-prompt-unreliable',
    'knowledge-whole-document-untried',
    'knowledge-whole-document-unreliable',
  ] as const)('%s sets the prompt against RAG', (rule) => {
    const decision = run(RULE_EXAMPLES[rule]);
    expect(decision.tradeoffs.length).toBeGreaterThan(0);
    for (const row of columns(decision)) expect(row).toEqual(['prompt', 'rag']);
  });

  it.each([
    'both-in-prompt-untried',
    'both-in-prompt-ready',
    'both-in-prompt-needs-examples',
    'both-whole-document-untried',
    'both-whole-document-ready',
    'both-whole-document-needs-examples',
  ] as const)('%s sets the prompt against RAG and fine-tuning', (rule) => {
    for (const row of columns(run(RULE_EXAMPLES[rule]))) {
      expect(row).toEqual(['prompt', 'rag', 'fineTuning']);
    }
  });

  it('says what keeping the facts in the prompt costs against RAG', () => {
    const decision = run({
      ...RULE_EXAMPLES['knowledge-in-prompt-untried'],
      knowledge: fewStableFacts(true),
    });
    expect(decision.tradeoffs).toEqual([
      {
        aspect: 'Update a fact',
        prompt: 'Edit the facts in the prompt; live with the next prompt version',
        rag: 'Edit the source; live at once',
      },
      {
        aspect: 'Cite a source',
        prompt: 'Only the sources pasted beside each fact',
        rag: 'Yes: you have the passage',
      },
      {
        aspect: 'Cost to set up',
        prompt: 'Low: an afternoon',
        rag: expect.stringMatching(/^Days/),
      },
      {
        aspect: 'Risk',
        prompt: 'Facts crowded out as they grow, or stale when an edit is missed',
        rag: 'Retrieves the wrong passage',
      },
    ]);
  });

  it('costs a document loaded whole in hours, with no index', () => {
    const cost = run(RULE_EXAMPLES['knowledge-whole-document-untried']).tradeoffs.find(
      (row) => row.aspect === 'Cost to set up',
    );
    expect(cost?.rag).toMatch(/^Hours: .*no index/);
  });

  it('a working prompt asked about its facts is set against RAG; one never asked keeps its table', () => {
    for (const fitsInPrompt of [true, false]) {
      const asked = run({
        ...RULE_EXAMPLES['prompt-works'],
        knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt },
      });
      for (const row of columns(asked)) expect(row).toEqual(['prompt', 'rag']);
    }
    for (const row of columns(run(RULE_EXAMPLES['prompt-works']))) {
      expect(row).toEqual(['rag', 'fineTuning']);
    }
  });
});

describe('reviews that were not asked whether the facts fit in the prompt', () => {
  // Pinned: what these answers decided before the question existed.
  const pinned: [Omit<AnswersInput, 'title'>, RuleId, Decision['verdict']][] = [
    [
      {
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: false },
      },
      'knowledge-indexed-untried',
      'rag',
    ],
    [
      {
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: true },
        leaning: 'fine-tune',
      },
      'knowledge-indexed-untried',
      'rag',
    ],
    [
      {
        promptTried: 'not-yet',
        gap: 'both',
        knowledge: { changesOften: false, citationsNeeded: false },
        behavior: behavior(6),
      },
      'both-indexed-untried',
      'rag',
    ],
    [
      {
        promptTried: 'good-enough',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: false },
      },
      'prompt-works',
      'prompt',
    ],
  ];

  it.each(pinned)('%j → %s, %s', (input, rule, verdict) => {
    const answers = parseAnswers({ title: 't', ...input });
    expect(answers.knowledge).not.toHaveProperty('fitsInPrompt');
    expect(matchRule(answers)).toBe(rule);
    expect(decide(answers).verdict).toBe(verdict);
    expect(decide(answers).rationale.join(' ')).not.toMatch(/Facts fit in the prompt/);
  });

  it('reach the rule and verdict the answer "they do not fit" reaches', () => {
    const notAsked = everyAnswerCombination().filter(
      (answers) => answers.knowledge && !('fitsInPrompt' in answers.knowledge),
    );
    // Each prompt answer: the three older reviews can hold, and the three CLI input may give.
    expect(notAsked).toHaveLength(2 * (60 + 600));
    for (const answers of notAsked) {
      if (!answers.knowledge) continue;
      const asIfNot = parseAnswers({
        ...answers,
        knowledge: { ...answers.knowledge, fitsInPrompt: false },
      });
      const where = JSON.stringify(answers);
      expect(matchRule(answers), where).toBe(matchRule(asIfNot));
      const decision = decide(answers);
      const notFitting = decide(asIfNot);
      expect(decision.verdict, where).toBe(notFitting.verdict);
      // A working prompt told the facts do not fit says so, and to watch the ones it leaves out.
      if (!promptGoodEnough(answers.promptTried)) {
        expect(decision.headline, where).toBe(notFitting.headline);
        expect(codes(decision), where).toEqual(codes(notFitting));
        expect(decision.nextSteps, where).toEqual(notFitting.nextSteps);
      } else {
        expect(codes(notFitting), where).toContain('facts-do-not-fit');
        expect(
          codes(notFitting).filter((code) => code !== 'facts-do-not-fit'),
          where,
        ).toEqual(codes(decision));
      }
    }
  });

  /**
   * Everything decide() says for each answer combination without the question, rules version
   * aside, as one digest per decision under the answers that reach it, by gap and prompt answer:
   * what these reviews decided with rules 2026-11-30.5, when the question was added. A re-run or an
   * edit of an older review must get the same decision, so a change here is a change to stored
   * reviews' verdicts: check it against the old rules first. The snapshot's diff names the answers
   * whose decision changed, and the failure message prints the first of them in full.
   * Changed on purpose since: with rules 2026-11-30.7 an older "still unreliable", which never said
   * the prompt was scored, no longer opens fine-tuning (50 or more examples: Fine-tune became
   * Prompt, RAG + fine-tune became RAG), and the wording says where scoring was not asked.
   */
  it('decide every combination exactly as the rules did when the question was added', async () => {
    const lines: string[] = [];
    const decided = new Map<string, unknown>();
    let heading = '';
    for (const answers of everyAnswerCombination()) {
      // Reviews from before the question were also from before scoring was asked.
      if (!OLDER_PROMPT_ANSWERS.includes(answers.promptTried)) continue;
      if (answers.knowledge && 'fitsInPrompt' in answers.knowledge) continue;
      const group = `## ${answers.gap}, prompt tried ${answers.promptTried}`;
      if (group !== heading) {
        lines.push(...(heading ? [''] : []), group);
        heading = group;
      }
      const { rulesVersion: _version, ...decision } = decide(answers);
      const digest = createHash('sha256').update(JSON.stringify(decision)).digest('hex');
      // The verdict in plain words, so the snapshot's diff shows at a glance which changed.
      const line = `${answerKey(answers)} → ${decision.verdict} ${digest.slice(0, 16)}`;
      lines.push(line);
      decided.set(line, { answers, decision });
    }
    expect(decided.size).toBe(840);
    await expect(`${lines.join('\n')}\n`)
      .toMatchFileSnapshot(NOT_ASKED_SNAPSHOT)
      .catch((error: unknown) => {
        if (!(error instanceof Error)) throw error;
        const snapshotPath = fileURLToPath(new URL(NOT_ASKED_SNAPSHOT, import.meta.url));
        const pinned = new Set(
          existsSync(snapshotPath) ? readFileSync(snapshotPath, 'utf8').split('\n') : [],
        );
        const changed = lines.find((line) => line.includes('=') && !pinned.has(line));
        if (changed) {
          error.message += `\nThe first decision that changed:\n${JSON.stringify(decided.get(changed), null, 2)}`;
        }
        throw error;
      });
  });
});

describe('trade-offs', () => {
  it('keeps the table order whatever subset is shown', () => {
    const order = TRADEOFF_ORDER.map((key) => TRADEOFF_ROWS[key].aspect);
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(100),
    });
    expect(aspects(decision)).toEqual(order);
  });

  it.each([
    [
      'RAG, changing and cited',
      { promptTried: 'not-yet', gap: 'knowledge', knowledge },
      ['Update a fact', 'Cite a source', 'New or changing data', 'Cost to set up', 'Risk'],
    ],
    [
      'RAG, stable, no citations',
      {
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: false },
      },
      ['Update a fact', 'Cost to set up', 'Risk'],
    ],
    [
      'RAG, cited only',
      {
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: true },
      },
      ['Update a fact', 'Cite a source', 'Cost to set up', 'Risk'],
    ],
    [
      'fine-tune',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(100) },
      ['Consistent format or voice', 'Cost to set up', 'Risk'],
    ],
    [
      'prompt for an undiagnosed gap: only what each alternative would cost',
      { promptTried: 'not-yet', gap: 'unsure' },
      ['Cost to set up'],
    ],
    [
      'prompt for a behavior gap below the bar',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(10) },
      ['Consistent format or voice', 'Cost to set up'],
    ],
    [
      'prompt when someone wants facts in weights',
      { promptTried: 'scored-good-enough', gap: 'knowledge', knowledge, leaning: 'fine-tune' },
      ['Update a fact', 'Cite a source', 'New or changing data', 'Cost to set up', 'Risk'],
    ],
  ] satisfies [string, Omit<AnswersInput, 'title'>, string[]][])('%s', (_name, input, expected) => {
    expect(aspects(run(input))).toEqual(expected);
  });

  it.each([
    ['behavior below the bar', { promptTried: 'not-yet', gap: 'behavior', behavior: behavior(0) }],
    [
      'behavior fine-tune',
      { promptTried: 'scored-falls-short', gap: 'behavior', behavior: behavior(100) },
    ],
    ['neither', { promptTried: 'not-yet', gap: 'neither' }],
    ['unsure', { promptTried: 'not-yet', gap: 'unsure' }],
  ] satisfies [string, Omit<AnswersInput, 'title'>][])(
    'sets fine-tuning against the prompt, not RAG, when no knowledge is missing: %s',
    (_name, input) => {
      const rows = run(input).tradeoffs;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.rag).toBeUndefined();
        expect(row.prompt).toEqual(expect.any(String));
      }
    },
  );

  it('states fine-tuning’s risk for a behavior gap without a knowledge-only risk', () => {
    const risk = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(100),
    }).tradeoffs.find((row) => row.aspect === 'Risk');
    // No facts are being taught here: inventing them is RAG's-table risk, not this one's.
    expect(risk?.fineTuning).not.toMatch(/hallucinat/i);
    expect(risk?.fineTuning).toMatch(/forget/);
    expect(risk?.fineTuning).toMatch(/retrain/i);
  });

  it('sets fine-tuning against RAG when knowledge is missing', () => {
    const rows = run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(100),
    }).tradeoffs;
    for (const row of rows) {
      expect(row.prompt).toBeUndefined();
      expect(row.rag).toEqual(expect.any(String));
    }
  });

  it('keeps the setup cost in order: a prompt is cheaper than RAG', () => {
    const promptCost = run({ promptTried: 'not-yet', gap: 'neither' }).tradeoffs.find(
      (row) => row.aspect === 'Cost to set up',
    );
    const ragCost = run({ promptTried: 'not-yet', gap: 'knowledge', knowledge }).tradeoffs.find(
      (row) => row.aspect === 'Cost to set up',
    );
    expect(promptCost?.prompt).toMatch(/afternoon/);
    expect(ragCost?.rag).toMatch(/^Days/);
    expect(ragCost?.rag).not.toMatch(/afternoon/);
  });

  it('uses the table’s wording for each side', () => {
    const decision = run({ promptTried: 'not-yet', gap: 'knowledge', knowledge });
    expect(decision.tradeoffs[0]).toEqual({
      aspect: 'Update a fact',
      rag: 'Edit the source; live at once',
      fineTuning: 'Retrain to change anything',
    });
  });
});

describe('sources', () => {
  const PEFT = 'https://huggingface.co/docs/peft/index';
  const QUICKTOUR = 'https://huggingface.co/docs/peft/quicktour';
  const VLLM = 'https://docs.vllm.ai/en/latest/features/lora.html';
  const OPENAI = 'https://platform.openai.com/docs/guides/fine-tuning';
  const LEWIS = 'https://arxiv.org/abs/2005.11401';
  const OVADIA = 'https://arxiv.org/abs/2312.05934';
  const GEKHMAN = 'https://arxiv.org/abs/2405.05904';
  const QLORA = 'https://arxiv.org/abs/2305.14314';

  it('fine-tune rests on the tuning and serving docs', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(100),
    });
    expect(urls(decision)).toEqual([PEFT, QUICKTOUR, VLLM, OPENAI, QLORA]);
  });

  it('RAG rests on the retrieval research', () => {
    expect(urls(run({ promptTried: 'not-yet', gap: 'knowledge', knowledge }))).toEqual([
      LEWIS,
      OVADIA,
      GEKHMAN,
    ]);
  });

  it('RAG + fine-tune rests on all of them', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(100),
    });
    expect(urls(decision)).toEqual([PEFT, QUICKTOUR, VLLM, OPENAI, LEWIS, OVADIA, GEKHMAN, QLORA]);
  });

  it('RAG with the behavior deferred adds the guide behind the example bar', () => {
    const decision = run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(10),
    });
    expect(urls(decision)).toEqual([OPENAI, LEWIS, OVADIA, GEKHMAN]);
  });

  it('a prompt verdict cites the prompt-first advice, plus the evidence when facts are headed for weights', () => {
    expect(urls(run({ promptTried: 'not-yet', gap: 'neither' }))).toEqual([OPENAI]);
    const facts = run({
      promptTried: 'scored-good-enough',
      gap: 'knowledge',
      knowledge,
      leaning: 'fine-tune',
    });
    expect(urls(facts)).toEqual([OPENAI, OVADIA, GEKHMAN]);
  });
});

describe('next steps and measures per verdict', () => {
  const verdicts = {
    prompt: run({ promptTried: 'not-yet', gap: 'unsure' }),
    rag: run({ promptTried: 'scored-falls-short', gap: 'knowledge', knowledge }),
    'fine-tune': run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(100),
    }),
    'rag+fine-tune': run({
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(100),
    }),
  } satisfies Record<Decision['verdict'], Decision>;
  const text = (lines: string[]) => lines.join(' ');

  it('prompt: output spec, examples, eval set; measured against a baseline', () => {
    expect(text(verdicts.prompt.nextSteps)).toMatch(/output spec/);
    expect(text(verdicts.prompt.nextSteps)).toMatch(/eval set/);
    expect(text(verdicts.prompt.measure)).toMatch(/labeled eval set/);
    expect(text(verdicts.prompt.measure)).toMatch(/baseline/);
  });

  it('RAG: chunk, embed, top-k, cite; measured by recall@k and faithfulness', () => {
    const steps = text(verdicts.rag.nextSteps);
    for (const word of ['chunks', 'Embed', 'top-k', 'citations']) expect(steps).toContain(word);
    expect(text(verdicts.rag.measure)).toMatch(/recall@k/);
    expect(text(verdicts.rag.measure)).toMatch(/faithfulness/);
  });

  it('fine-tune: hosted fine-tune or a PEFT LoRA adapter served by vLLM; measured on held-out data and regressions', () => {
    const steps = text(verdicts['fine-tune'].nextSteps);
    for (const word of ['LoRA', 'PEFT', 'QLoRA', 'vLLM']) {
      expect(steps).toContain(word);
    }
    const measure = text(verdicts['fine-tune'].measure);
    expect(measure).toMatch(/Held-out format or label accuracy/);
    expect(measure).toMatch(/prompted baseline/);
    expect(measure).toMatch(/regression/);
  });

  it('RAG + fine-tune: trains on retrieved context and measures both sides', () => {
    const steps = text(verdicts['rag+fine-tune'].nextSteps);
    expect(steps).toMatch(/training examples.* prompts (that )?carry retrieved passages/);
    expect(steps).toMatch(/freshly retrieved facts at query time/);
    const measure = text(verdicts['rag+fine-tune'].measure);
    expect(measure).toMatch(/recall@k/);
    expect(measure).toMatch(/regression/);
  });
});

describe('fine-tuning advice an ML engineer can follow', () => {
  const fineTuneRules = [
    'behavior-ready',
    'both-indexed-ready',
    'both-in-prompt-ready',
    'both-whole-document-ready',
  ] as const;
  const text = (lines: string[]) => lines.join(' ');

  it.each(fineTuneRules)(
    '%s offers the prompted model’s own fine-tuning API or an open base model re-baselined first',
    (rule) => {
      const steps = text(run(RULE_EXAMPLES[rule]).nextSteps);
      expect(steps).toMatch(/the model you prompted through its provider’s fine-tuning API/);
      expect(steps).toMatch(/open base model/);
      expect(steps).toMatch(/re-measure the prompted baseline on that base model/);
    },
  );

  it.each(fineTuneRules)(
    '%s says when to retrain and to rerun the held-out eval each time',
    (rule) => {
      const steps = text(run(RULE_EXAMPLES[rule]).nextSteps);
      expect(steps).toMatch(
        /Retrain when the label set or the spec changes or the base model moves/,
      );
      expect(steps).toMatch(/rerun the held-out eval on every retrain/);
    },
  );

  it.each([
    'behavior-ready',
    'both-indexed-ready',
    'behavior-untried-enough-examples',
    'behavior-needs-examples',
    'both-indexed-needs-examples',
    'both-in-prompt-ready',
    'both-in-prompt-needs-examples',
    'both-whole-document-ready',
    'both-whole-document-needs-examples',
  ] as const)(
    '%s counts the bar in training examples, with a sized held-out set on top',
    (rule) => {
      const steps = text(run(RULE_EXAMPLES[rule]).nextSteps);
      expect(steps).toMatch(/a held-out set of about 100 cases, never trained on/);
      // The per-class rule only for a classification; these examples name no kind.
      expect(steps).not.toMatch(/per class/);
      expect(steps).not.toMatch(
        /Split the labeled examples|Hold out a share|Set part of them aside/,
      );
    },
  );

  it('states the bar as training examples wherever it is counted', () => {
    const ready = run(RULE_EXAMPLES['behavior-ready']);
    expect(ready.rationale.join(' ')).toMatch(
      /At or above the 50 training examples at which .*; a held-out set comes on top\./,
    );
    const short = run(RULE_EXAMPLES['behavior-needs-examples']);
    expect(short.warnings[0]?.message).toMatch(
      /Collect at least 50 to train on, plus a held-out set/,
    );
  });

  it('builds RAG evals from question, expected answer and source passage triples', () => {
    for (const rule of [
      'knowledge-indexed-untried',
      'knowledge-indexed-unreliable',
      'both-indexed-ready',
      'both-indexed-untried',
      'both-indexed-needs-examples',
    ] as const) {
      const measure = text(run(RULE_EXAMPLES[rule]).measure);
      expect(measure, rule).toMatch(/question, the expected answer and the source passage/);
      expect(measure, rule).not.toMatch(/held-out questions/);
    }
  });

  it('says a 20-to-50 prompt eval is too small to tell close scores apart', () => {
    const measure = text(run(RULE_EXAMPLES.unsure).measure);
    expect(measure).toMatch(/20 to 50 real inputs/);
    expect(measure).toMatch(/telling close scores apart .* takes a few hundred/);
  });

  describe('a format behavior', () => {
    const withKinds = (rule: RuleId, kinds: ('format' | 'tone')[]) => {
      const example = RULE_EXAMPLES[rule];
      if (!('behavior' in example)) throw new Error(`${rule} has no behavior`);
      return run({ ...example, behavior: { ...example.behavior, kinds } });
    };
    const CONSTRAINED = /structured outputs, a JSON-schema mode or guided decoding/;

    it.each(fineTuneRules)(
      '%s: enforce the schema before training, and tune what it cannot',
      (rule) => {
        const steps = withKinds(rule, ['format', 'tone']).nextSteps;
        const at = steps.findIndex((step) => CONSTRAINED.test(step));
        const training = steps.findIndex((step) => /LoRA/.test(step));
        expect(at).toBeGreaterThanOrEqual(0);
        expect(at).toBeLessThan(training);
        expect(steps[at]).toMatch(/guarantees valid JSON at no training cost/);
        expect(steps[at]).toMatch(/what constrained decoding can’t/);
      },
    );

    it.each([
      'behavior-untried',
      'behavior-untried-enough-examples',
      'behavior-needs-examples',
      'both-indexed-untried',
      'both-indexed-needs-examples',
      'both-in-prompt-untried',
      'both-in-prompt-needs-examples',
      'both-whole-document-untried',
      'both-whole-document-needs-examples',
    ] as const)('%s: enforce the schema before considering training for it', (rule) => {
      expect(text(withKinds(rule, ['format']).nextSteps)).toMatch(CONSTRAINED);
    });

    it('is not mentioned when the behavior is not format', () => {
      for (const rule of fineTuneRules) {
        expect(text(withKinds(rule, ['tone']).nextSteps)).not.toMatch(CONSTRAINED);
      }
    });

    it('comes after the retrieval steps for a gap that is both', () => {
      const steps = withKinds('both-indexed-ready', ['format']).nextSteps;
      expect(steps[0]).toMatch(/^Build the retrieval side first/);
    });
  });
});

describe('personal or customer data, or answers that must respect who may see what', () => {
  const restricted = (rule: RuleId) => run({ ...RULE_EXAMPLES[rule], restrictedData: true });
  const unsaid = (rule: RuleId) => run(RULE_EXAMPLES[rule]);
  const fineTuneRules = RULE_IDS.filter((rule) =>
    ['fine-tune', 'rag+fine-tune'].includes(RULE_CONTENT[rule].verdict),
  );
  const ragRules = RULE_IDS.filter((rule) =>
    ['rag', 'rag+fine-tune'].includes(RULE_CONTENT[rule].verdict),
  );

  it('warns every verdict that fine-tunes that weights keep no access control', () => {
    expect(fineTuneRules).toHaveLength(4);
    expect(WARNING_TITLES['restricted-data-in-weights']).toBe('No access control in weights');
    for (const rule of fineTuneRules) {
      const warning = restricted(rule).warnings.find(
        (w) => w.code === 'restricted-data-in-weights',
      );
      expect(warning, rule).toBeDefined();
      const message = warning?.message ?? '';
      expect(message, rule).toMatch(/keep no access control/);
      expect(message, rule).toMatch(/only retraining takes it out/);
      expect(message, rule).toMatch(
        /Tune only on examples everyone who can use the model may see, scrubbed of personal data/,
      );
      expect(message, rule).toMatch(/retrieve them, filtered by the asker’s permissions/);
      expect(message, rule).not.toMatch(MARKUP);
      expect(codes(unsaid(rule)), rule).not.toContain('restricted-data-in-weights');
    }
    // Facts kept in the prompt are shown to every user alike: restricted ones don't belong there.
    const inPrompt = restricted('both-in-prompt-ready').warnings.find(
      (w) => w.code === 'restricted-data-in-weights',
    );
    expect(inPrompt?.message).toMatch(/out of the facts section every user’s prompt carries/);
    const retrieved = restricted('both-indexed-ready').warnings.find(
      (w) => w.code === 'restricted-data-in-weights',
    );
    expect(retrieved?.message).not.toMatch(/every user’s prompt/);
  });

  it('warns no verdict that does not fine-tune', () => {
    for (const rule of RULE_IDS.filter((candidate) => !fineTuneRules.includes(candidate))) {
      expect(codes(restricted(rule)), rule).not.toContain('restricted-data-in-weights');
    }
  });

  it('tells a RAG verdict to filter retrieval by the asker’s permissions and to delete from the index', () => {
    expect(ragRules).toHaveLength(10);
    for (const rule of ragRules) {
      const steps = restricted(rule).nextSteps;
      const access = steps.filter((step) => /asker’s permissions/.test(step));
      expect(access, rule).toHaveLength(1);
      const facts = RULE_CONTENT[rule].facts;
      if (facts === 'whole-document') {
        // Nothing is indexed: the whole document is loaded, so the load is what is filtered.
        expect(access[0], rule).toMatch(/^Load only what the asker may see/);
        expect(access[0], rule).toMatch(/delete it from the source/);
        expect(access[0], rule).not.toMatch(/index/);
        expect(steps.indexOf(access[0] ?? ''), rule).toBe(1);
      } else {
        expect(access[0], rule).toMatch(/^Filter retrieval by the asker’s permissions/);
        expect(access[0], rule).toMatch(/delete it from the source and the index/);
        // Right after the step that retrieves at query time.
        const retrieve = steps.findIndex((step) => /retrieve the top-k passages/.test(step));
        expect(steps.indexOf(access[0] ?? ''), rule).toBe(retrieve + 1);
      }
      // The same steps otherwise, in the same order (what to tune is worded apart, below; few-shot
      // and training examples are taken only from what every user may see, tested apart).
      const others = (list: string[]) =>
        list
          .filter(
            (step) =>
              step !== access[0] &&
              !step.startsWith('Choose what to tune') &&
              !step.startsWith('Take few-shot examples only from data every user may see'),
          )
          .map((step) => step.replace(/ Build them only from \w+ every user may see.*$/, ''));
      expect(others(steps), rule).toEqual(others(unsaid(rule).nextSteps));
    }
  });

  it('adds no access step where nothing is retrieved, only that facts in a shared prompt are for every user', () => {
    for (const rule of RULE_IDS.filter((candidate) => !ragRules.includes(candidate))) {
      const access = restricted(rule).nextSteps.filter((step) => /asker’s permissions/.test(step));
      for (const step of access) {
        expect(step, rule).toMatch(/^Paste into the prompt only facts every user may see/);
      }
    }
  });

  it('names self-hosted LoRA on a frozen base model where the data must stay in-house', () => {
    for (const rule of fineTuneRules) {
      const steps = restricted(rule).nextSteps;
      const choose = steps.find((step) => step.startsWith('Choose what to tune'));
      expect(choose, rule).toMatch(
        /^Choose what to tune: where the data must stay in-house, an open base model kept frozen, with a LoRA adapter trained on your own hardware or cloud account/,
      );
      expect(choose, rule).toMatch(
        /a provider’s fine-tuning API only if your data may go to that provider/,
      );
      expect(choose, rule).toMatch(/re-measure the prompted baseline on that base model/);
      // Not said: the hosted API still comes first, as before.
      expect(unsaid(rule).nextSteps.join(' '), rule).toMatch(
        /the model you prompted through its provider’s fine-tuning API/,
      );
      expect(steps.join(' '), rule).not.toMatch(/the model you prompted through/);
    }
    const noBudget = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(300, false),
      restrictedData: true,
    }).warnings.find((w) => w.code === 'no-training-budget');
    expect(noBudget?.message).toMatch(
      /where the data must stay in-house, QLoRA on a frozen open base model, on a single GPU of your own or in your own cloud account/,
    );
    expect(noBudget?.message).toMatch(
      /hosted fine-tuning API .* only if your data may go to that provider/,
    );
  });

  it('changes no verdict, headline, reason or measure, only warnings and steps', () => {
    for (const answers of everyAnswerCombination()) {
      const where = JSON.stringify(answers);
      const before = decide(answers);
      const after = decide({ ...answers, restrictedData: true });
      expect(after.verdict, where).toBe(before.verdict);
      // Facts kept in a prompt every user shares, by a verdict that fine-tunes: the headline no
      // longer says that no retrieval is needed while they fit.
      if (matchRule(answers) !== 'both-in-prompt-ready') {
        expect(after.headline, where).toBe(before.headline);
      }
      expect(after.rationale, where).toEqual(before.rationale);
      expect(after.decisive, where).toEqual(before.decisive);
      expect(after.measure, where).toEqual(before.measure);
      expect(after.tradeoffs, where).toEqual(before.tradeoffs);
      expect(after.sources, where).toEqual(before.sources);
      expect(
        codes(after).filter((code) => code !== 'restricted-data-in-weights'),
        where,
      ).toEqual(codes(before));
      expect(codes(after).includes('restricted-data-in-weights'), where).toBe(
        verdictIncludesFineTune(after.verdict),
      );
      if (!verdictIncludesFineTune(after.verdict) && !verdictIncludesRag(after.verdict)) {
        expect({ ...after, nextSteps: [] }, where).toEqual({ ...before, nextSteps: [] });
      }
    }
  });

  it('not said, or said no, decides exactly as before the question', () => {
    for (const answers of everyAnswerCombination()) {
      expect(answers, JSON.stringify(answers)).not.toHaveProperty('restrictedData');
      expect(decide({ ...answers, restrictedData: false }), JSON.stringify(answers)).toEqual(
        decide(answers),
      );
    }
  });
});

describe('the verdict object', () => {
  it('carries the rules version', () => {
    expect(run({ promptTried: 'not-yet', gap: 'neither' }).rulesVersion).toBe(RULES_VERSION);
    expect(RULES_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    // Bumped with every change to what a verdict says, so stored reviews show which wording they got.
    expect(RULES_VERSION).toBe('2026-11-30.10');
  });

  it('has the labels the Slack layer shows', () => {
    expect(VERDICT_LABELS).toEqual({
      prompt: 'Prompt',
      rag: 'RAG',
      'fine-tune': 'Fine-tune',
      'rag+fine-tune': 'RAG + fine-tune',
    });
  });

  it('keeps every headline to one plain line of at most 150 characters', () => {
    for (const answers of everyAnswerCombination()) {
      const { headline } = decide(answers);
      const where = JSON.stringify(answers);
      expect(headline.length, where).toBeLessThanOrEqual(150);
      expect(headline, where).not.toMatch(/\n/);
      expect(headline, where).not.toMatch(MARKUP);
    }
  });

  it('never puts the title or the problem into what it says', () => {
    const input = {
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge,
      behavior: behavior(10),
      leaning: 'fine-tune',
    } as const;
    const a = decide(parseAnswers({ ...input, title: 'Zebra onboarding', problem: 'Quagga' }));
    const b = decide(parseAnswers({ ...input, title: 'Other', problem: 'Else' }));
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).not.toMatch(/Zebra|Quagga/);
  });

  it('returns fresh arrays, so a caller cannot change the next decision', () => {
    const first = run({ promptTried: 'not-yet', gap: 'neither' });
    first.nextSteps.push('mutated');
    const row = first.tradeoffs[0];
    if (row) row.aspect = 'mutated';
    const second = run({ promptTried: 'not-yet', gap: 'neither' });
    expect(second.nextSteps).not.toContain('mutated');
    expect(aspects(second)).not.toContain('mutated');
  });
});

describe('restricted data where facts or examples sit in a prompt every user shares', () => {
  const ticked = (input: Omit<AnswersInput, 'title'>) => run({ ...input, restrictedData: true });
  const sharedStep = /^Paste into the prompt only facts every user may see/;

  it('tells a prompt that carries the facts to paste only what every user may see', () => {
    const repro = {
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: fewStableFacts(true),
    } as const;
    const steps = ticked(repro).nextSteps;
    expect(steps[0]).toMatch(/^Put the facts in the prompt/);
    expect(steps[1]).toMatch(sharedStep);
    expect(steps[1]).toMatch(/retrieval, filtered by the asker’s permissions/);
    expect(run(repro).nextSteps.join(' ')).not.toMatch(/every user may see/);
    for (const rule of [
      'knowledge-in-prompt-untried',
      'knowledge-in-prompt-unreliable',
      'both-in-prompt-untried',
      'both-in-prompt-ready',
      'both-in-prompt-needs-examples',
    ] as const) {
      const access = ticked(RULE_EXAMPLES[rule]).nextSteps.filter((s) => sharedStep.test(s));
      expect(access, rule).toHaveLength(1);
    }
    for (const promptTried of ['scored-good-enough', 'good-enough'] as const) {
      for (const facts of [fewStableFacts(), { ...knowledge, fitsInPrompt: false }, knowledge]) {
        const steps = ticked({ promptTried, gap: 'knowledge', knowledge: facts }).nextSteps;
        expect(
          steps.filter((s) => sharedStep.test(s)),
          JSON.stringify(facts),
        ).toHaveLength(1);
      }
    }
  });

  it('tells a prompt built from labeled examples to take only examples every user may see', () => {
    const steps = ticked(RULE_EXAMPLES['behavior-untried-enough-examples']).nextSteps;
    expect(steps.join(' ')).toMatch(/few-shot examples only from data every user may see/);
    expect(run(RULE_EXAMPLES['behavior-untried-enough-examples']).nextSteps.join(' ')).not.toMatch(
      /every user may see/,
    );
  });

  it('does not say No RAG while the facts fit when restricted facts must be retrieved', () => {
    const repro: Omit<AnswersInput, 'title'> = {
      leaning: 'fine-tune',
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge: fewStableFacts(),
      behavior: { kinds: ['format'], labeledExamples: 120, trainingBudget: true },
    };
    expect(run(repro).headline).toMatch(/No RAG while they fit/);
    const decision = ticked(repro);
    expect(decision.headline).not.toMatch(/No RAG/);
    expect(decision.headline).toMatch(/facts every user may see/);
    const training = decision.nextSteps.find((s) => /training examples/.test(s));
    expect(training).toMatch(/only from facts every user may see/);
  });

  it('builds training examples only from passages every user may see', () => {
    for (const rule of ['both-indexed-ready', 'both-whole-document-ready'] as const) {
      const training = ticked(RULE_EXAMPLES[rule]).nextSteps.find((s) =>
        s.startsWith('Build training examples'),
      );
      expect(training, rule).toMatch(/every user may see/);
      const unsaid = run(RULE_EXAMPLES[rule]).nextSteps.join(' ');
      expect(unsaid, rule).not.toMatch(/every user may see/);
    }
  });
});

describe('enough to train on, not yet to judge the tune', () => {
  const classify = (labeledExamples: number, promptTried: PromptTried) =>
    run({
      promptTried,
      gap: 'behavior',
      behavior: { kinds: ['classification'], labeledExamples, trainingBudget: true },
    });

  it('a fine-tune on 60 examples sets the held-out set aside first, as the warning says', () => {
    const decision = classify(60, 'scored-falls-short');
    expect(decision.headline).toMatch(/enough to train on, not yet to judge the tune\.$/);
    expect(decision.nextSteps[0]).toMatch(
      /^Set aside the held-out set first, then train on the rest/,
    );
    const full = classify(200, 'scored-falls-short');
    expect(full.headline).toMatch(/enough labeled examples to teach it\.$/);
    expect(full.nextSteps[0]).toMatch(/^Train on the labeled examples/);
  });

  it('a fine-tune of both gaps on 60 examples sets the held-out set aside first, as the behavior alone does', () => {
    for (const rule of [
      'both-in-prompt-ready',
      'both-whole-document-ready',
      'both-indexed-ready',
    ] as const) {
      const short = { ...RULE_EXAMPLES[rule], behavior: behavior(60) };
      expect(matchRule(parseAnswers({ title: 't', ...short })), rule).toBe(rule);
      const steps = run(short).nextSteps;
      const training = steps.filter((step) => /training examples/.test(step));
      expect(training, rule).toEqual([
        expect.stringMatching(
          /^Set aside the held-out set first, then build training examples from the rest: a held-out set of about 100 cases, .*, with at least 50 left to train on; collect more until there are both\. Give all the examples prompts that /,
        ),
      ]);
      expect(steps.join(' '), rule).not.toMatch(/and build a held-out set/);
      // With room for both, the training examples and the held-out set are built as before.
      const full = run(RULE_EXAMPLES[rule]).nextSteps;
      expect(
        full.filter((step) => /training examples/.test(step)),
        rule,
      ).toEqual([
        expect.stringMatching(
          /^Build training examples whose prompts .*, and build a held-out set/,
        ),
      ]);
    }
  });

  it('says about 150 in all only with more for many classes', () => {
    const message = classify(60, 'scored-falls-short').warnings[0]?.message ?? '';
    expect(message).toContain('about 150 in all, more with over 5 classes');
    const format = run({
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: { kinds: ['format'], labeledExamples: 60, trainingBudget: true },
    });
    expect(format.warnings[0]?.message).toContain('about 150 in all.');
  });

  it('tried but not scored with 60 examples: one instruction, and enough only as the held-out check allows', () => {
    const decision = classify(60, 'tried-not-scored');
    expect(codes(decision)).toEqual(['prompt-unscored', 'held-out-short']);
    expect(decision.headline).not.toMatch(/already enough to fine-tune on/);
    expect(decision.rationale.join(' ')).not.toMatch(/Enough to fine-tune on later/);
    expect(decision.rationale.join(' ')).toMatch(/Enough to train on later, not yet/);
    const unscored = decision.warnings[0]?.message ?? '';
    expect(unscored).toMatch(/20 to 50 of your labeled examples, kept out of training/);
    expect(decision.nextSteps[0]).toMatch(/^Set aside 20 to 50 of the labeled examples/);
    expect(decision.nextSteps.join(' ')).not.toMatch(/Keep the labeled examples for training/);
    // With room for both, enough to fine-tune on is said as before.
    expect(classify(200, 'tried-not-scored').headline).toMatch(/already enough to fine-tune on/);
  });

  it('words the held-out set plainly, per class only for classification', () => {
    const steps = (kinds: ('format' | 'classification')[]) =>
      run({
        promptTried: 'scored-falls-short',
        gap: 'behavior',
        behavior: { kinds, labeledExamples: 10, trainingBudget: true },
      }).nextSteps.join(' ');
    const sentence =
      'Build a held-out set of about 100 cases, never trained on, so the tune is judged on examples it never saw (telling 80% from 85% takes a few hundred';
    expect(steps(['format'])).toContain(`${sentence}).`);
    expect(steps(['classification'])).toContain(`${sentence}; 20 to 30 per class).`);
    expect(steps(['format'])).not.toMatch(/at least about/);
  });
});

describe('says a thing once, and nothing a verdict does not do', () => {
  it('a fine-tune blocked by data says so without repeating itself', () => {
    const decision = run({
      leaning: 'fine-tune',
      promptTried: 'scored-falls-short',
      gap: 'behavior',
      behavior: behavior(10),
    });
    expect(decision.rationale[0]).toMatch(/^Prompt: [^.]*\. It has not fixed the behavior, so/);
    expect(decision.rationale[0]).not.toMatch(/Scored on real examples, the prompt/);
    const all = [
      decision.headline,
      ...decision.rationale,
      ...decision.warnings.map((w) => w.message),
    ];
    expect(all.filter((line) => /fine-tuning is the path/.test(line)).length).toBeLessThanOrEqual(
      1,
    );
    expect(decision.warnings.find((w) => w.code === 'few-examples')?.message).not.toMatch(
      /^Scored on real examples/,
    );
  });

  it('says "a few examples", never "a few few-shot examples"', () => {
    for (const rule of RULE_IDS) {
      expect(run(RULE_EXAMPLES[rule]).nextSteps.join(' '), rule).not.toMatch(/few few-shot/);
    }
    expect(run({ promptTried: 'not-yet', gap: 'unsure' }).warnings[0]?.message).not.toMatch(
      /^The gap is not diagnosed/,
    );
  });

  it('a working prompt that cannot hold every fact says what it covers, and the warning plainly', () => {
    const both = run({
      promptTried: 'scored-good-enough',
      gap: 'both',
      knowledge: { ...knowledge, fitsInPrompt: false },
      behavior: behavior(10),
    });
    const gap = both.rationale.find((line) => line.startsWith('Gap:')) ?? '';
    expect(gap).toMatch(/The prompt covers the behavior and the facts it can hold/);
    expect(gap).not.toMatch(/already covers the facts/);
    expect(both.warnings.find((w) => w.code === 'facts-do-not-fit')?.message).toBe(
      'A score on an eval that never asks about the facts the prompt leaves out says nothing of them: the next steps add such questions, and say when to move the facts to RAG.',
    );
    const knowledgeOnly = run({
      promptTried: 'scored-good-enough',
      gap: 'knowledge',
      knowledge: { ...knowledge, fitsInPrompt: false },
    });
    expect(knowledgeOnly.rationale.join(' ')).not.toMatch(/carries the facts it holds/);
  });

  it('a leaning that agrees on fine-tuning, but not on the facts, points to the warning', () => {
    const decision = run({
      leaning: 'fine-tune',
      ...RULE_EXAMPLES['both-in-prompt-ready'],
    });
    expect(decision.verdict).toBe('fine-tune');
    expect(codes(decision)).toContain('knowledge-in-weights');
    const leaning = decision.rationale.at(-1) ?? '';
    expect(leaning).not.toMatch(/The answers agree with it/);
    expect(leaning).toMatch(/fine-tunes only the behavior/);
  });

  it('a prompt verdict does not present fine-tuning as the answer, and a tried prompt is scored first', () => {
    const decision = run({
      promptTried: 'tried-not-scored',
      gap: 'behavior',
      behavior: behavior(0),
    });
    expect(decision.verdict).toBe('prompt');
    const gap = decision.rationale.find((line) => line.startsWith('Gap:')) ?? '';
    expect(gap).not.toMatch(/which is what fine-tuning teaches/);
    expect(decision.nextSteps[0]).toMatch(/^Score the prompt you have/);
    expect(run(RULE_EXAMPLES['behavior-ready']).rationale[1]).toMatch(/what fine-tuning teaches/);
  });
});
