import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswersInput } from '../../src/decision/answers.js';
import { decide } from '../../src/decision/engine.js';
import {
  escapeMarkdownInline,
  renderDecisionRecord,
  renderText,
} from '../../src/decision/render.js';
import { parseAnswers, validAnswersArb } from './arbitraries.js';

const bothInput: AnswersInput = {
  title: 'Contract facts in the finance report layout',
  problem: 'Answers must quote current contract terms\nand follow the fixed report layout.',
  promptTried: 'scored-falls-short',
  gap: 'both',
  knowledge: { changesOften: true, citationsNeeded: true },
  behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: false },
  leaning: 'fine-tune',
};
const answers = parseAnswers(bothInput);
const decision = decide(answers);

function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const rest = markdown.slice(start + 1);
  const next = rest.indexOf('\n## ', 1);
  return next < 0 ? rest : rest.slice(0, next);
}

/** Cells of a GFM table row, splitting on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe('renderText', () => {
  const text = renderText(answers, decision);

  it('leads with the title, the verdict and the headline', () => {
    const [title, verdict, headline] = text.split('\n');
    expect(title).toBe(answers.title);
    expect(verdict).toBe('Verdict: RAG + fine-tune');
    expect(headline).toBe(decision.headline);
  });

  it('includes every part of the decision', () => {
    for (const line of [
      ...decision.rationale,
      ...decision.nextSteps,
      ...decision.measure,
      ...decision.warnings.map((w) => w.message),
      ...decision.sources.map((s) => s.url),
      ...decision.tradeoffs.map((row) => row.aspect),
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain('No training budget');
    expect(text).toContain(`Rules version ${decision.rulesVersion}`);
  });

  it('keeps terminal control characters in a title from reaching the terminal', () => {
    const sneaky = parseAnswers({ ...bothInput, title: 'Ok\u001b[2J\u0007 then' });
    const out = renderText(sneaky, decide(sneaky));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting they are gone
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(out.split('\n')[0]).toBe('Ok [2J then');
  });
});

describe('renderDecisionRecord', () => {
  const context = {
    status: 'accepted',
    date: '2026-11-29',
    threadUrl: 'https://example.slack.com/archives/C123/p1700000000000100',
    signOffs: {
      agreed: ['Ada', 'Grace'],
      challenged: [{ name: 'Linus', reason: 'we have no GPUs' }],
    },
  };
  const markdown = renderDecisionRecord(answers, decision, context);

  it('has every MADR section, in order', () => {
    const headings = markdown.split('\n').filter((line) => /^#{1,2} /.test(line));
    expect(headings).toEqual([
      `# ${answers.title}`,
      '## Context and problem statement',
      '## Decision drivers',
      '## Considered options',
      '## Decision outcome',
      '## Consequences',
      '## How it will be measured',
      '## Next steps',
      '## Sign-offs',
      '## Discussion',
      '## Sources',
    ]);
    expect(markdown).toContain('### Trade-offs');
    expect(markdown).toContain('### Warnings');
    expect(markdown).toContain('### Rationale');
  });

  it('records status, date and rules version from the context', () => {
    expect(markdown).toContain('- Status: accepted');
    expect(markdown).toContain('- Date: 2026-11-29');
    expect(markdown).toContain(`- Rules version: ${decision.rulesVersion}`);
  });

  it('lists the answers as decision drivers', () => {
    const drivers = sectionOf(markdown, 'Decision drivers');
    for (const line of [
      '- Prompt: Yes, scored on real examples, still falls short',
      '- Gap: Both',
      '- Knowledge changes often: yes',
      '- Citations needed: yes',
      '- Behavior kinds: format',
      '- Labeled examples: 300',
      '- Training budget: no',
      '- Team leaning: Fine-tune',
    ]) {
      expect(drivers).toContain(line);
    }
  });

  it('lists personal or customer data, or who may see what, only when said, with the warning', () => {
    const said = parseAnswers({
      ...bothInput,
      promptTried: 'scored-falls-short',
      restrictedData: true,
    });
    const markdown = renderDecisionRecord(said, decide(said));
    expect(sectionOf(markdown, 'Decision drivers')).toContain(
      '- Training budget: no\n- Restricted data: yes (personal or customer data, or per-user access)\n- Team leaning: Fine-tune\n',
    );
    expect(sectionOf(markdown, 'Consequences')).toContain('- **No access control in weights**: ');
    const saidNo = parseAnswers({ ...bothInput, restrictedData: false });
    expect(sectionOf(renderDecisionRecord(saidNo, decide(saidNo)), 'Decision drivers')).toContain(
      '- Restricted data: no\n',
    );
    expect(sectionOf(renderDecisionRecord(answers, decision), 'Decision drivers')).not.toContain(
      'Restricted data',
    );
    // The CLI's text output gives the warning and the reworded step, as any other.
    expect(renderText(said, decide(said))).toContain('! No access control in weights: ');
  });

  it('lists whether the facts fit in the prompt only when it was asked', () => {
    const asked = parseAnswers({
      title: 'Office addresses',
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: true },
    });
    const drivers = sectionOf(renderDecisionRecord(asked, decide(asked)), 'Decision drivers');
    expect(drivers).toContain('- Citations needed: no\n- Facts fit in the prompt: yes\n');
    const notAsked = parseAnswers({
      ...asked,
      knowledge: { changesOften: false, citationsNeeded: false },
    });
    expect(renderDecisionRecord(notAsked, decide(notAsked))).not.toContain(
      'Facts fit in the prompt',
    );
  });

  it('names the gap with the label the Slack checklist shows', () => {
    const unsure = parseAnswers({ title: 'Undiagnosed', promptTried: 'not-yet', gap: 'unsure' });
    const drivers = sectionOf(renderDecisionRecord(unsure, decide(unsure)), 'Decision drivers');
    expect(drivers).toContain('- Gap: Not sure yet\n');
  });

  it('lists the four options and marks the chosen one only', () => {
    const options = sectionOf(markdown, 'Considered options');
    expect(options).toContain('- Prompt\n');
    expect(options).toContain('- RAG\n');
    expect(options).toContain('- Fine-tune\n');
    expect(options).toContain('- **RAG + fine-tune** (chosen)');
    expect(options.match(/\(chosen\)/g)).toHaveLength(1);
    expect(sectionOf(markdown, 'Decision outcome')).toContain('Chosen option: **RAG + fine-tune**');
  });

  it('renders the trade-offs as a table and the warnings as a list', () => {
    const consequences = sectionOf(markdown, 'Consequences');
    expect(consequences).toContain('| Aspect | RAG | Fine-tuning |\n| --- | --- | --- |');
    for (const row of decision.tradeoffs) {
      expect(consequences).toContain(`| ${row.aspect} | ${row.rag} | ${row.fineTuning} |`);
    }
    expect(consequences).toContain('- **No training budget**:');
  });

  it('includes the measures, numbered next steps and linked sources', () => {
    expect(sectionOf(markdown, 'How it will be measured')).toContain(
      `- ${escapeMarkdownInline(decision.measure[0] ?? '')}`,
    );
    expect(sectionOf(markdown, 'Next steps')).toMatch(/^1\. /m);
    expect(sectionOf(markdown, 'Sources')).toContain(
      '- [OpenAI fine-tuning guide](<https://platform.openai.com/docs/guides/fine-tuning>)',
    );
  });

  it('shows sign-offs and the thread link only when given', () => {
    expect(sectionOf(markdown, 'Sign-offs')).toContain('Agreed:\n\n- Ada\n- Grace');
    expect(sectionOf(markdown, 'Sign-offs')).toContain('- Linus: we have no GPUs');
    expect(sectionOf(markdown, 'Discussion')).toContain(
      '[Slack thread](<https://example.slack.com/archives/C123/p1700000000000100>)',
    );

    const bare = renderDecisionRecord(answers, decision);
    expect(bare).not.toContain('## Sign-offs');
    expect(bare).not.toContain('## Discussion');
    expect(bare).not.toContain('- Date:');
    expect(bare).toContain('- Status: proposed');

    const nobody = renderDecisionRecord(answers, decision, {
      signOffs: { agreed: [], challenged: [] },
    });
    expect(sectionOf(nobody, 'Sign-offs')).toContain('Nobody has signed off yet.');
  });

  it('does not link a thread URL that is not http(s)', () => {
    const out = renderDecisionRecord(answers, decision, { threadUrl: 'javascript:alert(1)' });
    expect(sectionOf(out, 'Discussion')).not.toContain('](');
  });

  it('is deterministic', () => {
    expect(renderDecisionRecord(answers, decision, context)).toBe(markdown);
    fc.assert(
      fc.property(validAnswersArb, (any) => {
        const d = decide(any);
        expect(renderDecisionRecord(any, d)).toBe(renderDecisionRecord(any, d));
      }),
      { numRuns: 50 },
    );
  });

  it('falls back to a sentence when there is no problem statement', () => {
    const noProblem = parseAnswers({ ...bothInput, problem: undefined });
    expect(
      sectionOf(
        renderDecisionRecord(noProblem, decide(noProblem)),
        'Context and problem statement',
      ),
    ).toContain('No problem statement was given.');
  });
});

describe('trade-offs for a gap with no knowledge in it', () => {
  const voice = parseAnswers({
    title: 'House voice',
    promptTried: 'not-yet',
    gap: 'behavior',
    behavior: { kinds: ['tone'], labeledExamples: 0, trainingBudget: false },
  });
  const voiceDecision = decide(voice);

  it('sets fine-tuning against the prompt in the Markdown table', () => {
    const consequences = sectionOf(renderDecisionRecord(voice, voiceDecision), 'Consequences');
    expect(consequences).toContain('| Aspect | Prompt | Fine-tuning |\n| --- | --- | --- |');
    expect(consequences).not.toContain('RAG');
    expect(consequences).toContain('| Cost to set up | Low: an afternoon |');
  });

  it('sets fine-tuning against the prompt in the terminal text', () => {
    const text = renderText(voice, voiceDecision);
    expect(text).toContain('    Prompt:      Low: an afternoon');
    expect(text).not.toContain('RAG:');
  });
});

describe('trade-offs for facts the prompt carries', () => {
  const offices = parseAnswers({
    title: 'Office addresses',
    promptTried: 'not-yet',
    gap: 'knowledge',
    knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
  });
  const officesDecision = decide(offices);
  const officesWithVoice = parseAnswers({
    ...offices,
    gap: 'both',
    behavior: { kinds: ['tone'], labeledExamples: 0, trainingBudget: false },
  });

  it('sets the prompt against RAG in the Markdown table', () => {
    const consequences = sectionOf(renderDecisionRecord(offices, officesDecision), 'Consequences');
    expect(consequences).toContain('| Aspect | Prompt | RAG |\n| --- | --- | --- |\n');
    expect(consequences).toContain(
      '| Update a fact | Edit the facts in the prompt; live with the next prompt version | Edit the source; live at once |',
    );
    expect(consequences).not.toContain('Fine-tuning');
  });

  it('sets the prompt against RAG in the terminal text', () => {
    const text = renderText(offices, officesDecision);
    expect(text).toContain(
      '  Cite a source\n    Prompt:      Only the sources pasted beside each fact\n    RAG:         Yes: you have the passage\n',
    );
    expect(text).not.toContain('Fine-tuning:');
  });

  it('gives a gap that is both a column for each of the three options', () => {
    const both = decide(officesWithVoice);
    const rows = sectionOf(renderDecisionRecord(officesWithVoice, both), 'Consequences')
      .split('\n')
      .filter((line) => line.startsWith('| '));
    expect(rows[0]).toBe('| Aspect | Prompt | RAG | Fine-tuning |');
    expect(rows).toHaveLength(both.tradeoffs.length + 2);
    for (const row of rows) expect(cells(row)).toHaveLength(4);
    expect(renderText(officesWithVoice, both)).toContain(
      '  Consistent format or voice\n    Prompt:      Often enough with a spec and examples; can drift on unusual inputs\n    RAG:         Fragile; depends on the prompt\n    Fine-tuning: Ideal; it is learned\n',
    );
  });

  it('keeps rows whole when they set different options side by side', () => {
    const mixed = {
      ...officesDecision,
      tradeoffs: [
        { aspect: 'Update a fact', rag: 'Edit the source', fineTuning: 'Retrain' },
        { aspect: 'Cost to set up', prompt: 'An afternoon', rag: 'Days' },
      ],
    };
    const rows = renderDecisionRecord(offices, mixed)
      .split('\n')
      .filter((line) => line.startsWith('| '));
    expect(rows).toEqual([
      '| Aspect | Prompt | RAG | Fine-tuning |',
      '| --- | --- | --- | --- |',
      '| Update a fact |  | Edit the source | Retrain |',
      '| Cost to set up | An afternoon | Days |  |',
    ]);
  });
});

describe('Markdown escaping of user text', () => {
  it('keeps a pipe in a challenger’s reason from breaking anything', () => {
    const out = renderDecisionRecord(answers, decision, {
      signOffs: { agreed: ['a|b'], challenged: [{ name: 'x | y', reason: 'cost | risk' }] },
    });
    expect(out).toContain('- a\\|b');
    expect(out).toContain('- x \\| y: cost \\| risk');
  });

  it('keeps table rows at three cells whatever the text', () => {
    const withPipes = {
      ...decision,
      tradeoffs: [{ aspect: 'a | b', rag: '|', fineTuning: 'c || d' }],
    };
    const out = renderDecisionRecord(answers, withPipes);
    const rows = out.split('\n').filter((line) => line.startsWith('| '));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(cells(row)).toHaveLength(3);
  });

  it('does not let a title or problem open headings, lists, quotes or HTML', () => {
    const hostile = parseAnswers({
      ...bothInput,
      title: '# Not a heading | <b>bold</b> *x*',
      problem: '## Injected\n- item\n> quote\n1. one\n===\n    code\n```js',
    });
    const out = renderDecisionRecord(hostile, decide(hostile));
    expect(out.split('\n')[0]).toBe('# \\# Not a heading \\| \\<b\\>bold\\</b\\> \\*x\\*');
    const context = sectionOf(out, 'Context and problem statement');
    expect(context).toContain('\\#\\# Injected');
    expect(context).toContain('\\- item');
    expect(context).toContain('\\> quote');
    expect(context).toContain('1\\. one');
    expect(context).toContain('\\===');
    expect(context).toContain('\\`\\`\\`js');
    expect(context).not.toMatch(/^ {4}/m);
    const headings = out.split('\n').filter((line) => /^#{1,6} /.test(line));
    expect(headings.filter((line) => line.includes('Injected'))).toEqual([]);
  });

  it('escapes every table-breaking character for any string', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeMarkdownInline(text);
        expect(escaped).not.toMatch(/(?<!\\)\|/);
        expect(escaped).not.toMatch(/\n/);
        expect(escaped).not.toMatch(/^#/);
      }),
    );
  });
});
