import type { KnownBlock, ModalView } from '@slack/types';
import { ActionId, BlockId, CallbackId } from '../constants.js';
import type { EditRefusal } from '../delivery/applyEdit.js';
import { postRefusal, type UnconfirmedCause } from '../delivery/slackErrors.js';
import { type Review, UNDELIVERED_STATUSES } from '../storage/repository.js';
import type { Vote } from '../storage/votes.js';
import { buildNoticeModal } from './noticeModal.js';
import { becauseOf } from './postRefusal.js';
import { buildChallengeReply, unconfirmedPlace, unconfirmedWhy } from './signOff.js';
import { conversationName, escapeTitle, escapeToFit, isDirectMessage } from './text.js';
import {
  buildVerdictDetail,
  buildVerdictMessage,
  type RevisionNote,
  signOffLine,
} from './verdictMessage.js';
import { isSupersededBy, supersededNote, whereToReadVerdict } from './verdictWhereabouts.js';

const MAX_VIEW_BLOCKS = 100;
/**
 * Challenge reasons quoted in the Open modal at most; the rest are counted. Each is up to 500
 * characters (about 2,500 once escaped), so this keeps the view a readable size as well as within
 * its 100 blocks.
 */
const CHALLENGE_REASONS_SHOWN = 20;

/** What the Open modal shows besides the review itself, read by its listener. */
export interface ReviewDetailContext {
  /** The review's votes that count: the sign-off tally and the challenge reasons. */
  votes?: readonly Vote[];
  /** For a revision, its number and the verdict it replaced (as the verdict message says it). */
  revision?: RevisionNote;
  /** The newest revision of the review's line (the review itself when none is later). */
  latest?: Review | null;
}

/**
 * "Open": the whole verdict, parent and detail, in a modal: which revision it is (and, when a later
 * one is current, that and where), its sign-offs with the challenge reasons, and where the verdict
 * is in Slack.
 */
export function buildReviewDetailModal(
  review: Review,
  context: ReviewDetailContext = {},
): ModalView {
  const revisionNumber = review.revision ?? 1;
  const revision =
    context.revision ??
    (revisionNumber > 1 ? { number: revisionNumber, previousVerdict: null } : undefined);
  const input = {
    answers: review.answers,
    decision: review.decision,
    userId: review.userId,
    ...(revision ? { revision } : {}),
  };
  const top: KnownBlock[] = isSupersededBy(review, context.latest)
    ? [section(supersededNote(review, context.latest, 'viewer'))]
    : [];
  // The detail itself follows here, so the parent points below, not to the thread.
  const parent = buildVerdictMessage({ ...input, detailIn: 'below' }).blocks;
  const votes = context.votes;
  const tally: KnownBlock[] = votes ? [signOffTallyBlock(votes)] : [];
  const rest: KnownBlock[] = [
    { type: 'divider' },
    ...buildVerdictDetail(input).blocks,
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: whereToReadVerdict(review, 'Open the discussion thread', 'viewer'),
        },
      ],
    },
  ];
  const challenges = votes
    ? challengeBlocks(
        votes,
        MAX_VIEW_BLOCKS - top.length - parent.length - tally.length - rest.length,
      )
    : [];
  return {
    type: 'modal',
    callback_id: CallbackId.reviewDetail,
    title: { type: 'plain_text', text: 'Review' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [...top, ...parent, ...tally, ...challenges, ...rest].slice(0, MAX_VIEW_BLOCKS),
  };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** "Sign-offs: ✅ 2 agreed · ❓ 1 challenged", then who, as the verdict message names them. */
function signOffTallyBlock(votes: readonly Vote[]): KnownBlock {
  const agreed = votes.filter((vote) => vote.vote === 'agree').length;
  const challenged = votes.length - agreed;
  const text =
    votes.length === 0
      ? '*Sign-offs:* No sign-offs yet.'
      : `*Sign-offs:* ✅ ${agreed} agreed · ❓ ${challenged} challenged\n${signOffLine(votes)}`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * Each challenge's reason, quoted as its thread reply quotes it, in at most `room` blocks (and
 * {@link CHALLENGE_REASONS_SHOWN}); the ones left out are counted in the last.
 */
function challengeBlocks(votes: readonly Vote[], room: number): KnownBlock[] {
  const reasons = votes.filter(
    (vote): vote is Vote & { reason: string } =>
      vote.vote === 'challenge' && vote.reason !== null && vote.reason.trim() !== '',
  );
  if (reasons.length === 0 || room <= 0) return [];
  const fits = reasons.length <= Math.min(room, CHALLENGE_REASONS_SHOWN);
  const shown = fits ? reasons : reasons.slice(0, Math.min(room - 1, CHALLENGE_REASONS_SHOWN));
  const blocks = shown.flatMap((vote) => buildChallengeReply(vote.userId, vote.reason).blocks);
  const more = reasons.length - shown.length;
  if (more > 0) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `…and ${more} more challenge${more === 1 ? '' : 's'} with reasons: read them in the verdict’s thread.`,
        },
      ],
    });
  }
  return blocks;
}

/**
 * "Share": the channel comes from the picker, which offers only conversations the person can see;
 * a pasted link only narrows it to a thread of that channel (the submission checks it). Before
 * anything is picked it says what the card will carry that readers may not expect: that a later
 * revision is current (`latest`, when known), or that the review came from a conversation not
 * known to be public. A review not in Slack can't be shared: it says so instead.
 */
export function buildShareModal(review: Review, latest?: Review | null): ModalView {
  if (UNDELIVERED_STATUSES.includes(review.status)) return buildShareNotPostedModal(review);
  const notes: string[] = [];
  if (isSupersededBy(review, latest)) {
    notes.push(
      `${supersededNote(review, latest, 'viewer')}\nThe card says so and points to it. To share the current verdict instead, share revision ${latest.revision ?? 1} from your ftrag Home tab.`,
    );
  }
  if (review.conversationVisibility !== 'public') notes.push(privateOriginNote(review));
  return {
    type: 'modal',
    callback_id: CallbackId.shareReview,
    title: { type: 'plain_text', text: 'Share review' },
    submit: { type: 'plain_text', text: 'Share' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ reviewId: review.id }),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeTitle(review.answers.title)}*` },
      },
      ...notes.map(
        (text): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] }),
      ),
      {
        type: 'input',
        block_id: BlockId.shareChannel,
        label: { type: 'plain_text', text: 'Share to' },
        element: {
          type: 'conversations_select',
          action_id: ActionId.shareChannel,
          placeholder: { type: 'plain_text', text: 'Pick a channel' },
          filter: { include: ['public', 'private'], exclude_bot_users: true },
        },
      },
      {
        type: 'input',
        block_id: BlockId.shareThreadLink,
        // Slack adds "(optional)" to the label.
        optional: true,
        label: { type: 'plain_text', text: 'In a thread' },
        hint: {
          type: 'plain_text',
          text: 'To post in a thread of that channel, paste a link to any of its messages (⋮ → Copy link). Leave empty to post in the channel.',
        },
        element: {
          type: 'plain_text_input',
          action_id: ActionId.shareThreadLink,
          max_length: 500,
          placeholder: { type: 'plain_text', text: 'https://your-team.slack.com/archives/C…/p…' },
        },
      },
    ],
  };
}

/**
 * The card shows the title, verdict and headline to whoever reads where it goes: said before it
 * goes from a conversation that is private, or not known to be public (Slack wouldn't say, or it
 * was posted before ftrag asked).
 */
function privateOriginNote(review: Review): string {
  const origin =
    review.conversationVisibility === 'private'
      ? 'This review came from a private conversation.'
      : 'ftrag can’t tell whether the conversation this review came from is public: it may be private.';
  return `:lock: ${origin} The card shows its title, verdict and headline to everyone who can read where you share it.`;
}

/**
 * Share of a review whose verdict is not in Slack (pending or failed), at its opening or its
 * submission: a card would point to a verdict nobody can find, so nothing is shared.
 */
export function buildShareNotPostedModal(review: Review): ModalView {
  const title = `*${escapeTitle(review.answers.title)}*`;
  return review.status === 'failed'
    ? buildNoticeModal(
        'Share review',
        `:warning: ${title} never reached Slack (its posting failed), so nothing is shared: the card would point to a verdict nobody can find.`,
        'Click *Post again* next to it under *Not posted yet* on your ftrag Home tab, then share it once it is posted.',
      )
    : buildNoticeModal(
        'Share review',
        `:hourglass_flowing_sand: ${title} is not posted yet (or its posting hasn’t finished), so nothing is shared: the card would point to a verdict nobody can find yet.`,
        'Share it once it is posted; until then your ftrag Home tab lists it under *Not posted yet*.',
      );
}

/**
 * In place of the Share modal once submitted: the card is posted right after, so this can only say
 * where it is going; a refusal comes by DM.
 */
export function buildShareUnderwayModal(
  review: Review,
  channelId: string,
  inThread: boolean,
): ModalView {
  const where = `${inThread ? 'a thread of ' : ''}${conversationName(channelId)}`;
  return buildNoticeModal(
    'Share review',
    `:outbox_tray: Sharing *${escapeTitle(review.answers.title)}* in ${where} now.`,
    'If Slack refuses the card there, I’ll tell you why by DM.',
  );
}

/**
 * "Edit answers" refused ({@link EditRefusal}), when it is chosen or when its last step is
 * submitted; the answers are not changed either way.
 * - `posted-without-message`: the verdict went out through a response_url, and that message can't
 *   be updated (it would go on showing a verdict the answers no longer give, until a vote rebuilt
 *   it from them); Re-run with changes posts the change where it is seen.
 * - `being-posted`: a posting is sending the verdict built from the answers as they were, or one
 *   cut off after the verdict went out waits to be finished; try again once it is.
 * - `superseded`: a later revision exists; changes go to the latest one, by Re-run with changes.
 */
export function buildEditRefusedModal(review: Review, reason: EditRefusal): ModalView {
  const title = `*${escapeTitle(review.answers.title)}*`;
  const [notice, advice] =
    reason === 'superseded'
      ? [
          `:information_source: ${title} has a later revision, made with *Re-run with changes*, so I can't change this one: its thread tells what each revision changed. Your answers are unchanged.`,
          'To change the verdict, click *Re-run with changes* on the latest revision in its thread: the new verdict is posted there as the next revision.',
        ]
      : reason === 'being-posted' && review.postedVerdict
        ? [
            `:hourglass_flowing_sand: The verdict on ${title} is out, but its posting was cut off before it finished, so I can't change the answers until it is. Your answers are unchanged.`,
            'It is finished shortly by itself, or at once with *Post again* on my Home tab; then *Edit answers* updates it in place.',
          ]
        : reason === 'being-posted'
          ? [
              `:hourglass_flowing_sand: The verdict on ${title} is being posted right now, from the answers as they were, so I can't change them at this moment. Your answers are unchanged.`,
              'Try again in a moment: once the verdict is posted, *Edit answers* updates it in place.',
            ]
          : postedWithoutMessage(review, title);
  return buildNoticeModal('Edit answers', notice, advice);
}

/** "Edit answers" submitted by someone other than the asker: only a forged modal gets this far. */
export function buildEditNotYoursModal(review: Review): ModalView {
  return buildNoticeModal(
    'Edit answers',
    `:lock: Only the person who asked for this review can edit its answers, so *${escapeTitle(review.answers.title)}* is unchanged.`,
    'To change the verdict, click *Re-run with changes* on it once someone has challenged it: the new verdict is posted in its thread as the next revision.',
  );
}

/**
 * DM to the editor when an edit was saved but Slack refused the note of it in the review's thread
 * (in `review.postedChannelId`) with `slackError`: the edit stands, only the thread doesn't say so.
 */
export function editNotNotedText(review: Review, slackError: string): string {
  const channelId = review.postedChannelId;
  const where = editNoteThread(channelId);
  const refusal = postRefusal(slackError);
  const why =
    refusal === 'other'
      ? ` (Slack answered \`${escapeToFit(slackError, 100)}\`)`
      : becauseOf(refusal, channelId);
  return `:warning: Your new answers to *${escapeTitle(review.answers.title)}* are saved, but I couldn't note the change in ${where}${why}.`;
}

/**
 * DM to the editor when an edit was saved but Slack didn't confirm (`cause`) its note in the
 * review's thread (in `review.postedChannelId`): it may be there, so it was not posted again.
 */
export function editUnconfirmedText(review: Review, cause: UnconfirmedCause): string {
  const where = editNoteThread(review.postedChannelId);
  return `:information_source: Your new answers to *${escapeTitle(review.answers.title)}* are saved, but I couldn't confirm that the change was noted in ${where}: ${unconfirmedWhy(cause)}. It may be there already: check the thread before you note it there yourself.`;
}

/** The thread an edit's note goes in, named as other notices name a thread (never as `<#D…>`). */
function editNoteThread(channelId: string | null): string {
  return channelId ? unconfirmedPlace(channelId, true).where : 'the review’s thread';
}

/**
 * `posted-without-message`: where the verdict went (a DM by that name, never as `<#D…>`) and, when
 * the review has the channel's error on record, why not as a message the bot can update. Inviting
 * the bot is offered only for a channel, and not when another reason is on record.
 */
function postedWithoutMessage(review: Review, title: string): [string, string] {
  const channelId = review.postedChannelId;
  const refusal = review.lastError ? postRefusal(review.lastError) : null;
  const why = refusal ? becauseOf(refusal, channelId) : '';
  const where = channelId ? conversationName(channelId) : 'the channel';
  const invite =
    (!channelId || !isDirectMessage(channelId)) &&
    (refusal === null || refusal === 'not-in-channel')
      ? ' Or invite me with `/invite @ftrag` in that channel and run the review again.'
      : '';
  return [
    `:information_source: ${title} went out in ${where} without me${why}, so I can't update that message. Your answers are unchanged: new ones would no longer match the verdict people see.`,
    `To change them, click *Re-run with changes* on the verdict: the new verdict is posted in its thread as a revision.${invite}`,
  ];
}

/** Open or Share of someone else's review that isn't known to be in a public channel. */
export function buildPrivateReviewModal(): ModalView {
  return buildNoticeModal(
    'Review',
    ':lock: This review was made in a private conversation, or ftrag can’t tell that its channel is public, so only the person who asked for it can open or share it here.',
    'Ask them to share it, or read it in its thread if you are in that conversation.',
  );
}

/**
 * Share refused at its submission: the modal's review can't be read (the modal was altered or
 * comes from another version of ftrag), or it no longer exists.
 */
export function buildShareRefusedModal(reason: 'unreadable' | 'not-found'): ModalView {
  return buildNoticeModal(
    'Share review',
    reason === 'unreadable'
      ? ':warning: This Share window could not be read (it may be from an older version of ftrag or was altered), so nothing was shared.'
      : ':warning: That review no longer exists, so nothing was shared.',
    reason === 'unreadable'
      ? 'Open *Share* again from the review on your ftrag Home tab.'
      : 'It may have been deleted; your ftrag Home tab lists the reviews there are.',
  );
}
