import type { Answers } from '../decision/answers.js';
import type { Decision } from '../decision/types.js';

export const DELIVERY_STATUSES = [
  'pending',
  'posted',
  'posted-via-response-url',
  'sent-as-dm',
  'failed',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A review in one of these has not reached Slack: never posted, or its posting failed. */
export const UNDELIVERED_STATUSES: readonly DeliveryStatus[] = ['pending', 'failed'];

export const CONVERSATION_VISIBILITIES = ['public', 'private'] as const;
/**
 * Whether everyone in the workspace may read the conversation a verdict went to: 'public' for a
 * public channel of the workspace, 'private' for anything else (private channel, DM, group DM,
 * channel shared with another organization).
 */
export type ConversationVisibility = (typeof CONVERSATION_VISIBILITIES)[number];

/** Where a review's verdict is meant to go, decided when the checklist starts. */
export interface DeliveryTarget {
  /** Channel (or DM) to post in; null when the person asked for a DM from App Home. */
  channelId: string | null;
  /** Post as a reply in this thread instead of as a new parent message. */
  threadTs: string | null;
  /** Also send a thread reply to the channel (reply_broadcast). */
  broadcast: boolean;
  /**
   * The response_url of the command, the shortcut, or the clicked verdict a re-run started from:
   * the fallback when the bot is not in the channel.
   */
  responseUrl: string | null;
}

export interface Review {
  id: string;
  teamId: string;
  enterpriseId: string | null;
  userId: string;
  target: DeliveryTarget;
  answers: Answers;
  decision: Decision;
  rulesVersion: string;
  status: DeliveryStatus;
  /**
   * Why the last posting failed ('failed'); for 'sent-as-dm', why the channel refused the verdict,
   * which the DM's notice is rebuilt from on every update of the message.
   */
  lastError: string | null;
  /** The channel the verdict actually landed in (may be the person's DM). */
  postedChannelId: string | null;
  /** ts of the verdict's parent message (or of the reply, when threaded under someone's message). */
  messageTs: string | null;
  /** ts of the thread the detail and the discussion live in. */
  threadTs: string | null;
  permalink: string | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The review this one revises ("Re-run with changes"), null for a first verdict. Always set by
   * the repository; optional so code that builds a Review by hand (previews, tests) stays valid.
   */
  revisionOf?: string | null;
  /** 1 for a first verdict, 2 for its first revision, … Always set by the repository. */
  revision?: number;
  /**
   * Until when an instance holds the posting of this review ({@link ReviewRepository.claimDelivery});
   * null when none does. Always set by the repository.
   */
  deliveryClaimedUntil?: Date | null;
  /**
   * Whether a posting has claimed this review since it was saved or last marked failed, and did not
   * give it back having sent Slack nothing ({@link ReviewRepository.releaseDelivery}); its claim
   * may still be held. Of an undelivered review no posting holds, with no `postedVerdict`: a
   * posting broke off mid-call, or its instance died, and the verdict may be in the channel. Always
   * set by the repository.
   */
  postingStarted?: boolean;
  /**
   * Whether the conversation the verdict went to is public, as Slack said once it was delivered;
   * null while not known (not delivered yet, delivered before ftrag asked, or Slack would not say),
   * which counts as not public. Always set by the repository.
   */
  conversationVisibility?: ConversationVisibility | null;
  /**
   * 1, then one more each time an edit changes the verdict: votes count only on the version they
   * were cast on (see VoteRepository). Always set by the repository.
   */
  verdictVersion?: number;
  /**
   * The verdict message a posting put out while the review is still undelivered: recorded before
   * the rest of the posting (the thread reply, the delivery itself), so a posting that broke off in
   * between is finished by the next one instead of posted twice. Null once the delivery is on
   * record, or when none is known. Always set by the repository.
   */
  postedVerdict?: PostedVerdict | null;
}

/** A verdict message out in Slack, as recorded before its delivery is (see `postedVerdict`). */
export interface PostedVerdict {
  /** 'posted' in the review's conversation (or the DM asked for), 'sent-as-dm' as a fallback. */
  status: 'posted' | 'sent-as-dm';
  /** The conversation it landed in. */
  channelId: string;
  /** The verdict message's ts. */
  messageTs: string;
  /** The thread its detail goes in: the message's own ts, or the thread it was posted in. */
  threadTs: string;
  /** For 'sent-as-dm': the Slack error posting in the channel gave, for the DM's notice. */
  channelError: string | null;
}

export interface NewReview {
  /** Idempotency key: the same final submission twice (double click, Slack retry) is one review. */
  submissionKey: string;
  teamId: string;
  enterpriseId: string | null;
  userId: string;
  target: DeliveryTarget;
  answers: Answers;
  decision: Decision;
  /**
   * Re-run with changes: the review being revised. The new review becomes the newest revision of
   * that review's chain (if a later revision already exists, it revises that one instead) and its
   * `revision` is one more than its predecessor's.
   */
  revisionOf?: string | null;
}

export interface DeliveryOutcome {
  status: Exclude<DeliveryStatus, 'pending' | 'failed'>;
  postedChannelId: string | null;
  messageTs: string | null;
  threadTs: string | null;
  permalink: string | null;
  /**
   * For 'sent-as-dm' and 'posted-via-response-url': the Slack error posting in the channel gave;
   * kept as `lastError` (the DM's notice and Edit answers' refusal say why from it).
   */
  channelError?: string | null;
}

/**
 * Whether `review`, as markFailed returned it, has that failure (`error`) on record: not so when
 * another posting delivered the review meanwhile, or holds a claim on it and is posting it.
 */
export function recordsFailure(review: Review, error: string): boolean {
  return review.status === 'failed' && review.lastError === error && !review.deliveryClaimedUntil;
}

/** Whether `review` has `outcome` on record as its delivery, rather than another posting's. */
export function recordsOutcome(review: Review, outcome: DeliveryOutcome): boolean {
  return (
    review.status === outcome.status &&
    review.postedChannelId === outcome.postedChannelId &&
    review.messageTs === outcome.messageTs &&
    review.threadTs === outcome.threadTs
  );
}

export interface Page {
  limit: number;
  offset: number;
}

export interface ReviewList {
  reviews: Review[];
  total: number;
}

export interface ReviewScope {
  teamId: string;
  userId?: string;
  channelId?: string;
  /**
   * Only reviews whose conversation is known to be public (`conversationVisibility` 'public'):
   * what anyone in the workspace may read.
   */
  publicOnly?: boolean;
  /**
   * Only reviews whose verdict reached Slack: none of {@link UNDELIVERED_STATUSES}, which App Home
   * lists apart, with Post again.
   */
  deliveredOnly?: boolean;
}

/** Delivered reviews of one workspace, in one conversation, whose visibility is not known. */
export interface UnknownVisibility {
  teamId: string;
  /** The workspace's Enterprise Grid organization, as its reviews recorded it (null: none). */
  enterpriseId: string | null;
  /** Where their verdicts landed (`postedChannelId`): a channel, or a DM (D…). */
  conversationId: string;
  reviews: number;
}

/**
 * What {@link ReviewRepository.updateAnswers} did: saved the answers, the review as saved and what
 * the save replaced (the answers and decision the review held right before it); or refused them,
 * the review as it is.
 */
export type AnswersUpdate =
  | { updated: true; review: Review; replaced: { answers: Answers; decision: Decision } }
  | { updated: false; review: Review; replaced?: never };

/** A review as {@link ReviewRepository.claimDelivery} claimed it. */
export type ClaimedReview = Review & {
  /**
   * Whether a posting had started the review before this claim (`postingStarted` as it was): a
   * posting that gives its claim back having sent Slack nothing leaves the review not started only
   * when this is false.
   */
  startedBefore: boolean;
};

export interface ReviewRepository {
  /** Saves a pending review; a second call with the same submissionKey returns the first review. */
  createPending(input: NewReview): Promise<{ review: Review; created: boolean }>;
  /**
   * Claims the posting of a review for `leaseMs`: the review, when its status is one of `postable`
   * and no unexpired claim holds it; else null. One conditional UPDATE, so of several instances
   * racing to post the same review exactly one gets it. markDelivered and markFailed release it.
   * `unattended` (a posting nobody asked for, see {@link ReviewRepository.listUnattended}): only a
   * review that one would list, whatever its age; else null.
   */
  claimDelivery(
    teamId: string,
    id: string,
    postable: readonly DeliveryStatus[],
    leaseMs: number,
    unattended?: boolean,
  ): Promise<ClaimedReview | null>;
  /**
   * Extends the claim that ends at `heldUntil` (the `deliveryClaimedUntil` claimDelivery returned,
   * or the last extension) to `leaseMs` from now: its new end, or null when that claim is no longer
   * held (released, ended, or lapsed and taken by another posting, whose claim is left alone).
   */
  extendDelivery(
    teamId: string,
    id: string,
    heldUntil: Date,
    leaseMs: number,
  ): Promise<Date | null>;
  /**
   * Gives back the claim that ends at `heldUntil` without an outcome (the posting broke off); the
   * review stays as it was, and a claim another posting has taken since is left alone. Its
   * `deliveryClaimedUntil` reads null again. `started` (by default): the row still tells that a
   * posting started it (`postingStarted`; see {@link ReviewRepository.listUnattended}). False only
   * when the posting sent Slack nothing and no posting had started the review before its claim
   * ({@link ClaimedReview.startedBefore}): the review is then as if never claimed.
   */
  releaseDelivery(teamId: string, id: string, heldUntil: Date, started?: boolean): Promise<void>;
  /**
   * Records where the verdict landed, and releases the delivery claim, whoever holds it: the verdict
   * is out, and a delivered review is not claimed again (a posting still holding a claim finds the
   * delivery on record and takes its own copy back). A review that another posting delivered
   * meanwhile keeps that delivery, and is returned as it is: see {@link recordsOutcome}.
   */
  markDelivered(teamId: string, id: string, outcome: DeliveryOutcome): Promise<Review>;
  /**
   * Records the link of a delivered review's verdict `message`, once the delivery is on record: only
   * while the delivery on record is that message (not another posting's copy). Returns the review
   * as it is now; throws ReviewNotFoundError when there is none.
   */
  recordPermalink(
    teamId: string,
    id: string,
    message: { channel: string; ts: string },
    permalink: string,
  ): Promise<Review>;
  /**
   * Records the verdict message a posting has just put out, before it posts the rest and records
   * the delivery (it replaces one recorded before). Like markFailed, only over the caller's own
   * claim (the one ending at `heldUntil`, null when it holds none) or one that has ended, and only
   * while the review is undelivered; else nothing is written. Returns the review as it is now.
   * markDelivered clears it: the delivery's own fields say where the verdict is from then on.
   * `posted` null forgets the one on record (its message is gone), on the same terms.
   */
  recordPostedVerdict(
    teamId: string,
    id: string,
    posted: PostedVerdict | null,
    heldUntil: Date | null,
  ): Promise<Review>;
  /**
   * Records why the verdict could not be posted, and releases the delivery claim: the caller's own
   * claim, the one ending at `heldUntil` (null when it holds none), or one that has ended. A review
   * that another posting delivered meanwhile, or that another posting holds a claim on (it took
   * over after the caller's claim lapsed, and is posting it), is left as it is and returned as it
   * is: see {@link recordsFailure}.
   */
  markFailed(teamId: string, id: string, error: string, heldUntil: Date | null): Promise<Review>;
  /**
   * Records whether the conversation the review's verdict went to is public; returns the review as
   * it is now.
   */
  recordVisibility(teamId: string, id: string, visibility: ConversationVisibility): Promise<Review>;
  /**
   * Delivered reviews whose conversation's visibility is not known (null), counted by workspace and
   * conversation, in order of team id then conversation id; only `teamId`'s when given.
   */
  listUnknownVisibility(teamId?: string): Promise<UnknownVisibility[]>;
  /**
   * Records `visibility` for the delivered reviews of `teamId` posted in `conversationId` whose
   * visibility is not known (one already recorded stays as it is); returns how many.
   */
  recordConversationVisibility(
    teamId: string,
    conversationId: string,
    visibility: ConversationVisibility,
  ): Promise<number>;
  /**
   * Re-answers an existing review (Edit answers); the delivery fields stay. A conditional UPDATE:
   * only a review that, at the time of the write, is undelivered with no unexpired delivery claim,
   * or delivered with a message the app can update (`messageTs`), and with no later revision (no
   * review has it as `revisionOf`), the rule of `editRefusal`. Else nothing is written and the
   * review is returned as it is, with `updated: false`. Of an edit and a re-run of the review
   * (createPending) made at the same time, one comes first: the edit, and the re-run revises the
   * edited review; or the re-run, and the edit is refused. Never an edit of a revised review.
   * A save that changes the verdict also moves its `verdictVersion` on, in the same write: from
   * then on the votes cast on the earlier verdict no longer count.
   * A save returns what it `replaced`, read with the row locked in the write's own transaction: of
   * two edits saved at the same time, one replaced what the review held before either, the other
   * what the first one wrote. What an edit changed (its verdict, its answers) is what it saved
   * against what it replaced, not against the review as read before the save.
   */
  updateAnswers(
    teamId: string,
    id: string,
    answers: Answers,
    decision: Decision,
  ): Promise<AnswersUpdate>;
  get(teamId: string, id: string): Promise<Review | null>;
  /**
   * The newest revision of the chain that `id` belongs to, following later revisions (`id`'s own
   * review when none is newer); null when the review is not in `teamId`.
   */
  latestRevision(teamId: string, id: string): Promise<Review | null>;
  /**
   * Every revision of the line that `id` belongs to, first verdict (revision 1) first and newest
   * last: re-runs never fork a line (see {@link NewReview.revisionOf}). Empty when the review is
   * not in `teamId`.
   */
  revisionLine(teamId: string, id: string): Promise<Review[]>;
  /** Those of `ids` that a re-run has revised (a later revision of them exists), in `teamId`. */
  revisedAmong(teamId: string, ids: readonly string[]): Promise<Set<string>>;
  /** Newest first. channelId matches the channel the review was posted to or targeted. */
  list(scope: ReviewScope, page: Page): Promise<ReviewList>;
  countByVerdict(scope: ReviewScope): Promise<Record<string, number>>;
  /**
   * The person's reviews whose verdict has not reached Slack ({@link UNDELIVERED_STATUSES}),
   * whatever their delivery claim: newest first, at most `limit`; `total` counts them all.
   */
  listUndelivered(teamId: string, userId: string, limit: number): Promise<ReviewList>;
  /**
   * Pending reviews an instance may post without anyone asking, of every workspace, saved at or
   * before `savedBefore`, oldest first, at most `limit`: with no unexpired claim, and either never
   * started by any posting (queued, but its posting never started: left by a stop, or by an
   * instance that died before its turn came; or its posting broke off before it sent Slack
   * anything, see releaseDelivery), or with a posted verdict on record (its posting broke
   * off after the verdict went out, and the next one finishes it). Not one claimed before without a
   * posted verdict on record: its posting broke off mid-call, the verdict may be in the channel,
   * and whether to post it again is for the asker to decide (App Home's Post again). Nor one
   * pending from before migration 0011, whether claimed or not (the previous version gave a claim
   * back as null), unless it has a posted verdict on record.
   */
  listUnattended(savedBefore: Date, limit: number): Promise<Review[]>;
  /** Deletes every review of a workspace; returns how many. */
  purgeTeam(teamId: string): Promise<number>;
}
