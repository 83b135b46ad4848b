import { type Kysely, sql } from 'kysely';

/**
 * Pending reviews saved before the delivery sweep get `delivery_claimed_until` 0 (a claim given
 * back) where it is null. The sweep posts, unattended, a pending review whose claim is null as one
 * whose posting never started; but the previous version also wrote null when a posting broke off
 * mid-call (its verdict may well be in the channel), so a null from before tells nothing. Those
 * reviews stay for the asker to post again from App Home, as before the sweep; one with a posted
 * verdict on record is still finished by the sweep. Only those rows are written, and a second run
 * finds nothing more to change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update reviews set delivery_claimed_until = 0
    where status = 'pending' and delivery_claimed_until is null`.execute(db);
}

/** Nothing to undo: 0 is an ended claim, which the previous version reads like null. */
export async function down(_db: Kysely<unknown>): Promise<void> {}
