import type { ColumnType } from 'kysely';

/**
 * Milliseconds since the Unix epoch in a BIGINT column: sorts numerically on both dialects with no
 * collation involved. node-postgres returns int8 as a string, so reads are `number | string`.
 */
export type EpochMillis = ColumnType<number | string, number, number>;

/** JSON serialized by the application into a TEXT column (parsed and validated on read). */
export type JsonText = string;

export interface ReviewsTable {
  id: string;
  team_id: string;
  enterprise_id: string | null;
  user_id: string;
  submission_key: string;
  /** JSON of DeliveryTarget. */
  target: JsonText;
  /** target.channelId, denormalized so listing by channel can use an index. */
  target_channel_id: string | null;
  /** JSON of Answers. */
  answers: JsonText;
  /** JSON of Decision. */
  decision: JsonText;
  /** decision.verdict, denormalized for counting. */
  verdict: string;
  rules_version: string;
  status: string;
  last_error: string | null;
  posted_channel_id: string | null;
  message_ts: string | null;
  thread_ts: string | null;
  permalink: string | null;
  created_at: EpochMillis;
  updated_at: EpochMillis;
  /** The review this one revises (Re-run with changes); null for a first verdict. */
  revision_of: string | null;
  /** 1 for a first verdict, then 2, 3 … along the revision chain (default 1). */
  revision: ColumnType<number, number | undefined, number>;
  /**
   * Until when an instance holds the posting of this review (epoch ms): a time past when none does,
   * 0 once a posting gave its claim back (and for any review pending at migration 0011), null when
   * no posting ever claimed it.
   */
  delivery_claimed_until: ColumnType<
    number | string | null,
    number | null | undefined,
    number | null
  >;
  /** 'public' or 'private': the conversation the verdict went to; null while not known. */
  conversation_visibility: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 once a re-run made a later revision of this review (set in the same transaction), else 0. */
  superseded: ColumnType<number, number | undefined, number>;
  /** 1, then one more each time an edit changes the verdict: what votes are cast on. */
  verdict_version: ColumnType<number, number | undefined, number>;
  /**
   * JSON of PostedVerdict: the verdict message a posting put out, recorded before its delivery is;
   * null when none is known (see migration 0010).
   */
  posted_verdict: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface InstallationsTable {
  /** The enterprise id for an org-wide install, else the team id. */
  id: string;
  team_id: string | null;
  enterprise_id: string | null;
  /** 0 or 1: SQLite has no boolean type. */
  is_enterprise_install: number;
  bot_token: string | null;
  bot_user_id: string | null;
  /** Comma-separated, as Slack writes scopes. */
  bot_scopes: string | null;
  /** The installing user. */
  user_id: string;
  /** JSON of Bolt's Installation. */
  installation: JsonText;
  created_at: EpochMillis;
  updated_at: EpochMillis;
}

export interface VotesTable {
  review_id: string;
  team_id: string;
  user_id: string;
  vote: string;
  reason: string | null;
  updated_at: EpochMillis;
  /**
   * The review's verdict_version this vote was cast on; it counts only while that is current. NULL
   * when an instance from before versions wrote it (rolling upgrade): cast on the current verdict.
   */
  verdict_version: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface Schema {
  reviews: ReviewsTable;
  installations: InstallationsTable;
  votes: VotesTable;
}
