import { createStorage, type Review } from '../../src/storage/index.js';
import {
  answerUntilLastStep,
  openChecklist,
  type Running,
  submitStep,
} from '../observability/support.js';
import type { ExitInfo } from '../support/appProcess.js';
import { DEFAULT_TEAM_ID } from '../support/slackIds.js';

/** The workspace's reviews as the database has them, read through a storage of the test's own. */
export async function reviewsIn(databaseUrl: string): Promise<Review[]> {
  const storage = await createStorage(databaseUrl);
  try {
    const { reviews } = await storage.reviews.list(
      { teamId: DEFAULT_TEAM_ID },
      { limit: 50, offset: 0 },
    );
    return reviews;
  } finally {
    await storage.close();
  }
}

/**
 * Nine final submissions titled `<titlePrefix> 0…8`: eight postings take every turn (Slack holds
 * their verdicts), the ninth waits for one; then SIGTERM, and once the stop has begun Slack
 * answers again. Resolves with the process's exit once it has exited.
 */
export async function stopWithOneQueued(running: Running, titlePrefix: string): Promise<ExitInfo> {
  const { fake, app } = running;
  const reviews = Array.from({ length: 9 }, (_, index) => ({
    title: `${titlePrefix} ${index}`,
    problem: 'SIGTERM with a posting queue',
  }));
  const viewIds: string[] = [];
  for (const review of reviews) {
    const viewId = await openChecklist(running, review);
    await answerUntilLastStep(running, viewId, review);
    viewIds.push(viewId);
  }
  const holds = Array.from({ length: 8 }, () => fake.holdNext('chat.postMessage'));
  for (const [index, review] of reviews.entries()) {
    const answered = await submitStep(running, viewIds[index] ?? '', review);
    if (answered.status !== 200) throw new Error(`final submission answered ${answered.status}`);
  }
  await Promise.all(holds.map((hold) => hold.arrived));
  const exit = app.stop('SIGTERM');
  await app.waitForLog('shutting down');
  // Slack answers again: a turn comes free, well within the shutdown timeout.
  for (const hold of holds) hold.release();
  return exit;
}
