// End to end, the failed container's last lines in the failure thread: the built program reads the
// awslogs settings from the task definition and the stream with the real CloudWatch Logs client.
import { expect } from 'chai';
import type { Simulation } from '../simulator/catalog.ts';
import type { PipeRun } from '../simulator/run-pipe.ts';
import { runScenario } from './support/scenario-run.ts';

const PRINTED_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe("e2e: the failed container's last log lines", function () {
  this.timeout(120_000);
  let sim: Simulation;
  afterEach(() => sim?.stop());

  async function run(extra: Record<string, string | undefined> = {}, before: (s: Simulation) => void = () => {}): Promise<PipeRun> {
    const result = await runScenario('rollback', extra, before);
    sim = result.sim;
    return result.run;
  }
  const thread = () => JSON.stringify(sim.slack.replies[0]?.blocks ?? []);

  it('shows the last lines of the crashed container in the failure thread and the log, masking a secret it printed', async () => {
    const r = await run();
    expect(r.code, r.stdout).to.equal(1);
    // The task and its log stream are linked to their console pages.
    expect(thread()).to.match(
      /Last 6 lines of \*web\* in task <https:\/\/eu-west-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/prod\/tasks\/(\w+)\/configuration\?region=eu-west-1\|\1> \(exit code 1\), shop-api · <https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2:log-groups\/log-group\/\$252Fecs\$252Fshop-api\/log-events\/ecs\$252Fweb\$252F\1\|log stream>\\n```\\n/,
    );
    expect(thread()).to.include('Error: connect ECONNREFUSED 10.0.9.9:5432');
    expect(r.stdout).to.match(/\| fatal: cannot reach the database, exiting with code 1/);
    expect(thread() + r.stdout + JSON.stringify(sim.slack.calls)).not.to.include(PRINTED_SECRET);
    expect(thread()).to.include('AWS_SECRET_ACCESS_KEY=***');
    const read = sim.aws.calls.find((c) => c.op === 'GetLogEvents')?.body;
    expect(read).to.deep.include({ logGroupName: '/ecs/shop-api', limit: 20, startFromHead: false });
    expect(String(read?.logStreamName)).to.match(/^ecs\/web\/\w+$/);
    // One excerpt per distinct failure: both tasks exited 1, so one read.
    expect(sim.aws.count('GetLogEvents')).to.equal(1);
  });

  it('LOG_LINES=2 shows the last two; LOG_LINES=0 reads no logs', async () => {
    const two = await run({ LOG_LINES: '2' });
    expect(two.code).to.equal(1);
    expect(thread()).to.match(/Last 2 lines of \*web\*/);
    expect(thread()).not.to.include('ECONNREFUSED');
    await sim.stop();
    const none = await run({ LOG_LINES: '0' });
    expect(none.code).to.equal(1);
    expect(sim.aws.count('GetLogEvents')).to.equal(0);
    expect(thread()).not.to.include('```');
  });

  it('without logs:GetLogEvents: one line saying how to enable it, and the run still ends as failed (exit 1)', async () => {
    const r = await run({}, (s) => s.aws.faults.push({ op: 'GetLogEvents', times: 99, kind: 'access_denied' }));
    expect(r.code, r.stdout).to.equal(1);
    expect(thread()).to.include('allow logs:GetLogEvents on log group /ecs/shop-api to see its last lines here');
    expect(r.stdout).to.match(
      /Logs of web in task \w+ \(https:[^)]+\) \(exit code 1\), shop-api · log stream \(https:[^)]+\): allow logs:GetLogEvents on log group \/ecs\/shop-api/,
    );
  });

  it('with another log driver: says only awslogs can be shown, and carries on', async () => {
    const r = await run({}, (s) => s.aws.logDrivers.set('shop-api', 'splunk'));
    expect(r.code, r.stdout).to.equal(1);
    expect(thread()).to.include("its log driver is splunk: only the awslogs driver's logs can be shown here");
    expect(sim.aws.count('GetLogEvents')).to.equal(0);
  });
});
