// CHECK_ONLY through the built program against the doubles: every read a run of this service's
// kind would make, the Slack token, scopes and channel, a sample message validated and never
// shown; all problems at once; nothing posted, nothing watched.
import { createServer } from 'node:http';
import { expect } from 'chai';
import { type FakeAccount, tdArn } from '../simulator/fake-aws.ts';
import type { FakeSlack } from '../simulator/fake-slack.ts';
import { runPipe } from '../simulator/run-pipe.ts';
import { steadyService, steadyShiftService } from '../simulator/scenarios.ts';
import { pipeVariables } from './support/pipe-env.ts';
import { useSimulation } from './support/simulation.ts';

describe('e2e: CHECK_ONLY, the preflight', function () {
  this.timeout(60_000);
  let aws: FakeAccount;
  let slack: FakeSlack;
  useSimulation((sim) => ({ aws, slack } = sim));
  const env = (extra: Record<string, string | undefined> = {}) =>
    pipeVariables({ aws, slack }, { slackToken: 'xoxb-1-2-preflight', secretAccessKey: 'preflightSecretAccessKey0000000' }, { CHECK_ONLY: 'true', ...extra });
  const lines = (out: string) =>
    out
      .split('\n')
      .filter((l) => /^\S+\s+[✔⚠✖] /.test(l))
      .map((l) => l.replace(/^\S+\s+/, ''));

  it('a rolling service, everything in place: every read allowed, Slack ready, exit 0; nothing posted or watched', async () => {
    steadyService(aws, 'shop-api');
    const run = await runPipe(env({ SLACK_CHANNEL: '#deploys' }));
    expect(run.code, run.stdout).to.equal(0);
    const checked = lines(run.stdout);
    for (const what of [
      'ecs:DescribeServices',
      'ecs:ListTasks',
      'ecs:DescribeTasks',
      'ecs:DescribeTaskDefinition',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'ecs:DescribeServiceDeployments',
      'logs:GetLogEvents',
      'cloudwatch:GetMetricData',
      // Its image is tagged `latest`, no commit: what changed would read its revision label.
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
      'Slack token (auth.test)',
      'Slack scope chat:write',
      'Slack channel #deploys',
      'sample message',
    ])
      expect(
        checked.some((l) => l.startsWith(`✔ ${what}`)),
        `${what} in ${checked.join('\n')}`,
      ).to.equal(true);
    expect(run.stdout).to.match(/✔ Setup check: all \d+ checks hold\./);
    // Posted nothing, left nothing scheduled, watched nothing (one DescribeServices).
    expect(slack.calls).to.deep.equal([]);
    expect(slack.scheduledCount).to.equal(1);
    expect(slack.scheduled.size).to.equal(0);
    expect(aws.count('DescribeServices')).to.equal(1);
  });

  it('reports every problem at once (a denied read, a channel the app cannot post in), exit 2', async () => {
    steadyService(aws, 'shop-api');
    aws.faults.push({ op: 'ListTasks', times: 1, kind: 'access_denied' }, { op: 'DescribeTargetGroups', times: 1, kind: 'access_denied' });
    slack.member = false;
    slack.scopes = ['chat:write', 'channels:history'];
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(2);
    const checked = lines(run.stdout);
    expect(checked).to.include('✖ ecs:ListTasks — denied: add ecs:ListTasks to the policy (examples/iam-policy.json)');
    // A nicety denied is a warning: the run works without estimates.
    expect(checked.find((l) => l.startsWith('⚠ elasticloadbalancing:DescribeTargetGroups'))).to.match(
      /denied: .* without it the message gives no estimates, and no hint where the time went/,
    );
    expect(checked.find((l) => l.startsWith('✖ Slack channel'))).to.match(/the app is not in it and lacks chat:write\.public/);
    expect(checked.find((l) => l.startsWith('⚠ Slack scope channels:read'))).to.match(/missing/);
    // The sample message is refused for the same reason, in Slack's words and the pipe's advice.
    expect(checked.find((l) => l.startsWith('✖ sample message'))).to.match(/not_in_channel/);
    expect(run.stdout).to.match(/✖ Setup check: 3 problems, \d+ warnings \(a run works, with less\)\. Fix them, then run again\./);
    expect(slack.calls).to.deep.equal([]);
  });

  it('a production-looking environment falling back to the default channel is a warning naming the rule it nearly matched, exit 0', async () => {
    steadyService(aws, 'shop-api');
    const run = await runPipe(env({ ENVIRONMENT: 'production', SLACK_CHANNELS: 'prod=#deploys-prod,staging=#deploys-staging' }));
    expect(run.code, run.stdout).to.equal(0);
    expect(lines(run.stdout)).to.include(
      '⚠ configuration — ENVIRONMENT "production" looks like production but matches no SLACK_CHANNELS rule: its messages go to the default SLACK_CHANNEL #deploys; the rule "prod" nearly matched it ("prod*" would)',
    );
  });

  it("AWS unreachable: answered within the check's bound (not WAIT_TIMEOUT), exit 2, naming the endpoint", async () => {
    steadyService(aws, 'shop-api');
    // Nothing listens on port 1: every attempt is refused, and a watch would retry for WAIT_TIMEOUT
    // (30 minutes, past this suite's time-out of a minute).
    const run = await runPipe(env({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_ECS: undefined, WAIT_TIMEOUT: '1800' }));
    expect(run.code, run.stdout).to.equal(2);
    const checked = lines(run.stdout);
    expect(checked.find((l) => l.startsWith('✖ ecs:DescribeServices'))).to.match(
      /^✖ ecs:DescribeServices — no answer within the setup check's 30s from http:\/\/127\.0\.0\.1:1: /,
    );
    // Slack's checks were printed as they were done, not held back behind AWS's.
    expect(checked.findIndex((l) => l.startsWith('✔ Slack token'))).to.be.below(checked.findIndex((l) => l.startsWith('✖ ecs:DescribeServices')));
  });

  it('an endpoint that is not AWS (HTTP 404) is named with what it answered, not "UnknownError", exit 2', async () => {
    steadyService(aws, 'shop-api');
    // A mistyped AWS_ENDPOINT_URL: an HTTP server that is not an AWS API, answering a page and 404.
    const server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const run = await runPipe(env({ AWS_ENDPOINT_URL: url, AWS_ENDPOINT_URL_ECS: undefined }));
      expect(run.code, run.stdout).to.equal(2);
      expect(
        lines(run.stdout).find((l) => l.startsWith('✖ ecs:DescribeServices')),
        run.stdout,
      ).to.include(`✖ ecs:DescribeServices — ${url} answered HTTP 404 with no AWS error to ecs:DescribeServices: is it an AWS API?`);
    } finally {
      server.close();
    }
  });

  it('an endpoint named in an error never shows a user or password given in its URL', async () => {
    steadyService(aws, 'shop-api');
    const server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const run = await runPipe(env({ AWS_ENDPOINT_URL: `http://proxyuser:endpointPa55word@127.0.0.1:${port}`, AWS_ENDPOINT_URL_ECS: undefined }));
      expect(run.code, run.stdout).to.equal(2);
      expect(lines(run.stdout).find((l) => l.startsWith('✖ ecs:DescribeServices'))).to.include(`http://127.0.0.1:${port} answered HTTP 404`);
      expect(run.stdout + run.stderr).not.to.include('endpointPa55word');
    } finally {
      server.close();
    }
  });

  it('with APPROVERS, the reactions:read scope is needed', async () => {
    steadyService(aws, 'shop-api');
    slack.scopes = slack.scopes.filter((s) => s !== 'reactions:read');
    const run = await runPipe(env({ APPROVERS: 'U0APPROVER1' }));
    expect(run.code, run.stdout).to.equal(2);
    expect(lines(run.stdout)).to.include('✖ Slack scope reactions:read — missing: add it and reinstall the app');
  });

  it('a blue/green service: the reads of traffic shifting (service deployments, revisions, the production rule)', async () => {
    steadyShiftService(aws, 'shop-api', { strategy: 'BLUE_GREEN' });
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    const checked = lines(run.stdout);
    for (const what of [
      'ecs:DescribeServiceDeployments',
      'ecs:DescribeServiceRevisions',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetHealth',
    ])
      expect(
        checked.some((l) => l.startsWith(`✔ ${what}`)),
        `${what} in ${checked.join('\n')}`,
      ).to.equal(true);
    expect(checked.some((l) => l.includes('ecs:ListTasks'))).to.equal(false);
  });

  it('alarms and Lambda hooks: the reads a failure thread makes of them, a denial only a warning', async () => {
    steadyShiftService(aws, 'shop-api', { strategy: 'BLUE_GREEN', alarms: ['shop-api-5xx-rate'], lambdaHooks: ['shop-api-smoke-test'] });
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    const checked = lines(run.stdout);
    for (const what of ['cloudwatch:DescribeAlarms', 'logs:FilterLogEvents']) expect(checked, what).to.include(`✔ ${what}`);
    expect(aws.calls.find((c) => c.op === 'FilterLogEvents')?.body).to.include({ logGroupName: '/aws/lambda/shop-api-smoke-test', limit: 1 });

    aws.calls.length = 0;
    aws.faults.push({ op: 'DescribeAlarms', times: 1, kind: 'access_denied' });
    const denied = await runPipe(env());
    expect(denied.code, denied.stdout).to.equal(0);
    expect(lines(denied.stdout)).to.include(
      "⚠ cloudwatch:DescribeAlarms — denied: add cloudwatch:DescribeAlarms to the policy (examples/iam-policy.json); without it a rollback's alarms are named without their metric, threshold and the value that breached them",
    );
  });

  it("the traffic verification's metrics: denied is a warning saying what is lost; VERIFY=off does not ask", async () => {
    steadyShiftService(aws, 'shop-api', { strategy: 'CANARY' });
    aws.faults.push({ op: 'GetMetricData', times: 1, kind: 'access_denied' });
    const denied = await runPipe(env());
    expect(denied.code, denied.stdout).to.equal(0);
    const checked = lines(denied.stdout);
    expect(checked).to.include(
      '⚠ cloudwatch:GetMetricData — denied: add cloudwatch:GetMetricData to the policy (examples/iam-policy.json); without it the traffic is not verified (the message says "not measured" and why)',
    );
    // A traffic-shifting service's groups are read for their load balancer.
    expect(checked).to.include('✔ elasticloadbalancing:DescribeTargetGroups');
    aws.calls.length = 0;
    const off = await runPipe(env({ VERIFY: 'off' }));
    expect(off.code, off.stdout).to.equal(0);
    expect(aws.count('GetMetricData')).to.equal(0);
  });

  it("an ECR image's revision label: denied is a warning saying what is lost; an image tagged by commit is not asked", async () => {
    steadyService(aws, 'shop-api');
    aws.faults.push({ op: 'BatchGetImage', times: 1, kind: 'access_denied' });
    const denied = await runPipe(env());
    expect(denied.code, denied.stdout).to.equal(0);
    expect(lines(denied.stdout)).to.include(
      "⚠ ecr:BatchGetImage — denied: add ecr:BatchGetImage to the policy (examples/iam-policy.json); without it what changed does not read an image's revision label (the image tag when it is a commit, or the channel's bookmark, still name the version before)",
    );
    aws.calls.length = 0;
    for (const revision of [41, 42]) aws.images.set(tdArn('shop-api', revision), `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:0123456`);
    const tagged = await runPipe(env());
    expect(tagged.code, tagged.stdout).to.equal(0);
    expect(aws.count('BatchGetImage') + aws.count('GetDownloadUrlForLayer')).to.equal(0);
  });

  it('a token Slack refuses and credentials AWS refuses: both said, exit 2', async () => {
    steadyService(aws, 'shop-api');
    aws.faults.push({ op: 'DescribeServices', times: 1, kind: 'signature' });
    slack.faults.push({ method: 'auth.test', times: 1, error: 'invalid_auth' });
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(2);
    const checked = lines(run.stdout);
    expect(checked.find((l) => l.startsWith('✖ ecs:DescribeServices'))).to.match(/AWS rejected the credentials/);
    expect(checked.find((l) => l.startsWith('✖ Slack token'))).to.match(/Slack rejected SLACK_TOKEN \(invalid_auth\)/);
    expect(run.stdout + run.stderr).not.to.include('xoxb-1-2-preflight');
  });
});
