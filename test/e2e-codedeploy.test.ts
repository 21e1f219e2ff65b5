// End to end, CodeDeploy blue/green services: the built program, through the real ECS and
// CodeDeploy SDK clients and the real Slack client, against the simulator's scenarios.
import { expect } from 'chai';
import type { Simulation } from '../simulator/catalog.ts';
import type { PipeRun } from '../simulator/run-pipe.ts';
import { expectLiveOnceThenRetired, runScenario, statusesOf, topLevelCalls } from './support/scenario-run.ts';

describe('e2e: CodeDeploy blue/green services', function () {
  this.timeout(120_000);
  let sim: Simulation;
  afterEach(() => sim?.stop());

  async function run(name: string, extra: Record<string, string | undefined> = {}, before: (s: Simulation) => void = () => {}): Promise<PipeRun> {
    const result = await runScenario(name, extra, before);
    sim = result.sim;
    return result.run;
  }
  const topLevel = () => topLevelCalls(sim);
  const statuses = () => statusesOf(sim);
  const deploymentId = () => sim.aws.service('shop-api').codeDeploy?.deployments.at(-1)?.id ?? '';

  it('success: live when AllowTraffic is done with green at 100 %, the termination wait shown, retired when CodeDeploy succeeds', async () => {
    const r = await run('codedeploy');
    expect(r.code, r.stdout).to.equal(0);
    expectLiveOnceThenRetired(sim);
    const blocks = topLevel().map((c) => JSON.stringify(c.blocks));
    expect(blocks.some((b) => b.includes('original task set kept until <!date^'))).to.equal(true);
    expect(
      blocks.some((b) =>
        b.includes(
          `<https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/${deploymentId()}?region=eu-west-1|CodeDeploy ${deploymentId()}>`,
        ),
      ),
    ).to.equal(true);
    expect(r.stdout).to.match(/AfterAllowTestTraffic hook running/);
    // At most three AWS calls a poll once the deployment is under way: DescribeServices, GetDeployment, GetDeploymentTarget.
    const calls = sim.aws.calls;
    const polls = calls.filter((c) => c.op === 'DescribeServices').length;
    expect(calls.filter((c) => c.op === 'GetDeployment').length).to.be.at.most(polls);
    expect(calls.filter((c) => c.op === 'GetDeploymentTarget').length).to.be.at.most(polls);
    // Besides: the traffic verification's once-a-minute metrics, each task set's target group read
    // once (its load balancer), and each task set's task definition once (what changed: the
    // original's image, and whether its tag, `latest` in both, has moved to the replacement's).
    expect([...new Set(calls.map((c) => c.op))].sort()).to.deep.equal(
      [
        'DescribeServices',
        'GetDeployment',
        'GetDeploymentTarget',
        'GetMetricData',
        'DescribeTargetGroups',
        'DescribeTargetGroupAttributes',
        'DescribeTaskDefinition',
      ].sort(),
    );
    expect(calls.filter((c) => c.op === 'DescribeTaskDefinition')).to.have.length(2);
    // Once by name (CodeDeploy names its task sets' groups), once for their settings; never again.
    expect(calls.filter((c) => c.op === 'DescribeTargetGroups')).to.have.length(2);
    expect(calls.filter((c) => c.op === 'GetMetricData').length).to.be.at.most(3);
    expect(calls.find((c) => c.op === 'GetDeploymentTarget')?.body).to.deep.equal({ deploymentId: deploymentId(), targetId: 'prod:shop-api' });
  });

  it('a failed lifecycle hook: failed with the error, the hook, its log tail and the rollback (exit 1)', async () => {
    const r = await run('codedeploy-hook-fails', { SLACK_MENTION_ON_FAILURE: 'U012AB3CD' });
    expect(r.code, r.stdout).to.equal(1);
    expect(statuses().at(-1)).to.match(/^failed\//);
    const thread = JSON.stringify(sim.slack.replies[0]?.blocks);
    // CodeDeploy's real error names no function; the failed event is named.
    expect(thread).to.match(/HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event validation functions failed\./);
    expect(thread).to.match(/lifecycle event AfterAllowTestTraffic failed/);
    expect(thread).to.match(/rolled back by deployment d-/);
    // The function is the one the AppSpec (inline YAML) names for the event; its log group is read in the event's window.
    expect(thread).to.match(/Last 3 lines of Lambda hook \*shop-api-AfterAllowTestTraffic\* \(AfterAllowTestTraffic, Failed\)/);
    expect(thread).to.include('smoke test failed: 1 of 2 checks');
    expect(sim.aws.calls.find((c) => c.op === 'FilterLogEvents')?.body).to.include({ logGroupName: '/aws/lambda/shop-api-AfterAllowTestTraffic' });
    expect(thread).to.include('<@U012AB3CD>');
  });

  it('a failed hook with the AppSpec in S3: the event named, and where its function and logs are (exit 1)', async () => {
    const r = await run('codedeploy-hook-fails-s3');
    expect(r.code, r.stdout).to.equal(1);
    const thread = JSON.stringify(sim.slack.replies[0]?.blocks);
    expect(thread).to.match(/lifecycle event AfterAllowTestTraffic failed/);
    expect(thread).to.include(
      'the Lambda function behind AfterAllowTestTraffic is the one the AppSpec at s3://shop-deploys/shop-api/appspec.yaml names under Hooks for AfterAllowTestTraffic',
    );
    // Nothing names the function: no log group is guessed at.
    expect(sim.aws.calls.some((c) => c.op === 'FilterLogEvents')).to.equal(false);
  });

  it('stopped during the termination wait after "live": the same message turns failed (exit 1)', async () => {
    const r = await run('codedeploy-stopped');
    expect(r.code, r.stdout).to.equal(1);
    const seq = statuses();
    expect(seq).to.include('live/live');
    expect(seq.at(-1)).to.match(/^failed\//);
    expect(sim.slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.thread_ts)).to.have.length(1);
    expect(JSON.stringify(sim.slack.replies[0]?.blocks)).to.match(/rolled back after going live: CodeDeploy deployment d-\w+ was stopped: MANUAL_STOP/);
  });

  it('WAIT_UNTIL=live ends the watch at live, leaving the termination wait unfollowed', async () => {
    const r = await run('codedeploy', { WAIT_UNTIL: 'live' });
    expect(r.code, r.stdout).to.equal(0);
    expect(statuses().at(-1)).to.equal('live/live');
    expect(r.stdout).to.match(
      /WAIT_UNTIL=live: not followed further: CodeDeploy's termination wait until \d\d:\d\d UTC \(a rollback during it is not reported here\)/,
    );
  });

  it('names the missing permission when GetDeployment is denied (exit 3)', async () => {
    const r = await run('codedeploy', {}, (s) => s.aws.faults.push({ op: 'GetDeployment', times: 99, kind: 'access_denied' }));
    expect(r.code, r.stdout).to.equal(3);
    expect(r.stdout).to.match(/lacks the permission codedeploy:GetDeployment/);
  });
});
