import type { Migration, MigrationProvider } from 'kysely';
import * as reviews from './0001_reviews.js';
import * as installations from './0002_installations.js';
import * as votes from './0003_votes.js';
import * as reviewRevisions from './0004_review_revisions.js';
import * as deliveryClaims from './0005_delivery_claims.js';
import * as undeliveredIndex from './0006_undelivered_index.js';
import * as conversationVisibility from './0007_conversation_visibility.js';
import * as supersededReviews from './0008_superseded_reviews.js';
import * as verdictVersions from './0009_verdict_versions.js';
import * as postedVerdict from './0010_posted_verdict.js';
import * as unattendedClaims from './0011_unattended_claims.js';

/**
 * Imported statically (no filesystem glob) so they work under tsx and any bundler. Names sort in
 * execution order; never rename or reorder an entry once released, only append.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_reviews': reviews,
  '0002_installations': installations,
  '0003_votes': votes,
  '0004_review_revisions': reviewRevisions,
  '0005_delivery_claims': deliveryClaims,
  '0006_undelivered_index': undeliveredIndex,
  '0007_conversation_visibility': conversationVisibility,
  '0008_superseded_reviews': supersededReviews,
  '0009_verdict_versions': verdictVersions,
  '0010_posted_verdict': postedVerdict,
  '0011_unattended_claims': unattendedClaims,
};

export const staticMigrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
