/**
 * The production build: `npm run build` compiles src/ to dist/ and bundles it (scripts/bundle.mjs)
 * into dist/ftrag.js, which `npm start` runs with plain Node.js. `npm test` builds before Vitest
 * runs, so this checks the artifact of this very tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRecord } from '../support/json.js';
import { repoRoot } from '../support/paths.js';
import { E2e, EXAMPLES } from './harness.js';

const ENTRY = 'dist/ftrag.js';

describe('the production build', () => {
  it('maps the bundle back to the TypeScript sources, for stack traces', () => {
    const map: unknown = JSON.parse(readFileSync(path.join(repoRoot, `${ENTRY}.map`), 'utf8'));
    const sources = isRecord(map) && Array.isArray(map.sources) ? map.sources : [];
    expect(sources).toContain('../src/app.ts');
    expect(sources).toContain('../src/listeners/views/checklistStepSubmission.ts');
    // Bolt stays out of the bundle: it loads from node_modules as in any Bolt app.
    expect(sources.filter((source) => String(source).includes('@slack/bolt'))).toEqual([]);
  });

  it('runs with plain Node.js: a whole review, posted with its thread reply', async () => {
    expect(existsSync(path.join(repoRoot, ENTRY)), `${ENTRY} is missing: npm run build`).toBe(true);
    const e2e = await E2e.start({ entry: ENTRY, env: { LOG_LEVEL: 'info' } });
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

      // The bundled libraries work as they do unbundled: metrics, JSON log lines, a clean stop.
      const app = e2e.apps[0];
      if (!app) throw new Error('no app process');
      const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(
        /^ftrag_requests_total\{kind="view_submission",status="200"\} [1-9]/m,
      );
      // A request's line is written once it is done, and reaches the test through stdout.
      await expect
        .poll(() => app.stdout())
        .toMatch(/^\{"level":"info",.*"msg":"slack request"\}$/m);
      expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      await e2e.close();
    }
  });
});
