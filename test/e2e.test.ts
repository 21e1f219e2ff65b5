// End to end: the built program, through the real AWS SDK and Slack clients, against local HTTP
// doubles of ECS, ELBv2, STS and Slack.
import { expect } from 'chai';
import {
  CONTAINER_AUTHORIZATION_TOKEN,
  CONTAINER_CREDENTIALS_PATH,
  CONTAINER_KEY_ID,
  CONTAINER_SECRET,
  CONTAINER_SESSION_TOKEN,
} from '../simulator/aws/container-credentials.ts';
import { FakeAccount } from '../simulator/fake-aws.ts';
import type { FakeSlack } from '../simulator/fake-slack.ts';
import { type PipeRun, runPipe } from '../simulator/run-pipe.ts';
import {
  alarmRollback,
  circuitBreak,
  crashNew,
  deploy,
  drainOld,
  healthyNew,
  NEWER,
  noop,
  provisionNew,
  provisionStarved,
  retireOld,
  runNew,
  type Step,
  script,
  steadyService,
  successfulRollout,
  unhealthyNew,
} from '../simulator/scenarios.ts';
import { pipeVariables } from './support/pipe-env.ts';
import { useSimulation } from './support/simulation.ts';

const TOKEN = 'xoxb-1234-5678-e2eSECRETtoken';
const SECRET_KEY = 'e2eSecretAccessKeyDoNotPrint0000';

describe('e2e: the built program against HTTP doubles', function () {
  this.timeout(120_000);
  let aws: FakeAccount;
  let slack: FakeSlack;
  useSimulation((sim) => ({ aws, slack } = sim));

  const env = (extra: Record<string, string | undefined> = {}) =>
    pipeVariables(
      { aws, slack },
      { slackToken: TOKEN, secretAccessKey: SECRET_KEY },
      { BITBUCKET_REPO_FULL_NAME: 'acme/shop-api', BITBUCKET_BUILD_NUMBER: '412', ...extra },
    );

  const expectNoSecrets = (run: PipeRun) => {
    for (const secret of [TOKEN, SECRET_KEY, 'eyJhbGciOiJSUzI1NiJ9.e2e.oidc']) {
      expect(run.stdout + run.stderr).not.to.include(secret);
    }
  };
  const statuses = () => slack.calls.filter((c) => !c.thread_ts).map((c) => `${c.metadata?.event_payload.status}/${c.metadata?.event_payload.phase}`);
  const topLevelPosts = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.thread_ts);

  it('reports a successful rolling update: live at cut-over, then old version retired', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(env());
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(topLevelPosts()).to.have.length(1);
    expect(slack.replies).to.have.length(0);
    expect(slack.calls.every((c) => c.token === TOKEN)).to.equal(true);
    const seq = statuses();
    expect(seq[0]).to.match(/^rolling_out\//);
    expect(
      seq.filter((s) => s === 'live/live'),
      seq.join(' '),
    ).to.have.length(1);
    expect(seq.indexOf('live/live')).to.be.lessThan(seq.indexOf('live/retired'));
    expect(seq[seq.length - 1]).to.equal('live/retired');
    const final = slack.message;
    expect(final?.channel).to.equal(slack.channelId);
    expect(final?.metadata).to.deep.include({ event_type: 'ecs_deployment' });
    expect(final?.metadata?.event_payload).to.deep.include({
      status: 'live',
      environment: 'production',
      cluster: 'prod',
      services: [{ name: 'shop-api', status: 'retired', task_definition: 'shop-api:42' }],
      task_definitions: 'shop-api:42',
      ref_type: 'branch',
      ref: 'main',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
    const blocksText = JSON.stringify(final?.blocks);
    expect(blocksText).to.include('old version retired');
    expect(blocksText).to.include('<https://bitbucket.org/acme/shop-api/commits/0123456789abcdef0123456789abcdef01234567|0123456>');
    expect(blocksText).to.include('<https://bitbucket.org/acme/shop-api/pipelines/results/412|#412>');
    expect(run.stdout).to.match(/✔ shop-api is live in production after/);
    expectNoSecrets(run);
  });

  it('estimates when targets turn healthy and when the old version retires, from the target group read once', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    const blocks = slack.calls.filter((c) => !c.thread_ts).map((c) => JSON.stringify(c.blocks));
    expect(
      blocks.some((b) => /old version retires by ~<!date\^\d+\^\{time\}\|\d\d:\d\d UTC> \(deregistration delay 300 s\)/.test(b)),
      blocks.join('\n'),
    ).to.equal(true);
    expect(run.stdout).to.match(/targets healthy by ~\d\d:\d\d UTC \(one passing health check, every 30 s\)/);
    expect(aws.count('DescribeTargetGroups')).to.equal(1);
    expect(aws.count('DescribeTargetGroupAttributes')).to.equal(1);
    // At the end, where the time went, in the log and in the message; no hint: no phase took a minute.
    expect(run.stdout, run.stdout).to.match(/ {2}time: tasks started \d+ s \(image pull 2 s\) · health checks \d+ s · cut-over \d+ s · drain \d+ s$/m);
    expect(run.stdout).not.to.match(/ hint: /);
    expect(JSON.stringify(slack.message?.blocks)).to.match(/Where the time went: tasks started \d+ s \(image pull 2 s\)/);
  });

  it('carries on without estimates when the target group reads are not allowed (a 1.0 policy)', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    aws.faults.push({ op: 'DescribeTargetGroups', times: 99, kind: 'access_denied' });
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    expect(run.stdout).to.match(
      /No estimates of when targets turn healthy or the old version retires: Access denied: .*elasticloadbalancing:DescribeTargetGroups/,
    );
    expect(run.stdout).not.to.match(/retires by/);
  });

  it('stays frugal: about two AWS calls per poll while nothing changes', async () => {
    steadyService(aws, 'shop-api');
    // Old targets drain for several polls: the phase a real rollout spends most time in.
    script(aws, [
      deploy('shop-api'),
      provisionNew('shop-api'),
      runNew('shop-api'),
      healthyNew('shop-api'),
      drainOld('shop-api'),
      noop,
      noop,
      noop,
      noop,
      noop,
      retireOld('shop-api'),
    ]);
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    const polls = aws.count('DescribeServices');
    const steady = aws.calls.filter((_c, i, all) => {
      // Calls made during the five no-change polls (between the 6th and 11th DescribeServices).
      const pollNo = all.slice(0, i + 1).filter((x) => x.op === 'DescribeServices').length;
      return pollNo >= 7 && pollNo <= 10;
    });
    const perPoll = steady.length / 4;
    expect(perPoll, JSON.stringify(steady.map((c) => c.op))).to.be.at.most(2);
    expect(aws.calls.length / polls, 'calls per poll over the whole rollout').to.be.below(3.5);
  });

  it('names the alarm behind a rollback, from the service deployment that was rolled back', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), runNew('shop-api'), healthyNew('shop-api'), alarmRollback('shop-api', 'shop-api-5xx-count')]);
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(1);
    expect(run.stdout).to.match(/shop-api: failed — ECS deployment failed: alarm detected\. \(alarm shop-api-5xx-count\)/);
    expect(aws.count('DescribeServiceDeployments')).to.equal(1);
    expect(run.stdout).to.match(
      /alarm shop-api-5xx-count \(shop-api\): Sum of AWS\/ApplicationELB HTTPCode_Target_5XX_Count ≥ 10 over 2 × 60 s — breached at 57, 42/,
    );
    expect(aws.count('DescribeAlarms')).to.equal(1);
  });

  it('reports a circuit-breaker rollback as failed, with the causes in a thread and the mentions', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), runNew('shop-api'), crashNew('shop-api'), circuitBreak('shop-api')]);
    const run = await runPipe(env({ SLACK_MENTION_ON_FAILURE: 'U012AB3CD,S0614TZR7' }));
    expect(run.code, run.stdout).to.equal(1);
    expect(slack.message?.metadata?.event_payload.status).to.equal('failed');
    expect(slack.replies).to.have.length(1);
    expect(slack.replies[0]?.metadata?.event_payload).to.include({ status: 'failed', environment: 'production' });
    const reply = JSON.stringify(slack.replies[0]?.blocks);
    expect(reply).to.include('ECS deployment circuit breaker: tasks failed to start.');
    expect(reply).to.match(/EssentialContainerExited: Essential container in task exited \[web exit code 1\]/);
    expect(reply).to.include('<@U012AB3CD> <!subteam^S0614TZR7>');
    expect(run.stdout).to.match(/✖ shop-api failed to deploy to production/);
    expectNoSecrets(run);
  });

  it('times out on stalled health checks, saying how far it got and why', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), runNew('shop-api'), unhealthyNew('shop-api')]);
    const run = await runPipe(env({ WAIT_TIMEOUT: '6' }));
    expect(run.code, run.stdout).to.equal(1);
    expect(slack.message?.metadata?.event_payload.status).to.equal('timed_out');
    const reply = JSON.stringify(slack.replies[0]?.blocks);
    expect(reply).to.include('waiting for healthy targets');
    expect(reply).to.include('Target.ResponseCodeMismatch (Health checks failed with these codes: [502])');
    expect(run.stdout).to.match(/✖ shop-api did not go live in production within 6s/);
    expect(run.ms).to.be.below(15_000);
  });

  it('says new tasks wait for capacity (a shortage, not the application) while rolling out, and why at the time-out', async () => {
    steadyService(aws, 'shop-api');
    // The watch starts late: the new tasks have been PROVISIONING on Fargate Spot for 3 minutes.
    script(aws, [deploy('shop-api'), provisionStarved('shop-api', 3 * 60_000, 'FARGATE_SPOT')]);
    const run = await runPipe(env({ WAIT_TIMEOUT: '5' }));
    expect(run.code, run.stdout).to.equal(1);
    const warned = slack.calls.find(
      (c) => c.method === 'chat.update' && JSON.stringify(c.blocks).includes('2 new tasks waiting for capacity (PROVISIONING) for 3 min'),
    );
    expect(warned, 'the message warned while rolling out').to.not.equal(undefined);
    expect(run.stdout).to.match(
      /⚠️ 2 new tasks waiting for capacity \(PROVISIONING\) for 3 min \(capacity provider FARGATE_SPOT\): a capacity shortage, not the application/,
    );
    const reply = JSON.stringify(slack.replies[0]?.blocks);
    expect(reply).to.include('waiting for capacity (PROVISIONING)');
    expect(reply).to.include('Capacity is unavailable at this time');
  });

  it('reports superseded when a newer revision takes over', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), deploy('shop-api', NEWER)]);
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    expect(slack.message?.metadata?.event_payload.status).to.equal('superseded');
    expect(JSON.stringify(slack.message?.blocks)).to.include('superseded by shop-api:43');
  });

  it('rides out throttling, 5xx and reset connections', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    aws.faults.push(
      { op: 'DescribeServices', times: 4, kind: 'throttle' },
      { op: 'DescribeTargetHealth', times: 3, kind: 'unavailable' },
      { op: 'ListTasks', times: 1, kind: 'reset' },
    );
    const run = await runPipe(env());
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(/WARN AWS ecs:DescribeServices failed \(ThrottlingException/);
    // Said in the message while rolling out, never judged: the outcome is what AWS answered.
    const first = slack.calls.find((c) => c.method === 'chat.postMessage');
    expect(JSON.stringify(first?.blocks)).to.match(/⏳ Delayed by AWS throttling \(ecs:DescribeServices retried 4 times\)/);
    expect(JSON.stringify(slack.message?.blocks)).not.to.include('Delayed by AWS throttling');
    expect(aws.faults.every((f) => f.times === 0)).to.equal(true);
    expect(slack.message?.metadata?.event_payload.status).to.equal('live');
  });

  it('rejects bad input with exit 2, naming every variable, before any call', async () => {
    const run = await runPipe(env({ CLUSTER_NAME: undefined, TASK_DEFINITION: 'shop-api:latest', SLACK_TOKEN: 'not-a-token-SEKRIT', POLL_INTERVAL: '0' }));
    expect(run.code).to.equal(2);
    expect(run.stdout).to.include('CLUSTER_NAME is required');
    expect(run.stdout).to.include('TASK_DEFINITION');
    expect(run.stdout).to.include('SLACK_TOKEN');
    expect(run.stdout).to.include('POLL_INTERVAL');
    expect(run.stdout).not.to.include('SEKRIT');
    expect(run.ms).to.be.below(1500);
    expect(aws.calls).to.have.length(0);
    expect(slack.calls).to.have.length(0);
  });

  it('assumes the role with the step OIDC token and signs with the role credentials', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(
      env({
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_OIDC_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy-notifier',
        BITBUCKET_STEP_OIDC_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.e2e.oidc',
        DEBUG: 'true', // secrets stay out of the log even so
      }),
    );
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.include('DEBUG AWS ecs:DescribeServices');
    expect(aws.webIdentityTokens).to.deep.equal(['eyJhbGciOiJSUzI1NiJ9.e2e.oidc']);
    const ecsCalls = aws.calls.filter((c) => c.op !== 'AssumeRoleWithWebIdentity');
    expect(ecsCalls.every((c) => c.accessKeyId === FakeAccount.ROLE_KEY_ID)).to.equal(true);
    expectNoSecrets(run);
  });

  it('per-environment roles: a production run assumes the production role with the step token, a staging run the other', async () => {
    const PROD = 'arn:aws:iam::111111111111:role/ecs-deploy-notifier';
    const NONPROD = 'arn:aws:iam::222222222222:role/ecs-deploy-notifier';
    steadyService(aws, 'shop-api');
    const assumed: string[] = [];
    for (const environment of ['production', 'staging']) {
      const run = await runPipe(
        env({
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          ENVIRONMENT: environment,
          AWS_OIDC_ROLE_ARNS: `production=${PROD},*=${NONPROD}`,
          BITBUCKET_STEP_OIDC_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.e2e.oidc',
          CHECK_ONLY: 'true',
        }),
      );
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      assumed.push(...aws.calls.filter((c) => c.op === 'AssumeRoleWithWebIdentity').map((c) => String(c.body.RoleArn)));
      aws.calls.length = 0;
    }
    expect(assumed).to.deep.equal([PROD, NONPROD]);
    expect(aws.webIdentityTokens).to.deep.equal(['eyJhbGciOiJSUzI1NiJ9.e2e.oidc', 'eyJhbGciOiJSUzI1NiJ9.e2e.oidc']);
  });

  it("without keys or a role, uses the runner's own credentials (ECS container credentials), saying so and masking them", async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(
      env({
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${aws.url}${CONTAINER_CREDENTIALS_PATH}`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_AUTHORIZATION_TOKEN,
        DEBUG: 'true',
      }),
    );
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.include("AWS credentials: the runner's own, from its container credentials (default provider chain)");
    expect(aws.count('ContainerCredentials')).to.equal(1);
    expect(aws.calls.filter((c) => c.op !== 'ContainerCredentials').every((c) => c.accessKeyId === CONTAINER_KEY_ID)).to.equal(true);
    for (const secret of [CONTAINER_SECRET, CONTAINER_SESSION_TOKEN, CONTAINER_AUTHORIZATION_TOKEN]) expect(run.stdout + run.stderr).not.to.include(secret);
    expect(JSON.stringify(slack.calls)).not.to.include(CONTAINER_SECRET);
  });

  it('says the three ways to give credentials when the default chain finds none (exit 3), posting nothing', async () => {
    steadyService(aws, 'shop-api');
    // runPipe leaves no instance metadata, no ~/.aws and no container endpoint to find.
    const run = await runPipe(env({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }));
    expect(run.code, run.stdout + run.stderr).to.equal(3);
    expect(run.stdout + run.stderr).to.match(
      /No AWS credentials: give them one of three ways: AWS_OIDC_ROLE_ARN .*; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or a runner that has its own/,
    );
    expect(aws.calls).to.have.length(0);
    expect(slack.calls).to.have.length(0);
  });

  it('explains a role it cannot assume (exit 3)', async () => {
    steadyService(aws, 'shop-api');
    const run = await runPipe(
      env({
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_OIDC_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy-notifier',
        BITBUCKET_STEP_OIDC_TOKEN: 'not-a-jwt',
      }),
    );
    expect(run.code, run.stdout).to.equal(3);
    expect(run.stdout).to.match(/Could not assume AWS_OIDC_ROLE_ARN arn:aws:iam::123456789012:role\/deploy-notifier/);
    expect(slack.calls).to.have.length(0);
  });

  it('batches a dozen services, one of 150 tasks, within the API limits', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc-${i + 1}`);
    for (const [i, n] of names.entries()) steadyService(aws, n, undefined, i === 0 ? 150 : 2);
    const each =
      (f: (s: string) => Step): Step =>
      (a) => {
        for (const n of names) f(n)(a);
      };
    // The read that confirms "live" is a poll to this double too: noop keeps the drain visible.
    script(aws, [each(deploy), each(provisionNew), each(runNew), each(healthyNew), each(drainOld), noop, noop, each(retireOld)]);
    const run = await runPipe(env({ SERVICE_NAME: names.join(','), TASK_DEFINITION: undefined }));
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    for (const c of aws.calls.filter((x) => x.op === 'DescribeServices')) expect((c.body.services as string[]).length).to.be.at.most(10);
    for (const c of aws.calls.filter((x) => x.op === 'DescribeTasks')) expect((c.body.tasks as string[]).length).to.be.at.most(100);
    expect(aws.calls.some((c) => c.op === 'ListTasks' && c.body.nextToken)).to.equal(true);
    expect(slack.message?.metadata?.event_payload.services).to.have.length(12);
    for (const phase of ['waiting for healthy targets — 150/150 new tasks ready', 'live, old version draining', 'live, old version retired']) {
      expect(run.stdout, run.stdout).to.include(`svc-1: ${phase}`);
    }
    expect(slack.message?.metadata?.event_payload.status).to.equal('live');
  });

  it('names a missing service and a missing cluster (exit 3), posting nothing', async () => {
    steadyService(aws, 'shop-api');
    const missingService = await runPipe(env({ SERVICE_NAME: 'shop-apj', TASK_DEFINITION: undefined }));
    expect(missingService.code).to.equal(3);
    expect(missingService.stdout).to.match(/ECS service "shop-apj" not found in cluster "prod"/);
    const missingCluster = await runPipe(env({ CLUSTER_NAME: 'prdo' }));
    expect(missingCluster.code).to.equal(3);
    expect(missingCluster.stdout).to.match(/ECS cluster "prdo" was not found in eu-west-1/);
    expect(slack.calls).to.have.length(0);
  });

  it('refuses to judge a service of the EXTERNAL controller (exit 3)', async () => {
    steadyService(aws, 'shop-api');
    aws.service('shop-api').controller = 'EXTERNAL';
    const run = await runPipe(env({ TASK_DEFINITION: undefined }));
    expect(run.code).to.equal(3);
    expect(run.stdout).to.match(
      /EXTERNAL deployment controller; the pipe judges deployments of the ECS and CODE_DEPLOY controllers .*, so this rollout is not judged/,
    );
    expect(slack.calls).to.have.length(0);
  });

  it('says what to do when Slack refuses: channel not found, bot not in channel (exit 4)', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'not_in_channel' });
    const run = await runPipe(env());
    expect(run.code).to.equal(4);
    expect(run.stdout).to.match(/not in channel #deploys \(not_in_channel\): invite it/);
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 'channel_not_found' });
    const again = await runPipe(env());
    expect(again.code).to.equal(4);
    expect(again.stdout).to.match(/channel #deploys was not found/);
    expectNoSecrets(run);
  });

  it('retries Slack rate limits and 5xx without posting twice', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    slack.faults.push({ method: 'chat.postMessage', times: 1, error: 429 }, { method: 'chat.update', times: 2, error: 503 });
    const run = await runPipe(env());
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(topLevelPosts()).to.have.length(1);
    expect(slack.message?.metadata?.event_payload.status).to.equal('live');
  });

  it('fails (exit 4) when the final update cannot be delivered: nothing is silently lost', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), runNew('shop-api'), crashNew('shop-api'), circuitBreak('shop-api')]);
    slack.faults.push({ method: 'chat.update', times: 100, error: 'invalid_auth' });
    const run = await runPipe(env());
    expect(run.code).to.equal(4);
    expect(run.stdout).to.match(/Slack rejected SLACK_TOKEN \(invalid_auth\)/);
  });

  it('says the watch stopped when the step is stopped (SIGTERM, exit 130)', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), runNew('shop-api'), unhealthyNew('shop-api')]);
    const run = await runPipe(env(), { terminateWhen: (out) => /waiting for healthy targets/.test(out) });
    expect(run.code, run.stdout).to.equal(130);
    expect(slack.message?.metadata?.event_payload.stopped_reason).to.equal('the pipeline step was stopped before the rollout finished');
    expect(slack.message?.blocks?.[0].text.text).to.equal('⚠️ Stopped watching shop-api in production');
    expect(slack.replies.at(-1)?.text).to.match(/^⚠️ Stopped watching/);
    expect(slack.replies.at(-1)?.metadata?.event_payload.stopped_reason).to.equal('the pipeline step was stopped before the rollout finished');
  });

  it('escapes user text: a branch named fix/<!channel> pings nobody', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(env({ BITBUCKET_BRANCH: 'fix/<!channel>&<@U999>' }));
    expect(run.code, run.stdout).to.equal(0);
    for (const c of slack.calls) {
      const all = JSON.stringify([c.text, c.blocks]);
      expect(all).not.to.include('<!channel>');
      expect(all).not.to.include('<@U999>');
    }
    expect(JSON.stringify(slack.message?.blocks)).to.include('fix/&lt;!channel&gt;&amp;&lt;@U999&gt;');
    expect(slack.message?.metadata?.event_payload.ref).to.equal('fix/<!channel>&<@U999>');
  });
});
