// A fleet's setup end to end: the pipe run exactly as the shared notifier definition
// (examples/bitbucket-pipelines.shared-notifier.yml) would run it in a service repository that
// imports it (examples/bitbucket-pipelines.service-imports-notifier.yml): the service's own values
// from the trigger's PIPELINE_VARIABLES, the rest from workspace variables.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import type { FakeAccount } from '../simulator/fake-aws.ts';
import { DEPLOYER, type FakeBitbucket } from '../simulator/fake-bitbucket.ts';
import type { FakeSlack } from '../simulator/fake-slack.ts';
import { runPipe } from '../simulator/run-pipe.ts';
import { NEW, script, steadyService, successfulRollout } from '../simulator/scenarios.ts';
import { useBitbucket } from './support/bitbucket.ts';
import { expectLiveOnceThenRetired, runScenario, topLevelCalls } from './support/scenario-run.ts';
import { useSimulation } from './support/simulation.ts';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const PROD_ROLE = 'arn:aws:iam::111111111111:role/ecs-deploy-notifier';
const NONPROD_ROLE = 'arn:aws:iam::222222222222:role/ecs-deploy-notifier';

/** Bitbucket's substitution of `$NAME` in a pipe variable, from the variables the step has. */
const substitute = (value: unknown, vars: Record<string, string>) => String(value).replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name: string) => vars[name] ?? '');

describe('e2e: the notifier shared by a workspace, imported by a service repository', function () {
  this.timeout(120_000);
  let aws: FakeAccount;
  let slack: FakeSlack;
  let bitbucket: FakeBitbucket;
  useSimulation((sim) => ({ aws, slack } = sim));
  // The pipelines proxy, through which the pipe asks Bitbucket who deployed.
  useBitbucket((b) => {
    bitbucket = b;
  });

  it("runs with the service's trigger variables and the workspace's: the production role and channel, who deployed, the deploy's pipeline, live", async () => {
    const service = parse(read('examples/bitbucket-pipelines.service-imports-notifier.yml'), { merge: true });
    const shared = parse(read('examples/bitbucket-pipelines.shared-notifier.yml'));
    // The service imports the shared pipeline by name.
    const imported: string = service.pipelines.custom['notify-ecs-deploy'].import;
    const name = imported.split(':').at(-1) ?? '';
    const pipeline: Array<{ step?: { script: Array<{ pipe?: string; variables?: Record<string, unknown> }> } }> = shared.definitions.pipelines[name];
    const pipe = pipeline.flatMap((p) => p.step?.script ?? []).find((s) => s.pipe?.startsWith('org/ecs-deploy-notifier'));
    expect(pipe, `${name} runs the pipe`).not.to.equal(undefined);

    // What the production deploy step's trigger passes (its deployment variables and Bitbucket's own).
    const deployStep = {
      BITBUCKET_DEPLOYMENT_ENVIRONMENT: 'production',
      ECS_CLUSTER: 'prod',
      ECS_SERVICE: 'shop-api',
      TASK_DEFINITION_ARN: NEW,
      BITBUCKET_BRANCH: 'main',
      BITBUCKET_COMMIT: '0123456789abcdef0123456789abcdef01234567',
      BITBUCKET_STEP_TRIGGERER_UUID: DEPLOYER.uuid,
      BITBUCKET_BUILD_NUMBER: '411',
    };
    const trigger = service.pipelines.branches.main[1].step.script.find((s: { pipe?: string }) => s.pipe?.startsWith('atlassian/trigger-pipeline'));
    const passed: Array<{ key: string; value: string }> = JSON.parse(substitute(trigger.variables.PIPELINE_VARIABLES, deployStep));
    const workspace = {
      SLACK_TOKEN: 'xoxb-1-2-fleetSECRET',
      SLACK_CHANNEL: '#deploys',
      SLACK_CHANNELS: 'production=#deploys-prod',
      AWS_DEFAULT_REGION: 'eu-west-1',
      ECS_NOTIFIER_ROLE_ARNS: `production=${PROD_ROLE},*=${NONPROD_ROLE}`,
    };
    const stepVars = { ...workspace, ...Object.fromEntries(passed.map((p) => [p.key, p.value])) };
    const variables = Object.fromEntries(Object.entries(pipe?.variables ?? {}).map(([k, v]) => [k, substitute(v, stepVars)]));

    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runPipe({
      ...variables,
      // Bitbucket's own on a step with `oidc: true`, and the doubles' addresses.
      BITBUCKET_STEP_OIDC_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.fleet.oidc',
      BITBUCKET_REPO_FULL_NAME: 'acme/shop-api',
      BITBUCKET_BUILD_NUMBER: '412',
      BITBUCKET_API_PROXY: bitbucket.url,
      AWS_ENDPOINT_URL: aws.url,
      SLACK_API_URL: slack.url,
      POLL_INTERVAL: '1',
      WAIT_TIMEOUT: '60',
      CODE_INSIGHTS: 'false',
    });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(aws.calls.filter((c) => c.op === 'AssumeRoleWithWebIdentity').map((c) => c.body.RoleArn)).to.deep.equal([PROD_ROLE]);
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.thread_ts);
    expect(posts.map((c) => c.channel)).to.deep.equal(['#deploys-prod']);
    expect(posts[0]?.metadata?.event_payload.commit).to.equal(deployStep.BITBUCKET_COMMIT);
    // Who deployed, by name (never the UUID), and the deploy's own pipeline; ours is the watch log.
    const final = slack.calls.filter((c) => !c.thread_ts).at(-1);
    expect(final?.metadata?.event_payload).to.include({
      deployed_by: 'Jane Doe',
      pipeline_url: 'https://bitbucket.org/acme/shop-api/pipelines/results/411',
      watch_log_url: 'https://bitbucket.org/acme/shop-api/pipelines/results/412',
    });
    expect(JSON.stringify(final?.blocks)).to.include('*Deployed by*\\nJane Doe').and.not.include(DEPLOYER.uuid);
    expect(run.stdout).not.to.include('fleetSECRET');
  });
});

describe('e2e: the message a team reads: a rollback by hand named, non-production in one line', function () {
  this.timeout(120_000);

  it('a deploy of an older task definition over a newer live one is named a rollback, with what it takes away', async () => {
    const { run, sim } = await runScenario('redeploy-older');
    try {
      expect(run.code, run.stdout).to.equal(0);
      expectLiveOnceThenRetired(sim);
      const final = topLevelCalls(sim).at(-1);
      expect(JSON.stringify(final?.blocks?.[0])).to.include('shop-api is live in production — rolls shop-api back from shop-api:42 to shop-api:41');
      expect(final?.metadata?.event_payload.services).to.deep.equal([
        { name: 'shop-api', status: 'retired', task_definition: 'shop-api:41', rolls_back_from: 'shop-api:42' },
      ]);
    } finally {
      await sim.stop();
    }
  });

  it("what is live now, in the channel's header: a bookmark added by the first run, edited by the next (a failure: still the version before)", async () => {
    const first = await runScenario('success');
    let kept: FakeSlack['bookmarks'] = [];
    try {
      expect(first.run.code, first.run.stdout).to.equal(0);
      expect(first.sim.slack.bookmarks.map((b) => b.title)).to.have.length(1);
      expect(first.sim.slack.bookmarks[0]?.title).to.match(/^production · shop-api · 0123456 · live \d\d:\d\d UTC$/);
      // It links the run's message.
      expect(first.sim.slack.bookmarks[0]?.link).to.match(/^https:\/\/acme\.slack\.com\/archives\/C0DEPLOYS01\/p\d+$/);
      kept = first.sim.slack.bookmarks.map((b) => ({ ...b }));
    } finally {
      await first.sim.stop();
    }
    const second = await runScenario('rollback', { COMMIT: 'fedcba9876543210fedcba9876543210fedcba98' }, (sim) => sim.slack.bookmarks.push(...kept));
    try {
      expect(second.run.code, second.run.stdout).to.equal(1);
      // The same bookmark, edited: production is behind the release until the next success.
      expect(second.sim.slack.bookmarks).to.have.length(1);
      expect(second.sim.slack.bookmarks[0]?.id).to.equal(kept[0]?.id);
      expect(second.sim.slack.bookmarks[0]?.title).to.match(/^production · shop-api · ⛔ fedcba9 failed \d\d:\d\d UTC — still 0123456$/);
    } finally {
      await second.sim.stop();
    }
    // Without the scopes: one warning naming them, the run as it would be.
    const bare = await runScenario('success', {}, (sim) => {
      sim.slack.scopes = sim.slack.scopes.filter((x) => !x.startsWith('bookmarks:'));
    });
    try {
      expect(bare.run.code, bare.run.stdout).to.equal(0);
      expect(bare.run.stdout).to.match(
        /The channel bookmark of what is live was not set \(.*missing_scope.*\): it needs the bookmarks:read and bookmarks:write scopes/,
      );
      expect(bare.sim.slack.bookmarks).to.deep.equal([]);
    } finally {
      await bare.sim.stop();
    }
  });

  it('a staging deploy is one line, updated in place (MESSAGE_FORM auto)', async () => {
    const { run, sim } = await runScenario('success', { ENVIRONMENT: 'staging' });
    try {
      expect(run.code, run.stdout).to.equal(0);
      const messages = topLevelCalls(sim);
      expect(messages.filter((c) => c.method === 'chat.postMessage')).to.have.length(1);
      for (const m of messages) expect(m.blocks?.map((b: { type: string }) => b.type)).to.deep.equal(['section', 'context']);
      expect(JSON.stringify(messages.at(-1)?.blocks?.[0])).to.include('*shop-api is live in staging*');
    } finally {
      await sim.stop();
    }
  });
});
