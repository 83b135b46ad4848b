import type { FakeSlack } from './fakeSlack.js';

/**
 * The ways Slack may carry out a chat.postMessage without confirming it: a label, how the fake is
 * told to answer the next post so, and the words ftrag's notice gives for that cause.
 */
export const UNCONFIRMED_CHAT_POSTS: [string, (fake: FakeSlack) => void, string][] = [
  [
    'its answer lost',
    (fake) => fake.loseAnswerNext('chat.postMessage'),
    "Slack's answer never reached me.",
  ],
  [
    'a 503',
    (fake) => fake.failNext('chat.postMessage', { status: 503 }),
    'Slack answered with a server error (HTTP 503), which can come after a message was posted.',
  ],
  ...['internal_error', 'fatal_error'].map((error): [string, (fake: FakeSlack) => void, string] => [
    error,
    (fake) => fake.failNext('chat.postMessage', { error }),
    `Slack answered \`${error}\`, which can come after a message was posted.`,
  ]),
];
