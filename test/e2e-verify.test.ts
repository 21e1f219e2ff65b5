// End to end, verified by its own traffic: the built program reads the load balancer's numbers
// through the real CloudWatch client (GetMetricData, JSON 1.0) from the simulator, and says
// verified, regressed (exit 1 with VERIFY=fail) or not measured, in Slack, the log, the metadata
// and the Code Insights report.
import { expect } from 'chai';
import type { Simulation } from '../simulator/catalog.ts';
import { FakeApp } from '../simulator/fake-app.ts';
import { lbArn, tgArn } from '../simulator/fake-aws.ts';
import type { FakeBitbucket } from '../simulator/fake-bitbucket.ts';
import { useBitbucket } from './support/bitbucket.ts';
import { runScenario, topLevelCalls } from './support/scenario-run.ts';

describe('e2e: traffic verification', function () {
  this.timeout(120_000);
  let sim: Simulation;
  let bitbucket: FakeBitbucket;
  useBitbucket((b) => {
    bitbucket = b;
  });
  afterEach(() => sim?.stop());

  const run = async (name: string, extra: Record<string, string | undefined> = {}, before?: (s: Simulation) => void) => {
    const result = await runScenario(
      name,
      { CODE_INSIGHTS: undefined, BITBUCKET_API_PROXY: bitbucket.url, BITBUCKET_BUILD_NUMBER: '412', BITBUCKET_REPO_FULL_NAME: 'acme/shop-api', ...extra },
      before,
    );
    sim = result.sim;
    return result.run;
  };
  const metricCalls = () => sim.aws.calls.filter((c) => c.op === 'GetMetricData');
  const payload = () => sim.slack.message?.metadata?.event_payload ?? {};
  const report = () => bitbucket.reports.at(-1) ?? {};

  it('a canary whose new version answers 5xx well above production: live, but regressed, exit 1, both rates named everywhere', async () => {
    const r = await run('regressed');
    expect(r.code, r.stdout).to.equal(1);
    expect(r.stdout).to.match(/✖ shop-api is live in production, but its traffic regressed after/);
    expect(r.stdout).to.include('5xx 8.0 % vs 0.10 %, p95 840 vs 180 ms');
    // The thread has the numbers side by side.
    const thread = sim.slack.replies.map((c) => JSON.stringify(c.blocks));
    expect(
      thread.some((t) => t.includes('Traffic regressed') && t.includes('new version  old version') && t.includes('8.0 % (')),
      thread.join('\n'),
    ).to.equal(true);
    expect(payload()).to.include({ status: 'live', traffic_verdict: 'regressed' });
    // The ALB's anomaly detection, asked on the target health reads made anyway, names the new targets it flags.
    expect(r.stdout).to.match(/shop-api: ⚠️ the load balancer's anomaly detection flags 2 new targets \(10\.\d+\.\d+\.\d+:8080, 10\.\d+\.\d+\.\d+:8080\)/);
    expect(sim.aws.calls.find((c) => c.op === 'DescribeTargetHealth')?.body).to.include({ 'Include.member.1': 'AnomalyDetection' });
    // The run may span one minute or two: the counts are the minutes', the rates and times theirs.
    const [traffic] = payload().traffic as Array<Record<string, number | string>>;
    expect(traffic).to.include({
      service: 'shop-api',
      verdict: 'regressed',
      against: 'old_version',
      new_p95_ms: 840,
      new_p99_ms: 1900,
      baseline_p95_ms: 180,
      baseline_p99_ms: 320,
      regressed: '5xx,p95',
    });
    expect(Number(traffic?.new_errors_5xx) / Number(traffic?.new_requests)).to.equal(0.08);
    expect(Number(traffic?.baseline_requests) / Number(traffic?.new_requests)).to.equal(9);
    expect(report().result).to.equal('FAILED');
    expect(String(report().details)).to.include('5xx 8.0 % vs 0.10 %');
    // One call for every metric, in the ALB's namespace and dimensions, per minute.
    const first = metricCalls()[0]?.body as {
      MetricDataQueries: Array<{ MetricStat: { Metric: { Namespace: string; Dimensions: unknown[] }; Period: number } }>;
    };
    // 5 per target group (2), 3 for the load balancer's own errors.
    expect(first.MetricDataQueries).to.have.length(13);
    expect(first.MetricDataQueries.every((q) => q.MetricStat.Metric.Namespace === 'AWS/ApplicationELB' && q.MetricStat.Period === 60)).to.equal(true);
    expect(first.MetricDataQueries[0]?.MetricStat.Metric.Dimensions).to.deep.include({ Name: 'LoadBalancer', Value: lbArn('app').split(':loadbalancer/')[1] });
    const groups = first.MetricDataQueries.flatMap((q) => q.MetricStat.Metric.Dimensions).filter((d) => (d as { Name: string }).Name === 'TargetGroup');
    expect(new Set(groups.map((d) => (d as { Value: string }).Value))).to.deep.equal(
      new Set([tgArn('shop-api-alt'), tgArn('shop-api')].map((a) => a.split(':').pop())),
    );
    // A run of seconds: the first read, then the last at the end; never one per poll.
    expect(metricCalls().length).to.be.within(1, 3);
  });

  it('the same regression with VERIFY=warn: said, the run passes', async () => {
    const r = await run('regressed', { VERIFY: 'warn' });
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.match(/✔ shop-api is live in production, but its traffic regressed after/);
    expect(report().result).to.equal('PASSED');
  });

  it('a healthy rolling update with traffic: verified against the span before the deployment, with the numbers', async () => {
    const r = await run('verified');
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.match(/shop-api: ✓ traffic verified, since live vs before: 5xx 0\.16 % vs 0\.17 %, p95 175 vs 180 ms \((1,260|2,520) requests\)/);
    expect(payload()).to.include({ traffic_verdict: 'verified' });
    // What the cut-over cost, from the load balancer's own 503s against the minute before the deployment.
    expect(r.stdout).to.match(/⚠️ the rollout cost [12] min of 503s from the load balancer: (640|1,280) requests \(app\/shop-alb\/50dc6c495c0c9188\)/);
    expect(payload().availability_dip).to.deep.include({ code: '503' });
    const data = report().data as Array<{ title: string; value: unknown }>;
    expect(String(data.find((d) => d.title === 'Traffic')?.value)).to.match(/^✓ traffic verified/);
    expect(JSON.stringify(sim.slack.message?.blocks)).to.include('✓ traffic verified');
  });

  it('a service with no requests: not measured, never verified', async () => {
    const r = await run('no-traffic');
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.include('shop-api: traffic not measured: no requests reached the new version');
    expect(topLevelCalls(sim).some((c) => JSON.stringify(c).includes('verified'))).to.equal(false);
    expect(payload()).to.include({ traffic_verdict: 'not_measured' });
  });

  it('GetMetricData denied: one line naming the permission, asked once, never a failed run', async () => {
    const r = await run('verified', {}, (s) => s.aws.faults.push({ op: 'GetMetricData', times: 10, kind: 'access_denied' }));
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.include('shop-api: traffic not measured: cloudwatch:GetMetricData is not allowed for the role (examples/iam-policy.json grants it)');
    expect(metricCalls()).to.have.length(1);
    expect(r.stdout).to.match(/✔ shop-api is live in production after/);
  });

  it('VERIFY=off: nothing is read from CloudWatch and nothing is said of the traffic', async () => {
    const r = await run('verified', { VERIFY: 'off' });
    expect(r.code, r.stdout).to.equal(0);
    expect(metricCalls()).to.have.length(0);
    expect(r.stdout).not.to.match(/traffic (verified|not measured|regressed|so far)|measuring traffic/);
  });
});

describe('e2e: the URL that answers (VERIFY_URL)', function () {
  this.timeout(120_000);
  let sim: Simulation;
  let app: FakeApp;
  beforeEach(async () => {
    app = new FakeApp();
    await app.start();
  });
  afterEach(async () => {
    await sim?.stop();
    await app.stop();
  });
  const DEPLOYED = '0123456789abcdef0123456789abcdef01234567';
  const OLD_COMMIT = '8a1b2c3d4e5f60718293a4b5c6d7e8f901234567';

  it('answering the deployed commit: passed, 3 answers in a row, since when said', async () => {
    app.commit = DEPLOYED;
    const result = await runScenario('verified', { VERIFY_URL: `${app.url.replace('http://', 'http://probe:s3cr3t-pass@')}/version?token=t0ps3cret` });
    sim = result.sim;
    const r = result.run;
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`✓ ${app.url}/version answers with 0123456 since \\d\\d:\\d\\d UTC`));
    expect(app.requests).to.have.length(3);
    // The credentials reach the URL; neither they nor the query are ever printed.
    expect(app.requests[0]?.authorization).to.equal(`Basic ${Buffer.from('probe:s3cr3t-pass').toString('base64')}`);
    const posted = JSON.stringify(sim.slack.calls);
    for (const secret of ['s3cr3t-pass', 't0ps3cret']) expect(r.stdout + r.stderr + posted).not.to.include(secret);
    expect(sim.slack.message?.metadata?.event_payload).to.include({ url_check: 'passed', url_expected: '0123456' });
  });

  it('still answering the old commit: said with what it answers, exit 1 with VERIFY=fail', async () => {
    app.commit = OLD_COMMIT;
    const result = await runScenario('verified', { VERIFY_URL: `${app.url}/version`, VERIFY_EXPECT: '$.build.commit=0123456' });
    sim = result.sim;
    const r = result.run;
    expect(r.code, r.stdout).to.equal(1);
    expect(r.stdout).to.include(
      `✗ ${app.url}/version still answers ${OLD_COMMIT}, not $.build.commit = 0123456 (traffic is not on the new version there: a CDN, another region, another listener?)`,
    );
    expect(r.stdout).to.match(/✖ shop-api is live in production, but http:\/\/127\.0\.0\.1:\d+\/version does not answer with it after/);
    expect(app.requests).to.have.length(10);
    expect(sim.slack.message?.metadata?.event_payload).to.include({ url_check: 'failed', url_seen: OLD_COMMIT });
  });
});
