/** Every callback_id, action_id and block_id the app uses, in one place. */

export const COMMAND = '/ftrag';

/**
 * The bot scopes ftrag asks for, and no more; manifest.yml lists the same (a test checks).
 * channels:read: whether a review's channel is public (conversations.info), for App Home's list of
 * the workspace's reviews.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'im:write',
  'app_mentions:read',
  'files:write',
  'channels:read',
] as const;

/** The message shortcut's name in Slack's ⋮ menu; manifest.yml gives the same (a test checks). */
export const MESSAGE_SHORTCUT_NAME = 'Prompt, RAG, fine-tune?';

export const CallbackId = {
  checklistStep: 'ftrag_checklist_step',
  reviewMessageShortcut: 'ftrag_review_message',
  challengeReason: 'ftrag_challenge_reason',
  shareReview: 'ftrag_share_review',
  reviewDetail: 'ftrag_review_detail',
} as const;

export const BlockId = {
  stepContext: 'step_context',
  title: 'title',
  problem: 'problem',
  leaning: 'leaning',
  /** "Personal or customer data, or who may see what": one optional box on the first step. */
  restrictedData: 'restricted_data',
  promptTried: 'prompt_tried',
  gap: 'gap',
  changesOften: 'changes_often',
  citationsNeeded: 'citations_needed',
  /** "Would all the facts fit in the prompt?"; absent from checklists opened before it was asked. */
  fitsInPrompt: 'fits_in_prompt',
  behaviorKinds: 'behavior_kinds',
  labeledExamples: 'labeled_examples',
  trainingBudget: 'training_budget',
  destination: 'destination',
  broadcast: 'broadcast',
  summary: 'summary',
  /** "Check and post": the warnings the verdict will carry, listed under what ftrag will say. */
  reviewWarnings: 'review_warnings',
  /** The checklist's view in place of a step it can't show (the benchmark looks for it). */
  errorNotice: 'error_notice',
  /** A notice modal's message: a refusal, an error or a confirmation alike. */
  notice: 'notice',
  shareChannel: 'share_channel',
  shareThreadLink: 'share_thread_link',
  homePagingMine: 'home_paging_mine',
  homePagingTeam: 'home_paging_team',
  /** The verdict message's revision line, sign-off tally and buttons. */
  revisionNote: 'revision_note',
  verdictTally: 'verdict_tally',
  verdictActions: 'verdict_actions',
  challengeReason: 'challenge_reason',
  mentionStart: 'mention_start',
  /** "Did you mean `/ftrag history`?": the button that starts the review after all. */
  commandTypo: 'command_typo',
  /** The checklist's Back button, at the end of steps 2 to the last. */
  checklistBack: 'checklist_back',
} as const;

export const ActionId = {
  title: 'title_input',
  problem: 'problem_input',
  leaning: 'leaning_select',
  restrictedData: 'restricted_data_checkbox',
  promptTried: 'prompt_tried_radio',
  gap: 'gap_radio',
  changesOften: 'changes_often_radio',
  citationsNeeded: 'citations_needed_radio',
  fitsInPrompt: 'fits_in_prompt_radio',
  behaviorKinds: 'behavior_kinds_checkboxes',
  labeledExamples: 'labeled_examples_input',
  trainingBudget: 'training_budget_radio',
  destination: 'destination_select',
  broadcast: 'broadcast_checkbox',
  startReview: 'start_review',
  openReview: 'open_review',
  retryDelivery: 'retry_delivery',
  agree: 'agree',
  challenge: 'challenge',
  /** Re-run with changes: a new revision of the verdict, posted in its thread. */
  rerun: 'rerun_review',
  exportRecord: 'export_decision_record',
  challengeReason: 'challenge_reason_input',
  /** "Start review" under the reply to an app mention; its value encodes where and what. */
  startMentionReview: 'start_mention_review',
  /**
   * "Start a review titled …" under the answer to `/ftrag` and a typo of a subcommand; its value
   * is the word typed, the review's title.
   */
  startCommandReview: 'start_command_review',
  /**
   * "Show the history" or "Show the help", first under the same answer: the subcommand probably
   * meant, its value; shown in the question's place.
   */
  runMeantCommand: 'run_meant_command',
  /** Overflow menu on a review in App Home: Open, Share, Edit answers. */
  reviewMenu: 'review_menu',
  homePage: 'home_page',
  shareChannel: 'share_channel_select',
  shareThreadLink: 'share_thread_link_input',
  /** Back to the checklist's previous step, keeping what the current one holds. */
  checklistBack: 'checklist_back',
} as const;

/** The values of the review menu's options are `${ReviewMenuChoice}:${reviewId}`. */
export const ReviewMenuChoice = { open: 'open', share: 'share', edit: 'edit' } as const;
