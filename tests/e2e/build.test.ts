/**
 * The production build: `npm run build` compiles src/ to dist/, which `npm start` runs with plain
 * Node.js. `npm test` builds before Vitest runs, so this checks the artifact of this very tree.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';
import { E2e, EXAMPLES } from './harness.js';

const ENTRY = 'dist/src/index.js';

describe('the production build', () => {
  it('runs with plain Node.js: a whole review, posted with its thread reply', async () => {
    expect(existsSync(path.join(repoRoot, ENTRY)), `${ENTRY} is missing: npm run build`).toBe(true);
    const e2e = await E2e.start({ entry: ENTRY });
    try {
      const { modal } = await e2e.slashCommand(EXAMPLES.knowledge.title);
      if (!modal) throw new Error('no modal');
      const before = e2e.fake.calls.length;
      await e2e.walkChecklist(modal.id, EXAMPLES.knowledge);
      const reply = await e2e.fake.waitFor(
        'chat.postMessage',
        (call) => call.index >= before && call.args.thread_ts !== undefined,
      );
      expect(reply.args.channel).toBeTruthy();
    } finally {
      await e2e.close();
    }
  });
});
