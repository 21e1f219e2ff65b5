// A deployment paused at a PAUSE lifecycle hook, through the built program: the message says where
// it waits, what happens at expiry and how to act; an approver's reaction continues or rolls it
// back, ContinueServiceDeployment exactly once; anyone else's reaction changes nothing.
import { expect } from 'chai';
import type { Simulation } from '../simulator/catalog.ts';
import { runScenario } from './support/scenario-run.ts';

const APPROVER = 'U0APPROVER1';

describe('e2e: a deployment paused at a PAUSE hook', function () {
  this.timeout(120_000);
  let sim: Simulation;
  afterEach(() => sim?.stop());
  const continued = () => sim.aws.calls.filter((c) => c.op === 'ContinueServiceDeployment').map((c) => c.body);
  const replies = () => sim.slack.replies.map((r) => r.text ?? '');
  const paused = () => sim.slack.calls.find((c) => JSON.stringify(c.blocks ?? []).includes('is paused*'));
  /** Who reacts, and how, once the message says the deployment is paused. */
  const onPause =
    (...reactions: Array<[name: string, user: string, afterMs: number]>) =>
    (s: Simulation) => {
      s.slack.people.length = 0;
      s.slack.people.push((call) => {
        if (!JSON.stringify(call.blocks ?? []).includes('is paused*')) return;
        for (const [name, user, afterMs] of reactions) setTimeout(() => s.slack.react(name, user), afterMs);
      });
    };

  it("an approver's ✅ continues it, once; the thread says who and when; then live", async () => {
    const result = await runScenario('paused');
    sim = result.sim;
    expect(result.run.code, result.run.stdout).to.equal(0);
    const message = JSON.stringify(paused()?.blocks);
    expect(message).to.match(/it rolls back by itself at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>, in \d+m \d\ds, unless someone acts/);
    expect(message).to.include(
      'aws ecs continue-service-deployment --region eu-west-1 --service-deployment-arn arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/shop-api/',
    );
    expect(message).to.include('--hook-id approve-production --action CONTINUE').and.include('--action ROLLBACK');
    expect(message).to.include(`React :white_check_mark: to continue or :rewind: to roll back (<@${APPROVER}> may)`);
    expect(continued()).to.have.length(1);
    expect(continued()[0]).to.deep.include({ hookId: 'approve-production', action: 'CONTINUE' });
    expect(
      replies().some((t) => new RegExp(`^✅ <@${APPROVER}> continued the deployment of shop-api at <!date.*\\(pause hook approve-production\\)\\.$`).test(t)),
    ).to.equal(true);
    expect(sim.slack.message?.metadata?.event_payload.status).to.equal('live');
  });

  it("someone else's reaction changes nothing (said once); an approver's ⏪ rolls it back: failed", async () => {
    const result = await runScenario('paused', {}, onPause(['white_check_mark', 'U0STRANGER1', 500], ['rewind', APPROVER, 4000]));
    sim = result.sim;
    expect(result.run.code, result.run.stdout).to.equal(1);
    expect(continued()).to.have.length(1);
    expect(continued()[0]).to.deep.include({ action: 'ROLLBACK' });
    const told = replies().filter((t) => t.includes('changed nothing'));
    expect(told).to.have.length(1);
    expect(told[0]).to.include(
      `Only <@${APPROVER}> may continue or roll back this deployment from Slack (APPROVERS); the reaction of <@U0STRANGER1> changed nothing.`,
    );
    expect(replies().some((t) => t.startsWith(`⏪ <@${APPROVER}> rolled back the deployment of shop-api`))).to.equal(true);
    expect(sim.slack.message?.metadata?.event_payload.status).to.equal('failed');
  });

  it('without APPROVERS nobody can act from Slack: no reactions read, no call made', async () => {
    const result = await runScenario('paused', { APPROVERS: undefined, WAIT_TIMEOUT: '12' });
    sim = result.sim;
    expect(result.run.code, result.run.stdout).to.equal(1);
    expect(JSON.stringify(paused()?.blocks)).to.include('Nobody can act from Slack: APPROVERS is not set.');
    expect(sim.slack.reactionReads).to.equal(0);
    expect(continued()).to.deep.equal([]);
  });

  it('a call AWS refuses is one clear line in the thread, not a crash', async () => {
    const result = await runScenario('paused', { WAIT_TIMEOUT: '12' }, (s) => {
      s.aws.faults.push({ op: 'ContinueServiceDeployment', times: 1, kind: 'access_denied' });
    });
    sim = result.sim;
    expect(result.run.code, result.run.stdout).to.equal(1);
    expect(replies().find((t) => t.includes('but the call failed'))).to.match(
      new RegExp(
        `^<@${APPROVER}> asked to continue shop-api \\(pause hook approve-production\\), but the call failed: Access denied: .*ecs:ContinueServiceDeployment`,
      ),
    );
    expect(continued()).to.have.length(1);
  });
});
