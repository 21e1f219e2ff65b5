import { expect } from 'chai';
import type { ServiceSnapshot } from '../../src/core/snapshot.ts';
import { start, step } from '../../src/core/step.ts';
import type { Verification } from '../../src/core/verification.ts';
import type { MessageView, ServiceLine } from '../../src/core/view.ts';
import type { Progress, ShiftView } from '../../src/core/vocabulary.ts';
import { renderDetails, renderRegression } from '../../src/slack/details.ts';
import { notFollowed, serviceStatusText } from '../../src/slack/lines.ts';
import { metadataOf } from '../../src/slack/metadata.ts';
import { renderMessage } from '../../src/slack/render.ts';
import type { Block } from '../../src/slack/text.ts';
import { escapeText, fit, formatDuration, LIMITS, PLAIN_FORMAT } from '../../src/slack/text.ts';
import { messageView, T0 } from '../support/message-view.ts';
import { ROLLOUT, withSettings } from '../support/samples.ts';
import { matchSnapshot } from '../support/snapshot.ts';

const progress = (p: Partial<Progress> = {}): Progress => ({
  desired: 2,
  running: 2,
  ready: 2,
  healthyTargets: 2,
  targetGroups: 1,
  oldTasks: 2,
  otherTargets: 2,
  oldTargets: 2,
  strangers: 0,
  draining: 0,
  oldTasksStopping: 0,
  ...p,
});

const view = (v: Partial<MessageView> = {}): MessageView =>
  messageView({ services: [{ service: 'shop-api', status: 'cutting_over', taskDefinition: 'shop-api:42', progress: progress() }], ...v });

// The snapshots are drawn from the reducer's own output over realistic polls, not from hand-made views.
const POLLS = { ...ROLLOUT, cuttingOver: ROLLOUT.cutover, live: ROLLOUT.draining };

/** The message view after these polls (seconds after T0, snapshot), each read fresh, as the watch composes it. */
function stepped(...polls: Array<[seconds: number, snap: ServiceSnapshot]>): MessageView {
  let state = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], { startedAt: T0, deadline: T0 + 1_800_000, graceMs: 60_000, pollIntervalMs: 10_000 });
  let message = view();
  for (const [seconds, snap] of polls) {
    const now = T0 + seconds * 1000;
    const next = step(state, new Map([['shop-api', snap]]), now, { fresh: true });
    state = next.state;
    message = view({ ...next.view, now });
  }
  return message;
}
const cuttingOver = (): MessageView => stepped([0, POLLS.starting], [45, POLLS.registering], [100, POLLS.cuttingOver]);

function expectWithinLimits(blocks: Block[], text: string): void {
  expect(blocks.length).to.be.at.most(LIMITS.blocks);
  expect(text.length).to.be.at.most(LIMITS.fallback);
  for (const b of blocks) {
    if (b.type === 'header') expect(b.text.text.length).to.be.at.most(LIMITS.header);
    if (b.type === 'section') {
      if (b.text) expect(b.text.text.length).to.be.at.most(LIMITS.sectionText);
      expect((b.fields ?? []).length).to.be.at.most(LIMITS.fields);
      for (const f of b.fields ?? []) expect(f.text.length).to.be.at.most(LIMITS.field);
    }
    if (b.type === 'context') for (const e of b.elements) expect(e.text.length).to.be.at.most(LIMITS.contextElement);
  }
}

describe('slack/render', () => {
  it('renders a rollout in progress', () => matchSnapshot('message-cutting-over', renderMessage(cuttingOver())));

  it('renders live with the old version retired', () =>
    matchSnapshot(
      'message-retired',
      renderMessage(stepped([0, withSettings(POLLS.starting)], [45, POLLS.registering], [100, POLLS.cuttingOver], [112, POLLS.live], [412, POLLS.retired])),
    ));

  it('renders a tag instead of a branch, without repository links', () => {
    const m = renderMessage(view({ ref: { type: 'tag', name: 'v1.4.0' }, repositoryUrl: undefined, buildUrl: undefined }));
    const fields = JSON.stringify(m.blocks[1]);
    expect(fields).to.include('*Tag*\\nv1.4.0');
    expect(fields).to.include('*Commit*\\n0123456');
    expect(fields).not.to.include('Pipeline');
    expect(m.metadata?.event_payload).to.include({ ref_type: 'tag', ref: 'v1.4.0' });
  });

  it('names who deployed, and links the deploy pipeline as "Pipeline" and the notifier\'s own run as its watch log', () => {
    const deploy = 'https://bitbucket.org/acme/shop-api/pipelines/results/411';
    const m = renderMessage(view({ deployedBy: 'Jane <Doe>', deployBuildUrl: deploy }));
    const fields = JSON.stringify(m.blocks[1]);
    expect(fields).to.include('*Deployed by*\\nJane &lt;Doe&gt;');
    expect(fields).to.include(`*Pipeline*\\n<${deploy}|#411>`);
    expect(fields).to.match(/\*Elapsed\*\\n\d+[ms].* · <https:\/\/bitbucket\.org\/acme\/shop-api\/pipelines\/results\/\d+\|watch log>/);
    expect(m.metadata?.event_payload).to.include({ deployed_by: 'Jane <Doe>', pipeline_url: deploy });
    expect(m.metadata?.event_payload.watch_log_url).to.match(/pipelines\/results\/\d+$/);
    // Without them, as before: no "Deployed by", the notifier's run is the pipeline.
    const plain = renderMessage(view());
    expect(JSON.stringify(plain.blocks[1])).not.to.include('Deployed by');
    expect(JSON.stringify(plain.blocks[1])).not.to.include('watch log');
  });

  it('names a deploy of an older revision a rollback in the headline, with what it takes away, and in the metadata', () => {
    const back = view({
      services: [{ service: 'shop-api', status: 'cutting_over', taskDefinition: 'shop-api:41', rollsBackFrom: 'shop-api:42', progress: progress() }],
    });
    const m = renderMessage(back);
    expect(JSON.stringify(m.blocks[0])).to.include('— rolls shop-api back from shop-api:42 to shop-api:41');
    expect(m.metadata?.event_payload.services).to.deep.equal([
      { name: 'shop-api', status: 'cutting_over', task_definition: 'shop-api:41', rolls_back_from: 'shop-api:42' },
    ]);
    expect(JSON.stringify(renderMessage(view()).blocks[0])).not.to.include('rolls');
  });

  it('the compact form: the headline and one line of what, where, who and how long, updated in place; a warning or a stop added below', () => {
    const deploy = 'https://bitbucket.org/acme/shop-api/pipelines/results/411';
    const m = renderMessage(view({ compact: true, deployedBy: 'Jane Doe', deployBuildUrl: deploy, environment: 'staging' }));
    expect(m.blocks.map((b) => b.type)).to.deep.equal(['section', 'context']);
    expect(JSON.stringify(m.blocks[0])).to.include('🚀 *shop-api → staging: cutting traffic over*');
    const line = JSON.stringify(m.blocks[1]);
    expect(line).to.include('shop-api:42 · main @ <https://bitbucket.org/acme/shop-api/commits/');
    expect(line).to.include(`by Jane Doe`);
    expect(line).to.include(`<${deploy}|pipeline #411>`);
    // The same metadata as the card: bots read both alike.
    expect(m.metadata).to.deep.equal(renderMessage(view({ deployedBy: 'Jane Doe', deployBuildUrl: deploy, environment: 'staging' })).metadata);
    const warned = renderMessage(
      view({
        compact: true,
        services: [{ service: 'shop-api', status: 'starting', warning: 'new tasks keep crashing: exit code 1, 2 times', progress: progress() }],
      }),
    );
    expect(JSON.stringify(warned.blocks[2])).to.include('⚠️ shop-api: new tasks keep crashing: exit code 1, 2 times');
    expect(JSON.stringify(renderMessage(view({ compact: true, stopped: 'the step was stopped' })).blocks.at(-1))).to.include('⚠️ the step was stopped');
  });

  describe('verified by its own traffic', () => {
    const fresh = { requests: 1200, errors5xx: 96, connectionErrors: 0, p95Ms: 840, p99Ms: 1900, minutes: 2 };
    const baseline = { requests: 10_800, errors5xx: 11, connectionErrors: 0, p95Ms: 180, p99Ms: 320, minutes: 2 };
    const regressed: Verification = {
      verdict: 'regressed',
      fresh,
      baseline,
      against: 'old_version',
      regressions: [
        { metric: '5xx', fresh: 8, baseline: 0.1 },
        { metric: 'p95', fresh: 840, baseline: 180 },
      ],
    };
    const live = (traffic: Verification, more: Partial<MessageView> = {}) =>
      view({
        status: 'live',
        phase: 'retired',
        done: true,
        services: [{ service: 'shop-api', status: 'retired', taskDefinition: 'shop-api:42', traffic }],
        ...more,
      });

    it('a regression: in the headline (⚠️), its line naming both sides, the thread side by side, the metadata flat', () => {
      const m = renderMessage(live(regressed, { verifyFails: true }));
      expect(JSON.stringify(m.blocks[0])).to.include('⚠️ shop-api is live in production, but its traffic regressed');
      expect(JSON.stringify(m.blocks)).to.include(
        '✗ traffic regressed, new version vs old: 5xx 8.0 % vs 0.10 %, p95 840 vs 180 ms (1,200 requests): 5xx and p95 over their thresholds',
      );
      const thread = JSON.stringify(renderRegression(live(regressed), ['U0ONCALL01']).blocks);
      expect(thread).to.include('<@U0ONCALL01> *Traffic regressed*');
      expect(thread).to.include('5xx                8.0 % (96)   0.10 % (11)');
      expect(metadataOf(live(regressed)).event_payload).to.deep.include({
        traffic_verdict: 'regressed',
        traffic: [
          {
            service: 'shop-api',
            verdict: 'regressed',
            against: 'old_version',
            new_requests: 1200,
            new_errors_5xx: 96,
            new_connection_errors: 0,
            new_p95_ms: 840,
            new_p99_ms: 1900,
            baseline_requests: 10_800,
            baseline_errors_5xx: 11,
            baseline_connection_errors: 0,
            baseline_p95_ms: 180,
            baseline_p99_ms: 320,
            regressed: '5xx,p95',
          },
        ],
      });
    });

    it('the compact form keeps one line for verified and not measured, and adds one only for what needs a reader', () => {
      const verified: Verification = { ...regressed, verdict: 'verified', regressions: [] };
      const one = renderMessage(live(verified, { compact: true, environment: 'staging' }));
      expect(one.blocks.map((b) => b.type)).to.deep.equal(['section', 'context']);
      expect(JSON.stringify(one.blocks[1])).to.include('✓ traffic verified');
      const why: Verification = { verdict: 'not_measured', why: 'no requests reached the new version', regressions: [] };
      expect(JSON.stringify(renderMessage(live(why, { compact: true })).blocks[1])).to.include('traffic not measured');
      const bad = renderMessage(live(regressed, { compact: true }));
      expect(bad.blocks.map((b) => b.type)).to.deep.equal(['section', 'context', 'context']);
      expect(JSON.stringify(bad.blocks[2])).to.include('✗ traffic regressed');
    });

    it('a URL that answers with it, or still with the old version; what the rollout cost', () => {
      const passed = renderMessage(
        live(
          { ...regressed, verdict: 'verified', regressions: [] },
          {
            urlShown: 'https://shop.example.com/version',
            urlCheck: { verdict: 'passed', since: T0, expected: '9f2c1e7', asks: 3 },
            dip: { code: '503', minutes: 3, requests: 1240, balancers: ['app/shop/50dc'] },
          },
        ),
      );
      const text = JSON.stringify(passed.blocks);
      expect(text).to.include('✓ https://shop.example.com/version answers with 9f2c1e7 since <!date^');
      expect(text).to.include('⚠️ the rollout cost 3 min of 503s from the load balancer: 1,240 requests (app/shop/50dc)');
      const failed = live(
        { ...regressed, verdict: 'verified', regressions: [] },
        { urlShown: 'https://shop.example.com/version', urlCheck: { verdict: 'failed', seen: '8a1b2c3', expected: '9f2c1e7', asks: 10 } },
      );
      expect(JSON.stringify(renderMessage(failed).blocks[0])).to.include('but https://shop.example.com/version does not answer with it');
      expect(JSON.stringify(renderMessage(failed).blocks)).to.include('still answers 8a1b2c3, not 9f2c1e7 (traffic is not on the new version there');
      expect(metadataOf(failed).event_payload).to.include({ url_check: 'failed', url_seen: '8a1b2c3', url_expected: '9f2c1e7' });
    });
  });

  it('renders a failure and its thread reply with mentions', () => {
    const failed = stepped([0, POLLS.starting], [90, POLLS.failed]);
    expect(failed).to.include({ status: 'failed', phase: 'starting' });
    matchSnapshot('message-failed', renderMessage(failed));
    matchSnapshot(
      'details-failed',
      renderDetails(failed, ['2 tasks stopped: EssentialContainerExited: Essential container in task exited [web exit code 1]'], ['U012AB3CD', 'S0614TZR7']),
    );
  });

  it('escapes user text everywhere and never lets it mention anyone', () => {
    const evil = 'fix/<!channel>&<@U999>|<https://evil.example|click>';
    const m = renderMessage(
      view({ ref: { type: 'branch', name: evil }, environment: '<!here>', services: [{ service: 'api', status: 'failed', reason: '<!everyone> broke' }] }),
    );
    const d = renderDetails(view({ status: 'failed', services: [{ service: 'api', status: 'failed', reason: '<!everyone>' }] }), ['<@U1> cause'], []);
    // Headers are plain_text, which Slack never parses for mentions or links; everything else is mrkdwn.
    const header = m.blocks[0] as { type: string; text: { type: string } };
    expect([header.type, header.text.type]).to.deep.equal(['header', 'plain_text']);
    const all = JSON.stringify([m.text, m.blocks.slice(1), d.text, d.blocks]);
    for (const bad of ['<!channel>', '<@U999>', '<!here>', '<!everyone>', '<@U1>', '<https://evil']) expect(all).not.to.include(bad);
    expect(all).to.include('fix/&lt;!channel&gt;&amp;&lt;@U999&gt;');
  });

  it('stays within Block Kit limits with a dozen services and long reasons', () => {
    const long = 'x'.repeat(5000);
    const services = Array.from({ length: 12 }, (_, i) => ({
      service: `service-with-a-rather-long-name-${i}`,
      status: 'failed' as const,
      taskDefinition: `family-${i}:${i + 1}`,
      reason: long,
    }));
    const v = view({ status: 'failed', services, environment: 'e'.repeat(100), ref: { type: 'branch', name: 'b'.repeat(255) } });
    const m = renderMessage(v);
    expectWithinLimits(m.blocks, m.text);
    expect((m.blocks[0] as { text: { text: string } }).text.text).to.match(/12 services failed to deploy/);
    const d = renderDetails(
      v,
      Array.from({ length: 100 }, (_, i) => `cause ${i} ${long}`),
      ['U012AB3CD'],
    );
    expectWithinLimits(d.blocks, d.text);
    expect(JSON.stringify(d.blocks)).to.include('and 80 more');
  });

  it('fits text without cutting an entity in half', () => {
    expect(fit(escapeText('a&b'), 3)).to.equal('a…');
    expect(fit('short', 10)).to.equal('short');
  });

  it('formats durations for humans', () => {
    expect([0, 5_000, 65_000, 3_600_000 + 120_000].map(formatDuration)).to.deep.equal(['0s', '5s', '1m 05s', '1h 02m']);
  });

  it('a dozen services gone live together read as one line naming them, their traffic verified as one line too', () => {
    const services = Array.from({ length: 12 }, (_, i) => ({
      service: `svc-${String(i + 1).padStart(2, '0')}`,
      status: 'retired' as const,
      taskDefinition: `svc-${i + 1}:42`,
      traffic: { verdict: 'verified' as const, regressions: [] },
    }));
    const m = renderMessage(view({ status: 'live', phase: 'retired', done: true, services }));
    const section = (m.blocks[2] as { text: { text: string } }).text.text;
    expect(section).to.equal(`${services.map((s) => `*${s.service}*`).join(', ')}: live, old version retired`);
    const traffic = (m.blocks[3] as { text: { text: string } }).text.text;
    expect(traffic).to.equal(`✓ traffic verified for 12 services: ${services.map((s) => `*${s.service}*`).join(', ')}`);
    // What is still moving, or says something else, keeps its own line.
    const mixed = renderMessage(view({ services: [...services.slice(0, 2), { service: 'svc-13', status: 'cutting_over', progress: progress() }] }));
    expect((mixed.blocks[2] as { text: { text: string } }).text.text.split('\n')).to.have.length(2);
  });

  it('shows the one failed service of 120 in the main message, first, and names it in the headline', () => {
    const services = Array.from({ length: 120 }, (_, i) => ({
      service: `service-number-${String(i).padStart(3, '0')}`,
      status: i === 97 ? ('failed' as const) : ('retired' as const),
      taskDefinition: `family-${i}:7`,
      reason: i === 97 ? 'ECS deployment circuit breaker: tasks failed to start.' : undefined,
    }));
    const m = renderMessage(view({ status: 'failed', phase: 'retired', services }));
    expectWithinLimits(m.blocks, m.text);
    expect((m.blocks[0] as { text: { text: string } }).text.text).to.equal('❌ service-number-097 failed to deploy to production (1 of 120 services)');
    const section = (m.blocks[2] as { text: { text: string } }).text.text;
    expect(section.split('\n')[0]).to.equal('*service-number-097*: failed — ECS deployment circuit breaker: tasks failed to start.');
    // The rest say the same: one line, a dozen named and the others counted, not 119 lines.
    expect(section.split('\n')).to.have.length(2);
    expect(section).to.match(/\n\*service-number-000\*, \*service-number-001\*, .* and 107 more: live, old version retired$/);
  });

  it('writes metadata in the shape Slack documents: strings, numbers, booleans, objects and arrays of objects', () => {
    const primitive = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
    const isFlatObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(primitive);
    const views = [
      view(),
      view({
        stopped: 'the pipeline step was stopped',
        services: [
          { service: 'a', status: 'live' },
          { service: 'b', status: 'starting' },
        ],
      }),
    ];
    for (const v of views) {
      const { event_type, event_payload } = metadataOf(v);
      expect(event_type).to.match(/^[a-z0-9_]+$/);
      for (const [key, value] of Object.entries(event_payload)) {
        const ok = primitive(value) || isFlatObject(value) || (Array.isArray(value) && value.every(isFlatObject));
        expect(ok, `${key}: ${JSON.stringify(value)}`).to.equal(true);
      }
    }
    // Seconds from the start to each phase every service reached: time to live and to retire, for charts.
    expect(metadataOf(view({ milestones: { starting: T0, registering: T0 + 45_000, cutting_over: T0 + 100_000 } })).event_payload.phase_seconds).to.deep.equal({
      starting: 0,
      registering: 45,
      cutting_over: 100,
    });
    expect(metadataOf(views[1] as MessageView).event_payload).to.deep.include({
      status: 'stopped',
      services: [
        { name: 'a', status: 'live', task_definition: '' },
        { name: 'b', status: 'starting', task_definition: '' },
      ],
    });
  });

  it('links the target groups of the services that did not make it in the failure thread', () => {
    const tg = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`;
    const v = view({
      status: 'failed',
      services: [
        { service: 'api', status: 'failed', reason: 'stuck', targetGroups: [tg('api')] },
        { service: 'web', status: 'retired', targetGroups: [tg('web')] },
      ],
    });
    const text = JSON.stringify(renderDetails(v, [], []).blocks);
    expect(text).to.include(`*Target groups* <https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#TargetGroup:targetGroupArn=${tg('api')}|api>`);
    expect(text).not.to.include('targetgroup/web/');
  });

  it('writes status lines for the log without Slack escapes or bold', () => {
    const line = { service: 'api', status: 'failed' as const, reason: 'tag <none> & retry' };
    expect(serviceStatusText(line, PLAIN_FORMAT)).to.equal('api: failed — tag <none> & retry');
    expect(serviceStatusText(line)).to.equal('*api*: failed — tag &lt;none&gt; &amp; retry');
  });

  it("shows an Express Mode service's endpoint once it is live, linked only when it is a plain host or URL", () => {
    const live: ServiceLine = { service: 'shop-api', status: 'retired', endpoint: 'sh-3f2a9c1b.ecs.eu-west-1.on.aws' };
    expect(serviceStatusText(live)).to.equal(
      '*shop-api*: live, old version retired · <https://sh-3f2a9c1b.ecs.eu-west-1.on.aws|sh-3f2a9c1b.ecs.eu-west-1.on.aws>',
    );
    expect(serviceStatusText({ ...live, endpoint: 'https://api.example.com/v1' }, PLAIN_FORMAT)).to.equal(
      'shop-api: live, old version retired · https://api.example.com/v1 (https://api.example.com/v1)',
    );
    // Anything else is text, escaped: never a link or a mention.
    expect(serviceStatusText({ ...live, endpoint: 'x|<!here>' })).to.equal('*shop-api*: live, old version retired · x|&lt;!here&gt;');
    expect(serviceStatusText({ ...live, status: 'starting' })).not.to.include('on.aws');
  });

  describe('traffic-shifting deployments', () => {
    const shift = (v: Partial<ShiftView> = {}): ShiftView => ({ strategy: 'LINEAR', steps: [25, 50, 75, 100], requested: 2, running: 2, healthy: 2, ...v });
    const line = (status: ServiceLine['status'], v: Partial<ShiftView> = {}): ServiceLine => ({
      service: 'shop-api',
      status,
      taskDefinition: 'shop-api:42',
      shift: shift(v),
    });

    it('says where the traffic is and what the strategy steps through', () => {
      expect(serviceStatusText(line('cutting_over', { stage: 'PRODUCTION_TRAFFIC_SHIFT', production: 50 }), PLAIN_FORMAT)).to.equal(
        'shop-api: shifting production traffic — production traffic 50% (linear steps 25% → 50% → 75% → 100%) · 2/2 new tasks running · 2/2 healthy targets',
      );
      // A linear step's bake predicts the next step.
      const next = { what: 'step' as const, at: T0 + 600_000, since: T0 + 590_000, basis: 'step bake 10 min' };
      expect(serviceStatusText({ ...line('cutting_over', { stage: 'PRODUCTION_TRAFFIC_SHIFT', production: 50 }), eta: next }, PLAIN_FORMAT)).to.match(
        /2\/2 healthy targets · next traffic step by ~10:10 UTC \(step bake 10 min\)$/,
      );
      expect(serviceStatusText(line('registering', { stage: 'POST_TEST_TRAFFIC_SHIFT', test: 100, healthy: undefined }), PLAIN_FORMAT)).to.equal(
        'shop-api: test traffic 100% on the new version — 2/2 new tasks running',
      );
      expect(serviceStatusText(line('starting', { running: 0 }), PLAIN_FORMAT)).to.match(/^shop-api: new version starting — 0\/2 new tasks running/);
    });

    it("shows the end of the bake as a Slack date (each reader's own time zone) and in UTC in the log", () => {
      const baking = line('live', { stage: 'BAKE_TIME', bakeUntil: T0 + 600_000 });
      expect(serviceStatusText(baking, PLAIN_FORMAT)).to.equal('shop-api: live, baking until 10:10 UTC (ECS may roll back until then)');
      expect(serviceStatusText(baking)).to.equal(
        `*shop-api*: live, baking until <!date^${(T0 + 600_000) / 1000}^{time}|10:10 UTC> (ECS may roll back until then)`,
      );
      expect(serviceStatusText(line('live', { stage: 'CLEAN_UP' }), PLAIN_FORMAT)).to.equal('shop-api: live, old version being removed');
    });

    it('shows a pause hook awaiting approval with its expiry, escaped', () => {
      const paused = line('cutting_over', {
        stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT',
        production: 0,
        hook: { id: 'ok-<to>-go', targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: T0 + 3600_000 },
      });
      expect(serviceStatusText(paused, PLAIN_FORMAT)).to.match(
        /— waiting for approval: pause hook ok-<to>-go at PRE_PRODUCTION_TRAFFIC_SHIFT, expires 11:00 UTC$/,
      );
      expect(serviceStatusText(paused)).to.match(/pause hook ok-&lt;to&gt;-go at/);
    });

    it('links the CodeDeploy deployment in the status line, also when it failed, and says until when the original task set is kept', () => {
      const url = 'https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=eu-west-1';
      const cd = { controller: 'CODE_DEPLOY' as const, deploymentId: 'd-A1B2C3D4E', consoleUrl: url };
      const live = line('live', { ...cd, keptUntil: T0 + 3600_000 });
      expect(serviceStatusText(live, PLAIN_FORMAT)).to.equal(
        `shop-api: live, original task set kept until 11:00 UTC (CodeDeploy's termination wait) · CodeDeploy d-A1B2C3D4E (${url})`,
      );
      expect(serviceStatusText(live)).to.match(new RegExp(`· <${url.replace(/[?.]/g, '\\$&')}\\|CodeDeploy d-A1B2C3D4E>$`));
      const failed: ServiceLine = { ...line('failed', cd), reason: 'CodeDeploy deployment d-A1B2C3D4E failed' };
      expect(serviceStatusText(failed, PLAIN_FORMAT)).to.equal(`shop-api: failed — CodeDeploy deployment d-A1B2C3D4E failed (CodeDeploy d-A1B2C3D4E (${url}))`);
      const ready = line('registering', { ...cd, hook: { id: 'traffic reroute', targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: T0 + 1800_000 } });
      expect(serviceStatusText(ready, PLAIN_FORMAT)).to.match(/— waiting for approval: reroute traffic in CodeDeploy, expires 10:30 UTC · CodeDeploy/);
    });

    it('heads a live blue/green message "old version on standby", and says what WAIT_UNTIL=live left unfollowed', () => {
      const v = view({
        status: 'live',
        phase: 'live',
        services: [line('live', { strategy: 'BLUE_GREEN', steps: [100], stage: 'BAKE_TIME', bakeUntil: T0 + 600_000 })],
        endedAtLive: true,
        done: true,
      });
      const m = renderMessage(v);
      expect(m.text).to.match(/shop-api is live in production \(old version on standby\)/);
      expect(JSON.stringify(m.blocks)).to.include('Watch ended at live (WAIT_UNTIL=live); not followed further: the bake until <!date^');
      expect(JSON.stringify(m.blocks)).to.include('*Duration*');
      expect(notFollowed(v.services)).to.equal(
        "not followed further: the bake until 10:10 UTC (a rollback during it is not reported here) and the old version's retirement",
      );
      expect(notFollowed([{ service: 'a', status: 'live' }])).to.equal("not followed further: the old version's retirement");
      const codeDeploy: ServiceLine = { service: 'b', status: 'live', shift: shift({ controller: 'CODE_DEPLOY', keptUntil: T0 + 3600_000 }) };
      expect(notFollowed([...v.services, codeDeploy])).to.equal(
        "not followed further: the bake until 10:10 UTC and CodeDeploy's termination wait until 11:00 UTC (a rollback during them is not reported here) and the old version's retirement",
      );
      expectWithinLimits(m.blocks, m.text);
    });
  });
});
