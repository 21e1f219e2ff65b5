// End to end under faults: the built program against HTTP doubles of AWS and Slack that hang, drop,
// garble, throttle, lose answers and quote secrets. Each case is one item of the fault review
// (issue "Never lie, never leak, never hang"); each fails without its fix.
import { expect } from 'chai';
import { scenario } from '../simulator/catalog.ts';
import { FakeAccount } from '../simulator/fake-aws.ts';
import type { FakeSlack } from '../simulator/fake-slack.ts';
import { type PipeRun, runPipe } from '../simulator/run-pipe.ts';
import {
  all,
  crashNew,
  deploy,
  drainOld,
  healthyNew,
  noop,
  provisionNew,
  retireOld,
  runNew,
  script,
  steadyService,
  successfulRollout,
  unhealthyNew,
} from '../simulator/scenarios.ts';
import { pipeVariables } from './support/pipe-env.ts';
import { useSimulation } from './support/simulation.ts';

const TOKEN = 'xoxb-1234-5678-faultSECRETtoken';
const SECRET_KEY = 'faultSecretAccessKeyDoNotPrint00';
const SESSION_TOKEN = 'FwoGZXIvYXdzEFaultSessionTokenDoNotPrint';
/** The stop of a step must be over within this, Slack update included. */
const STOP_WITHIN_MS = 2000;

describe('e2e: faults', function () {
  this.timeout(120_000);
  let aws: FakeAccount;
  let slack: FakeSlack;
  useSimulation((sim) => ({ aws, slack } = sim));

  // A channel ID: the pipe can then look for a post whose answer was lost.
  const env = (extra: Record<string, string | undefined> = {}) =>
    pipeVariables({ aws, slack }, { slackToken: TOKEN, secretAccessKey: SECRET_KEY }, { SLACK_CHANNEL: slack.channelId, ...extra });
  const status = () => slack.message?.metadata?.event_payload.status;
  const statuses = () =>
    slack.calls
      .filter((c) => !c.thread_ts && c.method.startsWith('chat.'))
      .map((c) => `${c.metadata?.event_payload.status}/${c.metadata?.event_payload.phase}`);
  const topLevelPosts = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.thread_ts);
  /** The log and all that was sent to Slack (but the Authorization header, where the token belongs). */
  const everything = (run: PipeRun) => run.stdout + run.stderr + JSON.stringify(slack.calls.map(({ token: _token, ...sent }) => sent));
  const stalled = () => [deploy('shop-api'), provisionNew('shop-api'), runNew('shop-api'), unhealthyNew('shop-api')];
  /** The stalled rollout, with AWS refusing a request's signature once the message exists. */
  const stalledThenSignatureError = () => [
    deploy('shop-api'),
    provisionNew('shop-api'),
    all(runNew('shop-api'), (a: FakeAccount) => void a.faults.push({ op: 'DescribeTargetHealth', times: 1, kind: 'signature' })),
    unhealthyNew('shop-api'),
  ];

  describe('hangs and stops', () => {
    it('1. rides out an AWS call that never answers (request timeout, then retry)', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      aws.faults.push({ op: 'DescribeTargetHealth', times: 1, kind: 'hang' });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(run.stdout).to.match(/WARN AWS elbv2:DescribeTargetHealth failed \(TimeoutError/);
      expect(status()).to.equal('live');
    });

    it('1. ends within a few seconds of WAIT_TIMEOUT when AWS never answers, and says so', async () => {
      steadyService(aws, 'shop-api');
      script(aws, stalled());
      aws.faults.push({ times: 1000, kind: 'hang' });
      const run = await runPipe(env({ WAIT_TIMEOUT: '3' }));
      expect(run.code, run.stdout).to.equal(1);
      expect(run.ms).to.be.below(3000 + 5000 + 2000);
      expect(status()).to.equal('timed_out');
      expect(JSON.stringify(slack.replies[0]?.blocks)).to.match(/AWS kept failing ecs:DescribeServices until WAIT_TIMEOUT/);
    });

    // [state, fault, when to stop, poll interval]
    const stops: Array<[string, (a: FakeAccount, s: FakeSlack) => void, (out: string) => boolean, string]> = [
      // At 10 s polls throttling backs off for up to 30 s: the stop must not wait for it.
      ['a retry backoff', (a) => a.faults.push({ op: 'DescribeTargetHealth', times: 1000, kind: 'throttle' }), (out) => /retry 2 in/.test(out), '10'],
      ['a hung AWS call', (a) => a.faults.push({ op: 'DescribeTargetHealth', times: 1000, kind: 'hang' }), (out) => /Watching/.test(out), '10'],
      ['a slow first read', (a) => a.faults.push({ op: 'DescribeServices', times: 1000, kind: 'hang' }), (out) => /Watching/.test(out), '10'],
      [
        'a hung Slack call',
        (_a, s) => s.faults.push({ method: 'chat.update', times: 1, error: 'hang' }),
        (out) => /waiting for healthy targets/.test(out),
        '1',
      ],
    ];
    for (const [state, fault, when, poll] of stops) {
      it(`2. SIGTERM during ${state} ends the watch within ${STOP_WITHIN_MS} ms, and the message says it stopped`, async () => {
        steadyService(aws, 'shop-api');
        script(aws, stalled());
        fault(aws, slack);
        const run = await runPipe(env({ POLL_INTERVAL: poll }), { terminateWhen: when });
        expect(run.code, run.stdout).to.equal(130);
        expect(run.msAfterTerminate, run.stdout).to.be.below(STOP_WITHIN_MS);
        expect(status(), run.stdout).to.equal('stopped');
        expect(slack.message?.metadata?.event_payload.stopped_reason).to.equal('the pipeline step was stopped before the rollout finished');
        expect(topLevelPosts()).to.have.length(1);
      });
    }

    it('2. SIGTERM while the first post is in flight (Slack stored it, its answer never came): one message, and it says the watch stopped', async () => {
      steadyService(aws, 'shop-api');
      script(aws, stalled());
      slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'stored-hang' });
      // The first read takes well under this; the post then hangs until the stop.
      const run = await runPipe(env(), { terminateWhen: 3000 });
      expect(run.code, run.stdout).to.equal(130);
      expect(run.msAfterTerminate, run.stdout).to.be.below(STOP_WITHIN_MS);
      expect(topLevelPosts(), run.stdout).to.have.length(1);
      expect(status(), run.stdout).to.equal('stopped');
    });

    it('2. a second SIGTERM does not skip the update', async () => {
      steadyService(aws, 'shop-api');
      script(aws, stalled());
      const run = await runPipe(env(), { terminateWhen: (out) => /waiting for healthy targets/.test(out), terminateAgainAfterMs: 1 });
      expect(run.code, run.stdout).to.equal(130);
      expect(status()).to.equal('stopped');
    });

    it('3. looks again as soon as AWS is back after an outage, and misses no phase', async () => {
      steadyService(aws, 'shop-api');
      let outageEnds = 0;
      // The outage begins as the new tasks turn healthy and lasts 6 s, past the cut-over.
      script(aws, [
        deploy('shop-api'),
        provisionNew('shop-api'),
        runNew('shop-api'),
        (a) => {
          healthyNew('shop-api')(a);
          const from = Date.now();
          outageEnds = from + 6000;
          a.down = () => Date.now() < outageEnds;
          setTimeout(() => drainOld('shop-api')(a), 2000);
        },
        noop,
        noop,
        noop,
        retireOld('shop-api'),
      ]);
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      const firstAfter = aws.calls.find((c) => c.at >= outageEnds);
      expect(firstAfter, 'a call after the outage').not.to.equal(undefined);
      // Waits are capped at one poll (1 s, jittered): the first look after the outage comes within it.
      expect((firstAfter?.at ?? 0) - outageEnds).to.be.below(1200);
      expect(statuses()).to.include('live/live');
    });

    it('4. a closed stdout does not crash the watch', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      const run = await runPipe(env(), { closeStdoutWhen: (out) => /Watching/.test(out) });
      expect(run.code, run.stderr).to.equal(0);
      expect(status()).to.equal('live');
    });
  });

  describe('exactly one message, and the truth in it', () => {
    for (const fault of ['stored-503', 'stored-reset', 'stored-hang'] as const) {
      it(`5. a post Slack stored but answered with ${fault.replace('stored-', '')} is found, not posted twice`, async () => {
        steadyService(aws, 'shop-api');
        script(aws, successfulRollout());
        slack.faults.push({ method: 'chat.postMessage', times: 1, error: fault });
        const run = await runPipe(env());
        expect(run.code, run.stdout).to.equal(0);
        expect(topLevelPosts()).to.have.length(1);
        expect(slack.stored.filter((m) => !m.thread_ts || m.thread_ts === m.ts)).to.have.length(1);
        expect(status()).to.equal('live');
        expect(run.stdout).to.match(/had stored the message: carrying on with it/);
        expect(run.stdout).not.to.match(/not delivered/);
      });
    }

    it('5. in a busy channel (40 messages after ours, pages of 15), a post Slack stored but answered with 503 is found on a later page: one message', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.busy = 40;
      slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'stored-503' });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(topLevelPosts()).to.have.length(1);
      expect(status()).to.equal('live');
      expect(run.stdout).to.match(/had stored the message: carrying on with it/);
    });

    it('5. a first post that stored nothing (503), with SLACK_CHANNEL given by name: looked up, found absent, posted again; one message', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'chat.postMessage', times: 1, error: 503 });
      const run = await runPipe(env({ SLACK_CHANNEL: '#deploys' }));
      expect(run.code, run.stdout).to.equal(0);
      expect(slack.listCalls).to.equal(1);
      expect(slack.stored.filter((m) => !m.thread_ts || m.thread_ts === m.ts)).to.have.length(1);
      expect(status()).to.equal('live');
      expect(run.stdout).to.match(/did not store it: posting it again/);
    });

    it('5. without channels:read, a first post that stored nothing by name is posted again at once: never silence', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'conversations.list', times: 1, error: 'missing_scope' }, { method: 'chat.postMessage', times: 1, error: 503 });
      const run = await runPipe(env({ SLACK_CHANNEL: '#deploys' }));
      expect(run.code, run.stdout).to.equal(0);
      expect(slack.stored.filter((m) => !m.thread_ts || m.thread_ts === m.ts)).to.have.length(1);
      expect(status()).to.equal('live');
      expect(run.stdout).to.match(/posting it again, so it may show twice/);
    });

    it('6. a Retry-After beyond the progress budget does not hold up the watch: the message goes in at a later poll, the outcome arrives', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429, retryAfter: 600 });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(run.ms).to.be.below(20_000);
      expect(run.stdout).to.match(
        /Slack did not take the message now \(Slack asked to wait 600 s before chat\.postMessage \(rate limited\), longer than the pipe waits \(5 s for this call\)/,
      );
      expect(topLevelPosts()).to.have.length(1);
      expect(slack.message?.metadata?.event_payload).to.include({ status: 'live', phase: 'retired' });
    });

    it('6b. a progress update Slack rate-limits is dropped, and the next change carries the state as it is then', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'chat.update', times: 1, error: 429, retryAfter: 600, when: { status: 'rolling_out' } });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(run.ms).to.be.below(20_000);
      expect(run.stdout).to.match(/Slack did not take the update now/);
      expect(slack.message?.metadata?.event_payload).to.include({ status: 'live', phase: 'retired' });
    });

    it("6c. the outcome waits out Slack's Retry-After, however long the progress budget", async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'chat.update', times: 1, error: 429, retryAfter: 7, when: { phase: 'retired' } });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(slack.faults[0]?.times, 'refused once').to.equal(0);
      expect(run.stdout).to.match(/Slack chat\.update failed \(rate limited, Retry-After 7 s\); retry 1 in 7\.0 s/);
      expect(slack.message?.metadata?.event_payload).to.include({ status: 'live', phase: 'retired' });
    });

    it('6d. an outcome Slack asks to hold back beyond SLACK_OUTCOME_BUDGET_MS is exit 4 at once, saying so', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'chat.update', times: 1, error: 429, retryAfter: 3600, when: { phase: 'retired' } });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(4);
      expect(run.ms).to.be.below(20_000);
      expect(run.stdout).to.match(
        /Slack asked to wait 3600 s before chat\.update \(rate limited\), longer than the pipe waits \(900 s for this call\); the notification was not delivered/,
      );
    });

    for (const code of ['token_revoked', 'invalid_auth', 'account_inactive']) {
      it(`7. ${code} mid-run ends the watch at once (exit 4)`, async () => {
        steadyService(aws, 'shop-api');
        script(aws, stalled());
        slack.faults.push({ method: 'chat.update', times: 1, error: code });
        const run = await runPipe(env());
        expect(run.code, run.stdout).to.equal(4);
        expect(run.ms).to.be.below(15_000);
        expect(run.stdout).to.match(new RegExp(`\\(${code}\\)`));
        expect(run.stdout).not.to.match(/will try again at the next change/);
      });
    }

    it('8. a post answered ok without a ts is exit 4 with a clear message', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'no-ts' });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(4);
      expect(run.stdout).to.match(/answered chat\.postMessage with ok but without the message's channel and ts/);
    });

    it('9. a service that wants no tasks is not "live": it has no tasks to roll out (exit 0)', async () => {
      steadyService(aws, 'shop-api', undefined, 0);
      script(aws, [deploy('shop-api')]);
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(status()).to.equal('no_tasks');
      expect(slack.message?.blocks?.[0].text.text).to.equal('💤 shop-api has no tasks to roll out in production (desired count 0)');
      expect(run.stdout).to.match(/✔ shop-api has no tasks to roll out in production/);
    });
  });

  describe('secrets', () => {
    it('10. an AWS error quoting the session token reaches neither Slack nor the log', async () => {
      steadyService(aws, 'shop-api');
      // Mid-run, once the message exists: the error text goes into the message and its thread.
      script(aws, stalledThenSignatureError());
      const run = await runPipe(env({ AWS_SESSION_TOKEN: SESSION_TOKEN }));
      expect(run.code, run.stdout).to.equal(3);
      expect(slack.replies.at(-1)?.text).to.match(/^⚠️ Stopped watching: AWS rejected the credentials/);
      expect(everything(run)).to.include('x-amz-security-token:***');
      for (const secret of [TOKEN, SECRET_KEY, SESSION_TOKEN]) expect(everything(run)).not.to.include(secret);
    });

    it('10. the credentials STS hands out are masked like the configured ones', async () => {
      steadyService(aws, 'shop-api');
      script(aws, stalledThenSignatureError());
      const run = await runPipe(
        env({
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_OIDC_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy-notifier',
          BITBUCKET_STEP_OIDC_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYXVsdHMifQ.c2lnbmF0dXJl',
          DEBUG: 'true',
        }),
      );
      expect(run.code, run.stdout).to.equal(3);
      for (const secret of [FakeAccount.ROLE_SECRET, FakeAccount.ROLE_SESSION_TOKEN, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYXVsdHMifQ.c2lnbmF0dXJl']) {
        expect(everything(run)).not.to.include(secret);
      }
    });

    it('11. secrets pasted with a trailing newline are trimmed once and used trimmed', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      const run = await runPipe(env({ AWS_SECRET_ACCESS_KEY: `${SECRET_KEY}\n`, AWS_SESSION_TOKEN: `${SESSION_TOKEN}\n`, SLACK_TOKEN: `${TOKEN}\n` }));
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(slack.calls.every((c) => c.token === TOKEN)).to.equal(true);
    });
  });

  describe('robust answers', () => {
    it('an optional read throttled (the estimates) is tried once and given up, never holding up a poll', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      aws.faults.push({ op: 'DescribeTargetGroupAttributes', times: 100, kind: 'throttle' });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      expect(status()).to.equal('live');
      expect(aws.count('DescribeTargetGroupAttributes')).to.equal(1);
      expect(run.stdout).to.match(/No estimates of when targets turn healthy or the old version retires/);
      expect(run.stdout).not.to.match(/DescribeTargetGroupAttributes failed .* retry/);
    });

    for (const kind of ['garbage', 'truncated'] as const) {
      it(`12. a ${kind} 200 answer is a glitch to retry, not the end`, async () => {
        steadyService(aws, 'shop-api');
        script(aws, successfulRollout());
        aws.faults.push({ op: 'DescribeTasks', times: 1, kind });
        const run = await runPipe(env());
        expect(run.code, run.stdout).to.equal(0);
        expect(status()).to.equal('live');
      });
    }

    it('12. an answer that omits the service without a failure entry is asked again, once', async () => {
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      aws.faults.push({ op: 'DescribeServices', times: 1, kind: 'empty' });
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      aws.faults.push({ op: 'DescribeServices', times: 2, kind: 'empty' });
      const again = await runPipe(env());
      expect(again.code, again.stdout).to.equal(3);
      expect(again.stdout).to.match(/ECS service "shop-api" not found in cluster "prod" \(not in the answer\)/);
    });

    it('13. throttling until WAIT_TIMEOUT is a time-out (exit 1), saying AWS kept throttling', async () => {
      steadyService(aws, 'shop-api');
      script(aws, stalled());
      aws.faults.push({ op: 'DescribeServices', times: 10_000, kind: 'throttle' });
      const run = await runPipe(env({ WAIT_TIMEOUT: '4' }));
      expect(run.code, run.stdout).to.equal(1);
      expect(status()).to.equal('timed_out');
      expect(run.stdout).to.match(/AWS kept throttling ecs:DescribeServices until WAIT_TIMEOUT/);
      expect(JSON.stringify(slack.replies[0]?.blocks)).to.match(/AWS kept throttling/);
    });

    it('14. an absurd SERVICE_NAME_COUNT is refused at once (exit 2), the same service twice is one', async () => {
      const run = await runPipe(env({ SERVICE_NAME: undefined, SERVICE_NAME_COUNT: '100000000' }));
      expect(run.code, run.stdout).to.equal(2);
      expect(run.ms).to.be.below(1500);
      expect(run.stdout).to.match(/SERVICE_NAME_COUNT is 100000000: a list variable may have at most/);
      steadyService(aws, 'shop-api');
      script(aws, successfulRollout());
      const twice = await runPipe(env({ SERVICE_NAME: 'shop-api,arn:aws:ecs:eu-west-1:123456789012:service/prod/shop-api', TASK_DEFINITION: undefined }));
      expect(twice.code, twice.stdout).to.equal(0);
      expect(slack.message?.metadata?.event_payload.services).to.have.length(1);
    });

    it('15. reads that do not depend on each other run side by side: a slow region costs about two round trips a poll', async () => {
      const latency = 500;
      scenario('success').start(aws);
      aws.latencyMs = latency;
      const run = await runPipe(env({ TASK_DEFINITION: 'shop-api:42' }));
      expect(run.code, run.stdout).to.equal(0);
      // A poll that lists tasks asks for target health at the same moment.
      const listing = aws.calls.find((c) => c.op === 'ListTasks');
      const health = aws.calls.filter((c) => c.op === 'DescribeTargetHealth').map((c) => Math.abs(c.at - (listing?.at ?? 0)));
      expect(Math.min(...health)).to.be.below(latency / 3);
      // Each poll begins with DescribeServices, the target health (and around "live" the task list)
      // of a rolling service asked beside it; what it reads after that comes in one more round trip,
      // two when tasks changed (ListTasks beside the target health, then DescribeTasks). Read one
      // after another, the first poll's six reads would take six round trips, a changed poll's three.
      // A poll's window opens a little before its DescribeServices: the reads beside it may arrive first.
      const polls = aws.calls.filter((c) => c.op === 'DescribeServices').map((c) => c.at);
      const opens = (at: number) => at - latency / 3;
      const depths = polls.map((start, i) => {
        // Not one of a poll's reads: the load balancer's metrics (after a poll, once a minute), and the
        // task definition that served before, read once for what changed, beside the watch.
        const aside = (c: (typeof aws.calls)[number]) =>
          c.op === 'GetMetricData' || (c.op === 'DescribeTaskDefinition' && String(c.body.taskDefinition).endsWith('shop-api:41'));
        const rest = aws.calls.filter((c) => c.at >= opens(start) && c.at < opens(polls[i + 1] ?? Infinity) && c.op !== 'DescribeServices' && !aside(c));
        return Math.max(0, ...rest.map((c) => c.at - start)) / latency;
      });
      expect(Math.max(...depths), depths.map((d) => d.toFixed(1)).join(' ')).to.be.below(2.5);
    });

    it('17. a service answer without desiredCount is not read as "0 tasks wanted"', async () => {
      steadyService(aws, 'shop-api');
      aws.service('shop-api').omitDesiredCount = true;
      script(aws, successfulRollout());
      const run = await runPipe(env());
      expect(run.code, run.stdout).to.equal(0);
      // The new tasks are still to start; with "0 wanted" the first poll would read as cutting over.
      expect(statuses()[0]).to.equal('rolling_out/starting');
      expect(status()).to.equal('live');
    });
  });

  describe('crash loops', () => {
    const crashing = () => [
      deploy('shop-api'),
      provisionNew('shop-api'),
      runNew('shop-api'),
      crashNew('shop-api'),
      noop,
      provisionNew('shop-api'),
      crashNew('shop-api'),
    ];

    it('warns at once that new tasks keep crashing, while the status stays rolling out', async () => {
      steadyService(aws, 'shop-api');
      script(aws, crashing().slice(0, 4));
      const run = await runPipe(env({ WAIT_TIMEOUT: '5' }));
      expect(run.code, run.stdout).to.equal(1);
      const warned = slack.calls.find((c) => JSON.stringify(c.blocks).includes('new tasks keep crashing: exit code 1, 2 times'));
      expect(warned, 'an update with the warning').not.to.equal(undefined);
      expect(warned?.metadata?.event_payload.status).to.equal('rolling_out');
      // The circuit breaker's count comes from the service deployment, read when the tasks failed.
      expect(run.stdout).to.match(/⚠️ new tasks keep crashing: exit code 1, 2 times \(ECS counts 2 failed tasks; circuit breaker 2 of 3\)/);
    });

    it('fails at CRASH_LOOP_LIMIT without waiting for ECS (exit 1)', async () => {
      steadyService(aws, 'shop-api');
      script(aws, crashing());
      const run = await runPipe(env({ CRASH_LOOP_LIMIT: '3' }));
      expect(run.code, run.stdout).to.equal(1);
      expect(status()).to.equal('failed');
      expect(run.stdout).to.match(
        /failed — new tasks kept crashing \(exit code 1, 4 times, CRASH_LOOP_LIMIT reached\); ECS's deployment circuit breaker had not tripped/,
      );
    });
  });
});
