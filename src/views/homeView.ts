import type {
  ActionsBlock,
  Button,
  HomeView,
  KnownBlock,
  Overflow,
  SectionBlock,
} from '@slack/types';
import { z } from 'zod';
import {
  ActionId,
  BlockId,
  COMMAND,
  MESSAGE_SHORTCUT_NAME,
  ReviewMenuChoice,
} from '../constants.js';
import { VERDICT_LABELS } from '../decision/index.js';
import { VERDICTS } from '../decision/types.js';
import { parseJsonWith } from '../jsonText.js';
import { type Review, type ReviewList, UNDELIVERED_STATUSES } from '../storage/repository.js';
import type { VoteTally } from '../storage/votes.js';
import { reviewExtras, reviewLine } from './historyMessage.js';
import { verdictMayBeIn } from './signOff.js';

export const HOME_PAGE_SIZE = 5;

/**
 * How many of the person's undelivered reviews Home lists (newest first). With both lists' full
 * pages, Home stays far below Slack's 100 blocks; how many more there are is said below them.
 */
export const HOME_UNDELIVERED_LIMIT = 20;

/** The last page a Home's paging names. */
export const HOME_PAGE_MAX = 10_000;

/** The page each of Home's two lists shows, counted from 0. */
export const homePagingSchema = z.object({
  mine: z.number().int().min(0).max(HOME_PAGE_MAX),
  team: z.number().int().min(0).max(HOME_PAGE_MAX),
});

export type HomePaging = z.infer<typeof homePagingSchema>;

export const FIRST_PAGES: HomePaging = { mine: 0, team: 0 };

/**
 * The pages a paging button's value, or the Home view's private_metadata, names; the first pages
 * for anything else (a value ftrag did not write, or a Home published before it kept its pages).
 */
export function parseHomePaging(value: string | undefined): HomePaging {
  return parseJsonWith(homePagingSchema, value) ?? FIRST_PAGES;
}

export interface HomeViewInput {
  userId: string;
  /** The person's reviews whose verdict reached Slack; the others are `undelivered`. */
  mine: ReviewList;
  /** The workspace's reviews that anyone in it may read: those in public channels. */
  team: ReviewList;
  /** Every review of the workspace, private ones included, by verdict: numbers only. */
  countsByVerdict: Record<string, number>;
  /**
   * The person's reviews that were saved but never reached Slack, newest first: at most
   * {@link HOME_UNDELIVERED_LIMIT} are listed; `total` counts them all.
   */
  undelivered: ReviewList;
  /**
   * Ids of undelivered reviews being posted (queued on this instance, or claimed by a posting on
   * any instance): no "Post again" for them.
   */
  postingNow?: ReadonlySet<string>;
  /**
   * Ids of the person's listed reviews whose answers Edit answers may change now (no
   * `editRefusal`): only their menus offer it. The listener checks again when it is chosen.
   */
  editable?: ReadonlySet<string>;
  /** Ids of the listed reviews that a later revision superseded: their lines say so. */
  superseded?: ReadonlySet<string>;
  paging: HomePaging;
  /** Sign-off tallies of the listed reviews, by review id; a review without votes is absent. */
  tallies?: Readonly<Record<string, VoteTally>>;
}

/**
 * Open; Share, once the verdict is in Slack (a card would announce a verdict nobody can find);
 * Edit answers when `canEdit`.
 */
function reviewMenu(review: Review, canEdit: boolean): Overflow {
  const choice = (value: string, text: string) => ({
    value: `${value}:${review.id}`,
    text: { type: 'plain_text' as const, text },
  });
  const delivered = !UNDELIVERED_STATUSES.includes(review.status);
  return {
    type: 'overflow',
    action_id: ActionId.reviewMenu,
    options: [
      choice(ReviewMenuChoice.open, 'Open'),
      ...(delivered ? [choice(ReviewMenuChoice.share, 'Share')] : []),
      ...(canEdit ? [choice(ReviewMenuChoice.edit, 'Edit answers')] : []),
    ],
  };
}

function reviewSection(
  prefix: string,
  review: Review,
  input: HomeViewInput,
  editable: ReadonlySet<string>,
): SectionBlock {
  const { userId } = input;
  const extras = reviewExtras(
    review,
    input.tallies?.[review.id],
    input.superseded?.has(review.id) ?? false,
  );
  return {
    type: 'section',
    block_id: `${prefix}_${review.id}`,
    text: { type: 'mrkdwn', text: `${reviewLine(review, userId)}${extras}` },
    accessory: reviewMenu(review, review.userId === userId && editable.has(review.id)),
  };
}

/** Every way to start a review, for a person who has none yet. */
const HOW_TO_START = `No reviews yet. Start one with *Start a review* above, with \`${COMMAND}\` in a channel, or, in a thread, with the message shortcut *${MESSAGE_SHORTCUT_NAME}* (the ⋮ menu on a message) or by mentioning @ftrag.`;

function pagingBlock(
  blockId: string,
  list: 'mine' | 'team',
  paging: HomePaging,
  total: number,
): ActionsBlock | null {
  const page = paging[list];
  const buttons: Button[] = [];
  if (page > 0) {
    buttons.push({
      type: 'button',
      action_id: `${ActionId.homePage}_${list}_newer`,
      text: { type: 'plain_text', text: '← Newer' },
      value: JSON.stringify({ ...paging, [list]: page - 1 }),
    });
  }
  if ((page + 1) * HOME_PAGE_SIZE < total) {
    buttons.push({
      type: 'button',
      action_id: `${ActionId.homePage}_${list}_older`,
      text: { type: 'plain_text', text: 'Older →' },
      value: JSON.stringify({ ...paging, [list]: page + 1 }),
    });
  }
  return buttons.length > 0 ? { type: 'actions', block_id: blockId, elements: buttons } : null;
}

function listBlocks(
  heading: string,
  prefix: string,
  list: ReviewList,
  input: HomeViewInput,
  which: 'mine' | 'team',
  pagingBlockId: string,
  emptyText: string,
): KnownBlock[] {
  const { paging } = input;
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: heading } }];
  if (list.reviews.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: emptyText }] });
    return blocks;
  }
  const from = paging[which] * HOME_PAGE_SIZE + 1;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${from}–${from + list.reviews.length - 1} of ${list.total}, newest first`,
      },
    ],
  });
  const editable = input.editable ?? new Set<string>();
  for (const review of list.reviews) {
    blocks.push(reviewSection(prefix, review, input, editable));
  }
  const pager = pagingBlock(pagingBlockId, which, paging, list.total);
  if (pager) blocks.push(pager);
  return blocks;
}

/**
 * Whether a posting of this undelivered review broke off (or its instance died) after it may have
 * posted the verdict, with no message on record to finish: Post again may make a second copy.
 */
function mayBeOut(review: Review): boolean {
  return review.postingStarted === true && !review.postedVerdict;
}

/**
 * Said of a review whose posting may have put its verdict out ({@link mayBeOut}): where, by where it
 * was going (the asker's own Home, so "your").
 */
function mayBeOutNote({ target }: Review): string {
  const where = verdictMayBeIn(target.channelId, target.threadTs !== null);
  return `_Its posting broke off before Slack answered, so the verdict may be ${where} already: look there before you press Post again._`;
}

/** The Home tab: start a review, anything still to post, and the person's and workspace's reviews. */
export function buildHomeView(input: HomeViewInput): HomeView {
  const counts = VERDICTS.map(
    (verdict) => `${VERDICT_LABELS[verdict]}: *${input.countsByVerdict[verdict] ?? 0}*`,
  ).join('  ·  ');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Prompt, RAG or fine-tune?* ftrag walks your team through the checklist and posts a verdict with its reasons.\nThe rule: *retrieve for knowledge, fine-tune for behavior.*',
      },
      accessory: {
        type: 'button',
        action_id: ActionId.startReview,
        style: 'primary',
        text: { type: 'plain_text', text: 'Start a review' },
      },
    },
    {
      type: 'context',
      // The list below shows public reviews only: these numbers say they are not of those alone.
      elements: [
        {
          type: 'mrkdwn',
          text: `All reviews in this workspace, private ones included — ${counts}`,
        },
      ],
    },
  ];
  const undelivered = input.undelivered.reviews.slice(0, HOME_UNDELIVERED_LIMIT);
  if (undelivered.length > 0) {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Not posted yet' } });
    for (const review of undelivered) {
      const line = `${reviewLine(review, input.userId)}${review.lastError ? `\n_Last error: ${review.lastError.replaceAll(/[<>&]/g, '')}_` : ''}`;
      if (input.postingNow?.has(review.id)) {
        blocks.push({
          type: 'section',
          block_id: `undelivered_${review.id}`,
          text: { type: 'mrkdwn', text: `${line}\n_Being posted now._` },
        });
        continue;
      }
      blocks.push({
        type: 'section',
        block_id: `undelivered_${review.id}`,
        text: {
          type: 'mrkdwn',
          text: mayBeOut(review) ? `${line}\n${mayBeOutNote(review)}` : line,
        },
        accessory: {
          type: 'button',
          action_id: ActionId.retryDelivery,
          text: { type: 'plain_text', text: 'Post again' },
          value: review.id,
        },
      });
    }
    const older = input.undelivered.total - undelivered.length;
    if (older > 0) {
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `…and ${older} older ${older === 1 ? 'review' : 'reviews'} not posted yet, listed here as the ones above are posted.`,
          },
        ],
      });
    }
  }
  blocks.push(
    { type: 'divider' },
    ...listBlocks(
      'Your reviews',
      'mine',
      input.mine,
      input,
      'mine',
      BlockId.homePagingMine,
      input.undelivered.total > 0 ? 'None posted yet: see *Not posted yet* above.' : HOW_TO_START,
    ),
    { type: 'divider' },
    ...listBlocks(
      'Across the workspace, in public channels',
      'team',
      input.team,
      input,
      'team',
      BlockId.homePagingTeam,
      'No reviews in public channels yet.',
    ),
  );
  // The pages shown, for a click in this Home (Post again) to publish it on the same pages.
  return { type: 'home', private_metadata: JSON.stringify(input.paging), blocks };
}
