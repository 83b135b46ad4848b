import { describe, expect, it } from 'vitest';
import {
  reviewDetailModal,
  shareReviewModal,
} from '../../../src/listeners/actions/reviewMenuViews.js';
import type { DeliveryOutcome, Review } from '../../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { newReviewFixture, postedOutcomeFixture, uniqueId } from '../../storage/support.js';
import { deliverySetup } from '../../support/deliverySetup.js';

const CHANNEL = 'C0OPENREV1';
const FIRST_LINK = `https://fake.slack.test/archives/${CHANNEL}/p1700000001000200`;
const SECOND_LINK = `${FIRST_LINK}?thread_ts=1700000001.000200&cid=${CHANNEL}`;
const setup = deliverySetup(CHANNEL);

/** A first verdict (RAG) and its revision (Fine-tune), both delivered, in a workspace of their own. */
async function revisedLine() {
  const clock = () => new Date();
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  const deps = setup.listenerDeps(reviews, clock);
  const teamId = uniqueId('T');
  const deliver = async (
    outcome: Partial<DeliveryOutcome>,
    revisionOf?: string,
  ): Promise<Review> => {
    const { review } = await reviews.createPending(
      newReviewFixture({
        teamId,
        userId: 'U0ASKER001',
        target: { channelId: CHANNEL, threadTs: null, broadcast: false, responseUrl: null },
        verdict: revisionOf ? 'fine-tune' : 'rag',
        ...(revisionOf ? { revisionOf } : {}),
      }),
    );
    return reviews.markDelivered(
      teamId,
      review.id,
      postedOutcomeFixture({ postedChannelId: CHANNEL, ...outcome }),
    );
  };
  const first = await deliver({ permalink: FIRST_LINK });
  const second = await deliver(
    { messageTs: '1700000002.000300', permalink: SECOND_LINK },
    first.id,
  );
  return { deps, teamId, first, second };
}

describe('Open from App Home', () => {
  it('a superseded first verdict says so and links the newest; its own sign-offs show', async () => {
    const { deps, teamId, first } = await revisedLine();
    await deps.votes.setVote(teamId, first.id, 'U0AGREER01', 'agree', null);
    await deps.votes.setVote(teamId, first.id, 'U0CHALNGR1', 'challenge', 'Too few <labels>');
    const text = JSON.stringify((await reviewDetailModal(deps, first)).blocks);
    expect(text).toContain('this is revision 1');
    expect(text).toContain('revision 2 is current, with the verdict *Fine-tune*');
    expect(text).toContain(`<${SECOND_LINK}|Open revision 2>`);
    expect(text).toContain('✅ 1 agreed · ❓ 1 challenged');
    expect(text).toContain('Too few &lt;labels&gt;');
  });

  it('the revision says which it is and what it changed, and is not called superseded', async () => {
    const { deps, second } = await revisedLine();
    const modal = await reviewDetailModal(deps, second);
    const text = JSON.stringify(modal.blocks);
    expect(text).toContain('Revision 2: verdict changed from RAG to Fine-tune');
    expect(text).not.toContain('Superseded');
    expect(text).toContain('No sign-offs yet');
  });
});

describe('Share from App Home', () => {
  it('of a superseded revision warns before submit', async () => {
    const { deps, first, second } = await revisedLine();
    expect(JSON.stringify((await shareReviewModal(deps, first)).blocks)).toContain(
      'revision 2 is current',
    );
    expect(JSON.stringify((await shareReviewModal(deps, second)).blocks)).not.toContain(
      'Superseded',
    );
  });
});
