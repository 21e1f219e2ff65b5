// The outcome in Bitbucket: a Code Insights report on the deployed commit, through the pipelines
// proxy (a double), pending then passed or failed; never a failed run, never before Slack.
import { expect } from 'chai';
import type { FakeAccount } from '../simulator/fake-aws.ts';
import type { FakeBitbucket } from '../simulator/fake-bitbucket.ts';
import type { FakeSlack } from '../simulator/fake-slack.ts';
import { runPipe } from '../simulator/run-pipe.ts';
import { crashNew, deploy, provisionNew, script, steadyService, successfulRollout } from '../simulator/scenarios.ts';
import { useBitbucket } from './support/bitbucket.ts';
import { pipeVariables } from './support/pipe-env.ts';
import { useSimulation } from './support/simulation.ts';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('e2e: Code Insights', function () {
  this.timeout(120_000);
  let aws: FakeAccount;
  let slack: FakeSlack;
  let bitbucket: FakeBitbucket;
  useSimulation((sim) => ({ aws, slack } = sim));
  useBitbucket((b) => {
    bitbucket = b;
  });
  const env = (extra: Record<string, string | undefined> = {}) =>
    pipeVariables(
      { aws, slack },
      { slackToken: 'xoxb-1-2-insights', secretAccessKey: 'insightsSecretAccessKey00000000' },
      {
        CODE_INSIGHTS: undefined,
        BITBUCKET_API_PROXY: bitbucket.url,
        BITBUCKET_BUILD_NUMBER: '412',
        BITBUCKET_REPO_FULL_NAME: 'acme/shop-api',
        SLACK_CHANNEL: slack.channelId,
        ...extra,
      },
    );

  it('a live rollout: PENDING, then PASSED with the environment, services, time to live and the Slack link, on the commit', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    expect(
      bitbucket.calls.every((c) => c.url === `http://api.bitbucket.org/2.0/repositories/acme/shop-api/commit/${COMMIT}/reports/ecs-deploy-notifier-production`),
    ).to.equal(true);
    const results = bitbucket.reports.map((r) => r.result);
    expect(results[0]).to.equal('PENDING');
    expect(results.at(-1)).to.equal('PASSED');
    const last = bitbucket.reports.at(-1) ?? {};
    expect(last).to.include({ title: 'ECS deploy to production', reporter: 'ecs-deploy-notifier', report_type: 'TEST' });
    const data = last.data as Array<{ title: string; type: string; value: unknown }>;
    expect(data.find((d) => d.title === 'Services')?.value).to.equal('shop-api (shop-api:42)');
    expect(data.find((d) => d.title === 'Time to live')).to.include({ type: 'DURATION' });
    const ts = slack.stored[0]?.ts.replace('.', '');
    expect(data.find((d) => d.title === 'Slack message')?.value).to.deep.equal({
      text: 'Open in Slack',
      href: `https://acme.slack.com/archives/${slack.channelId}/p${ts}`,
    });
    expect(last.link).to.equal(`https://acme.slack.com/archives/${slack.channelId}/p${ts}`);
  });

  it('a failed rollout: FAILED, saying why', async () => {
    steadyService(aws, 'shop-api');
    script(aws, [deploy('shop-api'), provisionNew('shop-api'), crashNew('shop-api'), crashNew('shop-api')]);
    const run = await runPipe(env({ CRASH_LOOP_LIMIT: '2' }));
    expect(run.code, run.stdout).to.equal(1);
    const last = bitbucket.reports.at(-1) ?? {};
    expect(last.result).to.equal('FAILED');
    expect(String(last.details)).to.match(/^shop-api → production: failed\. shop-api: new tasks kept crashing/);
  });

  it('a report Bitbucket refuses is a warning: the run ends as it would, Slack has the outcome', async () => {
    bitbucket.failWith = 500;
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe(env());
    expect(run.code, run.stdout).to.equal(0);
    expect(run.stdout).to.match(/WARN The Code Insights report was not accepted \(HTTP 500\); the outcome is in Slack and this log/);
    expect(slack.message?.metadata?.event_payload.status).to.equal('live');
  });

  it('CODE_INSIGHTS=false, or outside a pipeline: no report', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    expect((await runPipe(env({ CODE_INSIGHTS: 'false' }))).code).to.equal(0);
    expect(bitbucket.calls).to.deep.equal([]);
  });
});
