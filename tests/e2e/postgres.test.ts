import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresSchema,
  type PostgresSchema,
  postgresProbe,
  postgresSuiteTitle,
} from '../storage/support.js';
import { ASKER, E2e, EXAMPLES } from './harness.js';

const skip = !postgresProbe.available;

describe.skipIf(skip)(postgresSuiteTitle('two app instances on one PostgreSQL database'), () => {
  let schema: PostgresSchema;
  let e2e: E2e;

  beforeAll(async () => {
    schema = await createPostgresSchema();
    // Both instances boot at once against a fresh schema: the migrations must not trip each other.
    e2e = await E2e.start({ databaseUrl: schema.url, instances: 0 });
    await Promise.all([e2e.startInstance(), e2e.startInstance()]);
  });

  afterAll(async () => {
    await e2e?.close();
    await schema?.drop();
  });

  it('serves the command and first steps on one instance and the rest on the other: one verdict', async () => {
    const channel = 'C0TWOAPPS1';
    e2e.fake.addChannel(channel, { member: true });
    const { modal } = await e2e.slashCommand('Across two instances', { channel, instance: 0 });
    if (!modal) throw new Error('no modal');
    const before = e2e.fake.calls.length;
    await e2e.walkChecklist(
      modal.id,
      { ...EXAMPLES.both, title: 'Across two instances' },
      {
        instanceFor: (step) => (step < 2 ? 0 : 1),
      },
    );
    await e2e.fake.waitFor('chat.getPermalink', (call) => call.index >= before);
    const parents = e2e.fake
      .messages(channel)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
    expect(parents).toHaveLength(1);
    expect(parents[0]?.text).toMatch(/^Verdict: RAG \+ fine-tune/);

    // The review is shared state: the other instance lists it in Home.
    await expect
      .poll(async () => JSON.stringify((await e2e.openHome(ASKER, { instance: 0 })).view))
      .toContain('Across two instances');
  });
});
