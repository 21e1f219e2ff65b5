// The watch loop with a scripted reader, a recording notifier and a virtual clock: fast and exact.
import { expect } from 'chai';
import { loadConfig } from '../src/config/load.ts';
import { SLACK_OUTCOME_BUDGET_MS, SLACK_PRESSURE_MS, SLACK_PROGRESS_BUDGET_MS } from '../src/core/budget.ts';
import type { ServiceSnapshot } from '../src/core/snapshot.ts';
import { AwsError, AwsUnavailableError, SlackError, UserFacingError } from '../src/errors.ts';
import type { Logger } from '../src/logger.ts';
import type { Notifier, SendOptions } from '../src/slack/client.ts';
import type { SlackMessage } from '../src/slack/text.ts';
import { type WatchDeps, watchRollout } from '../src/watch.ts';
import { validEnv } from './support/env.ts';
import { checkedTargets, deployment, ROLLOUT, service, T0, withSettings } from './support/samples.ts';

const SNAPS = ROLLOUT;

class RecordingNotifier implements Notifier {
  calls: Array<{ kind: 'post' | 'update' | 'reply'; message: SlackMessage; budgetMs?: number }> = [];
  failUpdates = 0;
  failPosts = 0;
  updateError = (): Error => new SlackError('Slack answered chat.update with HTTP 503 after retries');
  postError = (): Error => new SlackError('Slack asked to wait 600 s before chat.postMessage (rate limited), longer than the pipe waits');
  async post(message: SlackMessage, options?: SendOptions) {
    if (this.failPosts-- > 0) throw this.postError();
    this.calls.push({ kind: 'post', message, budgetMs: options?.budgetMs });
  }
  async update(message: SlackMessage, options?: SendOptions) {
    if (this.failUpdates-- > 0) throw this.updateError();
    this.calls.push({ kind: 'update', message, budgetMs: options?.budgetMs });
  }
  async reply(message: SlackMessage, options?: SendOptions) {
    this.calls.push({ kind: 'reply', message, budgetMs: options?.budgetMs });
  }
  statuses() {
    return this.calls.filter((c) => c.kind !== 'reply').map((c) => `${c.message.metadata?.event_payload.status}/${c.message.metadata?.event_payload.phase}`);
  }
}

type Step = ServiceSnapshot | Error | Map<string, ServiceSnapshot>;

function harness(script: Step[], env: Record<string, string> = {}, signal?: AbortSignal, jitterSeed?: number, readMs = 0) {
  let now = T0;
  const lines: string[] = [];
  const reads: Array<{ services: string[]; force: boolean; quiet: readonly string[]; at: number }> = [];
  const notifier = new RecordingNotifier();
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), debug: () => {} };
  const config = loadConfig({ ...validEnv(), SERVICE_NAME: 'shop-api', TASK_DEFINITION: 'shop-api:42', POLL_INTERVAL: '10', WAIT_TIMEOUT: '600', ...env });
  let i = 0;
  const run = (extra: Partial<WatchDeps> = {}) =>
    watchRollout({
      config,
      read: async (services, options) => {
        reads.push({ services, force: options?.force ?? false, quiet: options?.quiet ?? [], at: now });
        now += readMs;
        const next = script[Math.min(i++, script.length - 1)];
        if (next === undefined || next instanceof Error) throw next;
        if (next instanceof Map) return new Map([...next].filter(([name]) => services.includes(name)));
        return new Map([['shop-api', next]]);
      },
      notifier,
      log,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      signal,
      ...(jitterSeed !== undefined ? { jitterSeed } : {}),
      ...extra,
    });
  return { run, notifier, lines, reads, elapsed: () => now - T0 };
}

describe('watch', () => {
  it('posts once, updates as phases pass, confirms before live, ends when the old version is retired', async () => {
    const h = harness([SNAPS.starting, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.draining, SNAPS.draining, SNAPS.retired]);
    const result = await h.run();
    expect(result).to.deep.equal({ status: 'live', exitCode: 0 });
    expect(h.notifier.calls.filter((c) => c.kind === 'post')).to.have.length(1);
    expect(h.notifier.calls.filter((c) => c.kind === 'reply')).to.have.length(0);
    // No update for the poll where nothing changed.
    expect(h.notifier.statuses()).to.deep.equal(['rolling_out/starting', 'rolling_out/cutting_over', 'live/live', 'live/retired']);
    // The first read (nothing cached: every task listed) and the cut-over's are fresh.
    expect(h.reads.map((r) => r.force)).to.deep.equal([true, false, false, true, false, false, false]);
    // The core's quiet services reach the reader: starting, then the confirmed live's drain.
    expect(h.reads.map((r) => r.quiet.join())).to.deep.equal(['', 'shop-api', 'shop-api', '', 'shop-api', 'shop-api', 'shop-api']);
    // Polls at 0, 10, 20 (cut-over starts: densely, every second, with a fresh task list), 21 (live,
    // confirmed by that same read: now twice the interval), 41, 61, 81.
    expect(h.elapsed()).to.equal(81_000);
    expect(h.lines.slice(-3)).to.deep.equal([
      '✔ shop-api is live in production after 1m 21s',
      '  time: tasks started 20 s (image pull 4 s) · health checks 0 s · cut-over 1 s · drain 60 s',
      // What the step cost, and the part WAIT_UNTIL=live would spare: live at 21 s, retired at 81 s.
      '  step: ran 1m 21s, 1m 00s of it after live, waiting for the old version to go (WAIT_UNTIL=live ends the step at live)',
    ]);
  });

  it('VERIFY_MINUTES: after the outcome, only metrics are read, once a minute, until the window ends; then the verdict', async () => {
    const h = harness([SNAPS.starting, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired], { WAIT_UNTIL: 'live', VERIFY_MINUTES: '3' });
    const group = SNAPS.draining.targetGroups[0]?.arn ?? '';
    const reads: number[] = [];
    const steady = (at: number) => ({ at, requests: 1000, errors5xx: 1, connectionErrors: 0, p95Ms: 100, p99Ms: 200 });
    const result = await h.run({
      measure: async (query) => {
        reads.push(h.elapsed());
        const minutes = [];
        for (let m = query.from; m < query.to; m += 60_000) minutes.push(steady(m));
        return { minutes: new Map([[group, minutes]]), unreadable: new Map() };
      },
    });
    expect(result).to.deep.equal({ status: 'live', exitCode: 0 });
    // No ECS read after live (WAIT_UNTIL=live): live at 21 s, then metrics at 21 s, 81, 141, and at the window's end (201 s).
    expect(h.reads.at(-1)?.at).to.equal(T0 + 21_000);
    expect(reads).to.deep.equal([21_000, 81_000, 141_000, 201_000]);
    expect(h.lines).to.include('  shop-api: ✓ traffic verified, since live vs before: 5xx 0.10 % vs 0.10 %, p95 100 vs 100 ms (4,000 requests)');
  });

  it('VERIFY_URL: asked once live, every 5 s, after the outcome too, until it answers 3 times in a row', async () => {
    const h = harness([SNAPS.starting, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired], {
      WAIT_UNTIL: 'live',
      VERIFY_URL: 'https://shop.example.com/version',
      COMMIT: '9f2c1e7aa55b',
    });
    const asks: number[] = [];
    const answers = ['8a1b2c3', '9f2c1e7', '9f2c1e7', '9f2c1e7'];
    const result = await h.run({
      askUrl: async () => {
        asks.push(h.elapsed());
        return { at: T0 + h.elapsed(), status: 200, body: `{"commit":"${answers[asks.length - 1] ?? '9f2c1e7'}"}` };
      },
    });
    expect(result.exitCode).to.equal(0);
    expect(asks).to.deep.equal([21_000, 26_000, 31_000, 36_000]);
    expect(h.lines.some((l) => /✓ https:\/\/shop\.example\.com\/version answers with 9f2c1e7 since 10:00 UTC/.test(l))).to.equal(true);
  });

  it('while the new targets are checked, every poll reads a fresh task list and every target group (the core asks for it)', async () => {
    // A 300 s check interval (the longest): "healthy" is due up to 300 s after the registration.
    const checked = checkedTargets(300, 5);
    const h = harness([SNAPS.starting, ...Array<ServiceSnapshot>(6).fill(checked), SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    expect((await h.run()).exitCode).to.equal(0);
    // The first read lists every task; the first read of the checked targets came after a starting one; the next five are forced.
    expect(h.reads.slice(0, 7).map((r) => r.force)).to.deep.equal([true, false, true, true, true, true, true]);
  });

  it('counts the wait between polls from when the last read began: a slow read does not stretch the cadence', async () => {
    const h = harness([SNAPS.starting, SNAPS.starting, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired], {}, undefined, undefined, 3000);
    expect((await h.run()).exitCode).to.equal(0);
    // Each read takes 3 s; the polls still start 10 s apart while starting.
    expect(h.reads.slice(0, 4).map((r) => r.at - T0)).to.deep.equal([0, 10_000, 20_000, 30_000]);

    // A read slower than half the wait still leaves half of it: reads never run back to back.
    const slow = harness([SNAPS.starting, SNAPS.starting, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired], {}, undefined, undefined, 8000);
    expect((await slow.run()).exitCode).to.equal(0);
    expect(slow.reads.slice(0, 3).map((r) => r.at - T0)).to.deep.equal([0, 13_000, 26_000]);
  });

  it("passes the run's seed to the schedule: the same rollout's polls fall elsewhere", async () => {
    const polls = [SNAPS.starting, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.draining, SNAPS.draining, SNAPS.retired];
    const h = harness(polls, {}, undefined, 12_345);
    expect((await h.run()).exitCode).to.equal(0);
    expect(h.elapsed()).to.not.equal(81_000);
    expect(h.elapsed()).to.be.within(81_000 * 0.9, 81_000 * 1.1);
  });

  it('says in the message what AWS throttling held up, until a read goes through unhindered; never once it is over', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    const notes = ['ecs:DescribeServices retried 2 times'];
    const once = () => notes.shift();
    expect((await h.run({ delayedBy: once })).exitCode).to.equal(0);
    const texts = h.notifier.calls.map((c) => JSON.stringify(c.message.blocks));
    expect(texts[0]).to.include('⏳ Delayed by AWS throttling (ecs:DescribeServices retried 2 times)');
    expect(texts.slice(1).some((t) => t.includes('Delayed by AWS throttling'))).to.equal(false);

    // Throttled at every read: every progress message says so, the outcome does not.
    const g = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    expect((await g.run({ delayedBy: () => 'elbv2:DescribeTargetHealth retried 1 time' })).exitCode).to.equal(0);
    const all = g.notifier.calls.map((c) => JSON.stringify(c.message.blocks));
    expect(all.slice(0, -1).every((t) => t.includes('Delayed by AWS throttling (elbv2:DescribeTargetHealth retried 1 time)'))).to.equal(true);
    expect(all.at(-1)).not.to.include('Delayed by AWS throttling');
  });

  it('judges a poll at the time its read began: a read slowed by throttling does not turn "not appeared yet" into a failure', async () => {
    // The first read takes two minutes (an optional read retried under throttling, say); ECS's
    // answer in it predates the deployment. The grace period (60 s) is judged at the read's start.
    let now = T0;
    const notYet = service({ deployments: [deployment('old', { status: 'PRIMARY' })], tasks: SNAPS.oldTasks });
    const polls = [notYet, SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.draining, SNAPS.retired];
    let i = 0;
    const notifier = new RecordingNotifier();
    const config = loadConfig({ ...validEnv(), SERVICE_NAME: 'shop-api', TASK_DEFINITION: 'shop-api:42', POLL_INTERVAL: '10', WAIT_TIMEOUT: '600' });
    const result = await watchRollout({
      config,
      read: async () => {
        const snap = polls[Math.min(i, polls.length - 1)];
        if (i++ === 0) now += 120_000;
        return new Map([['shop-api', snap ?? notYet]]);
      },
      notifier,
      log: { info() {}, warn() {}, error() {}, debug() {} },
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    expect(result).to.deep.equal({ status: 'live', exitCode: 0 });
    expect(notifier.statuses()[0]).to.equal('rolling_out/waiting');
  });

  it("says the hint where the time went once per service: not when the channel's last message of it gave the same one", async () => {
    // The default 300 s deregistration delay, which the drain takes: the hint names it.
    const script = [SNAPS.starting, SNAPS.registering, SNAPS.cutover, ...Array(5).fill(SNAPS.draining), SNAPS.retired].map((s) => withSettings(s));
    const last = (n: RecordingNotifier) => n.calls.filter((c) => c.kind !== 'reply').at(-1)?.message;
    const first = harness(script);
    expect((await first.run({ hintsSaid: async () => new Set(['image pull']) })).status).to.equal('live');

    expect(JSON.stringify(last(first.notifier)?.blocks)).to.match(/💡 drain \d+ s = the target group's deregistration delay of 300 s/);
    expect(last(first.notifier)?.metadata?.event_payload.time_hint).to.equal('drain 300 s');
    const again = harness(script);
    let asked = 0;
    await again.run({
      hintsSaid: async () => {
        asked++;
        return new Set(['drain 300 s']);
      },
    });
    const blocks = JSON.stringify(last(again.notifier)?.blocks);
    expect(blocks).to.include('Where the time went: ');
    expect(blocks).not.to.include('💡');
    // Remembered still, for the run after; the log keeps the hint.
    expect(last(again.notifier)?.metadata?.event_payload.time_hint).to.equal('drain 300 s');
    expect(again.lines.join('\n')).to.match(/ {2}hint: drain/);
    expect(asked).to.equal(1);
  });

  it('reports a failure with a thread reply and exit code 1', async () => {
    const h = harness([SNAPS.starting, SNAPS.failed], { SLACK_MENTION_ON_FAILURE: 'U012AB3CD' });
    const result = await h.run();
    expect(result).to.deep.equal({ status: 'failed', exitCode: 1 });
    const reply = h.notifier.calls.find((c) => c.kind === 'reply');
    expect(JSON.stringify(reply?.message.blocks)).to.include('<@U012AB3CD>').and.include('circuit breaker: tasks failed to start');
    expect(h.lines.join('\n')).to.match(/✖ shop-api failed to deploy to production/);
  });

  it('times out at WAIT_TIMEOUT with how far it got', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover], { WAIT_TIMEOUT: '60' });
    const result = await h.run();
    expect(result).to.deep.equal({ status: 'timed_out', exitCode: 1 });
    expect(h.elapsed()).to.equal(60_000);
    expect(JSON.stringify(h.notifier.calls.at(-1)?.message.blocks)).to.include('cutting traffic over');
  });

  it('says "live" once even when the old version is still draining at the time-out', async () => {
    const h = harness([SNAPS.starting, SNAPS.draining], { WAIT_TIMEOUT: '60' });
    const result = await h.run();
    expect(result).to.deep.equal({ status: 'live', exitCode: 0 });
    expect(h.notifier.statuses().filter((s) => s.startsWith('live/'))).to.deep.equal(['live/live', 'live/live']);
    expect(h.lines.at(-3)).to.match(/old version still draining when WAIT_TIMEOUT ran out/);
    // The old version never retired: the drain is not among the phases.
    expect(h.lines.at(-2)).to.equal('  time: tasks started 10 s (image pull 4 s) · health checks 0 s · cut-over 0 s');
    expect(h.lines.at(-1)).to.equal('  step: ran 1m 00s, 50s of it after live, waiting for the old version to go (WAIT_UNTIL=live ends the step at live)');
  });

  it('carries on when an intermediate Slack update fails, but not when the final one does', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    h.notifier.failUpdates = 1;
    expect((await h.run()).exitCode).to.equal(0);
    expect(h.lines.some((l) => l.startsWith('WARN Slack did not take the update now'))).to.equal(true);

    const g = harness([SNAPS.starting, SNAPS.retired]);
    g.notifier.failUpdates = 99;
    const error = await g.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SlackError);
  });

  it(`after Slack could not take a change, sends only a change of status for ${SLACK_PRESSURE_MS / 1000} s, then each phase again`, async () => {
    const h = harness([SNAPS.starting, SNAPS.registering, SNAPS.registering, SNAPS.cutover, SNAPS.draining, SNAPS.draining, SNAPS.retired]);
    h.notifier.failUpdates = 1;
    h.notifier.updateError = () => new SlackError('Slack asked to wait 30 s before chat.update (rate limited), longer than a progress update waits');
    expect((await h.run()).exitCode).to.equal(0);
    // The registering and cut-over phases wait; "live" (a change of status) and the outcome do not.
    expect(h.notifier.statuses()).to.deep.equal(['rolling_out/starting', 'live/live', 'live/retired']);

    const later = harness([SNAPS.starting, ...Array<ServiceSnapshot>(8).fill(SNAPS.registering), SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    later.notifier.failUpdates = 1;
    expect((await later.run()).exitCode).to.equal(0);
    expect(later.notifier.statuses()).to.deep.equal([
      'rolling_out/starting',
      'rolling_out/registering',
      'rolling_out/cutting_over',
      'live/live',
      'live/retired',
    ]);
  });

  it('progress waits for Slack briefly, the outcome and its thread as long as Slack asks (within the outcome budget)', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    await h.run();
    const budgets = h.notifier.calls.map(
      (c) => `${c.kind} ${c.message.metadata?.event_payload.status}/${c.message.metadata?.event_payload.phase} ${c.budgetMs}`,
    );
    expect(budgets[0]).to.equal(`post rolling_out/starting ${SLACK_PROGRESS_BUDGET_MS}`);
    expect(budgets.at(-1)).to.equal(`update live/retired ${SLACK_OUTCOME_BUDGET_MS}`);
    expect(budgets.slice(0, -1).every((b) => b.endsWith(` ${SLACK_PROGRESS_BUDGET_MS}`))).to.equal(true);

    const failed = harness([SNAPS.starting, SNAPS.failed]);
    await failed.run();
    expect(failed.notifier.calls.filter((c) => c.kind === 'reply').map((c) => c.budgetMs)).to.deep.equal([SLACK_OUTCOME_BUDGET_MS]);
  });

  it('a first message Slack cannot take now is posted at a later poll, with the state as it is then; the watch goes on', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    h.notifier.failPosts = 1;
    expect((await h.run()).exitCode).to.equal(0);
    expect(h.lines.some((l) => l.startsWith('WARN Slack did not take the message now'))).to.equal(true);
    expect(h.notifier.calls.filter((c) => c.kind === 'post')).to.have.length(1);
    // The starting state was never shown: the first post carries the cut-over.
    expect(h.notifier.statuses()[0]).to.equal('rolling_out/cutting_over');
  });

  it('a first message Slack refuses for good (a channel it cannot post in) ends the run at once', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    h.notifier.failPosts = 1;
    h.notifier.postError = () => new SlackError('Slack channel #deploys was not found (channel_not_found)', { refused: true });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SlackError);
    expect(h.reads).to.have.length(1);
  });

  it('updates the message before giving up on an AWS error mid-watch', async () => {
    const h = harness([SNAPS.starting, new AwsError('Access denied: the AWS identity lacks a read permission')]);
    const error = await h.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AwsError);
    const last = h.notifier.calls.at(-1);
    expect(last?.kind).to.equal('reply');
    expect(last?.message.text).to.match(/Stopped watching: Access denied/);
  });

  it('updates the message before giving up on any other error mid-watch (a fault of its own), and ends with that error', async () => {
    const h = harness([SNAPS.starting, new TypeError("Cannot read properties of undefined (reading 'targetKeys')")]);
    const error = await h.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TypeError);
    const update = h.notifier.calls.filter((c) => c.kind === 'update').at(-1);
    expect(update?.message.metadata?.event_payload).to.include({
      status: 'stopped',
      stopped_reason: "the pipe stopped on an unexpected error: Cannot read properties of undefined (reading 'targetKeys')",
    });
  });

  it('a Slack refusal that ends the watch mid-way is still tried in the message, and the run ends with the refusal', async () => {
    const h = harness([SNAPS.starting, SNAPS.registering, SNAPS.cutover]);
    h.notifier.failUpdates = 1;
    h.notifier.updateError = () => new SlackError('Slack refused chat.update: channel_not_found', { fatal: true });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SlackError);
    expect(h.notifier.calls.filter((c) => c.kind === 'update').at(-1)?.message.metadata?.event_payload.status).to.equal('stopped');
  });

  it('refuses to judge an external-controller service before posting anything', async () => {
    const h = harness([service({ deploymentController: 'EXTERNAL' })]);
    const error = await h.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UserFacingError);
    expect((error as UserFacingError).exitCode).to.equal(3);
    expect((error as Error).message).to.match(/EXTERNAL deployment controller/);
    expect(h.notifier.calls).to.have.length(0);
  });

  it('stops polling a service that is finished while another still rolls out', async () => {
    const both = (api: ServiceSnapshot, worker: ServiceSnapshot) =>
      new Map([
        ['shop-api', api],
        ['shop-worker', { ...worker, name: 'shop-worker' }],
      ]);
    const h = harness([both(SNAPS.retired, SNAPS.starting), both(SNAPS.retired, SNAPS.cutover), both(SNAPS.retired, SNAPS.retired)], {
      SERVICE_NAME: 'shop-api,shop-worker',
      TASK_DEFINITION: 'shop-api:42,shop-api:42',
    });
    expect((await h.run()).exitCode).to.equal(0);
    // The worker's cut-over is followed by a fresh read, which confirms its "live" (and here its retirement) at once.
    expect(h.reads.map((r) => r.services.join('+'))).to.deep.equal(['shop-api+shop-worker', 'shop-worker', 'shop-worker']);
  });

  it('logs reasons as AWS gave them, without Slack escapes', async () => {
    const reason = 'tag <none> & retry';
    const h = harness([
      SNAPS.starting,
      service({ deployments: [deployment('new', { rolloutState: 'FAILED', rolloutStateReason: reason }), deployment('old')] }),
    ]);
    await h.run();
    expect(h.lines.join('\n')).to.include(`shop-api: failed — ${reason}`);
    expect(h.lines.join('\n')).not.to.match(/&lt;|&amp;/);
  });

  it('ends at once when Slack says the token is no good mid-run', async () => {
    const h = harness([SNAPS.starting, SNAPS.cutover, SNAPS.draining, SNAPS.retired]);
    h.notifier.failUpdates = 1;
    h.notifier.updateError = () => new SlackError('The Slack token was revoked (token_revoked)', { fatal: true });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SlackError);
    expect(h.reads).to.have.length(2);
  });

  it('judges what it saw as a time-out when AWS would not answer until WAIT_TIMEOUT, and says so', async () => {
    const h = harness([SNAPS.starting, new AwsUnavailableError('AWS kept throttling ecs:DescribeServices until WAIT_TIMEOUT (10m 00s)')]);
    expect(await h.run()).to.deep.equal({ status: 'timed_out', exitCode: 1 });
    const reply = h.notifier.calls.at(-1);
    expect(reply?.kind).to.equal('reply');
    expect(JSON.stringify(reply?.message.blocks)).to.include('AWS kept throttling ecs:DescribeServices');
    // Before anything was posted: the outcome is posted, not lost.
    const g = harness([new AwsUnavailableError('AWS kept throttling ecs:DescribeServices until WAIT_TIMEOUT (10m 00s)')]);
    expect((await g.run()).status).to.equal('timed_out');
    expect(g.notifier.calls.map((c) => c.kind)).to.deep.equal(['post', 'reply']);
  });

  it('says the watch stopped when the step is stopped, even before the first post', async () => {
    const stop = new AbortController();
    stop.abort(new Error('SIGTERM'));
    const h = harness([new Error('aborted by the stop')], {}, stop.signal);
    const error = await h.run().catch((e: unknown) => e);
    expect((error as UserFacingError).exitCode).to.equal(130);
    expect(h.notifier.calls.map((c) => `${c.kind}:${c.message.metadata.event_payload.status}`)).to.deep.equal(['post:stopped', 'reply:stopped']);
  });
});
