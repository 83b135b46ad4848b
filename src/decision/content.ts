// The engine's wording. Every string here is plain text: the Slack layer escapes and decorates
// it, so nothing may carry mrkdwn or Markdown markup.
import type { BehaviorKind, Gap, Leaning, PromptTried } from './answers.js';
import type { Source, Tradeoff, VerdictKind, WarningCode } from './types.js';

export const VERDICT_LABELS: Record<VerdictKind, string> = {
  prompt: 'Prompt',
  rag: 'RAG',
  'fine-tune': 'Fine-tune',
  'rag+fine-tune': 'RAG + fine-tune',
};

export const LEANING_LABELS: Record<Leaning, string> = {
  undecided: 'Undecided',
  ...VERDICT_LABELS,
};

export const WARNING_TITLES: Record<WarningCode, string> = {
  'knowledge-in-weights': 'Facts in the weights',
  'restricted-data-in-weights': 'No access control in weights',
  'facts-do-not-fit': 'Facts do not fit the prompt',
  'prompt-untried': 'Prompt not tried yet',
  'prompt-unscored': 'Score it first',
  'few-examples': 'Too few examples',
  'held-out-short': 'No room for a held-out set',
  'no-training-budget': 'No training budget',
  'leaning-differs': 'Differs from the leaning',
  'no-diagnosis': 'Gap not diagnosed',
};

/** The gap as a person reads it, in the Slack checklist and in the decision record. */
export const GAP_LABELS: Record<Gap, string> = {
  knowledge: 'Knowledge',
  behavior: 'Behavior',
  both: 'Both',
  neither: 'Neither',
  unsure: 'Not sure yet',
};

/**
 * The first step's box on data and access as the summary and the decision record name it:
 * "Restricted data: Yes (personal or customer data, or per-user access)".
 */
export const RESTRICTED_DATA_LABEL = 'Restricted data';
export const RESTRICTED_DATA_MEANING = 'personal or customer data, or per-user access';

/**
 * The prompt answer, one set for the checklist's options, the summary, the decision record and
 * the rationale (which lower-cases it, as it does the gap). The older two, never offered now, say
 * that whether the prompt was scored was not asked then. Option texts stay ≤ 75 characters.
 */
export const PROMPT_TRIED_LABELS: Record<PromptTried, string> = {
  'not-yet': 'Not yet',
  'tried-not-scored': 'Tried, but not scored yet',
  'scored-good-enough': 'Yes, scored on real examples, good enough',
  'scored-falls-short': 'Yes, scored on real examples, still falls short',
  'good-enough': 'Yes, good enough, scoring not asked',
  'still-unreliable': 'Yes, still unreliable, scoring not asked',
};

export const BEHAVIOR_KIND_LABELS: Record<BehaviorKind, string> = {
  format: 'format',
  tone: 'tone',
  classification: 'classification',
  skill: 'skill',
};

/**
 * Labeled examples needed before fine-tuning a behavior is worth it. OpenAI's fine-tuning guide
 * (https://platform.openai.com/docs/guides/fine-tuning) accepts as few as 10 examples but says
 * clear improvements usually show from 50 to 100; we take the bottom of that range. These are
 * training examples: the held-out set that judges the tune comes on top (heldOutSet).
 */
export const MIN_EXAMPLES_FOR_FINE_TUNING = 50;
const BAR = MIN_EXAMPLES_FOR_FINE_TUNING;

/**
 * The held-out set that judges a tune: big enough to see a clear gain; a 5-point difference (80 %
 * against 85 %) is within the noise of 100 cases.
 */
export const MIN_HELD_OUT_EXAMPLES = 100;

/** Labeled examples that can both train a fine-tune and judge it: the bar plus a held-out set. */
export const EXAMPLES_TO_TRAIN_AND_HOLD_OUT = BAR + MIN_HELD_OUT_EXAMPLES;

/** The held-out set that judges a tune, with the per-class rule only for a classification. */
function heldOutSet(classification: boolean): string {
  return `a held-out set of about ${MIN_HELD_OUT_EXAMPLES} cases, never trained on, so the tune is judged on examples it never saw (telling 80% from 85% takes a few hundred${classification ? '; 20 to 30 per class' : ''})`;
}

/**
 * Which rule decided, finer-grained than the verdict: the same verdict can be reached for
 * different reasons, and the headline, next steps and measures follow the reason. A diagnosed gap
 * whose prompt does not work yet is named `<gap>-<facts>-<state>`: where the facts go (FactsPlace),
 * and the prompt's state: for the facts, untried (not tried, or tried but not scored) or
 * unreliable (it fell short); for a behavior, untried unless a prompt scored on real examples fell
 * short, and then ready or needs-examples against the fine-tuning bar. Internal: reviews store the
 * decision, not the rule.
 */
export const RULE_IDS = [
  'unsure',
  'no-gap',
  'prompt-works',
  'prompt-works-live-knowledge',
  'knowledge-in-prompt-untried',
  'knowledge-in-prompt-unreliable',
  'knowledge-whole-document-untried',
  'knowledge-whole-document-unreliable',
  'knowledge-indexed-untried',
  'knowledge-indexed-unreliable',
  'behavior-untried',
  'behavior-untried-enough-examples',
  'behavior-ready',
  'behavior-needs-examples',
  'both-in-prompt-untried',
  'both-in-prompt-ready',
  'both-in-prompt-needs-examples',
  'both-whole-document-untried',
  'both-whole-document-ready',
  'both-whole-document-needs-examples',
  'both-indexed-untried',
  'both-indexed-ready',
  'both-indexed-needs-examples',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * Where the facts go, by their size and churn: a few pages that change less than weekly are pasted
 * in the prompt, a few pages that change weekly or faster are loaded whole into each request, and
 * more than a prompt can carry is indexed for retrieval.
 */
export type FactsPlace = 'in-prompt' | 'whole-document' | 'indexed';

/** What a rule's headline and next steps may depend on besides the rule. */
export interface StepContext {
  /** Answers must cite the facts. */
  cited: boolean;
  /** The behavior includes a format, which a schema can enforce without training. */
  format: boolean;
  /** At or above the fine-tuning bar. */
  enoughExamples: boolean;
  /**
   * Where the facts go by the answers, for a gap with knowledge in it; undefined where the
   * checklist did not ask whether they fit.
   */
  facts: FactsPlace | undefined;
  /** The knowledge changes weekly or faster. */
  changesOften: boolean;
  /** The gap was answered "not sure yet". */
  undiagnosed: boolean;
  /** A prompt was tried, scored or not. */
  tried: boolean;
  /** The prompt was scored on real examples; an older answer that did not say counts as not. */
  scored: boolean;
  /**
   * The data includes personal or customer data, or answers must respect who may see what;
   * false where that was not said.
   */
  restricted: boolean;
  /** The gap includes knowledge: a working prompt carries facts. */
  knowledgeGap: boolean;
  /** The behavior includes a classification, whose held-out set needs 20 to 30 per class. */
  classification: boolean;
  /**
   * Enough examples to train on, but not also a held-out set to judge the tune (the held-out-short
   * warning's count); false where the examples are not counted as enough at all.
   */
  heldOutShort: boolean;
}

export interface RuleContent {
  verdict: VerdictKind;
  /** A function where it depends on more answers than the rule was reached with. */
  headline: string | ((context: StepContext) => string);
  /** Completes "the verdict is X because ..." in the leaning-differs warning. */
  because: string;
  /** The reason instead, when the person said the facts do not fit in the prompt. */
  becauseFactsDoNotFit?: string;
  /** In order; a function where they depend on more answers than the rule was reached with. */
  nextSteps: readonly string[] | ((context: StepContext) => string[]);
  measure: readonly string[] | ((context: StepContext) => string[]);
  /**
   * Where the rule puts the facts, for a rule that decides a gap with knowledge in it; absent for a
   * working prompt, which keeps them where they are, and for a gap with no facts in it or not
   * diagnosed.
   */
  facts?: FactsPlace;
  /** Sources the steps rely on beyond those of the verdict. */
  sources?: SourceKey[];
}

const PROMPT_BASELINE_MEASURE = [
  'Build a small labeled eval set: 20 to 50 real inputs, each with the output you expect. That shows clear failures; telling close scores apart (80% from 85%) takes a few hundred.',
  'Score the current prompt on it and keep that score as the baseline every later change has to beat.',
];

/** For a prompt scored good enough: the eval set exists, so it is kept and grown, not built. */
const SCORED_PROMPT_MEASURE = [
  'Keep the eval set it was scored on, grown to 20 to 50 real inputs, each with the output you expect. That shows clear failures; telling close scores apart (80% from 85%) takes a few hundred.',
  'Keep its score as the baseline every later change has to beat.',
];

/** The prompt's baseline: kept if it was scored, built if not. */
function promptBaselineMeasure(scored: boolean): string[] {
  return [...(scored ? SCORED_PROMPT_MEASURE : PROMPT_BASELINE_MEASURE)];
}

const RAG_MEASURE = [
  'An eval set of triples from real questions: the question, the expected answer and the source passage that holds it.',
  'Retrieval recall@k on it: how often that source passage is among the top k retrieved.',
  'Answer correctness and faithfulness on the same questions: the answer matches the expected one, and every claim in it is backed by a retrieved passage.',
];

const FINE_TUNE_MEASURE = [
  'Held-out format or label accuracy, on examples kept out of training, against the prompted baseline on the same examples and the same model the tune starts from.',
  'A general-skills regression check: run a broad eval before and after tuning and confirm the base model kept the abilities you rely on.',
];

/**
 * For data not every user may see, or personal data: retrieval can filter by who is asking, and
 * what is deleted from it is gone from the next answer, which weights can do neither of. Worded for
 * an index, or for a document loaded whole, where there is no index.
 */
const ACCESS_STEP = {
  indexed:
    'Filter retrieval by the asker’s permissions: store each document’s access list with its chunks and pass who is asking at query time, so a passage they may not see never reaches the prompt. When data must go (a deletion request, access withdrawn), delete it from the source and the index: it is gone from the next answer, with no retraining.',
  'whole-document':
    'Load only what the asker may see: check the asker’s permissions before the document goes into the prompt, or load the version of it their access allows. When data must go (a deletion request, access withdrawn), delete it from the source: the next request no longer loads it.',
} as const;

/**
 * For restricted data and facts pasted into the prompt: every user's prompt carries the same
 * section, so it shows every user alike what it holds.
 */
const SHARED_PROMPT_FACTS_STEP =
  'Paste into the prompt only facts every user may see: every user’s prompt carries the same section. Keep the others, and personal data, out of it, in retrieval, filtered by the asker’s permissions; when data must go, delete it from the prompt and from the source.';

/** The shared-prompt step for the facts, where the data is restricted; nothing otherwise. */
function sharedFactsStep(restricted: boolean): string[] {
  return restricted ? [SHARED_PROMPT_FACTS_STEP] : [];
}

/** The same for few-shot examples taken from labeled data: every user's prompt carries them. */
function sharedExamplesStep(restricted: boolean): string[] {
  return restricted
    ? [
        'Take few-shot examples only from data every user may see, scrubbed of personal data: every user’s prompt carries them.',
      ]
    : [];
}

/**
 * For training examples whose prompts carry facts, where the data is restricted: whatever the
 * examples carry, the weights can repeat to anyone.
 */
function sharedTrainingData(restricted: boolean, what: 'facts' | 'passages' | 'documents'): string {
  return restricted
    ? ` Build them only from ${what} every user may see, scrubbed of personal data: the tuned model can repeat whatever its examples carry.`
    : '';
}

/** The access step, where the data is restricted; nothing otherwise. */
function accessStep(restricted: boolean, facts: keyof typeof ACCESS_STEP): string[] {
  return restricted ? [ACCESS_STEP[facts]] : [];
}

/** Building retrieval with an index, filtered by the asker's permissions where the data is restricted. */
function ragSteps(restricted: boolean): string[] {
  return [
    'Collect the source documents and split them into chunks of a few hundred tokens, with some overlap.',
    'Embed the chunks into a vector index, and re-index whenever the source changes.',
    'At query time retrieve the top-k passages, put them in the prompt, and tell the model to answer only from them.',
    ...accessStep(restricted, 'indexed'),
    'Return the passages an answer used as its citations, with title and link.',
  ];
}

/**
 * What to tune. A hosted fine-tuning API sends the training data to its provider: where the data
 * is restricted, the self-hosted adapter comes first.
 */
function chooseWhatToTune(restricted: boolean): string {
  return restricted
    ? 'Choose what to tune: where the data must stay in-house, an open base model kept frozen, with a LoRA adapter trained on your own hardware or cloud account (Hugging Face PEFT; QLoRA if GPU memory is tight) and served e.g. with vLLM; a provider’s fine-tuning API only if your data may go to that provider. First re-measure the prompted baseline on that base model.'
    : 'Choose what to tune: the model you prompted through its provider’s fine-tuning API, or an open base model with a LoRA adapter (Hugging Face PEFT; QLoRA if GPU memory is tight), served e.g. with vLLM. With an open model, first re-measure the prompted baseline on that base model.';
}

/** When a fine-tune has to be redone, in the style of the prompt and RAG verdicts' revisit lines. */
const RETRAIN_WHEN =
  'Retrain when the label set or the spec changes or the base model moves, and rerun the held-out eval on every retrain.';

/** Where the examples leave no room for both, the held-out set is taken out before training. */
function setAsideFirst(classification: boolean, then: string): string {
  return `Set aside the held-out set first, then ${then}: ${heldOutSet(classification)}, with at least ${BAR} left to train on; collect more until there are both.`;
}

function fineTuneSteps({ restricted, classification, heldOutShort }: StepContext): string[] {
  return [
    heldOutShort
      ? setAsideFirst(classification, 'train on the rest')
      : `Train on the labeled examples, and build ${heldOutSet(classification)}.`,
    chooseWhatToTune(restricted),
    'Keep the prompted version running as the baseline, and switch only when the tuned model beats it on the held-out set.',
    RETRAIN_WHEN,
  ];
}

/**
 * Training examples for both gaps, whose prompts carry the facts as production gives them (`carry`,
 * then why), and the held-out set: set aside first where the examples leave no room for both.
 */
function trainingExamplesStep(
  {
    restricted,
    classification,
    heldOutShort,
  }: Pick<StepContext, 'restricted' | 'classification' | 'heldOutShort'>,
  carry: string,
  what: 'facts' | 'passages' | 'documents',
): string {
  return `${
    heldOutShort
      ? `${setAsideFirst(classification, 'build training examples from the rest')} Give all the examples prompts that carry ${carry}.`
      : `Build training examples whose prompts carry ${carry}, and build ${heldOutSet(classification)}.`
  }${sharedTrainingData(restricted, what)}`;
}

/**
 * For a format behavior: constrained decoding makes the output valid against the schema without
 * training, so a fine-tune is left with what a schema cannot say.
 */
const FORMAT_STEP = {
  tune: 'Before tuning for the format, enforce the schema with structured outputs, a JSON-schema mode or guided decoding: it guarantees valid JSON at no training cost, so the fine-tune targets what constrained decoding can’t, such as which fields to fill and what goes in them.',
  beforeTuning:
    'For the format, enforce the schema with structured outputs, a JSON-schema mode or guided decoding before considering training for it: it guarantees valid JSON at no training cost.',
};

/** The format step, for a behavior that includes a format; nothing otherwise. */
function formatStep(format: boolean, step: keyof typeof FORMAT_STEP): string[] {
  return format ? [FORMAT_STEP[step]] : [];
}

const REFERENCE_SECTION = 'as one clearly marked reference section';

/**
 * For a few pages of stable facts: the first step of a rule that keeps them in the prompt, worded
 * for whether answers must cite them. A prompt that fell short may not have carried them: the
 * prompt question asks about a spec and examples, not about the facts.
 */
function factsInPromptStep(prompt: 'first' | 'fell-short', cited: boolean): string {
  const put =
    prompt === 'first'
      ? 'Put the facts in the prompt'
      : 'If the prompt that fell short did not carry the facts, put them in it';
  const tell = cited
    ? ', each with its source (document, section, link), and tell the model to cite the source of every fact it uses and to say so when the facts do not cover the question.'
    : ', and tell the model to answer from them and to say so when they do not cover the question.';
  return `${put} ${REFERENCE_SECTION}${tell}`;
}

/** Facts that fit are the same few pages whether pasted in or retrieved: the fix is in the prompt. */
const FACTS_STILL_WRONG =
  'If it did carry them and answers still get facts wrong, fix how the prompt presents them: put the reference section before the question, one fact per line under clear headings, ask for the relevant quotes before the answer, or try a stronger model.';

const KEEP_PROMPT =
  'Keep the prompt under version control, with its output spec and few-shot examples.';

const KEEP_PROMPT_WITH_FACTS =
  'Keep the prompt under version control, with its output spec, few-shot examples and the facts it carries.';

/** For a working prompt by an older answer, which did not say whether it was scored. */
const JUDGED_WORKING_HEADLINE =
  'Prompt: it works well enough by your account. Keep it, and score it on real examples, so a change that breaks it shows up.';

/** For a working prompt that can carry only part of the facts. */
const FACTS_LEFT_OUT_HEADLINE =
  'Prompt: it works for now, though it can carry only part of the facts.';

/** For a working prompt whose gap was not diagnosed: where to look if it stops working. */
const SORT_FAILURES_LATER_STEP =
  'If its score drops or new failures show up, sort them: missing or outdated facts point to RAG, right facts in the wrong shape or voice to fine-tuning. Then run the checklist again with the gap.';

/**
 * For a working prompt whose facts do not all fit in it: the one place that says what to add to
 * the eval and when to move, which the facts-do-not-fit warning points to.
 */
const FACTS_LEFT_OUT_EVAL_STEP = {
  stable:
    'Add questions about the facts the prompt leaves out to the eval; move the facts to RAG when they fail: retrieval puts in front of the model the passages each question needs.',
  live: 'Add questions about the facts the prompt leaves out to the eval; move the facts to RAG when they fail or keeping the prompt current becomes a burden: retrieval serves an edit at once and fetches the passages each question needs.',
};

/** For a working prompt whose few, stable facts fit: when they should leave it, and for what. */
const WHEN_FACTS_THAT_FIT_MOVE =
  'Revisit when the facts outgrow the prompt: that is when RAG pays off. If they start changing weekly while they still fit, load the current source document into the prompt at each request instead of pasting it in by hand.';

/** When facts kept in the prompt should move to retrieval. */
const MOVE_FACTS_TO_RAG =
  'Move the facts to RAG when they outgrow the prompt: retrieval then fetches only the passages each question needs, each with its source. If they start changing weekly while they still fit, load the current source document into the prompt at each request instead of pasting it in by hand.';

/**
 * For a few pages that change weekly: retrieval at query time, but of the whole document, with no
 * index to build, chunk or tune while it fits. The first step of a rule that loads them.
 */
function wholeDocumentStep(cited: boolean): string {
  const tell = cited
    ? ', with its section headings and link; tell the model to cite the section each fact came from and to say so when the document does not cover the question.'
    : '; tell the model to answer from it and to say so when it does not cover the question.';
  return `At each request, load the current source document (or a cache refreshed whenever it changes) and put it whole in the prompt ${REFERENCE_SECTION}${tell}`;
}

const INDEX_WHEN_OUTGROWN =
  'Build an index (chunk, embed, retrieve the top-k passages) only when the document outgrows the prompt; until then there is nothing to chunk, embed or tune.';

const WHOLE_DOCUMENT_EVAL_STEP =
  'Build a small eval of question and answer pairs: 20 to 50 real questions, each with the answer the current document gives, plus a few it does not cover. Add a question about each change as it lands.';

const WHOLE_DOCUMENT_MEASURE = [
  'Answer accuracy on 20 to 50 real questions, each with the answer the current document gives. That shows clear failures; telling close scores apart (80% from 85%) takes a few hundred.',
  'On questions the document does not cover, the model says so rather than guessing.',
  'After each change to the source, ask about the changed fact: the answer must give the new value, which shows the load is current.',
  'Track the document’s size in tokens: as it grows, facts deep inside it are the first to be missed, and that is when an index starts to pay off.',
];

const FACTS_EVAL_STEP =
  'Build a small eval of question and answer pairs: 20 to 50 real questions, each with the answer the facts give, plus a few the facts do not cover. Score the prompt on it.';

const FACTS_OWNER_STEP =
  'Keep the prompt and its facts under version control, with an owner who updates the facts when the source changes.';

/** For a rule whose steps build no question-and-answer eval of their own. */
const FACTS_ACCURACY_MEASURE =
  'Answer accuracy on 20 to 50 real questions about the facts, each with the answer they give, plus a few they do not cover, where the model should say so rather than guess.';

const FACTS_IN_PROMPT_MEASURE = [
  'Answer accuracy on the question and answer pairs. 20 to 50 show clear failures; telling close scores apart (80% from 85%) takes a few hundred.',
  'On questions the facts do not cover, the model says so rather than guessing.',
  'Rerun the eval whenever the facts change or grow, with questions about the newest ones, so a stale or crowded-out fact shows up.',
];

/**
 * Knowledge, a few pages that change weekly: loaded whole at request time, no index, whether or not
 * a prompt was tried (the rationale says what one that fell short is still good for).
 */
const KNOWLEDGE_WHOLE_DOCUMENT: RuleContent = {
  facts: 'whole-document',
  verdict: 'rag',
  headline:
    'RAG without an index: the facts fit in the prompt but change weekly, so load the current document whole into each request.',
  because:
    'the facts fit in the prompt but change weekly or faster, so the current document is loaded whole into each request, with no index to build until it outgrows the prompt',
  nextSteps: ({ cited, restricted }) => [
    wholeDocumentStep(cited),
    ...accessStep(restricted, 'whole-document'),
    WHOLE_DOCUMENT_EVAL_STEP,
    INDEX_WHEN_OUTGROWN,
  ],
  measure: [...WHOLE_DOCUMENT_MEASURE],
  sources: ['liu2023'],
};

/** Knowledge, more than a prompt can carry: retrieved, whether or not a prompt was tried. */
const KNOWLEDGE_INDEXED: RuleContent = {
  facts: 'indexed',
  verdict: 'rag',
  headline:
    'RAG: the gap is knowledge. Retrieve the facts at query time, where they can be updated and cited.',
  because:
    'the gap is knowledge, and facts beyond what a prompt can carry belong in retrieval, where they can be updated and cited, not in weights',
  nextSteps: ({ restricted }) => ragSteps(restricted),
  measure: [
    ...RAG_MEASURE,
    'Compare the answers with the prompt-only baseline on the same questions.',
  ],
};

export const RULE_CONTENT: Record<RuleId, RuleContent> = {
  unsure: {
    verdict: 'prompt',
    headline:
      'Prompt: the gap is not diagnosed yet. Score a prompt on an eval set and let its failures show what, if anything, is missing.',
    because:
      'the gap has not been diagnosed, and only a prompt scored on an eval set can show whether it is knowledge or behavior',
    nextSteps: [
      'Gather 20 to 50 real inputs and write down the output you expect for each: that is the eval set.',
      'Write a clear prompt, or keep the one you have if it works: an explicit output spec and a few worked examples.',
      'Run it on the eval set and sort the failures: missing or outdated facts point to a knowledge gap, right facts in the wrong shape or voice to a behavior gap.',
      'Run the checklist again with the diagnosed gap.',
    ],
    measure: [
      ...PROMPT_BASELINE_MEASURE,
      'Tag each failure as missing facts or wrong behavior; the tally is the diagnosis.',
    ],
  },
  'no-gap': {
    verdict: 'prompt',
    headline:
      'Prompt: nothing is missing that retrieval or training would add, so a clear prompt and an eval set are the whole job.',
    because:
      'no knowledge or behavior gap was found, so retrieval and training have nothing to add',
    nextSteps: [
      'Write a clear prompt, or keep the one you have if it works: an explicit output spec and a few worked examples.',
      'Gather 20 to 50 real inputs with expected outputs and score the prompt on them.',
      'If the score disappoints, read the failures before reaching for RAG or fine-tuning: they may reveal a gap after all.',
    ],
    measure: [...PROMPT_BASELINE_MEASURE],
  },
  'prompt-works': {
    verdict: 'prompt',
    headline: ({ facts, scored }) => {
      if (facts === 'indexed') return FACTS_LEFT_OUT_HEADLINE;
      return scored
        ? 'Prompt: it already works well enough. Keep it, and keep the eval set that shows it works.'
        : JUDGED_WORKING_HEADLINE;
    },
    because:
      'the prompt already works, and neither RAG nor fine-tuning earns its cost until a score on real examples shows a gap',
    nextSteps: ({ facts, undiagnosed, restricted, knowledgeGap }) => {
      if (undiagnosed) return [KEEP_PROMPT, SORT_FAILURES_LATER_STEP];
      if (facts === undefined) {
        return [
          KEEP_PROMPT,
          'Keep any small, stable reference knowledge in the prompt itself.',
          ...sharedFactsStep(restricted && knowledgeGap),
          'Revisit when that knowledge outgrows the prompt or starts changing weekly: that is when RAG pays off.',
        ];
      }
      if (facts === 'indexed') {
        return [KEEP_PROMPT, ...sharedFactsStep(restricted), FACTS_LEFT_OUT_EVAL_STEP.stable];
      }
      // Never 'whole-document': facts that change weekly make a working prompt live-knowledge.
      return [
        KEEP_PROMPT_WITH_FACTS,
        ...sharedFactsStep(restricted),
        'Give the facts in the prompt an owner who updates them when the source changes.',
        WHEN_FACTS_THAT_FIT_MOVE,
      ];
    },
    measure: ({ scored }) => [
      ...promptBaselineMeasure(scored),
      'Rerun the eval on every prompt or model change, so a silent regression shows up.',
    ],
  },
  /** The prompt works, but the knowledge in it changes weekly or has to be cited. */
  'prompt-works-live-knowledge': {
    verdict: 'prompt',
    // Worded for what made the knowledge live: its churn, its citations, or facts it cannot all hold.
    headline: ({ facts, changesOften }) => {
      if (facts === 'indexed') return FACTS_LEFT_OUT_HEADLINE;
      if (facts === undefined) {
        return 'Prompt: it works well enough for now. Maintain the facts in it by hand, and move them to RAG when that becomes a burden.';
      }
      return changesOften
        ? 'Prompt: it works for now. Keep its facts current by hand, and load the current document into each request once that becomes a burden.'
        : 'Prompt: it works well enough. Keep each fact’s source beside it for answers to cite, and move the facts to RAG once they outgrow the prompt.';
    },
    because:
      'the prompt already works, and RAG earns its cost once keeping the facts current and cited in the prompt becomes a burden or the knowledge outgrows it',
    becauseFactsDoNotFit:
      'the prompt already works, and RAG earns its cost once questions about the facts it leaves out start failing or keeping the ones it carries current becomes a burden',
    nextSteps: ({ facts, cited, restricted }) => {
      if (facts === undefined) {
        return [
          KEEP_PROMPT_WITH_FACTS,
          ...sharedFactsStep(restricted),
          'Give the facts in the prompt an owner who updates them whenever the source changes, and keep each fact’s source beside it so answers can cite it.',
          'Move the facts to retrieval when keeping the prompt current becomes a burden or the knowledge outgrows it: RAG serves an edit at once and cites the passage each answer came from.',
        ];
      }
      const cite = cited ? ', and keep each fact’s source beside it so answers can cite it' : '';
      if (facts === 'indexed') {
        return [
          KEEP_PROMPT_WITH_FACTS,
          ...sharedFactsStep(restricted),
          `Give the facts the prompt carries an owner who updates them whenever the source changes${cite}.`,
          FACTS_LEFT_OUT_EVAL_STEP.live,
        ];
      }
      if (facts === 'whole-document') {
        return [
          KEEP_PROMPT_WITH_FACTS,
          ...sharedFactsStep(restricted),
          `Give the facts in the prompt an owner who updates them whenever the source changes${cite}.`,
          'When editing them by hand becomes a burden, load the current source document into the prompt at each request instead, which is retrieval without an index; move to RAG with an index only when the facts outgrow the prompt.',
        ];
      }
      return [
        KEEP_PROMPT_WITH_FACTS,
        ...sharedFactsStep(restricted),
        `Give the facts in the prompt an owner who updates them when the source changes${cite}.`,
        WHEN_FACTS_THAT_FIT_MOVE,
      ];
    },
    measure: ({ scored }) => [
      ...promptBaselineMeasure(scored),
      'Rerun the eval whenever the facts change, with questions about the newest ones, so a stale fact shows up.',
    ],
  },
  /** A few pages of facts that change less than weekly, and no prompt that fell short. */
  'knowledge-in-prompt-untried': {
    facts: 'in-prompt',
    verdict: 'prompt',
    headline:
      'Prompt: the facts are few and stable enough to paste into the prompt. Measure that first, and move them to RAG when they outgrow it.',
    because:
      'the facts are few and stable enough to go in the prompt itself, and retrieval earns its cost only once they outgrow it',
    nextSteps: ({ cited, restricted }) => [
      factsInPromptStep('first', cited),
      ...sharedFactsStep(restricted),
      FACTS_EVAL_STEP,
      FACTS_OWNER_STEP,
      MOVE_FACTS_TO_RAG,
    ],
    measure: [
      ...FACTS_IN_PROMPT_MEASURE,
      'Keep the score as the baseline that RAG, if it comes to that, has to beat.',
    ],
    sources: ['lewis2020'],
  },
  /** A few pages of stable facts, and a prompt that fell short on them. */
  'knowledge-in-prompt-unreliable': {
    facts: 'in-prompt',
    verdict: 'prompt',
    headline:
      'Prompt: keep the few, stable facts in it and fix how it carries them. RAG waits until they outgrow the prompt.',
    because:
      'the facts fit in the prompt and change less than weekly, so retrieval would hand the model the same few pages, and the fix is in how the prompt carries them',
    nextSteps: ({ cited, restricted }) => [
      factsInPromptStep('fell-short', cited),
      ...sharedFactsStep(restricted),
      FACTS_STILL_WRONG,
      'Score every change on an eval of question and answer pairs: 20 to 50 real questions, each with the answer the facts give, plus a few the facts do not cover.',
      FACTS_OWNER_STEP,
      MOVE_FACTS_TO_RAG,
    ],
    measure: [
      ...FACTS_IN_PROMPT_MEASURE,
      'Tag each failure: a fact missing from the reference section, or one there but not used or misread. Restructuring, quotes first or a stronger model should shrink the second kind.',
      'Score the prompt that fell short on the same eval, and keep that score as the baseline each change has to beat.',
    ],
    sources: ['lewis2020', 'liu2023', 'anthropicLongContext'],
  },
  'knowledge-whole-document-untried': KNOWLEDGE_WHOLE_DOCUMENT,
  'knowledge-whole-document-unreliable': KNOWLEDGE_WHOLE_DOCUMENT,
  'knowledge-indexed-untried': KNOWLEDGE_INDEXED,
  'knowledge-indexed-unreliable': KNOWLEDGE_INDEXED,
  'behavior-ready': {
    verdict: 'fine-tune',
    headline: ({ heldOutShort }) =>
      heldOutShort
        ? 'Fine-tune: a prompt scored on real examples still falls short on the behavior; your examples are enough to train on, not yet to judge the tune.'
        : 'Fine-tune: the gap is behavior, a prompt scored on real examples still falls short, and there are enough labeled examples to teach it.',
    because:
      'the gap is behavior, which retrieval does not fix, a prompt scored on real examples has not fixed it either, and there are enough labeled examples to train it',
    nextSteps: (context) => [...formatStep(context.format, 'tune'), ...fineTuneSteps(context)],
    measure: [...FINE_TUNE_MEASURE],
  },
  'behavior-untried': {
    verdict: 'prompt',
    headline: ({ tried }) =>
      tried
        ? 'Prompt for now: score the prompt, with few-shot examples, on the behavior, and collect labeled examples before fine-tuning is worth it.'
        : 'Prompt for now: write and score a prompt with few-shot examples for the behavior, and collect labeled examples before fine-tuning is worth it.',
    because:
      'the gap is behavior, which retrieval does not fix, and fine-tuning it pays off only once a prompt scored on real examples still falls short and there are enough labeled examples',
    nextSteps: ({ format, restricted, tried }) => [
      ...(tried
        ? [
            'Score the prompt you have on an eval set of 20 to 50 real inputs, each with the output you expect: that score is the baseline.',
            'Where it falls short, add an explicit output spec, with a few examples: the best labeled examples you have, or ones written by hand. Score each change on the same eval set.',
          ]
        : [
            'Write an explicit output spec into the prompt, with a few examples: the best labeled examples you have, or ones written by hand.',
          ]),
      ...sharedExamplesStep(restricted),
      ...formatStep(format, 'beforeTuning'),
      ...(tried ? [] : ['Score it on an eval set of real inputs with the outputs you expect.']),
      `Log real inputs with corrected outputs as you go, building toward the ${BAR} training examples a fine-tune needs, plus a held-out set on top.`,
      'Run the checklist again if the prompt, once scored, still falls short.',
    ],
    measure: [
      ...PROMPT_BASELINE_MEASURE,
      'Track the same score as examples accumulate; it is the bar a later fine-tune must clear.',
    ],
  },
  'behavior-untried-enough-examples': {
    verdict: 'prompt',
    headline: ({ heldOutShort }) =>
      heldOutShort
        ? 'Prompt first: score a prompt on the behavior. If it falls short, your examples are enough to train on, not yet to also judge the tune.'
        : 'Prompt first: score a prompt on the behavior. If it still falls short, your labeled examples are already enough to fine-tune on.',
    because:
      'the gap is behavior, and a prompt scored on real examples comes first: it may be enough, and if it is not, the labeled examples to fine-tune on are already there',
    nextSteps: ({ format, restricted, classification, heldOutShort }) => [
      'Set aside 20 to 50 of the labeled examples to score the prompt on, and never use them as few-shot examples or to train on.',
      'Write an explicit output spec and put a few of the other labeled examples into the prompt as few-shot examples.',
      ...sharedExamplesStep(restricted),
      ...formatStep(format, 'beforeTuning'),
      heldOutShort
        ? `Score the prompt on the examples set aside. If it still falls short, run the checklist again and say it was scored; before fine-tuning, collect more until the examples set aside grow into ${heldOutSet(classification)}, with at least ${BAR} left to train on.`
        : `Score the prompt on the examples set aside. If it still falls short, run the checklist again and say it was scored: the other labeled examples meet the bar for fine-tuning; grow the ones set aside into ${heldOutSet(classification)}.`,
    ],
    measure: [
      'Score the prompt on the examples set aside and keep that score as the baseline a fine-tune has to beat.',
      'Sort the failures: if they are wrong shape or voice rather than missing facts, the gap is the behavior, as answered.',
    ],
  },
  'behavior-needs-examples': {
    verdict: 'prompt',
    headline: `Prompt as a stop-gap: the behavior needs fine-tuning, and the blocker is data. Collect at least ${BAR} labeled examples, and measure.`,
    because: `fine-tuning the behavior needs at least ${BAR} labeled examples to train on, and the prompt has to serve until then`,
    nextSteps: ({ format, classification }) => [
      ...formatStep(format, 'beforeTuning'),
      `Collect labeled examples of the behavior, real inputs each with the output you want, until there are at least ${BAR} to train on; a few hundred is better.`,
      `Build ${heldOutSet(classification)}.`,
      'Keep the current prompt running as the stop-gap, and as the baseline a fine-tune has to beat.',
      'Run the checklist again once the examples are there.',
    ],
    measure: [
      'Score the current prompt on the held-out set as it grows, and keep that score as the baseline a fine-tune has to beat.',
      'Track how many training examples there are against the bar, so the fine-tune starts as soon as the data allows.',
    ],
  },
  /** Both gaps, a few pages of stable facts, and no prompt scored short yet: one prompt for both. */
  'both-in-prompt-untried': {
    facts: 'in-prompt',
    verdict: 'prompt',
    headline:
      'Prompt first: put the facts and the behavior’s spec and examples in one prompt, and measure it. RAG and fine-tuning wait for that score.',
    because:
      'the facts are few and stable enough to go in the prompt, and the behavior gets a prompt scored on real examples before any fine-tuning, so one prompt comes first for both',
    nextSteps: ({ cited, format, enoughExamples, restricted, classification, heldOutShort }) => [
      factsInPromptStep('first', cited),
      ...sharedFactsStep(restricted),
      'In the same prompt, write an explicit output spec for the behavior, with a few examples: the best labeled examples you have, or ones written by hand.',
      ...sharedExamplesStep(restricted),
      ...formatStep(format, 'beforeTuning'),
      'Build a small eval of question and answer pairs: 20 to 50 real inputs, each with the answer the facts give in the output you expect, plus a few the facts do not cover. No few-shot example may come from it. Score the facts and the behavior separately.',
      MOVE_FACTS_TO_RAG,
      enoughExamples
        ? `The labeled examples ${heldOutShort ? 'are enough to train on, not yet also to judge a tune' : 'already meet the bar for fine-tuning'}: if the behavior still falls short once scored, run the checklist again. Take the prompt’s few-shot examples from them, never from the eval, and build ${heldOutSet(classification)}.`
        : `If the behavior still falls short once scored, run the checklist again with at least ${BAR} labeled examples of it to train on, plus a held-out set on top; log corrected outputs as you go.`,
    ],
    measure: [
      ...FACTS_IN_PROMPT_MEASURE,
      'Score the behavior on the same eval (format or label accuracy); it is the baseline a later fine-tune must beat.',
    ],
    sources: ['lewis2020'],
  },
  /** Both gaps, a few pages of stable facts, a prompt scored short, enough examples to tune. */
  'both-in-prompt-ready': {
    facts: 'in-prompt',
    verdict: 'fine-tune',
    headline: ({ restricted }) =>
      restricted
        ? 'Fine-tune: tune the behavior the prompt cannot hold; the prompt keeps only the stable facts every user may see, retrieval the rest.'
        : 'Fine-tune: tune the behavior the prompt cannot hold, and keep the few, stable facts in the prompt. No RAG while they fit.',
    because:
      'the behavior has met the bar for fine-tuning, and the facts are few and stable enough to stay in the prompt, where retrieval would add nothing while they fit',
    nextSteps: ({ cited, format, restricted, classification, heldOutShort }) => [
      factsInPromptStep('fell-short', cited),
      ...sharedFactsStep(restricted),
      FACTS_STILL_WRONG,
      ...formatStep(format, 'tune'),
      trainingExamplesStep(
        { restricted, classification, heldOutShort },
        'the same facts section the model will see in production, so it learns to answer from the section rather than from memory',
        'facts',
      ),
      chooseWhatToTune(restricted),
      'Keep the prompted version running as the baseline, and switch only when the tuned model beats it on the held-out set.',
      `When a fact changes, edit the facts section: the tuned model reads it at each request, so no retraining. ${RETRAIN_WHEN}`,
      'Move the facts to RAG when they outgrow the prompt, and retrain then on examples whose prompts carry retrieved passages: the tune learned to read the whole section.',
    ],
    measure: [
      ...FINE_TUNE_MEASURE,
      'Answer accuracy on question and answer pairs about the facts, tuned against prompted: the tune must not lose facts the prompt got right.',
      'After editing a fact in the section, ask about it: the tuned model must give the new value, not the one in its training answers.',
    ],
    sources: ['lewis2020', 'liu2023', 'anthropicLongContext'],
  },
  /** Both gaps, a few pages of stable facts, a prompt scored short, too few examples to tune. */
  'both-in-prompt-needs-examples': {
    facts: 'in-prompt',
    verdict: 'prompt',
    headline: `Prompt as a stop-gap, with the facts in it. The behavior needs fine-tuning, and the blocker is data: collect at least ${BAR} labeled examples.`,
    because: `the facts are few and stable enough to stay in the prompt, and the behavior, which a prompt scored on real examples has not fixed, needs fine-tuning on at least ${BAR} labeled examples, which are not there yet`,
    nextSteps: ({ cited, format, restricted, classification }) => [
      factsInPromptStep('fell-short', cited),
      ...sharedFactsStep(restricted),
      FACTS_STILL_WRONG,
      ...formatStep(format, 'beforeTuning'),
      `Collect labeled examples of the behavior, with the same facts section in their prompts, until there are at least ${BAR} to train on, and build ${heldOutSet(classification)}.${sharedTrainingData(restricted, 'facts')}`,
      'Keep the current prompt, with the facts in it, as the stop-gap for the behavior and as the baseline a fine-tune has to beat.',
      MOVE_FACTS_TO_RAG,
      'Run the checklist again once the examples are there.',
    ],
    measure: [
      'Score the behavior of the current prompt on the held-out set as it grows; that is the baseline a later fine-tune must beat.',
      FACTS_ACCURACY_MEASURE,
      'Track how many training examples there are against the bar, so the fine-tune starts as soon as the data allows.',
    ],
    sources: ['lewis2020', 'liu2023', 'anthropicLongContext'],
  },
  /** Both gaps, a few pages that change weekly, no prompt scored short yet. */
  'both-whole-document-untried': {
    facts: 'whole-document',
    verdict: 'rag',
    headline:
      'RAG without an index for the facts: load the current document whole into each request. For the behavior, measure a prompt first.',
    because:
      'the facts fit in the prompt but change weekly, so they are loaded whole into each request, and the behavior part has not yet met the bar for fine-tuning: a prompt scored on real examples still falling short, and enough labeled examples',
    nextSteps: ({ cited, format, enoughExamples, restricted, classification, heldOutShort }) => [
      wholeDocumentStep(cited),
      ...accessStep(restricted, 'whole-document'),
      'Handle the behavior in the same prompt: an explicit output spec and few-shot examples, scored on an eval set that also asks about the facts. No few-shot example may come from it.',
      ...sharedExamplesStep(restricted),
      ...formatStep(format, 'beforeTuning'),
      INDEX_WHEN_OUTGROWN,
      enoughExamples
        ? `Keep the labeled examples out of the eval, and build ${heldOutSet(classification)}. If the prompt still falls short on the behavior once scored, run the checklist again: the examples ${heldOutShort ? 'are enough to train on, not yet also to judge a tune' : 'already meet the bar for fine-tuning'}.`
        : `If the prompt still falls short on the behavior once scored, run the checklist again with at least ${BAR} labeled examples of it to train on, plus a held-out set on top; log corrected outputs as you go.`,
    ],
    measure: [
      ...WHOLE_DOCUMENT_MEASURE,
      'Keep a prompt eval for the behavior part; it is the baseline a later fine-tune must beat.',
    ],
    sources: ['liu2023'],
  },
  /** Both gaps, a few pages that change weekly, the behavior ready to fine-tune. */
  'both-whole-document-ready': {
    facts: 'whole-document',
    verdict: 'rag+fine-tune',
    headline:
      'RAG + fine-tune: load the current document whole into each request, and fine-tune the behavior the prompt cannot hold.',
    because:
      'the facts fit in the prompt but change weekly, so they are loaded whole into each request, and the behavior has met the bar for fine-tuning',
    nextSteps: ({ cited, format, restricted, classification, heldOutShort }) => [
      wholeDocumentStep(cited),
      ...accessStep(restricted, 'whole-document'),
      ...formatStep(format, 'tune'),
      trainingExamplesStep(
        { restricted, classification, heldOutShort },
        'the document as it is loaded at request time, so the model learns to answer from it rather than memorize facts that will change',
        'documents',
      ),
      chooseWhatToTune(restricted),
      'Keep the prompted version running as the baseline, and switch only when the tuned model beats it on the held-out set.',
      `A changed fact needs no retraining: the tuned model reads the current document at each request. ${RETRAIN_WHEN}`,
      'Build an index only when the document outgrows the prompt, and retrain then on examples whose prompts carry retrieved passages: the tune learned to read the whole document.',
    ],
    measure: [
      ...FINE_TUNE_MEASURE,
      ...WHOLE_DOCUMENT_MEASURE.slice(0, 3),
      'Score the whole pipeline against the same loaded document with an untuned prompt, so the tune has to earn its place.',
    ],
    sources: ['liu2023'],
  },
  /** Both gaps, a few pages that change weekly, too few examples to tune the behavior. */
  'both-whole-document-needs-examples': {
    facts: 'whole-document',
    verdict: 'rag',
    headline: `RAG without an index for the facts; the prompt is a stop-gap for the behavior, which needs fine-tuning: collect at least ${BAR} labeled examples.`,
    because: `the facts fit in the prompt but change weekly, so they are loaded whole into each request, and the behavior, which a prompt scored on real examples has not fixed, needs fine-tuning on at least ${BAR} labeled examples, which are not there yet`,
    nextSteps: ({ cited, format, restricted, classification }) => [
      wholeDocumentStep(cited),
      ...accessStep(restricted, 'whole-document'),
      ...formatStep(format, 'beforeTuning'),
      `Collect labeled examples of the behavior, with the loaded document in their prompts, until there are at least ${BAR} to train on, and build ${heldOutSet(classification)}.${sharedTrainingData(restricted, 'documents')}`,
      'Keep the current prompt, with the document loaded into it, as the stop-gap for the behavior and as the baseline a fine-tune has to beat.',
      INDEX_WHEN_OUTGROWN,
      'Run the checklist again once the examples are there.',
    ],
    measure: [
      ...WHOLE_DOCUMENT_MEASURE,
      'Score the behavior of the current prompt on the held-out set as it grows; that is the baseline a later fine-tune must beat.',
    ],
    sources: ['liu2023'],
  },
  'both-indexed-ready': {
    facts: 'indexed',
    verdict: 'rag+fine-tune',
    headline:
      'RAG + fine-tune: retrieve the facts at query time, and fine-tune the behavior the prompt cannot hold.',
    because:
      'the gap is both: facts belong in retrieval, and the behavior has met the bar for fine-tuning',
    nextSteps: ({ format, restricted, classification, heldOutShort }) => [
      'Build the retrieval side first: chunk and embed the source, retrieve the top-k passages, cite them.',
      ...accessStep(restricted, 'indexed'),
      ...formatStep(format, 'tune'),
      trainingExamplesStep(
        { restricted, classification, heldOutShort },
        'retrieved passages, so the model learns to use context instead of memorizing facts',
        'passages',
      ),
      chooseWhatToTune(restricted),
      'Feed the tuned model freshly retrieved facts at query time.',
      RETRAIN_WHEN,
    ],
    measure: [
      ...RAG_MEASURE,
      ...FINE_TUNE_MEASURE,
      'Score the whole pipeline against retrieval with an untuned prompt, so the tune has to earn its place.',
    ],
  },
  'both-indexed-untried': {
    facts: 'indexed',
    verdict: 'rag',
    headline:
      'RAG for the facts; for the behavior, measure a prompt with few-shot examples first, and fine-tune only if it still falls short.',
    because:
      'facts belong in retrieval, and the behavior part has not yet met the bar for fine-tuning: a prompt scored on real examples still falling short, and enough labeled examples',
    nextSteps: ({ format, restricted }) => [
      ...ragSteps(restricted),
      'Handle the behavior in the prompt: an explicit output spec and few-shot examples, scored on an eval set.',
      ...sharedExamplesStep(restricted),
      ...formatStep(format, 'beforeTuning'),
      `If that prompt still falls short once scored, run the checklist again with at least ${BAR} labeled examples of the behavior to train on; if you don't have them yet, log corrected outputs until you do.`,
    ],
    measure: [
      ...RAG_MEASURE,
      'Keep a prompt eval for the behavior part; it is the baseline a later fine-tune must beat.',
    ],
  },
  'both-indexed-needs-examples': {
    facts: 'indexed',
    verdict: 'rag',
    headline: `RAG for the facts. The behavior needs fine-tuning, and the blocker is data: collect at least ${BAR} labeled examples; the prompt is a stop-gap.`,
    because: `facts belong in retrieval, and the behavior, which a prompt scored on real examples has not fixed, needs fine-tuning on at least ${BAR} labeled examples, which are not there yet`,
    nextSteps: ({ format, restricted, classification }) => [
      ...ragSteps(restricted),
      ...formatStep(format, 'beforeTuning'),
      `Collect labeled examples of the behavior, with retrieved passages in their prompts, until there are at least ${BAR} to train on, and build ${heldOutSet(classification)}.${sharedTrainingData(restricted, 'passages')}`,
      'Keep the current prompt as the stop-gap for the behavior, and as the baseline a fine-tune has to beat.',
      'Run the checklist again once the examples are there.',
    ],
    measure: [
      ...RAG_MEASURE,
      'Score the behavior of the current prompt on the held-out set as it grows; that is the baseline a later fine-tune must beat.',
    ],
  },
};

/** Fine-tuning against RAG, for a gap with knowledge in it. */
export const TRADEOFF_ROWS = {
  update: {
    aspect: 'Update a fact',
    rag: 'Edit the source; live at once',
    fineTuning: 'Retrain to change anything',
  },
  cite: {
    aspect: 'Cite a source',
    rag: 'Yes: you have the passage',
    fineTuning: 'No: the knowledge is spread through the weights',
  },
  newData: {
    aspect: 'New or changing data',
    rag: 'Ideal',
    fineTuning: 'Stale as soon as the data moves',
  },
  format: {
    aspect: 'Consistent format or voice',
    rag: 'Fragile; depends on the prompt',
    fineTuning: 'Ideal; it is learned',
  },
  cost: {
    aspect: 'Cost to set up',
    rag: 'Days: ingestion, chunking, an index, re-indexing and an eval set',
    fineTuning: 'GPU time and a labeled dataset',
  },
  risk: {
    aspect: 'Risk',
    rag: 'Retrieves the wrong passage',
    fineTuning: 'Hallucinates confidently; can forget skills',
  },
} as const satisfies Record<string, Tradeoff & { rag: string }>;
export type TradeoffKey = keyof typeof TRADEOFF_ROWS;

/**
 * What a prompt says on the rows that can show when no knowledge is missing; there the prompt, not
 * RAG, is the alternative to fine-tuning.
 */
export const PROMPT_TRADEOFFS = {
  format: 'Often enough with a spec and examples; can drift on unusual inputs',
  cost: 'Low: an afternoon',
  risk: 'Drifts when inputs stray from its examples',
} as const satisfies Partial<Record<TradeoffKey, string>>;

/**
 * Fine-tuning's side where it differs against the prompt: with no facts taught, inventing them is
 * not the risk; forgetting and going stale with the spec are.
 */
export const FINE_TUNING_AGAINST_PROMPT: Partial<Record<keyof typeof PROMPT_TRADEOFFS, string>> = {
  risk: 'Can forget general skills; must be retrained when the spec or labels change',
};

/**
 * The prompt's side when it carries the facts itself: against RAG, and against fine-tuning too
 * when the gap is behavior as well.
 */
export const PROMPT_WITH_FACTS_TRADEOFFS: Record<TradeoffKey, string> = {
  ...PROMPT_TRADEOFFS,
  update: 'Edit the facts in the prompt; live with the next prompt version',
  cite: 'Only the sources pasted beside each fact',
  newData: 'Stale until someone pastes the change in',
  risk: 'Facts crowded out as they grow, or stale when an edit is missed',
};

/**
 * RAG's side where it differs when it loads a document that fits in the prompt whole at each
 * request, with no index.
 */
export const WHOLE_DOCUMENT_TRADEOFFS: Partial<Record<TradeoffKey, string>> = {
  update: 'Edit the source; the next request loads it',
  cite: 'Yes: the section each fact came from',
  newData: 'Ideal: loaded fresh at each request',
  cost: 'Hours: a load at each request and an eval set, no index',
  risk: 'A failed load, or facts crowded out as the document grows',
};

/** Table order, kept whatever subset is shown. */
export const TRADEOFF_ORDER: readonly TradeoffKey[] = [
  'update',
  'cite',
  'newData',
  'format',
  'cost',
  'risk',
];

export const SOURCES = {
  peftDocs: {
    title: 'Hugging Face PEFT documentation',
    url: 'https://huggingface.co/docs/peft/index',
  },
  peftQuicktour: {
    title: 'Hugging Face PEFT quicktour',
    url: 'https://huggingface.co/docs/peft/quicktour',
  },
  vllmLora: {
    title: 'vLLM documentation: LoRA adapters',
    url: 'https://docs.vllm.ai/en/latest/features/lora.html',
  },
  openaiFineTuning: {
    title: 'OpenAI fine-tuning guide',
    url: 'https://platform.openai.com/docs/guides/fine-tuning',
  },
  lewis2020: {
    title: 'Lewis et al. 2020, Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks',
    url: 'https://arxiv.org/abs/2005.11401',
  },
  ovadia2023: {
    title: 'Ovadia et al. 2023, Fine-Tuning or Retrieval? Comparing Knowledge Injection in LLMs',
    url: 'https://arxiv.org/abs/2312.05934',
  },
  gekhman2024: {
    title: 'Gekhman et al. 2024, Does Fine-Tuning LLMs on New Knowledge Encourage Hallucinations?',
    url: 'https://arxiv.org/abs/2405.05904',
  },
  qlora: {
    title: 'Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs',
    url: 'https://arxiv.org/abs/2305.14314',
  },
  liu2023: {
    title: 'Liu et al. 2023, Lost in the Middle: How Language Models Use Long Contexts',
    url: 'https://arxiv.org/abs/2307.03172',
  },
  anthropicLongContext: {
    title: 'Anthropic: Long context prompting tips',
    url: 'https://platform.claude.com/docs/en/build-with-claude/prompt-engineering/long-context-tips',
  },
} as const satisfies Record<string, Source>;
export type SourceKey = keyof typeof SOURCES;
export const SOURCE_ORDER: readonly SourceKey[] = [
  'peftDocs',
  'peftQuicktour',
  'vllmLora',
  'openaiFineTuning',
  'anthropicLongContext',
  'lewis2020',
  'ovadia2023',
  'gekhman2024',
  'liu2023',
  'qlora',
];

export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export type KnowledgeInWeightsCase =
  | 'fine-tune-for-knowledge'
  | 'rag-fine-tune-for-knowledge'
  | 'fine-tune-for-both';

/** Where the verdict keeps the facts, which is what the knowledge-in-weights advice must match. */
export type FactsHome =
  | 'in-prompt'
  | 'in-prompt-and-tuned-behavior'
  | 'retrieval'
  | 'retrieval-and-tuned-behavior';

const PATTERN_NOT_FACT =
  "Fine-tuning teaches a pattern, not a fact: a model tuned on your documents will give confident, fluent, wrong answers about last week's release.";

const KNOWLEDGE_IN_WEIGHTS_LEANING: Record<KnowledgeInWeightsCase, string> = {
  'fine-tune-for-knowledge': `The team leaned ${LEANING_LABELS['fine-tune']} for a knowledge gap.`,
  'rag-fine-tune-for-knowledge': `The team leaned ${LEANING_LABELS['rag+fine-tune']} for a knowledge gap, and with no behavior to teach, the fine-tune half would learn nothing but facts.`,
  'fine-tune-for-both': `The team leaned ${LEANING_LABELS['fine-tune']} for a gap that is partly knowledge, which would put the facts in the weights along with the behavior.`,
};

const FACTS_ADVICE: Record<FactsHome, string> = {
  'in-prompt':
    'Keep the facts out of the weights: in the prompt for now, and in retrieval once the prompt can no longer carry them.',
  'in-prompt-and-tuned-behavior':
    'Keep the facts in the prompt, where an edit is live on the next request, and fine-tune only the behavior, on examples whose prompts carry them.',
  retrieval: 'Keep the facts in retrieval, where an edit is live at once.',
  'retrieval-and-tuned-behavior':
    'Keep the knowledge half in retrieval, where an edit is live at once, and fine-tune only the behavior.',
};

/** For a gap with behavior in it whose verdict does not fine-tune yet. */
const TUNE_ONLY_BEHAVIOR_LATER = 'If it comes to fine-tuning, fine-tune only the behavior.';

/** For a fine-tune on data not every user may see, or personal data. */
const WEIGHTS_KEEP_NO_ACCESS_CONTROL =
  'The data includes personal or customer data, or answers must respect who may see what, and fine-tuned weights keep no access control: the tuned model can repeat what it was trained on to anyone who can use it, and only retraining takes it out. Tune only on examples everyone who can use the model may see, scrubbed of personal data.';

export const WARNING_TEXT = {
  knowledgeInWeights: (
    knowledgeCase: KnowledgeInWeightsCase,
    home: FactsHome,
    behaviorToTuneLater: boolean,
  ): string =>
    [
      KNOWLEDGE_IN_WEIGHTS_LEANING[knowledgeCase],
      PATTERN_NOT_FACT,
      FACTS_ADVICE[home],
      ...(behaviorToTuneLater ? [TUNE_ONLY_BEHAVIOR_LATER] : []),
    ].join(' '),
  restrictedDataInWeights: (factsInSharedPrompt: boolean): string =>
    `${WEIGHTS_KEEP_NO_ACCESS_CONTROL} Keep facts that not every user may see out of the weights${factsInSharedPrompt ? ' and out of the facts section every user’s prompt carries' : ''}: retrieve them, filtered by the asker’s permissions at query time, where a deleted document is gone at once.`,
  promptUntried:
    'No prompt has been tried on the behavior yet. An explicit output spec and a few examples fix many format, tone and labeling problems; try that and score it before paying for training.',
  promptUnscored: (olderAnswer: boolean, enoughExamples: boolean): string =>
    `${olderAnswer ? 'This answer says the prompt is still unreliable, but the checklist did not ask then whether it was scored, and a judgement without a score is no baseline for a fine-tune to beat.' : 'The prompt was tried but not scored, so nothing yet shows that it falls short on the behavior, and there is no baseline for a fine-tune to beat.'} Score it on ${enoughExamples ? '20 to 50 of your labeled examples, kept out of training,' : '20 to 50 real inputs with the outputs you expect'} before paying for training; if it falls short, run the checklist again and say it was scored.`,
  fewExamples: (examples: number, bar: number): string =>
    `${plural(examples, 'labeled example is', 'labeled examples is')} below the ${bar} at which fine-tuning gains usually start to show. Collect at least ${bar} to train on, plus a held-out set on top to judge the tune; until then the prompt is only a stop-gap.`,
  heldOutShort: (examples: number, classification: boolean): string =>
    `${plural(examples, 'labeled example meets', 'labeled examples meet')} the ${BAR} to train on, but not also a held-out set to judge the tune, which takes about ${MIN_HELD_OUT_EXAMPLES} more held out${classification ? ' (20 to 30 per class)' : ''}: about ${EXAMPLES_TO_TRAIN_AND_HOLD_OUT} in all${classification ? ', more with over 5 classes' : ''}. Set the held-out examples aside first and never train on them; collect more until what is left still meets the ${BAR}. A smaller held-out set only shows large gains.`,
  // The title says the facts do not fit; the advice is the next steps', said there once.
  factsDoNotFit:
    'A score on an eval that never asks about the facts the prompt leaves out says nothing of them: the next steps add such questions, and say when to move the facts to RAG.',
  noTrainingBudget: (restricted: boolean): string =>
    restricted
      ? 'There is no training budget yet, and fine-tuning needs one, if a small one: where the data must stay in-house, QLoRA on a frozen open base model, on a single GPU of your own or in your own cloud account for a few hours; a hosted fine-tuning API billed per training token only if your data may go to that provider.'
      : 'There is no training budget yet, and fine-tuning needs one, if a small one: a hosted fine-tuning API billed per training token, or QLoRA on a single rented GPU for a few hours.',
  leaningDiffers: (leaning: string, verdict: string, because: string): string =>
    `The team leaned ${leaning}, but the verdict is ${verdict} because ${because}.`,
  noDiagnosis:
    'Run a prompt on a small eval set and sort the failures: missing or outdated facts point to RAG, right facts in the wrong shape or voice point to fine-tuning.',
};
