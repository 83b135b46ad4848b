import {
  type Answers,
  type BehaviorAnswers,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  type KnowledgeAnswers,
  type PromptTried,
  promptGoodEnough,
  promptScored,
} from './answers.js';
import {
  BEHAVIOR_KIND_LABELS,
  EXAMPLES_TO_TRAIN_AND_HOLD_OUT,
  type FactsHome,
  type FactsPlace,
  FINE_TUNING_AGAINST_PROMPT,
  GAP_LABELS,
  joinList,
  type KnowledgeInWeightsCase,
  LEANING_LABELS,
  MIN_EXAMPLES_FOR_FINE_TUNING,
  PROMPT_TRADEOFFS,
  PROMPT_TRIED_LABELS,
  PROMPT_WITH_FACTS_TRADEOFFS,
  RULE_CONTENT,
  type RuleId,
  SOURCE_ORDER,
  SOURCES,
  type SourceKey,
  type StepContext,
  TRADEOFF_ORDER,
  TRADEOFF_ROWS,
  type TradeoffKey,
  VERDICT_LABELS,
  WARNING_TEXT,
  WHOLE_DOCUMENT_TRADEOFFS,
} from './content.js';
import {
  type Decision,
  type DecisionWarning,
  type Source,
  type Tradeoff,
  type VerdictKind,
  WARNING_CODES,
  type WarningCode,
} from './types.js';

/** Stored with every decision, so a review can be traced to the rules that produced it. */
export const RULES_VERSION = '2026-11-30.10';

export function verdictIncludesRag(verdict: VerdictKind): boolean {
  return verdict === 'rag' || verdict === 'rag+fine-tune';
}

export function verdictIncludesFineTune(verdict: VerdictKind): boolean {
  return verdict === 'fine-tune' || verdict === 'rag+fine-tune';
}

function labeledExamples(answers: Answers): number {
  return answers.behavior?.labeledExamples ?? 0;
}

function enoughExamples(answers: Answers): boolean {
  return labeledExamples(answers) >= MIN_EXAMPLES_FOR_FINE_TUNING;
}

/** Enough examples to train on, but too few to hold out a set that judges the tune as well. */
function heldOutShort(answers: Answers): boolean {
  return enoughExamples(answers) && labeledExamples(answers) < EXAMPLES_TO_TRAIN_AND_HOLD_OUT;
}

/**
 * Where the facts go by the answers: pasted in the prompt (a few pages that change less than
 * weekly), loaded whole into each request (a few pages that change weekly or faster), or indexed
 * (more than a prompt can carry). Undefined where the checklist did not ask whether they fit (a
 * review from before the question), which decides as before it was asked. Citations do not count
 * against the prompt: it can carry each fact's source beside the fact.
 */
function factsPlace(knowledge: KnowledgeAnswers | undefined): FactsPlace | undefined {
  if (knowledge?.fitsInPrompt === undefined) return undefined;
  if (!knowledge.fitsInPrompt) return 'indexed';
  return knowledge.changesOften ? 'whole-document' : 'in-prompt';
}

/** The rules for a prompt good enough, scored or by an older answer that did not say. */
function promptWorksRule(rule: RuleId): boolean {
  return rule === 'prompt-works' || rule === 'prompt-works-live-knowledge';
}

/**
 * The prompt fell short on the facts: scored, or by an older answer that did not say. For facts
 * it decides only the wording, never the cost: where they go follows from their size and churn.
 */
function promptFellShort(answers: Answers): boolean {
  return answers.promptTried === 'scored-falls-short' || answers.promptTried === 'still-unreliable';
}

/** The rules in order; the first that matches wins. */
export function matchRule(answers: Answers): RuleId {
  const goodEnough = promptGoodEnough(answers.promptTried);
  // A prompt that works has no failures to diagnose: it stays, whatever the gap might be.
  if (answers.gap === 'unsure' && !goodEnough) return 'unsure';
  if (answers.gap === 'neither') return 'no-gap';
  if (goodEnough) {
    const live = answers.knowledge?.changesOften || answers.knowledge?.citationsNeeded;
    return gapIncludesKnowledge(answers.gap) && live
      ? 'prompt-works-live-knowledge'
      : 'prompt-works';
  }
  // From here the prompt is not tried, tried but not scored, or fell short. Only a prompt scored
  // on real examples that fell short opens fine-tuning: a judgement without a score is no
  // baseline for a fine-tune to beat, so the behavior is decided as if no prompt were tried.
  const behaviorUntried = answers.promptTried !== 'scored-falls-short';
  const enough = enoughExamples(answers);
  if (answers.gap === 'behavior') {
    if (behaviorUntried) return enough ? 'behavior-untried-enough-examples' : 'behavior-untried';
    return enough ? 'behavior-ready' : 'behavior-needs-examples';
  }
  // Facts that fit stay in the prompt whether or not one was tried: retrieval would put the same
  // few pages in front of the model. Facts that fit but change weekly are loaded whole per request.
  // A review never asked whether they fit is decided as it was before the question: indexed.
  const facts = factsPlace(answers.knowledge) ?? 'indexed';
  if (answers.gap === 'knowledge') {
    return `knowledge-${facts}-${promptFellShort(answers) ? 'unreliable' : 'untried'}`;
  }
  if (behaviorUntried) return `both-${facts}-untried`;
  return enough ? `both-${facts}-ready` : `both-${facts}-needs-examples`;
}

function promptTriedLine(answers: Answers, rule: RuleId): string {
  return `Prompt: ${PROMPT_TRIED_LABELS[answers.promptTried].toLowerCase()}. ${whatThePromptSays(answers, rule)}`;
}

const WORKING_PROMPT_STAYS =
  'A working prompt is the cheapest system to run and to change, so it stays until its score says otherwise.';

/** A working prompt by an older answer, which did not say whether it was scored. */
const JUDGED_PROMPT_STAYS =
  'A working prompt is the cheapest system to run and to change, so it stays; score it on real examples, so a change that breaks it shows up.';

const BEHAVIOR_NEEDS_TUNING = 'It has not fixed the behavior, so fine-tuning is the path';

/** Why fine-tuning waits for a prompt tried but not scored, by the answer that said so. */
const UNSCORED_BEHAVIOR = {
  'tried-not-scored':
    'Without a score it cannot show that the behavior needs more than a prompt, so fine-tuning waits until it has been scored on real examples.',
  'still-unreliable':
    'A judgement without a score cannot show that the behavior needs more than a prompt, so fine-tuning waits until it has been scored on real examples.',
} as const;

/** A working prompt, scored or by an older answer that did not say. */
function workingPromptStays(answers: Answers): string {
  return promptScored(answers.promptTried) ? WORKING_PROMPT_STAYS : JUDGED_PROMPT_STAYS;
}

/** For a rule reached whatever the prompt answer: what each answer means for it. */
function byPromptAnswer(answers: Answers, meaning: Record<PromptTried, string>): string {
  return meaning[answers.promptTried];
}

/** For a behavior part decided as if no prompt were tried: not tried, or tried but not scored. */
function behaviorNotScored(answers: Answers, notTried: string): string {
  return answers.promptTried === 'tried-not-scored' || answers.promptTried === 'still-unreliable'
    ? UNSCORED_BEHAVIOR[answers.promptTried]
    : notTried;
}

/** What the prompt answer means for the rule it led to. */
function whatThePromptSays(answers: Answers, rule: RuleId): string {
  const fellShort =
    'Its failures are the evidence: sorted, they show whether facts or behavior are missing.';
  switch (rule) {
    case 'unsure':
      return byPromptAnswer(answers, {
        'not-yet': 'Running one on an eval set is also how the gap gets diagnosed.',
        'tried-not-scored': 'Scoring it on an eval set is also how the gap gets diagnosed.',
        'scored-falls-short': fellShort,
        'still-unreliable': fellShort,
        // A working prompt is never undiagnosed: it goes to the working-prompt rule.
        'scored-good-enough': WORKING_PROMPT_STAYS,
        'good-enough': JUDGED_PROMPT_STAYS,
      });
    case 'no-gap':
      return byPromptAnswer(answers, {
        'not-yet': 'With nothing missing, a clear prompt is the whole job.',
        'tried-not-scored':
          'With nothing missing, a clear prompt, scored on real examples, is the whole job.',
        'scored-falls-short': 'Its failures are where to look next.',
        'still-unreliable': 'Its failures are where to look next.',
        'scored-good-enough': WORKING_PROMPT_STAYS,
        'good-enough': JUDGED_PROMPT_STAYS,
      });
    case 'prompt-works':
    case 'prompt-works-live-knowledge':
      return workingPromptStays(answers);
    case 'knowledge-in-prompt-untried':
      return answers.promptTried === 'tried-not-scored'
        ? 'Score it on a small eval, with the facts in it: that score is the baseline any retrieval would have to beat.'
        : 'A prompt is the cheapest thing to try, and its score on a small eval is the baseline any retrieval would have to beat.';
    case 'knowledge-in-prompt-unreliable':
      return 'With facts this few, retrieval would hand the model the same pages, so the fix is in the prompt: the facts added if they were missing, presented better if they were there.';
    case 'knowledge-whole-document-untried':
      return answers.promptTried === 'tried-not-scored'
        ? 'No need to score a fixed prompt first: loading the document at each request costs about as little, and that is the prompt to score.'
        : 'No need to try a fixed prompt first: loading the document at each request costs about as little.';
    case 'knowledge-whole-document-unreliable':
      return promptScored(answers.promptTried)
        ? 'Score it again once the current document is loaded into it: only the failures that remain say how the model uses the facts.'
        : 'Score it once the current document is loaded into it: only the failures that remain say how the model uses the facts.';
    case 'knowledge-indexed-untried':
      return whyNotPromptFirst(answers);
    case 'knowledge-indexed-unreliable':
      return 'Rewording a prompt will not add facts the model lacks.';
    case 'behavior-untried':
    case 'behavior-untried-enough-examples':
    case 'both-whole-document-untried':
    case 'both-indexed-untried':
      return behaviorNotScored(
        answers,
        'A prompt is the cheap first try for a behavior gap, so fine-tuning waits until one has been scored on real examples.',
      );
    case 'behavior-ready':
    case 'both-whole-document-ready':
    case 'both-indexed-ready':
      return 'The prompt has reached its limit on the behavior.';
    case 'behavior-needs-examples':
    case 'both-indexed-needs-examples':
      return `${BEHAVIOR_NEEDS_TUNING}; what it lacks is the data to train on.`;
    case 'both-whole-document-needs-examples':
      return `${BEHAVIOR_NEEDS_TUNING} for it.`;
    case 'both-in-prompt-untried':
      return behaviorNotScored(
        answers,
        'One prompt is the cheap first try for both parts, and its score is the baseline RAG or a fine-tune would have to beat.',
      );
    case 'both-in-prompt-ready':
      return 'The prompt has reached its limit on the behavior; if it did not carry the facts, they go in before anything is trained.';
    case 'both-in-prompt-needs-examples':
      return 'It has not fixed the behavior, so fine-tuning is the path for that part; if it did not carry the facts, they go in now.';
  }
}

/**
 * Why a knowledge gap goes to retrieval without a prompt tried first, or scored first: the facts'
 * size, or, for a review not asked whether they fit (facts that fit go to other rules), their
 * churn or size.
 */
function whyNotPromptFirst(answers: Answers): string {
  const { knowledge } = answers;
  const noNeed =
    answers.promptTried === 'tried-not-scored'
      ? 'No need to score it first'
      : 'No need to wait for one here';
  if (knowledge?.fitsInPrompt === false) {
    return `${noNeed}: a prompt could hold only part of these facts, and the model would guess at the rest.`;
  }
  if (knowledge?.changesOften) {
    return `${noNeed}: facts that change weekly or faster would have to be pasted into the prompt again with every change.`;
  }
  return 'A prompt can carry only a few pages of stable facts; for more than that, retrieval is how they reach the model.';
}

/** The facts a working prompt carries: all of them, or only those it holds when they do not fit. */
function heldFacts(answers: Answers): string {
  return answers.knowledge?.fitsInPrompt === false ? 'the facts it can hold' : 'the facts';
}

/** What the gap answer means for the rule it led to, after "Gap: <the answer>." */
function whatTheGapSays(answers: Answers, rule: RuleId): string {
  switch (rule) {
    case 'unsure':
      return 'Until the failures are traced to missing facts or to the wrong behavior, there is nothing to retrieve and nothing to train.';
    case 'no-gap':
      return promptFellShort(answers)
        ? 'The model has the facts and the behavior, so an unreliable prompt needs a clearer spec, better examples or a better eval, not RAG or training.'
        : 'The model has the facts and the behavior it needs, so there is nothing for RAG or fine-tuning to add.';
    case 'prompt-works-live-knowledge':
      // Asked whether the facts fit, the knowledge lines say when they should leave the prompt.
      if (answers.knowledge?.fitsInPrompt !== undefined) {
        return answers.gap === 'knowledge'
          ? `The prompt covers ${heldFacts(answers)} well enough today.`
          : `The prompt covers the behavior and ${answers.knowledge.fitsInPrompt ? 'the facts' : 'the facts it can hold'}; fine-tuning earns its cost only when a score on real examples shows the behavior falling short.`;
      }
      if (answers.gap === 'knowledge') {
        return 'The prompt carries the facts well enough today; RAG becomes worth it when maintaining them there becomes a burden, or the knowledge outgrows the prompt.';
      }
      return 'The prompt already covers the facts and the behavior; RAG becomes worth it when maintaining the facts there becomes a burden, or they outgrow the prompt, and fine-tuning only when a score on real examples shows the behavior falling short.';
    case 'prompt-works':
      if (answers.gap === 'unsure') {
        return 'With a prompt that works, there are no failures to diagnose yet, and nothing for RAG or fine-tuning to fix.';
      }
      if (answers.gap === 'knowledge' && answers.knowledge?.fitsInPrompt !== undefined) {
        return `The working prompt supplies ${heldFacts(answers)} well enough today.`;
      }
      if (answers.gap === 'knowledge') {
        return 'Small, stable knowledge can live in the prompt itself; RAG becomes worth it when it outgrows the prompt or changes often.';
      }
      if (answers.gap === 'behavior') {
        return 'The prompt already produces it, so fine-tuning would add cost and no gain.';
      }
      return answers.knowledge?.fitsInPrompt === false
        ? 'The prompt covers the behavior and the facts it can hold; RAG or fine-tuning only earns its cost when a score on real examples shows a shortfall.'
        : 'The prompt already covers the facts and the behavior; RAG or fine-tuning only earns its cost when a score on real examples shows a shortfall.';
    case 'knowledge-in-prompt-untried':
    case 'knowledge-in-prompt-unreliable':
      return 'The model lacks facts, so they have to be put in front of it: in the prompt as a fixed section, or by retrieval for each question.';
    case 'both-in-prompt-untried':
      return 'One prompt carries the facts and the behavior’s spec and examples, and its eval scores the two apart.';
    case 'both-in-prompt-ready':
    case 'both-in-prompt-needs-examples':
      return 'The facts and the behavior are handled apart: the facts by the prompt, the behavior on its own, against the fine-tuning bar.';
    case 'both-whole-document-untried':
    case 'both-whole-document-ready':
    case 'both-whole-document-needs-examples':
      return 'The facts are loaded into each request, and the behavior is judged on its own, against the fine-tuning bar.';
    case 'knowledge-whole-document-untried':
    case 'knowledge-whole-document-unreliable':
    case 'knowledge-indexed-untried':
    case 'knowledge-indexed-unreliable':
      return 'The model lacks facts, and facts are what retrieval supplies at query time.';
    case 'behavior-ready':
    case 'behavior-needs-examples':
      return 'The model has the facts but not the way of answering, which is what fine-tuning teaches.';
    case 'behavior-untried':
    case 'behavior-untried-enough-examples':
      // A prompt verdict: the prompt's spec and examples come first, as its steps say.
      return 'The model has the facts but not the way of answering: a spec and examples in the prompt come first, and fine-tuning only if they fall short once scored.';
    case 'both-indexed-ready':
    case 'both-indexed-untried':
    case 'both-indexed-needs-examples':
      return 'The facts go to retrieval and the behavior is judged on its own, against the fine-tuning bar.';
  }
}

/** The gap answer, named as the checklist and the summary name it. */
function gapLine(answers: Answers, rule: RuleId): string {
  return `Gap: ${GAP_LABELS[answers.gap].toLowerCase()}. ${whatTheGapSays(answers, rule)}`;
}

/** The knowledge answers when the facts are indexed for retrieval. */
function indexedLines(knowledge: KnowledgeAnswers): string[] {
  const lines: string[] = [];
  if (knowledge.changesOften) {
    lines.push(
      'Knowledge changes often: yes. Retrieval serves an edit as soon as the source changes, while tuned weights go stale the moment the data moves.',
    );
  }
  if (knowledge.citationsNeeded) {
    lines.push(
      'Citations needed: yes. Retrieval hands back the passage each answer came from; weights cannot point to a source.',
    );
  }
  // Asked whether the facts fit, a no is the answer that sends them to retrieval (its own line).
  if (lines.length === 0 && knowledge.fitsInPrompt === undefined) {
    lines.push(
      'Knowledge changes often: no, citations needed: no. The facts still have to reach the model, and retrieval supplies them at query time, with no training.',
    );
  }
  return lines;
}

/** The knowledge answers when the facts live in a working prompt rather than in retrieval. */
function workingPromptLines(knowledge: KnowledgeAnswers): string[] {
  const lines: string[] = [];
  if (knowledge.changesOften) {
    lines.push(
      knowledge.fitsInPrompt
        ? 'Knowledge changes often: yes. The facts in the prompt have to be edited every time the source changes; when that becomes a burden, load the current source document into the prompt at each request instead.'
        : 'Knowledge changes often: yes. The facts in the prompt have to be edited every time the source changes; when that becomes a burden, retrieval serves each edit as soon as it is made.',
    );
  }
  if (knowledge.citationsNeeded) {
    lines.push(
      knowledge.fitsInPrompt
        ? 'Citations needed: yes. The prompt has to carry each fact’s source beside it for an answer to cite it, which works as long as the facts fit.'
        : 'Citations needed: yes. The prompt has to carry each fact’s source for an answer to cite it; retrieval hands back the passage each answer came from, so it is the next step when that no longer scales.',
    );
  }
  return lines;
}

/** The knowledge answers when a few pages of stable facts stay in the prompt. */
function inPromptLines(knowledge: KnowledgeAnswers): string[] {
  return knowledge.citationsNeeded
    ? [
        'Citations needed: yes. That does not rule out the prompt: it can carry each fact’s source beside the fact for answers to cite.',
      ]
    : [];
}

/** The knowledge answers when a few pages that change weekly are loaded whole into each request. */
function wholeDocumentLines(knowledge: KnowledgeAnswers): string[] {
  const lines = [
    'Knowledge changes often: yes. A copy pasted into the prompt goes stale with every change; loaded from the source at each request, it is always current.',
  ];
  if (knowledge.citationsNeeded) {
    lines.push(
      'Citations needed: yes. With the whole document in the prompt, answers can cite the section each fact came from.',
    );
  }
  return lines;
}

/** The answer to "would all the facts fit in the prompt?", or nothing where it was not asked. */
function fitsInPromptLine(
  answers: Answers,
  rule: RuleId,
  knowledge: KnowledgeAnswers,
): string | undefined {
  if (knowledge.fitsInPrompt === undefined) return undefined;
  switch (RULE_CONTENT[rule].facts) {
    case 'in-prompt':
      return 'Facts fit in the prompt: yes, and they change less than weekly. Pasted in whole, they need no index to build or keep current, so retrieval waits until they outgrow the prompt.';
    case 'whole-document':
      return 'Facts fit in the prompt: yes, so the document goes in whole, with no chunking, embedding or top-k to tune; an index earns its cost once it outgrows the prompt.';
    case 'indexed':
      return 'Facts fit in the prompt: no. Retrieval puts in front of the model only the passages each question needs.';
    case undefined:
      // A working prompt, the one rule for a knowledge gap that leaves the facts where they are.
      return knowledge.fitsInPrompt
        ? 'Facts fit in the prompt: yes, so they can stay there; an index earns its cost once they outgrow it.'
        : `Facts fit in the prompt: no, yet ${promptScored(answers.promptTried) ? 'the prompt scored good enough' : 'the prompt works well enough, by your account'}: see the warning.`;
  }
}

/** The answers about the facts, worded for where the rule puts them. */
function placeLines(rule: RuleId, knowledge: KnowledgeAnswers): string[] {
  switch (RULE_CONTENT[rule].facts) {
    case 'in-prompt':
      return inPromptLines(knowledge);
    case 'whole-document':
      return wholeDocumentLines(knowledge);
    case 'indexed':
      return indexedLines(knowledge);
    case undefined:
      return rule === 'prompt-works-live-knowledge' ? workingPromptLines(knowledge) : [];
  }
}

function behaviorLines(answers: Answers, behavior: BehaviorAnswers): string[] {
  const lines: string[] = [];
  const kinds = behavior.kinds ?? [];
  // Decided as if no prompt were tried unless one was scored short: see matchRule.
  const scoredShort = answers.promptTried === 'scored-falls-short';
  if (kinds.length > 0) {
    const named = `Behavior kinds: ${joinList(kinds.map((kind) => BEHAVIOR_KIND_LABELS[kind]))}.`;
    if (scoredShort) {
      lines.push(
        `${named} Patterns like these are learned from examples, and a fine-tune holds them more reliably than a prompt.`,
      );
    } else if (answers.promptTried === 'not-yet') {
      lines.push(
        `${named} An explicit output spec with few-shot examples is the first thing to try for these.`,
      );
    } else {
      lines.push(
        `${named} A score on real examples shows whether the prompt holds these; fine-tuning comes in only if it falls short.`,
      );
    }
  }
  const examples = behavior.labeledExamples;
  const count = `Labeled examples: ${examples}.`;
  const bar = MIN_EXAMPLES_FOR_FINE_TUNING;
  const enough = examples >= bar;
  if (!scoredShort) {
    if (enough) {
      lines.push(
        examples < EXAMPLES_TO_TRAIN_AND_HOLD_OUT
          ? `${count} Enough to train on later, not yet also to hold out a set that judges the tune.`
          : `${count} Enough to fine-tune on later, with a held-out set, if the prompt still falls short once scored.`,
      );
    } else if (examples === 0) {
      lines.push(
        `${count} Write a few worked examples into the prompt by hand, and start logging corrected outputs toward the ${bar} at which fine-tuning gains usually start to show.`,
      );
    } else {
      lines.push(
        `${count} Below the ${bar} at which fine-tuning gains usually start to show; use them as few-shot examples in the prompt.`,
      );
    }
  } else {
    lines.push(
      enough
        ? examples < EXAMPLES_TO_TRAIN_AND_HOLD_OUT
          ? `${count} At or above the ${bar} to train on, not also a held-out set to judge the tune.`
          : `${count} At or above the ${bar} training examples at which fine-tuning gains usually start to show; a held-out set comes on top.`
        : `${count} Below the ${bar} at which fine-tuning gains usually start to show: collecting at least ${bar} is what stands between this behavior and a fine-tune.`,
    );
  }
  return lines;
}

function leaningLine(answers: Answers, verdict: VerdictKind): string | undefined {
  if (answers.leaning === 'undecided') return undefined;
  const leaning = `Leaning: ${LEANING_LABELS[answers.leaning]}.`;
  // The same verdict, but the leaning would have tuned the facts too: the warning says where they go.
  if (answers.leaning === verdict && knowledgeInWeightsCase(answers)) {
    return `${leaning} The verdict fine-tunes only the behavior, not the facts: see the warning on facts in the weights.`;
  }
  return answers.leaning === verdict
    ? `${leaning} The answers agree with it.`
    : `${leaning} Noted, but the answers above point to ${VERDICT_LABELS[verdict]}.`;
}

/** Which parts of the rationale hold the answers that decided the rule. */
interface DecidingAnswers {
  prompt?: boolean;
  gap?: boolean;
  /** Where the facts go: whether they fit, or, not asked, what sent them to retrieval. */
  facts?: boolean;
  examples?: boolean;
}

function decidingAnswers(rule: RuleId): DecidingAnswers {
  switch (rule) {
    case 'unsure':
    case 'no-gap':
      return { gap: true };
    case 'prompt-works':
    case 'prompt-works-live-knowledge':
      return { prompt: true };
    case 'behavior-untried':
    case 'behavior-untried-enough-examples':
      return { prompt: true };
    case 'behavior-ready':
    case 'behavior-needs-examples':
      return { examples: true };
    case 'both-in-prompt-untried':
    case 'both-whole-document-untried':
    case 'both-indexed-untried':
      return { prompt: true, facts: true };
    case 'both-in-prompt-ready':
    case 'both-in-prompt-needs-examples':
    case 'both-whole-document-ready':
    case 'both-whole-document-needs-examples':
    case 'both-indexed-ready':
    case 'both-indexed-needs-examples':
      return { facts: true, examples: true };
    case 'knowledge-in-prompt-untried':
    case 'knowledge-in-prompt-unreliable':
    case 'knowledge-whole-document-untried':
    case 'knowledge-whole-document-unreliable':
    case 'knowledge-indexed-untried':
    case 'knowledge-indexed-unreliable':
      return { facts: true };
  }
}

interface RationaleLine {
  text: string;
  decisive: boolean;
}

/** The knowledge lines, the one that placed the facts marked when the facts decided the rule. */
function knowledgeRationale(
  answers: Answers,
  rule: RuleId,
  knowledge: KnowledgeAnswers,
  deciding: boolean,
): RationaleLine[] {
  const place = placeLines(rule, knowledge).map((text) => ({ text, decisive: false }));
  const fits = fitsInPromptLine(answers, rule, knowledge);
  if (fits !== undefined) return [...place, { text: fits, decisive: deciding }];
  // Not asked whether they fit (an older review): its answers about churn and citations, or
  // their absence, are what sent the facts to retrieval.
  return place.map((line) => ({ ...line, decisive: deciding }));
}

/** The labeled-examples line is the one that weighs the examples against the fine-tuning bar. */
function behaviorRationale(
  answers: Answers,
  behavior: BehaviorAnswers,
  deciding: boolean,
): RationaleLine[] {
  return behaviorLines(answers, behavior).map((text) => ({
    text,
    decisive: deciding && text.startsWith('Labeled examples:'),
  }));
}

/** One line per answer that drove the verdict, in checklist order, the deciding ones marked. */
function buildRationale(answers: Answers, rule: RuleId, verdict: VerdictKind): RationaleLine[] {
  const deciding = decidingAnswers(rule);
  const lines: RationaleLine[] = [
    { text: promptTriedLine(answers, rule), decisive: deciding.prompt === true },
    { text: gapLine(answers, rule), decisive: deciding.gap === true },
  ];
  const diagnosed = rule !== 'unsure' && rule !== 'no-gap';
  if (diagnosed) {
    if (gapIncludesKnowledge(answers.gap) && answers.knowledge) {
      lines.push(...knowledgeRationale(answers, rule, answers.knowledge, deciding.facts === true));
    }
    // A working prompt already holds the behavior: its details decide nothing.
    if (gapIncludesBehavior(answers.gap) && answers.behavior && !promptWorksRule(rule)) {
      lines.push(...behaviorRationale(answers, answers.behavior, deciding.examples === true));
    }
  }
  const leaning = leaningLine(answers, verdict);
  if (leaning) lines.push({ text: leaning, decisive: false });
  return lines;
}

/**
 * How the team's leaning would put facts in the weights, whatever the verdict: a fine-tune-only
 * leaning for any gap with knowledge in it, or RAG + fine-tune for a pure knowledge gap, where the
 * fine-tune half would have nothing but facts to learn. RAG + fine-tune for a 'both' gap is the
 * rule's own answer, not the mistake.
 */
function knowledgeInWeightsCase(answers: Answers): KnowledgeInWeightsCase | undefined {
  if (answers.leaning === 'fine-tune') {
    if (answers.gap === 'knowledge') return 'fine-tune-for-knowledge';
    if (answers.gap === 'both') return 'fine-tune-for-both';
  }
  if (answers.leaning === 'rag+fine-tune' && answers.gap === 'knowledge') {
    return 'rag-fine-tune-for-knowledge';
  }
  return undefined;
}

function factsHome(rule: RuleId, verdict: VerdictKind): FactsHome {
  if (verdictIncludesFineTune(verdict)) {
    return RULE_CONTENT[rule].facts === 'in-prompt'
      ? 'in-prompt-and-tuned-behavior'
      : 'retrieval-and-tuned-behavior';
  }
  return verdictIncludesRag(verdict) ? 'retrieval' : 'in-prompt';
}

/** The rule's reason, for the answers it was reached with. */
function because(answers: Answers, rule: RuleId): string {
  const content = RULE_CONTENT[rule];
  return answers.knowledge?.fitsInPrompt === false && content.becauseFactsDoNotFit
    ? content.becauseFactsDoNotFit
    : content.because;
}

/** The warning's message, or undefined when the warning does not apply to these answers. */
function warningMessage(
  answers: Answers,
  verdict: VerdictKind,
  rule: RuleId,
  code: WarningCode,
): string | undefined {
  const behaviorGap = gapIncludesBehavior(answers.gap);
  switch (code) {
    case 'knowledge-in-weights': {
      const knowledgeCase = knowledgeInWeightsCase(answers);
      if (!knowledgeCase) return undefined;
      const home = factsHome(rule, verdict);
      const behaviorToTuneLater =
        gapIncludesBehavior(answers.gap) && (home === 'in-prompt' || home === 'retrieval');
      return WARNING_TEXT.knowledgeInWeights(knowledgeCase, home, behaviorToTuneLater);
    }
    case 'restricted-data-in-weights':
      // Weights keep no access control and can't forget short of retraining: said of any verdict
      // that fine-tunes. Facts kept in a prompt every user gets are shown to everyone too.
      return answers.restrictedData === true && verdictIncludesFineTune(verdict)
        ? WARNING_TEXT.restrictedDataInWeights(
            factsHome(rule, verdict) === 'in-prompt-and-tuned-behavior',
          )
        : undefined;
    case 'prompt-untried':
      return answers.promptTried === 'not-yet' && behaviorGap
        ? WARNING_TEXT.promptUntried
        : undefined;
    case 'prompt-unscored':
      // Tried but not scored, the behavior is decided as if no prompt were tried: say why.
      return behaviorGap &&
        (answers.promptTried === 'tried-not-scored' || answers.promptTried === 'still-unreliable')
        ? WARNING_TEXT.promptUnscored(
            answers.promptTried === 'still-unreliable',
            enoughExamples(answers),
          )
        : undefined;
    case 'few-examples': {
      const examples = labeledExamples(answers);
      return behaviorGap &&
        answers.promptTried === 'scored-falls-short' &&
        examples < MIN_EXAMPLES_FOR_FINE_TUNING
        ? WARNING_TEXT.fewExamples(examples, MIN_EXAMPLES_FOR_FINE_TUNING)
        : undefined;
    }
    case 'held-out-short': {
      // Wherever the examples are counted as enough to fine-tune on, now or once a prompt falls
      // short, they must leave a held-out set too; not under a working prompt, nor undiagnosed.
      const examples = labeledExamples(answers);
      const counted =
        behaviorGap &&
        !promptWorksRule(rule) &&
        rule !== 'unsure' &&
        rule !== 'no-gap' &&
        enoughExamples(answers);
      return counted && examples < EXAMPLES_TO_TRAIN_AND_HOLD_OUT
        ? WARNING_TEXT.heldOutShort(
            examples,
            answers.behavior?.kinds?.includes('classification') === true,
          )
        : undefined;
    }
    case 'no-training-budget':
      return verdictIncludesFineTune(verdict) && answers.behavior?.trainingBudget === false
        ? WARNING_TEXT.noTrainingBudget(answers.restrictedData === true)
        : undefined;
    case 'leaning-differs':
      return answers.leaning !== 'undecided' && answers.leaning !== verdict
        ? WARNING_TEXT.leaningDiffers(
            LEANING_LABELS[answers.leaning],
            VERDICT_LABELS[verdict],
            because(answers, rule),
          )
        : undefined;
    case 'no-diagnosis':
      return rule === 'unsure' ? WARNING_TEXT.noDiagnosis : undefined;
    case 'facts-do-not-fit':
      // A working prompt told the facts do not fit: one of the two answers is off.
      return promptWorksRule(rule) &&
        gapIncludesKnowledge(answers.gap) &&
        answers.knowledge?.fitsInPrompt === false
        ? WARNING_TEXT.factsDoNotFit
        : undefined;
  }
}

function buildWarnings(answers: Answers, verdict: VerdictKind, rule: RuleId): DecisionWarning[] {
  return WARNING_CODES.flatMap((code) => {
    const message = warningMessage(answers, verdict, rule, code);
    return message === undefined ? [] : [{ code, message }];
  });
}

/**
 * For the trade-offs, where a prompt with the facts pasted in is one of the options, the RAG it is
 * set against: the document loaded whole at each request, or an index. Undefined where an index
 * carries the facts, and for a working prompt never asked whether they fit, which keeps the table
 * such reviews were given.
 */
function ragAgainstFactsInPrompt(
  answers: Answers,
  rule: RuleId,
): 'whole-document' | 'indexed' | undefined {
  const { facts } = RULE_CONTENT[rule];
  if (facts === 'whole-document') return 'whole-document';
  if (facts === 'in-prompt') return 'indexed';
  // A working prompt asked about the facts carries them, all or some: set it against the RAG its
  // next steps lead to.
  if (promptWorksRule(rule) && gapIncludesKnowledge(answers.gap)) {
    const place = factsPlace(answers.knowledge);
    if (place === 'whole-document') return 'whole-document';
    if (place !== undefined) return 'indexed';
  }
  return undefined;
}

function pickTradeoffs(
  answers: Answers,
  rule: RuleId,
  verdict: VerdictKind,
  warnings: DecisionWarning[],
): Tradeoff[] {
  const rag = ragAgainstFactsInPrompt(answers, rule);
  const keys = new Set<TradeoffKey>(['cost']);
  if (gapIncludesKnowledge(answers.gap)) {
    keys.add('update');
    if (answers.knowledge?.citationsNeeded) keys.add('cite');
    if (answers.knowledge?.changesOften) keys.add('newData');
  }
  if (gapIncludesBehavior(answers.gap)) keys.add('format');
  // Once something is being built, what can go wrong with it matters; for a prompt verdict it
  // matters when someone wanted facts in the weights, or when the prompt carries the facts.
  if (
    verdict !== 'prompt' ||
    rag !== undefined ||
    warnings.some((w) => w.code === 'knowledge-in-weights')
  ) {
    keys.add('risk');
  }
  const shown = TRADEOFF_ORDER.filter((key) => keys.has(key));
  if (rag !== undefined) {
    // The prompt carries the facts: set it against RAG, and against fine-tuning too for a gap
    // with behavior in it.
    return shown.map((key) => {
      const row = {
        aspect: TRADEOFF_ROWS[key].aspect,
        prompt: PROMPT_WITH_FACTS_TRADEOFFS[key],
        rag: rag === 'whole-document' ? wholeDocumentTradeoff(key) : TRADEOFF_ROWS[key].rag,
      };
      return gapIncludesBehavior(answers.gap)
        ? { ...row, fineTuning: TRADEOFF_ROWS[key].fineTuning }
        : row;
    });
  }
  if (gapIncludesKnowledge(answers.gap)) return shown.map((key) => ({ ...TRADEOFF_ROWS[key] }));
  // With no knowledge missing, retrieval has nothing to add: the prompt is the alternative.
  return shown.filter(isPromptTradeoffKey).map((key) => ({
    aspect: TRADEOFF_ROWS[key].aspect,
    prompt: PROMPT_TRADEOFFS[key],
    fineTuning: fineTuningAgainstPrompt(key),
  }));
}

function wholeDocumentTradeoff(key: TradeoffKey): string {
  return WHOLE_DOCUMENT_TRADEOFFS[key] ?? TRADEOFF_ROWS[key].rag;
}

function fineTuningAgainstPrompt(key: keyof typeof PROMPT_TRADEOFFS): string {
  return FINE_TUNING_AGAINST_PROMPT[key] ?? TRADEOFF_ROWS[key].fineTuning;
}

function isPromptTradeoffKey(key: TradeoffKey): key is keyof typeof PROMPT_TRADEOFFS {
  return Object.hasOwn(PROMPT_TRADEOFFS, key);
}

function pickSources(
  answers: Answers,
  rule: RuleId,
  verdict: VerdictKind,
  warnings: DecisionWarning[],
): Source[] {
  const keys = new Set<SourceKey>(RULE_CONTENT[rule].sources);
  if (verdictIncludesRag(verdict)) {
    keys.add('lewis2020');
    keys.add('ovadia2023');
    keys.add('gekhman2024');
  }
  if (warnings.some((w) => w.code === 'knowledge-in-weights')) {
    keys.add('ovadia2023');
    keys.add('gekhman2024');
  }
  if (verdictIncludesFineTune(verdict)) {
    keys.add('openaiFineTuning');
    keys.add('peftDocs');
    keys.add('peftQuicktour');
    keys.add('qlora');
    keys.add('vllmLora');
  }
  // "Prompt first" and the example bar both rest on OpenAI's guide.
  if (verdict === 'prompt' || gapIncludesBehavior(answers.gap)) keys.add('openaiFineTuning');
  return SOURCE_ORDER.filter((key) => keys.has(key)).map((key) => ({ ...SOURCES[key] }));
}

function stepContext(answers: Answers): StepContext {
  return {
    cited: answers.knowledge?.citationsNeeded === true,
    format: answers.behavior?.kinds?.includes('format') === true,
    enoughExamples: enoughExamples(answers),
    facts: gapIncludesKnowledge(answers.gap) ? factsPlace(answers.knowledge) : undefined,
    changesOften: answers.knowledge?.changesOften === true,
    undiagnosed: answers.gap === 'unsure',
    tried: answers.promptTried !== 'not-yet',
    scored: promptScored(answers.promptTried),
    restricted: answers.restrictedData === true,
    knowledgeGap: gapIncludesKnowledge(answers.gap),
    classification: answers.behavior?.kinds?.includes('classification') === true,
    heldOutShort: heldOutShort(answers),
  };
}

function buildNextSteps(rule: RuleId, context: StepContext): string[] {
  const { nextSteps } = RULE_CONTENT[rule];
  return typeof nextSteps === 'function' ? nextSteps(context) : [...nextSteps];
}

function buildMeasure(rule: RuleId, context: StepContext): string[] {
  const { measure } = RULE_CONTENT[rule];
  return typeof measure === 'function' ? measure(context) : [...measure];
}

function buildHeadline(rule: RuleId, context: StepContext): string {
  const { headline } = RULE_CONTENT[rule];
  return typeof headline === 'function' ? headline(context) : headline;
}

/** The verdict for a set of checklist answers. Pure: the same answers always give the same decision. */
export function decide(answers: Answers): Decision {
  const rule = matchRule(answers);
  const content = RULE_CONTENT[rule];
  const verdict = content.verdict;
  const warnings = buildWarnings(answers, verdict, rule);
  const rationale = buildRationale(answers, rule, verdict);
  const context = stepContext(answers);
  return {
    verdict,
    headline: buildHeadline(rule, context),
    rationale: rationale.map((line) => line.text),
    decisive: rationale.flatMap((line, index) => (line.decisive ? [index] : [])),
    warnings,
    nextSteps: buildNextSteps(rule, context),
    measure: buildMeasure(rule, context),
    tradeoffs: pickTradeoffs(answers, rule, verdict, warnings),
    sources: pickSources(answers, rule, verdict, warnings),
    rulesVersion: RULES_VERSION,
  };
}
