/**
 * Reference for the benchmark: a bare Bolt app doing the least the same requests need. Its slash
 * command acks and opens a one-block modal; a checklist step acks with `response_action: update`
 * and a one-block modal; the last step acks, then posts a message and a thread reply. No storage,
 * no rules, no logging beyond Bolt's defaults.
 */
import { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench/bareBolt.ts needs ${name}`);
  return value;
}

const MODAL: ModalView = {
  type: 'modal',
  callback_id: 'ftrag_checklist_step',
  title: { type: 'plain_text', text: 'ftrag review' },
  submit: { type: 'plain_text', text: 'Next' },
  blocks: [
    {
      type: 'input',
      block_id: 'title',
      label: { type: 'plain_text', text: 'What are you building?' },
      element: { type: 'plain_text_input', action_id: 'title_input' },
    },
  ],
};

const app = new App({
  token: required('SLACK_BOT_TOKEN'),
  signingSecret: required('SLACK_SIGNING_SECRET'),
  clientOptions: { slackApiUrl: required('SLACK_API_URL') },
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      },
    },
  ],
});

app.command('/ftrag', async ({ ack, command, client }) => {
  await ack();
  await client.views.open({ trigger_id: command.trigger_id, view: MODAL });
});

app.view('ftrag_checklist_step', async ({ ack, view, client }) => {
  if (!view.private_metadata.includes('"step":"review"')) {
    await ack({ response_action: 'update', view: MODAL });
    return;
  }
  await ack();
  const { channelId } = JSON.parse(view.private_metadata) as { channelId: string };
  const parent = await client.chat.postMessage({ channel: channelId, text: 'Verdict' });
  if (parent.ts) {
    await client.chat.postMessage({ channel: channelId, thread_ts: parent.ts, text: 'Detail' });
  }
});

await app.start(Number(process.env.PORT ?? 3000));

process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
