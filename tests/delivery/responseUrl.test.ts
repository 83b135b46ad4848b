import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postToResponseUrl,
  ResponseUrlError,
  ResponseUrlUnconfirmedError,
} from '../../src/delivery/responseUrl.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';

const CHANNEL = 'C0RESPURL1';
let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack();
  fake.addChannel(CHANNEL, { member: false });
});

afterAll(async () => {
  await fake.close();
});

const message = (text: string) =>
  ({ response_type: 'in_channel', replace_original: false, text }) as const;

describe('postToResponseUrl', () => {
  it('posts a message that unfurls no link', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL });
    await postToResponseUrl(url, message('see https://evil.test'));
    expect(fake.responseUrlPostsTo(url).map((post) => post.body)).toEqual([
      expect.objectContaining({ unfurl_links: false, unfurl_media: false }),
    ]);
  });

  it('never posts again when the answer to a post is lost: Slack may have posted it', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL });
    fake.loseResponseUrlAnswerNext(url);
    const error = await postToResponseUrl(url, message('once only')).catch((e: unknown) => e);
    expect(fake.responseUrlPostsTo(url)).toHaveLength(1);
    expect(fake.messages(CHANNEL).filter((m) => m.text === 'once only')).toHaveLength(1);
    expect(error).toBeInstanceOf(ResponseUrlUnconfirmedError);
  });

  it('never posts again when Slack takes the post and never answers (5 s)', async () => {
    let posts = 0;
    const silent = http.createServer((req) => {
      posts += 1;
      req.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const error = await postToResponseUrl(
        `http://127.0.0.1:${port}/response/x`,
        message('x'),
      ).catch((e: unknown) => e);
      expect(posts).toBe(1);
      expect(error).toBeInstanceOf(ResponseUrlUnconfirmedError);
      expect(error).toMatchObject({
        message: 'no answer from Slack within 5000 ms (response_url)',
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);

  it('never posts again after a 5xx, which says nothing of whether it posted', async () => {
    for (const status of [500, 502, 503, 504]) {
      const url = fake.newResponseUrl({ channel: CHANNEL });
      fake.failResponseUrl(url, status, { times: 1 });
      const error = await postToResponseUrl(url, message('x')).catch((e: unknown) => e);
      expect(fake.responseUrlPostsTo(url)).toHaveLength(1);
      expect(error).toBeInstanceOf(ResponseUrlUnconfirmedError);
      expect(error).toMatchObject({ status });
    }
  });

  it('posts again, after a 5xx or a lost answer, an update that replaces or deletes the message', async () => {
    for (const status of [500, 503]) {
      const url = fake.newResponseUrl({ channel: CHANNEL });
      fake.failResponseUrl(url, status, { times: 1 });
      await postToResponseUrl(url, {
        response_type: 'in_channel',
        replace_original: true,
        text: 'the tally, again',
      });
      expect(fake.responseUrlPostsTo(url).map((post) => post.status)).toEqual([status, 200]);
    }
    const lost = fake.newResponseUrl({ channel: CHANNEL });
    fake.loseResponseUrlAnswerNext(lost);
    await postToResponseUrl(lost, {
      response_type: 'in_channel',
      replace_original: true,
      text: 'the tally, once more',
    });
    expect(fake.responseUrlPostsTo(lost)).toHaveLength(2);
    const deleted = fake.newResponseUrl({ channel: CHANNEL });
    fake.failResponseUrl(deleted, 502, { times: 1 });
    await postToResponseUrl(deleted, {
      response_type: 'ephemeral',
      delete_original: true,
      text: '',
    });
    expect(fake.responseUrlPostsTo(deleted).map((post) => post.status)).toEqual([502, 200]);
  });

  it('posts again, after a 5xx, a new message its caller says is safe to repeat', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL, userId: 'U0RESPURL1' });
    fake.failResponseUrl(url, 503, { times: 1 });
    await postToResponseUrl(
      url,
      { response_type: 'ephemeral', replace_original: false, text: 'a notice' },
      { repeatable: true },
    );
    expect(fake.responseUrlPostsTo(url).map((post) => post.status)).toEqual([503, 200]);
  });

  it('gives up a repeatable post after a few 5xx, as one Slack may have carried out', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL });
    fake.failResponseUrl(url, 500);
    const error = await postToResponseUrl(url, {
      response_type: 'in_channel',
      replace_original: true,
      text: 'x',
    }).catch((e: unknown) => e);
    expect(fake.responseUrlPostsTo(url)).toHaveLength(3);
    expect(error).toBeInstanceOf(ResponseUrlUnconfirmedError);
    expect(error).toMatchObject({ status: 500 });
  });

  it('reports as unconfirmed a repeatable post refused after an attempt Slack may have carried out', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL });
    fake.failResponseUrl(url, 503, { times: 1 });
    const error = postToResponseUrl(url, {
      response_type: 'in_channel',
      replace_original: true,
      text: 'x',
    }).catch((e: unknown) => e);
    // The second attempt finds the URL refused (as a used-up one is).
    await new Promise((resolve) => setTimeout(resolve, 50));
    fake.failResponseUrl(url, 404);
    expect(await error).toBeInstanceOf(ResponseUrlUnconfirmedError);
    expect(fake.responseUrlPostsTo(url).map((post) => post.status)).toEqual([503, 404]);
  });

  it('posts again after a 429: Slack did nothing with it', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL });
    fake.failResponseUrl(url, 429, { times: 1, body: 'rate_limited' });
    await postToResponseUrl(url, message('after a rate limit'));
    expect(fake.responseUrlPostsTo(url).map((post) => post.status)).toEqual([429, 200]);
  });

  it('fails a refusal (4xx) at once, as a plain error: nothing was posted', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL });
    fake.failResponseUrl(url, 404);
    const error = await postToResponseUrl(url, message('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseUrlError);
    expect(error).not.toBeInstanceOf(ResponseUrlUnconfirmedError);
    expect(fake.responseUrlPostsTo(url)).toHaveLength(1);
  });

  it('fails a post that never reached Slack (connection refused) as a plain error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await postToResponseUrl(
      `http://127.0.0.1:${port}/response/x`,
      message('x'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseUrlError);
    expect(error).not.toBeInstanceOf(ResponseUrlUnconfirmedError);
  });
});
