// End to end, ECS-native blue/green, linear and canary deployments: the built program, through the
// real AWS SDK clients (ECS service deployments and revisions, ELBv2 listener rules and target
// health) and the real Slack client, against the simulator's scenarios.
import { expect } from 'chai';
import type { Scenario, Simulation } from '../simulator/catalog.ts';
import { scenario, simulate } from '../simulator/catalog.ts';
import { type PipeRun, runPipe } from '../simulator/run-pipe.ts';
import { SPARSE_POLL_FACTOR } from '../src/core/budget.ts';
import { pipeVariables } from './support/pipe-env.ts';
import { expectLiveOnceThenRetired, runScenario, statusesOf, topLevelCalls } from './support/scenario-run.ts';

describe('e2e: blue/green, linear and canary deployments', function () {
  this.timeout(120_000);
  let sim: Simulation;
  afterEach(() => sim?.stop());

  async function run(name: string, extra: Record<string, string | undefined> = {}): Promise<{ s: Scenario; run: PipeRun; sim: Simulation }> {
    const result = await runScenario(name, extra);
    sim = result.sim;
    return { s: scenario(name), ...result };
  }
  const topLevel = () => topLevelCalls(sim);
  const statuses = () => statusesOf(sim);
  const texts = () => topLevel().map((c) => JSON.stringify(c.blocks));

  it('blue/green: live when the listener sends all production to green and green is healthy; retired when ECS is done', async () => {
    const { run: r } = await run('blue-green');
    expect(r.code, r.stdout).to.equal(0);
    // Said live only after the cut-over happened on the load balancer, never before.
    expectLiveOnceThenRetired(sim);
    expect(texts().some((t) => t.includes('baking until <!date^'))).to.equal(true);
    expect(texts().some((t) => t.includes('old version on standby'))).to.equal(true);
    expect(r.stdout).to.match(/test traffic 100% on the new version/);
    expect(r.stdout).to.match(/✔ shop-api is live in production after/);
    // The new read actions, each used; the listener rule is read by ARN.
    const ops = new Set(sim.aws.calls.map((c) => c.op));
    for (const op of ['DescribeServiceDeployments', 'DescribeServiceRevisions', 'DescribeRules', 'DescribeTargetHealth'])
      expect(ops.has(op), op).to.equal(true);
    expect(sim.aws.calls.find((c) => c.op === 'DescribeRules')?.body)
      .to.have.property('RuleArns.member.1')
      .that.matches(/:listener-rule\/app\//);
    // Revisions never change: each is described once.
    const described = sim.aws.calls.filter((c) => c.op === 'DescribeServiceRevisions').flatMap((c) => c.body.serviceRevisionArns as string[]);
    expect(described).to.have.length(new Set(described).size);
  });

  it('blue/green: in the bake, once live is settled, polls are sparse and each is DescribeServices and DescribeServiceDeployments', async () => {
    const { run: r } = await run('bake-rollback');
    expect(r.code, r.stdout).to.equal(1);
    const bakeStart = sim.aws.marks.get('cutover:shop-api') ?? 0;
    const failedAt = sim.aws.marks.get('failed:shop-api') ?? 0;
    const inBake = sim.aws.calls.filter((c) => c.at > bakeStart + 2000 && c.at < failedAt);
    const polls = inBake.filter((c) => c.op === 'DescribeServices').length;
    // The bake's end is 10 minutes off: polls SPARSE_POLL_FACTOR intervals (6 s here) apart, not every 2 s.
    expect(polls, JSON.stringify(inBake.map((c) => c.op))).to.be.within(1, Math.ceil((failedAt - bakeStart - 2000) / (1000 * SPARSE_POLL_FACTOR)) + 1);
    expect(inBake.length / polls, JSON.stringify(inBake.map((c) => c.op))).to.be.at.most(2);
  });

  it('ECS Express Mode: a canary service whose task definition comes with its revisions goes live, with its endpoint read once and shown', async () => {
    const { run: r } = await run('express');
    expect(r.code, r.stdout).to.equal(0);
    expectLiveOnceThenRetired(sim);
    expect(sim.aws.count('DescribeExpressGatewayService')).to.equal(1);
    expect(r.stdout).to.match(/shop-api: live, old version retired · sh-3f2a9c1b\.ecs\.eu-west-1\.on\.aws \(https:\/\/sh-3f2a9c1b\.ecs\.eu-west-1\.on\.aws\)/);
    expect(JSON.stringify(sim.slack.message?.blocks)).to.include('<https://sh-3f2a9c1b.ecs.eu-west-1.on.aws|sh-3f2a9c1b.ecs.eu-west-1.on.aws>');
  });

  it('ECS Express Mode without the permission to read the endpoint: still live, one line in the log, not asked again', async () => {
    const result = await runScenario('express', {}, (s) => s.aws.faults.push({ op: 'DescribeExpressGatewayService', times: 5, kind: 'access_denied' }));
    sim = result.sim;
    expect(result.run.code, result.run.stdout).to.equal(0);
    expect(result.run.stdout).to.match(/The Express Mode service's endpoint is not shown: .*DescribeExpressGatewayService/);
    expect(sim.aws.count('DescribeExpressGatewayService')).to.equal(1);
    expect(result.run.stdout).to.match(/✔ shop-api is live in production/);
  });

  it('linear: the message moves through the traffic steps, then bakes and retires', async () => {
    const { run: r } = await run('linear');
    expect(r.code, r.stdout).to.equal(0);
    for (const p of [25, 50, 75]) expect(r.stdout).to.match(new RegExp(`production traffic ${p}% \\(linear steps 25% → 50% → 75% → 100%\\)`));
    expect(texts().some((t) => t.includes('production traffic 50%'))).to.equal(true);
    expect(statuses().at(-1)).to.equal('live/retired');
  });

  it('canary: the canary share, then all of it', async () => {
    const { run: r } = await run('canary');
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.match(/production traffic 10% \(canary steps 10% → 100%\)/);
    expect(statuses().at(-1)).to.equal('live/retired');
  });

  it('bake-rollback: an alarm rolls back after "live" was posted: the same message turns failed, naming the alarm (exit 1)', async () => {
    const { run: r } = await run('bake-rollback');
    expect(r.code, r.stdout).to.equal(1);
    const seq = statuses();
    expect(seq.indexOf('live/live'), seq.join(' ')).to.be.greaterThan(-1);
    expect(seq.at(-1)).to.match(/^failed\//);
    expect(sim.slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.thread_ts)).to.have.length(1);
    expect(sim.slack.replies).to.have.length(1);
    expect(JSON.stringify(sim.slack.replies[0]?.blocks)).to.match(/rolled back after going live: .*shop-api-5xx-rate/);
    expect(r.stdout).to.match(/alarm in ALARM: shop-api-5xx-rate/);
    // The alarm in full: what it watches, its threshold, and the values that breached it.
    expect(r.stdout).to.match(
      /alarm shop-api-5xx-rate \(shop-api\): Sum of AWS\/ApplicationELB HTTPCode_Target_5XX_Count ≥ 10 over 2 × 60 s — breached at 57, 42 \(in ALARM since \d\d:\d\d UTC\)/,
    );
    expect(JSON.stringify(sim.slack.replies[0]?.blocks)).to.match(
      /\*Alarms behind the rollback\*\\n• alarm \*shop-api-5xx-rate\* \(shop-api\): Sum of .* · <https:[^|]+#alarmsV2:alarm\/shop-api-5xx-rate\|alarm page>/,
    );
    expect(sim.aws.calls.filter((c) => c.op === 'DescribeAlarms').map((c) => c.body)).to.deep.equal([
      { AlarmNames: ['shop-api-5xx-rate'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
    ]);
  });

  it('green-unhealthy: the circuit breaker rolls back before production moves; the thread says why (exit 1)', async () => {
    const { run: r } = await run('green-unhealthy');
    expect(r.code, r.stdout).to.equal(1);
    const thread = JSON.stringify(sim.slack.replies[0]?.blocks);
    expect(thread).to.match(/circuit breaker tripped: \d+ failed tasks, threshold 3/);
    expect(thread).to.match(/target group shop-api-alt: 2 new targets Target\.ResponseCodeMismatch/);
    expect(thread).to.match(/Task failed ELB health checks/);
    expect(statuses()).not.to.include('live/live');
  });

  it('hook-fails: a failed Lambda hook is named with its stage, and the thread shows what the function printed (exit 1)', async () => {
    const { run: r } = await run('hook-fails');
    expect(r.code, r.stdout).to.equal(1);
    const thread = JSON.stringify(sim.slack.replies[0]?.blocks);
    expect(thread).to.match(
      /Last 3 lines of Lambda hook \*shop-api-smoke-test\* \(POST_TEST_TRAFFIC_SHIFT, FAILED\), shop-api · <https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2:log-groups\/log-group\/\$252Faws\$252Flambda\$252Fshop-api-smoke-test\|log group>/,
    );
    expect(thread).to.include('smoke test: GET /orders -&gt; 500 Internal Server Error');
    expect(r.stdout).to.match(/ {4}\| smoke test failed: 1 of 2 checks$/m);
    // What the function printed, not the runtime's START, END and REPORT lines around it.
    expect(thread).not.to.match(/(START|END|REPORT) RequestId/);
    expect(r.stdout).to.match(/failed — Service deployment rolled back because a lifecycle hook failed\. \(Lambda hook shop-api-smoke-test failed\)/);
    const read = sim.aws.calls.filter((c) => c.op === 'FilterLogEvents');
    expect(read).to.have.length(1);
    expect(read[0]?.body).to.include({ logGroupName: '/aws/lambda/shop-api-smoke-test' });
  });

  it('a rolling and a blue/green service together: live when both are', async () => {
    const { run: r } = await run('mixed');
    expect(r.code, r.stdout).to.equal(0);
    const final = topLevel().at(-1)?.metadata?.event_payload;
    expect(final?.services).to.deep.equal([
      { name: 'shop-api', status: 'retired', task_definition: 'shop-api:42' },
      { name: 'shop-web', status: 'retired', task_definition: 'shop-web:42' },
    ]);
    expect(r.stdout).to.match(/shop-api: live, old version draining/);
    expect(r.stdout).to.match(/shop-web: live, baking until/);
  });

  it('WAIT_UNTIL=live ends the watch at live (exit 0), saying what it no longer follows', async () => {
    const { run: r } = await run('bake-rollback', { WAIT_UNTIL: 'live' });
    expect(r.code, r.stdout).to.equal(0);
    expect(statuses().at(-1)).to.equal('live/live');
    expect(JSON.stringify(topLevel().at(-1)?.blocks)).to.match(
      /Watch ended at live \(WAIT_UNTIL=live\); not followed further: the bake until .* \(a rollback during it is not reported here\)/,
    );
    expect(r.stdout).to.match(
      /✔ shop-api is live in production \(old version on standby\) after \d+s \(WAIT_UNTIL=live: not followed further: the bake until \d\d:\d\d UTC/,
    );
    // It ended before the rollback it could not have seen.
    expect(sim.aws.calls.at(-1)?.at ?? 0).to.be.below(sim.aws.marks.get('failed:shop-api') ?? Number.POSITIVE_INFINITY);
  });

  it('names the missing permission when DescribeServiceDeployments is denied (exit 3)', async () => {
    const s = scenario('blue-green');
    sim = await simulate(s);
    sim.aws.faults.push({ op: 'DescribeServiceDeployments', times: 99, kind: 'access_denied' });
    const r = await runPipe(pipeVariables(sim, { slackToken: 'xoxb-1-2-denied', secretAccessKey: 'deniedSecretAccessKey00000000000' }, { ...s.env }));
    expect(r.code, r.stdout).to.equal(3);
    expect(r.stdout).to.match(/lacks the permission ecs:DescribeServiceDeployments/);
    expect(sim.slack.calls).to.have.length(0);
  });
});
