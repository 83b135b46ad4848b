import type { FakeSlack } from './fakeSlack.js';

/**
 * The ways Slack may carry out a post (`method`) without confirming it: a label, how the fake is
 * told to answer the next such call so, and the words ftrag's notice gives for that cause.
 */
export function unconfirmedPostsOf(method: string): [string, (fake: FakeSlack) => void, string][] {
  return [
    ['its answer lost', (fake) => fake.loseAnswerNext(method), "Slack's answer never reached me"],
    [
      'a 503',
      (fake) => fake.failNext(method, { status: 503 }),
      'Slack answered with a server error (HTTP 503), which can come after a message was posted',
    ],
    ...['internal_error', 'fatal_error'].map(
      (error): [string, (fake: FakeSlack) => void, string] => [
        error,
        (fake) => fake.failNext(method, { error }),
        `Slack answered \`${error}\`, which can come after a message was posted`,
      ],
    ),
  ];
}
