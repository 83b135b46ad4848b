import type { HomeView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { COMMAND, MESSAGE_SHORTCUT_NAME, ReviewMenuChoice } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import type { Review } from '../../src/storage/repository.js';
import { buildHomeView, type HomeViewInput } from '../../src/views/homeView.js';
import { checkView } from '../support/blockKitLimits.js';
import { isRecord } from '../support/json.js';
import { postedReview } from '../support/reviewFixture.js';

const ME = 'U0ASKER';

const ANSWERS: Answers = {
  title: 'Support bot',
  leaning: 'undecided',
  promptTried: 'scored-falls-short',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
};

function review(overrides: Partial<Review> = {}): Review {
  return postedReview(ANSWERS, overrides);
}

function home(input: Partial<HomeViewInput> = {}): HomeView {
  const view = buildHomeView({
    userId: ME,
    mine: { reviews: [], total: 0 },
    team: { reviews: [], total: 0 },
    countsByVerdict: {},
    undelivered: { reviews: [], total: 0 },
    paging: { mine: 0, team: 0 },
    ...input,
  });
  expect(checkView(view)).toEqual([]);
  return view;
}

/** Home's blocks as plain records, as Slack gets them. */
function blocksOf(view: HomeView): Record<string, unknown>[] {
  const parsed: unknown = JSON.parse(JSON.stringify(view.blocks));
  return Array.isArray(parsed) ? parsed.filter(isRecord) : [];
}

/** The choices of the review menu on Home's block `blockId` (e.g. `mine_rev-1`). */
function menuChoices(view: HomeView, blockId: string): string[] {
  const found = blocksOf(view).find((candidate) => candidate.block_id === blockId);
  const menu = found?.accessory;
  if (!isRecord(menu) || menu.type !== 'overflow' || !Array.isArray(menu.options)) {
    throw new Error(`no review menu on ${blockId}`);
  }
  return menu.options.filter(isRecord).map((option) => String(option.value).replace(/:.*/, ''));
}

/** The text of Home's context blocks, in order. */
function contexts(view: HomeView): string[] {
  return blocksOf(view)
    .filter((candidate) => candidate.type === 'context' && Array.isArray(candidate.elements))
    .flatMap((candidate) => (candidate.elements as unknown[]).filter(isRecord))
    .map((element) => String(element.text));
}

describe('Home’s review menus', () => {
  it('offer Edit answers only on the person’s own reviews that Home was told can be edited', () => {
    const editable = review({ id: 'rev-editable' });
    const refused = review({ id: 'rev-refused' });
    const theirs = review({ id: 'rev-theirs', userId: 'U0OTHER' });
    const view = home({
      mine: { reviews: [editable, refused], total: 2 },
      team: { reviews: [theirs, editable], total: 2 },
      editable: new Set(['rev-editable', 'rev-theirs']),
    });
    const { open, share, edit } = ReviewMenuChoice;
    expect(menuChoices(view, 'mine_rev-editable')).toEqual([open, share, edit]);
    expect(menuChoices(view, 'team_rev-editable')).toEqual([open, share, edit]);
    // A superseded revision, a verdict posted through a response_url: editRefusal says no.
    expect(menuChoices(view, 'mine_rev-refused')).toEqual([open, share]);
    expect(menuChoices(view, 'team_rev-theirs')).toEqual([open, share]);
  });

  it('offer nothing to edit without being told what can be', () => {
    const view = home({ mine: { reviews: [review()], total: 1 } });
    expect(menuChoices(view, 'mine_rev-1')).toEqual([
      ReviewMenuChoice.open,
      ReviewMenuChoice.share,
    ]);
  });

  it('offer no Share for a review whose verdict never reached Slack', () => {
    const failed = review({ id: 'rev-failed', status: 'failed', messageTs: null });
    const pending = review({ id: 'rev-pending', status: 'pending', messageTs: null });
    const view = home({
      mine: { reviews: [failed, pending], total: 2 },
      editable: new Set(['rev-failed', 'rev-pending']),
    });
    expect(menuChoices(view, 'mine_rev-failed')).toEqual([
      ReviewMenuChoice.open,
      ReviewMenuChoice.edit,
    ]);
    expect(menuChoices(view, 'mine_rev-pending')).not.toContain(ReviewMenuChoice.share);
  });
});

/** The text of Home's block `blockId` (e.g. `mine_rev-1`). */
function lineOf(view: HomeView, blockId: string): string {
  const found = blocksOf(view).find((candidate) => candidate.block_id === blockId);
  return isRecord(found?.text) ? String(found.text.text) : '';
}

describe('Home’s lines of revisions', () => {
  const first = review({ id: 'rev-1', revision: 1, revisionOf: null });
  const second = review({ id: 'rev-2', revision: 2, revisionOf: 'rev-1' });
  const third = review({ id: 'rev-3', revision: 3, revisionOf: 'rev-2', userId: 'U0OTHER' });

  it('mark a revision that a later one superseded, and a later one with its number', () => {
    const view = home({
      mine: { reviews: [second, first], total: 2 },
      team: { reviews: [third, second, first], total: 3 },
      superseded: new Set(['rev-1', 'rev-2']),
    });
    for (const list of ['mine', 'team']) {
      expect(lineOf(view, `${list}_rev-1`)).toContain(' · revision 1 · superseded by revision 2');
      expect(lineOf(view, `${list}_rev-2`)).toContain(' · revision 2 · superseded by revision 3');
    }
    expect(lineOf(view, 'team_rev-3')).toContain(' · revision 3');
    expect(lineOf(view, 'team_rev-3')).not.toContain('superseded');
  });

  it('say nothing of revisions on a first verdict that nothing superseded', () => {
    const view = home({ mine: { reviews: [first], total: 1 }, superseded: new Set() });
    expect(lineOf(view, 'mine_rev-1')).not.toContain('revision');
  });
});

describe('Home with nothing to list', () => {
  it('tells a new user every way to start a review', () => {
    const [counts, mine, team] = contexts(home());
    expect(counts).toMatch(/private ones included/);
    expect(mine).toContain('No reviews yet');
    for (const way of [
      '*Start a review*',
      `\`${COMMAND}\``,
      `*${MESSAGE_SHORTCUT_NAME}*`,
      '@ftrag',
    ]) {
      expect(mine).toContain(way);
    }
    expect(team).toBe('No reviews in public channels yet.');
  });

  it('points to the reviews not posted yet rather than saying there are none', () => {
    const failed = review({ id: 'rev-failed', status: 'failed', messageTs: null });
    const view = home({ undelivered: { reviews: [failed], total: 1 } });
    const text = contexts(view).join('\n');
    expect(text).toContain('None posted yet');
    expect(text).not.toContain('No reviews yet');
    expect(text).not.toContain(COMMAND);
  });

  it('says the workspace’s counts count private reviews too, when the list shows public ones only', () => {
    const view = home({ countsByVerdict: { rag: 3 } });
    const [counts] = contexts(view);
    expect(counts).toBe(
      'All reviews in this workspace, private ones included — Prompt: *0*  ·  RAG: *3*  ·  Fine-tune: *0*  ·  RAG + fine-tune: *0*',
    );
    expect(JSON.stringify(view)).toContain('Across the workspace, in public channels');
  });
});

describe('Home’s reviews not posted yet', () => {
  const pending = (overrides: Partial<Review>) =>
    review({
      status: 'pending',
      messageTs: null,
      threadTs: null,
      postedChannelId: null,
      permalink: null,
      lastError: null,
      deliveryClaimedUntil: null,
      postedVerdict: null,
      ...overrides,
    });

  it('warn that the verdict may be in the channel when a posting broke off mid-call', () => {
    const cutOff = pending({ id: 'rev-cut-off', postingStarted: true });
    const line = lineOf(
      home({ undelivered: { reviews: [cutOff], total: 1 } }),
      'undelivered_rev-cut-off',
    );
    expect(line).toContain('may be in the channel already');
    expect(line).toContain('Post again');
  });

  it('say where the verdict may be by where it was going: the asker’s DM, a DM, a thread', () => {
    const target = (overrides: Partial<Review['target']>): Review['target'] => ({
      channelId: 'C0REVIEWS',
      threadTs: null,
      broadcast: false,
      responseUrl: null,
      ...overrides,
    });
    const cases: [string, Review['target'], string][] = [
      // Started from Home with "send to me by DM".
      ['rev-to-me', target({ channelId: null }), 'may be in your DM with ftrag already'],
      // Started with the command in a direct message.
      [
        'rev-in-dm',
        target({ channelId: 'D0SOMEDM' }),
        'may be in the direct message you started it from already',
      ],
      ['rev-in-thread', target({ threadTs: '1700000000.000100' }), 'may be in the thread already'],
    ];
    const view = home({
      undelivered: {
        reviews: cases.map(([id, where]) => pending({ id, postingStarted: true, target: where })),
        total: cases.length,
      },
    });
    for (const [id, , says] of cases) {
      const line = lineOf(view, `undelivered_${id}`);
      expect(line).toContain(says);
      expect(line).not.toContain('in the channel');
    }
  });

  it('warn of nothing for one no posting started, or whose verdict message is on record to finish', () => {
    const neverStarted = pending({ id: 'rev-queued', postingStarted: false });
    const withVerdict = pending({
      id: 'rev-verdict-out',
      postingStarted: true,
      postedVerdict: {
        status: 'posted',
        channelId: 'C0REVIEWS',
        messageTs: '1.2',
        threadTs: '1.2',
        channelError: null,
      },
    });
    const view = home({ undelivered: { reviews: [neverStarted, withVerdict], total: 2 } });
    for (const id of ['rev-queued', 'rev-verdict-out']) {
      expect(lineOf(view, `undelivered_${id}`)).not.toContain('may be in');
    }
  });

  it('say a review is being posted, with no warning, while a posting holds it', () => {
    const underway = pending({ id: 'rev-underway', postingStarted: true });
    const line = lineOf(
      home({
        undelivered: { reviews: [underway], total: 1 },
        postingNow: new Set(['rev-underway']),
      }),
      'undelivered_rev-underway',
    );
    expect(line).toContain('Being posted now');
    expect(line).not.toContain('may be in');
  });
});
