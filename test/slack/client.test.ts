// The Slack client against the Slack HTTP double: what reaches Slack, retries, and error advice.
import { expect } from 'chai';
import { FakeSlack } from '../../simulator/fake-slack.ts';
import { SlackError } from '../../src/errors.ts';
import { Secrets } from '../../src/secrets.ts';
import { SlackNotifier, type SlackTiming } from '../../src/slack/client.ts';
import type { SlackMessage } from '../../src/slack/text.ts';

const warnings: string[] = [];
const log = { info() {}, warn: (m: string) => void warnings.push(m), error() {}, debug() {} };
const fast: Partial<SlackTiming> = { requestTimeout: 500, budget: 5000, firstRetryDelay: 10, maxRetryDelay: 20, lookupDelays: [50, 100] };
const message = (status = 'rolling_out', text = 'hello'): SlackMessage => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  metadata: { event_type: 'ecs_deployment', event_payload: { status } },
});

describe('slack/client', () => {
  let slack: FakeSlack;
  const notifierFor = (channel: string, extra: Partial<SlackTiming> = {}) =>
    new SlackNotifier({ token: 'xoxb-test-1', channel, apiUrl: slack.url }, log, { timing: { ...fast, ...extra }, runId: 'run-1' });
  let notifier: SlackNotifier;
  beforeEach(async () => {
    warnings.length = 0;
    slack = new FakeSlack();
    await slack.start();
    notifier = notifierFor('#deploys');
  });
  afterEach(() => slack.stop());

  it('posts, then updates the same message by channel ID, and replies in its thread, marking each with the run', async () => {
    await notifier.post(message());
    await notifier.update(message('live', 'updated'));
    await notifier.reply(message('live', 'why'));
    const ts = slack.stored[0]?.ts;
    // #deploys was looked up once, and everything went to its ID.
    expect(slack.listCalls).to.equal(1);
    expect(slack.calls.map((c) => [c.method, c.channel, c.ts ?? c.thread_ts ?? null])).to.deep.equal([
      ['chat.postMessage', slack.channelId, null],
      ['chat.update', slack.channelId, ts],
      ['chat.postMessage', slack.channelId, ts],
    ]);
    expect(slack.calls[0]?.metadata).to.deep.equal({ event_type: 'ecs_deployment', event_payload: { status: 'rolling_out', run_id: 'run-1' } });
    expect(slack.calls.every((c) => c.token === 'xoxb-test-1')).to.equal(true);
  });

  it("reads one earlier message's metadata by its ts, and only once the channel is known", async () => {
    const earlier = notifierFor('#deploys');
    await earlier.post({
      ...message('live', 'the run before'),
      metadata: { event_type: 'ecs_deployment', event_payload: { status: 'live', time_hint: 'drain 300 s' } },
    });
    await notifier.post(message('rolling_out', 'a newer one'));
    const ts = slack.stored[0]?.ts ?? '';
    expect(await notifierFor('#deploys').payloadOf(ts), 'before its own post, the channel is not known').to.equal(undefined);
    expect(await notifier.payloadOf(ts)).to.deep.include({ time_hint: 'drain 300 s', run_id: 'run-1' });
    expect(await notifier.payloadOf('1700000000.000001')).to.equal(undefined);
  });

  it('a second post edits the one message: a run never posts twice at the top level', async () => {
    await notifier.post(message());
    await notifier.post(message('live', 'again'));
    expect(slack.calls.map((c) => c.method)).to.deep.equal(['chat.postMessage', 'chat.update']);
    expect(slack.stored).to.have.length(1);
  });

  it('retries 429 (after Retry-After) and 5xx', async () => {
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429 }, { method: 'chat.update', times: 2, error: 500 });
    const started = Date.now();
    await notifier.post(message());
    await notifier.update(message());
    expect(Date.now() - started).to.be.at.least(1000);
    expect(slack.calls.map((c) => c.method)).to.deep.equal(['chat.postMessage', 'chat.update']);
  });

  it('does not wait longer than its budget when Slack asks for a long Retry-After', async () => {
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429, retryAfter: 600 });
    const started = Date.now();
    const error = await notifier.post(message()).catch((e: unknown) => e);
    expect(Date.now() - started).to.be.below(1000);
    expect(error).to.be.instanceOf(SlackError);
    expect((error as Error).message).to.match(/asked to wait 600 s before chat\.postMessage/);
  });

  it("waits out a Retry-After within Slack's documented 90 s by default, and not one beyond it", async () => {
    const { budget: _default, ...timing } = fast;
    const byDefault = new SlackNotifier({ token: 'xoxb-test-1', channel: '#deploys', apiUrl: slack.url }, log, { timing, runId: 'run-1' });
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429, retryAfter: 91 });
    const beyond = await byDefault.post(message()).catch((e: unknown) => e);
    expect((beyond as Error).message).to.match(/asked to wait 91 s before chat\.postMessage/);
    // 89 s is within the budget: the call waits (here until it is stopped), it does not give up.
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429, retryAfter: 89 });
    const started = Date.now();
    const within = await byDefault.post(message(), { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect(Date.now() - started).to.be.at.least(250);
    expect((within as Error).message).not.to.match(/asked to wait/);
  });

  it('never posts twice: finds the post Slack stored but did not confirm (5xx, reset, no answer)', async () => {
    for (const error of ['stored-503', 'stored-reset', 'stored-hang'] as const) {
      const n = notifierFor(slack.channelId);
      slack.faults.push({ method: 'chat.postMessage', times: 1, error });
      await n.post(message());
      await n.update(message('live', 'done'));
      const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
      expect(posts, error).to.have.length(1);
      expect(slack.stored.at(-1)?.text, error).to.equal('done');
      expect(warnings.join('\n')).to.match(/had stored the message: carrying on with it/);
      expect(warnings.join('\n')).not.to.match(/not delivered/);
      slack.calls.length = 0;
      slack.stored.length = 0;
    }
  });

  it('posts again when the lost post was certainly not stored', async () => {
    notifier = notifierFor(slack.channelId);
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 503 });
    await notifier.post(message());
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).to.have.length(1);
    expect(slack.stored).to.have.length(1);
    expect(warnings.join('\n')).to.match(/did not store it: posting it again/);
  });

  it('a channel given by name: a post that stored nothing (503) is found absent by its ID and posted again, once', async () => {
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 503 });
    await notifier.post(message());
    await notifier.update(message('live', 'outcome'));
    expect(slack.stored.map((m) => m.text)).to.deep.equal(['outcome']);
    expect(warnings.join('\n')).to.match(/did not store it: posting it again/);
  });

  it('cannot look (no channels:read to find the ID): posts again at once, a possible duplicate rather than silence', async () => {
    slack.faults.push({ method: 'conversations.list', times: 1, error: 'missing_scope' }, { method: 'chat.postMessage', times: 1, error: 'stored-503' });
    await notifier.post(message());
    await notifier.update(message('rolling_out', 'interim'));
    await notifier.reply(message('rolling_out', 'details'));
    // The first copy Slack stored without saying so, and the one posted again, which the run follows.
    expect(slack.stored.map((m) => m.text)).to.deep.equal(['hello', 'interim', 'details']);
    expect(warnings.join('\n')).to.match(/Could not look up Slack channel #deploys .*channels:read/);
    expect(warnings.join('\n')).to.match(/cannot look whether it stored the message .*posting it again, so it may show twice/);
  });

  it('cannot look, and the second post is lost too: the outcome is posted at the end', async () => {
    slack.faults.push({ method: 'conversations.list', times: 1, error: 'missing_scope' }, { method: 'chat.postMessage', times: 2, error: 'stored-503' });
    await notifier.post(message());
    await notifier.update(message('rolling_out', 'interim')); // skipped: nothing known to update
    expect(slack.stored).to.have.length(2);
    await notifier.update(message('live', 'outcome'));
    expect(slack.stored.map((m) => m.text)).to.deep.equal(['hello', 'hello', 'outcome']);
    expect(warnings.join('\n')).to.match(/posting the outcome as a new message/);
  });

  it('a post answered ok without a ts is a clear Slack error', async () => {
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'no-ts' });
    const error = await notifier.post(message()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SlackError);
    expect((error as SlackError).exitCode).to.equal(4);
    expect((error as Error).message).to.match(/^Slack answered chat\.postMessage with ok but without the message's channel and ts/);
  });

  it('retries an update that timed out (updating is idempotent)', async () => {
    await notifier.post(message());
    slack.faults.push({ method: 'chat.update', times: 1, error: 'slow' });
    await notifier.update(message());
    expect(slack.calls.filter((c) => c.method === 'chat.update').length).to.be.at.least(1);
  });

  it('ends a call at once when its signal aborts', async () => {
    const stop = new AbortController();
    const n = new SlackNotifier({ token: 'xoxb-test-1', channel: '#deploys', apiUrl: slack.url }, log, {
      timing: { ...fast, requestTimeout: 60_000 },
      signal: stop.signal,
    });
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'hang' });
    setTimeout(() => stop.abort(new Error('stopped')), 50);
    const started = Date.now();
    const error = await n.post(message()).catch((e: unknown) => e);
    expect(Date.now() - started).to.be.below(500);
    expect((error as Error).message).to.match(/stopped/);
  });

  it('masks secrets in everything it sends: text, blocks and metadata', async () => {
    const secrets = new Secrets(['xoxb-test-1', 'SessionTokenValue123']);
    const n = new SlackNotifier({ token: 'xoxb-test-1', channel: '#deploys', apiUrl: slack.url }, log, { timing: fast, secrets });
    await n.post({
      text: 'AWS said x-amz-security-token:SessionTokenValue123',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'SessionTokenValue123' } }],
      metadata: { event_type: 'ecs_deployment', event_payload: { status: 'failed', stopped_reason: 'token SessionTokenValue123' } },
    });
    const sent = JSON.stringify(slack.calls[0]);
    expect(sent).not.to.include('SessionTokenValue123');
    expect(sent).to.include('***');
  });

  const advice: Array<[string, RegExp, boolean]> = [
    ['invalid_auth', /^Slack rejected SLACK_TOKEN \(invalid_auth\)/, true],
    ['token_revoked', /^The Slack token was revoked/, true],
    ['account_inactive', /account_inactive/, true],
    ['channel_not_found', /^Slack channel #deploys was not found \(channel_not_found\): .*invite the app/, false],
    ['not_in_channel', /^The Slack app is not in channel #deploys \(not_in_channel\): invite it .* chat:write\.public/, false],
    ['missing_scope', /add chat:write/, false],
    ['some_new_error', /^Slack refused chat\.postMessage \(some_new_error\)\.$/, false],
  ];
  for (const [code, expected, fatal] of advice) {
    it(`says what to do about ${code}${fatal ? ', and that nothing more can be sent' : ''}`, async () => {
      slack.faults.push({ method: 'chat.postMessage', times: 1, error: code });
      const error = await notifier.post(message()).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SlackError);
      expect((error as Error).message).to.match(expected);
      expect((error as SlackError).fatal).to.equal(fatal);
      expect((error as Error).message).not.to.include('xoxb-test-1');
    });
  }

  it('reports an unreachable Slack as not delivered, naming the host only', async () => {
    await slack.stop();
    const error = await notifier.post(message()).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/^Could not reach Slack at 127\.0\.0\.1:\d+ for chat\.postMessage .*not delivered\.$/);
  });
});
