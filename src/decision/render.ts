import type { Answers } from './answers.js';
import {
  BEHAVIOR_KIND_LABELS,
  GAP_LABELS,
  LEANING_LABELS,
  PROMPT_TRIED_LABELS,
  RESTRICTED_DATA_LABEL,
  RESTRICTED_DATA_MEANING,
  VERDICT_LABELS,
  WARNING_TITLES,
} from './content.js';
import {
  type Decision,
  TRADEOFF_COLUMN_LABELS,
  TRADEOFF_COLUMNS,
  tradeoffColumns,
  VERDICTS,
} from './types.js';

export interface DecisionRecordContext {
  /** MADR status, e.g. proposed, accepted. Defaults to proposed. */
  status?: string;
  /** ISO date (YYYY-MM-DD). Left out when not given: rendering never reads the clock. */
  date?: string;
  threadUrl?: string;
  signOffs?: {
    agreed: string[];
    challenged: { name: string; reason: string }[];
  };
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** The answers as label/value pairs, in checklist order; values are plain, unescaped text. */
function answerDrivers(answers: Answers): [string, string][] {
  const drivers: [string, string][] = [
    ['Prompt', PROMPT_TRIED_LABELS[answers.promptTried]],
    ['Gap', GAP_LABELS[answers.gap]],
  ];
  if (answers.knowledge) {
    drivers.push(['Knowledge changes often', yesNo(answers.knowledge.changesOften)]);
    drivers.push(['Citations needed', yesNo(answers.knowledge.citationsNeeded)]);
    if (answers.knowledge.fitsInPrompt !== undefined) {
      drivers.push(['Facts fit in the prompt', yesNo(answers.knowledge.fitsInPrompt)]);
    }
  }
  if (answers.behavior) {
    const kinds = answers.behavior.kinds ?? [];
    if (kinds.length > 0) {
      drivers.push(['Behavior kinds', kinds.map((kind) => BEHAVIOR_KIND_LABELS[kind]).join(', ')]);
    }
    drivers.push(['Labeled examples', String(answers.behavior.labeledExamples)]);
    drivers.push(['Training budget', yesNo(answers.behavior.trainingBudget)]);
  }
  // Left out where it was not said, as in reviews from before it was asked.
  if (answers.restrictedData !== undefined) {
    drivers.push([
      RESTRICTED_DATA_LABEL,
      answers.restrictedData ? `yes (${RESTRICTED_DATA_MEANING})` : 'no',
    ]);
  }
  drivers.push(['Team leaning', LEANING_LABELS[answers.leaning]]);
  return drivers;
}

// C0 and C1 control characters (including ESC), so a title cannot drive the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]+/g;

function plainLine(text: string): string {
  return text.replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
}

/** Readable terminal text for the CLI. */
export function renderText(answers: Answers, decision: Decision): string {
  const out: string[] = [];
  const section = (heading: string, lines: string[]): void => {
    if (lines.length === 0) return;
    out.push('', heading, ...lines);
  };

  out.push(plainLine(answers.title));
  out.push(`Verdict: ${VERDICT_LABELS[decision.verdict]}`);
  out.push(decision.headline);
  section(
    'Why',
    decision.rationale.map((line) => `  - ${line}`),
  );
  section(
    'Warnings',
    decision.warnings.map((w) => `  ! ${WARNING_TITLES[w.code]}: ${w.message}`),
  );
  section(
    'Next steps',
    decision.nextSteps.map((step, i) => `  ${i + 1}. ${step}`),
  );
  section(
    'How to measure it',
    decision.measure.map((line) => `  - ${line}`),
  );
  section(
    'Trade-offs',
    decision.tradeoffs.flatMap((row) => [
      `  ${row.aspect}`,
      ...tradeoffColumns(row).map(({ label, text }) => `    ${`${label}:`.padEnd(13)}${text}`),
    ]),
  );
  section(
    'Sources',
    decision.sources.map((source) => `  - ${source.title}: ${source.url}`),
  );
  out.push('', `Rules version ${decision.rulesVersion}`);
  return `${out.join('\n')}\n`;
}

// Backslash-escaping any ASCII punctuation is valid CommonMark; these are the characters that
// can start emphasis, code, links, HTML, entities, strikethrough, a heading's closing run or a
// table cell boundary.
const MARKDOWN_INLINE = /[\\`*_[\]<>|~&#]/g;

function escapeLineStart(line: string): string {
  const trimmed = line.replace(/^\s+/, '');
  const ordered = /^(\d{1,9})([.)])/.exec(trimmed);
  if (ordered) return `${ordered[1] ?? ''}\\${trimmed.slice(ordered[0].length - 1)}`;
  if (/^[+\-=]/.test(trimmed)) return `\\${trimmed}`;
  return trimmed;
}

/** User or engine text for one line of Markdown: a heading, a list item, a table cell. */
export function escapeMarkdownInline(text: string): string {
  return escapeLineStart(plainLine(text).replace(MARKDOWN_INLINE, (ch) => `\\${ch}`));
}

/** Multi-line user text as Markdown paragraphs, keeping its line breaks and blank lines. */
function escapeMarkdownBlock(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => escapeMarkdownInline(line))
        .filter((line) => line.length > 0)
        .join('  \n'),
    )
    .filter((paragraph) => paragraph.length > 0)
    .join('\n\n');
}

/** An http(s) link as a Markdown autolink-safe destination, or undefined when it is not one. */
function safeUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    // URL.href percent-encodes spaces and angle brackets, so <href> cannot be broken out of.
    return url.href;
  } catch {
    return undefined;
  }
}

/** A Markdown architecture decision record (MADR-style) for the review. Deterministic. */
export function renderDecisionRecord(
  answers: Answers,
  decision: Decision,
  context: DecisionRecordContext = {},
): string {
  const md = escapeMarkdownInline;
  const out: string[] = [];
  const section = (heading: string, lines: string[]): void => {
    out.push('', `## ${heading}`, '', ...lines);
  };
  const bullets = (lines: string[], empty: string): string[] =>
    lines.length > 0 ? lines.map((line) => `- ${md(line)}`) : [empty];

  out.push(`# ${md(answers.title)}`, '');
  out.push(`- Status: ${md(context.status?.trim() || 'proposed')}`);
  if (context.date?.trim()) out.push(`- Date: ${md(context.date)}`);
  out.push(`- Rules version: ${md(decision.rulesVersion)}`);

  const problem = answers.problem?.trim() ? escapeMarkdownBlock(answers.problem) : '';
  section('Context and problem statement', [
    problem || 'No problem statement was given.',
    '',
    'Which approach closes the gap: a better prompt, retrieval (RAG), fine-tuning, or RAG and fine-tuning together?',
  ]);

  section(
    'Decision drivers',
    answerDrivers(answers).map(([label, value]) => `- ${md(label)}: ${md(value)}`),
  );

  section(
    'Considered options',
    VERDICTS.map((verdict) =>
      verdict === decision.verdict
        ? `- **${md(VERDICT_LABELS[verdict])}** (chosen)`
        : `- ${md(VERDICT_LABELS[verdict])}`,
    ),
  );

  section('Decision outcome', [
    `Chosen option: **${md(VERDICT_LABELS[decision.verdict])}**`,
    '',
    md(decision.headline),
    '',
    '### Rationale',
    '',
    ...bullets(decision.rationale, 'No rationale was recorded.'),
  ]);

  // The engine sets every row of a decision against the same options; the header lists each
  // option any row has, so a row without one gets an empty cell rather than a shifted table.
  const columns = TRADEOFF_COLUMNS.filter((column) =>
    decision.tradeoffs.some((row) => row[column] !== undefined),
  );
  const table =
    decision.tradeoffs.length > 0
      ? [
          `| Aspect | ${columns.map((column) => TRADEOFF_COLUMN_LABELS[column]).join(' | ')} |`,
          `| --- |${' --- |'.repeat(columns.length)}`,
          ...decision.tradeoffs.map(
            (row) =>
              `| ${[row.aspect, ...columns.map((column) => row[column] ?? '')].map(md).join(' | ')} |`,
          ),
        ]
      : ['No trade-offs apply to this verdict.'];
  const warnings =
    decision.warnings.length > 0
      ? decision.warnings.map((w) => `- **${md(WARNING_TITLES[w.code])}**: ${md(w.message)}`)
      : ['None.'];
  section('Consequences', ['### Trade-offs', '', ...table, '', '### Warnings', '', ...warnings]);

  section('How it will be measured', bullets(decision.measure, 'Nothing to measure yet.'));

  section(
    'Next steps',
    decision.nextSteps.length > 0
      ? decision.nextSteps.map((step, i) => `${i + 1}. ${md(step)}`)
      : ['None.'],
  );

  if (context.signOffs) {
    const { agreed, challenged } = context.signOffs;
    const lines: string[] = [];
    if (agreed.length > 0) {
      lines.push('Agreed:', '', ...agreed.map((name) => `- ${md(name)}`));
    }
    if (challenged.length > 0) {
      if (lines.length > 0) lines.push('');
      lines.push(
        'Challenged:',
        '',
        ...challenged.map(({ name, reason }) => `- ${md(name)}: ${md(reason)}`),
      );
    }
    section('Sign-offs', lines.length > 0 ? lines : ['Nobody has signed off yet.']);
  }

  if (context.threadUrl?.trim()) {
    const url = safeUrl(context.threadUrl);
    section('Discussion', [
      url ? `[Slack thread](<${url}>)` : `Slack thread: ${md(context.threadUrl)}`,
    ]);
  }

  section(
    'Sources',
    decision.sources.length > 0
      ? decision.sources.map((source) => {
          const url = safeUrl(source.url);
          return url ? `- [${md(source.title)}](<${url}>)` : `- ${md(source.title)}`;
        })
      : ['None.'],
  );

  return `${out.join('\n')}\n`;
}
