// The Slack client against the Slack HTTP double: what reaches Slack, retries, and error advice.
import { expect } from 'chai';
import { SlackError } from '../../src/errors.ts';
import { SlackNotifier } from '../../src/slack/client.ts';
import { FakeSlack } from '../../src/simulator/fake-slack.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const fast = { retries: 3, minTimeout: 10, maxTimeout: 20, maxRetryTime: 5000, requestTimeout: 500 };
const message = { text: 'hello', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hello' } }], metadata: { event_type: 'ecs_deployment', event_payload: { status: 'live' } } };

describe('slack/client', () => {
  let slack: FakeSlack;
  let notifier: SlackNotifier;
  beforeEach(async () => {
    slack = new FakeSlack();
    await slack.start();
    notifier = new SlackNotifier({ token: 'xoxb-test-1', channel: '#deploys', apiUrl: slack.url }, silent, fast);
  });
  afterEach(() => slack.stop());

  it('posts, then updates the same message by channel ID, and replies in its thread', async () => {
    await notifier.post(message);
    await notifier.update({ ...message, text: 'updated' });
    await notifier.reply({ text: 'why', blocks: [] });
    expect(slack.calls.map((c) => [c.method, c.channel, c.ts ?? c.thread_ts ?? null])).to.deep.equal([
      ['chat.postMessage', '#deploys', null],
      ['chat.update', slack.channelId, '1764237600.000001'],
      ['chat.postMessage', slack.channelId, '1764237600.000001'],
    ]);
    expect(slack.calls[0]?.metadata).to.deep.equal(message.metadata);
    expect(slack.calls.every((c) => c.token === 'xoxb-test-1')).to.equal(true);
  });

  it('retries 429 (after Retry-After) and 5xx', async () => {
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429 }, { method: 'chat.update', times: 2, error: 500 });
    const started = Date.now();
    await notifier.post(message);
    await notifier.update(message);
    expect(Date.now() - started).to.be.at.least(1000);
    expect(slack.calls.map((c) => c.method)).to.deep.equal(['chat.postMessage', 'chat.update']);
  });

  it('never posts twice: a post that timed out after Slack took it is not retried', async () => {
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'slow' });
    const error = await notifier.post(message).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SlackError);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // let the slow answer land
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).to.have.length(1);
  });

  it('does retry an update that timed out (updating is idempotent)', async () => {
    await notifier.post(message);
    slack.faults.push({ method: 'chat.update', times: 1, error: 'slow' });
    await notifier.update(message);
    expect(slack.calls.filter((c) => c.method === 'chat.update').length).to.be.at.least(1);
  });

  const advice: Array<[string, RegExp]> = [
    ['invalid_auth', /^Slack rejected SLACK_TOKEN \(invalid_auth\)/],
    ['channel_not_found', /^Slack channel #deploys was not found \(channel_not_found\): .*invite the app/],
    ['not_in_channel', /^The Slack app is not in channel #deploys \(not_in_channel\): invite it .* chat:write\.public/],
    ['missing_scope', /add chat:write/],
    ['some_new_error', /^Slack refused chat\.postMessage \(some_new_error\)\.$/],
  ];
  for (const [code, expected] of advice) {
    it(`says what to do about ${code}`, async () => {
      slack.faults.push({ times: 1, error: code });
      const error = await notifier.post(message).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SlackError);
      expect((error as Error).message).to.match(expected);
      expect((error as Error).message).not.to.include('xoxb-test-1');
    });
  }

  it('reports an unreachable Slack as not delivered, naming the host only', async () => {
    await slack.stop();
    const error = await notifier.post(message).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/^Could not reach Slack at 127\.0\.0\.1:\d+ for chat\.postMessage .*not delivered\.$/);
  });
});
