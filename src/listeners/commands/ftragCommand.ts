import { draftFromCommandText } from '../../checklist/commandDraft.js';
import { startChecklist } from '../../checklist/state.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import { buildHelpMessage, buildTypoMessage, type Subcommand } from '../../views/helpMessage.js';
import type { CommandArgs } from '../args.js';
import { channelHistory } from '../channelHistory.js';
import type { ListenerDeps } from '../deps.js';

/** What the text after `/ftrag` asks for. */
export type CommandIntent =
  | { kind: Subcommand }
  /** A single word a typo away from a subcommand: asked about; a review only if the person says so. */
  | { kind: 'typo'; subcommand: Subcommand; typed: string }
  | { kind: 'review' };

// The ways people ask a command for help; anything longer ("help desk bot") is a review's title.
const HELP_FORMS = new Set([
  'help',
  '-h',
  '--help',
  '-help',
  '/help',
  'help me',
  'help please',
  'please help',
  'please help me',
]);

/**
 * Real words a typo away from a subcommand: one of them alone after /ftrag is taken as a title
 * ("/ftrag helm"), as before, rather than second-guessed.
 */
const REAL_WORDS = new Set([
  'heap',
  'held',
  'hell',
  'helm',
  'hemp',
  'hep',
  'kelp',
  'whelp',
  'yelp',
  'hickory',
  'historic',
  'story',
  'victory',
]);

/**
 * How many typos a word may hold and still be read as a subcommand: one in a word as short as
 * "help", where two would reach real words ("self", "hero"); two in "history".
 */
const TYPOS_ALLOWED: Record<Subcommand, number> = { help: 1, history: 2 };

/**
 * The edit distance between `a` and `b` counting a swap of two neighbouring letters as one edit
 * (optimal string alignment): "histroy" is one typo from "history", not two.
 */
function typoDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Reads the text after `/ftrag` (as Slack sends it): help, history, a typo of one, or a review. */
export function subcommandOf(text: string): CommandIntent {
  const typed = text.trim();
  const keyword = typed.toLowerCase().replace(/\s+/g, ' ');
  if (keyword === 'history') return { kind: 'history' };
  if (/^\?+$/.test(keyword) || HELP_FORMS.has(keyword.replace(/[?!.]+$/, ''))) {
    return { kind: 'help' };
  }
  // A single word, dashes or a slash before it as in other tools' options ("--history").
  const word = /^[-/]{0,2}([a-z]+)$/.exec(keyword)?.[1];
  if (!word || REAL_WORDS.has(word)) return { kind: 'review' };
  for (const subcommand of ['history', 'help'] as const) {
    if (typoDistance(word, subcommand) <= TYPOS_ALLOWED[subcommand]) {
      return { kind: 'typo', subcommand, typed };
    }
  }
  return { kind: 'review' };
}

/** `/ftrag [what we're building] | help | history` */
export function ftragCommand(deps: ListenerDeps) {
  return async ({ ack, command, client, respond }: CommandArgs): Promise<void> => {
    const text = command.text.trim();
    const intent = subcommandOf(text);

    if (intent.kind === 'help') {
      await ack({ response_type: 'ephemeral', ...buildHelpMessage(command.channel_id) });
      return;
    }

    if (intent.kind === 'typo') {
      await ack({
        response_type: 'ephemeral',
        ...buildTypoMessage(intent.subcommand, intent.typed),
      });
      return;
    }

    if (intent.kind === 'history') {
      await ack();
      await respond({
        response_type: 'ephemeral',
        ...(await channelHistory(deps, command.team_id, command.channel_id, command.user_id)),
      });
      return;
    }

    await ack();
    const state = startChecklist({
      origin: 'command',
      channelId: command.channel_id,
      threadTs: null,
      responseUrl: command.response_url,
      draft: draftFromCommandText(text),
    });
    await client.views.open({
      trigger_id: command.trigger_id,
      view: buildChecklistStepView(state),
    });
  };
}
