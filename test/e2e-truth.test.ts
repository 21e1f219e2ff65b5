// End to end, the behaviours real AWS answers showed the pipe had wrong (issue 27): forced
// redeploys of the same task definition, deployment alarms that bake after the scale-in, and early
// success criteria (ECS done before every new task serves). The
// built program against the simulator's scenarios, through the real SDK and Slack clients.
import { expect } from 'chai';
import type { Simulation } from '../simulator/catalog.ts';
import { expectLiveOnceThenRetired, runScenario, statusesOf, topLevelCalls } from './support/scenario-run.ts';

describe('e2e: true on AWS as it answers', function () {
  this.timeout(120_000);
  let sim: Simulation;
  afterEach(() => sim?.stop());
  const run = async (name: string, extra: Record<string, string | undefined> = {}) => {
    const result = await runScenario(name, extra);
    sim = result.sim;
    return result.run;
  };
  const liveAt = () => topLevelCalls(sim).find((c) => c.metadata?.event_payload.status === 'live')?.at;

  it('a forced redeploy (same task definition) is live when its own tasks serve, not at the first poll', async () => {
    const r = await run('forced');
    expect(r.code, r.stdout).to.equal(0);
    expectLiveOnceThenRetired(sim);
    expect(statusesOf(sim)[0]).to.equal('rolling_out/starting');
    expect(liveAt()).to.be.at.least(sim.aws.marks.get('cutover:shop-api') ?? Number.POSITIVE_INFINITY);
  });

  it('a forced redeploy whose new image crashes fails (exit 1), never live', async () => {
    const r = await run('forced-crash');
    expect(r.code, r.stdout).to.equal(1);
    expect(statusesOf(sim)).not.to.include('live/live');
    expect(r.stdout).to.match(/ECS deployment circuit breaker: tasks failed to start\./);
    expect(r.stdout).to.match(/exit code 1/);
  });

  it('deployment alarms: an alarm rollback after the scale-in is "failed after going live" (exit 1), the same message', async () => {
    const r = await run('alarm-bake');
    expect(r.code, r.stdout).to.equal(1);
    const seq = statusesOf(sim);
    expect(seq).to.include('live/live');
    expect(seq, seq.join(' ')).not.to.include('live/retired');
    expect(seq.at(-1)).to.equal('failed/live');
    expect(r.stdout).to.match(/rolled back after going live: ECS deployment failed: alarm detected\. \(alarm shop-api-5xx\)/);
    expect(topLevelCalls(sim).filter((c) => c.method === 'chat.postMessage')).to.have.length(1);
    // While ECS baked, the message said so.
    expect(r.stdout).to.match(/live, old version gone; ECS still watching alarm shop-api-5xx/);
  });

  it('early success criteria: ECS done at 50 % with old targets serving is not live; live once every serving target is new (exit 0)', async () => {
    const r = await run('early-success');
    expect(r.code, r.stdout).to.equal(0);
    expectLiveOnceThenRetired(sim);
    expect(liveAt()).to.be.at.least(sim.aws.marks.get('cutover:shop-api') ?? Number.POSITIVE_INFINITY);
    expect(r.stdout).to.match(/ECS considers this deployment done at 50 % healthy \(early success criteria\)/);
  });

  it('early success criteria: a new task that keeps crashing after ECS\'s "done" is named and fails the run at CRASH_LOOP_LIMIT (exit 1)', async () => {
    const r = await run('early-success-crash');
    expect(r.code, r.stdout).to.equal(1);
    expect(statusesOf(sim)).not.to.include('live/live');
    // ECS's failed count said nothing (reset by the healthy task, then not counted): the stopped tasks did.
    expect(r.stdout).to.match(/new tasks kept crashing \(exit code 1, 3 times, CRASH_LOOP_LIMIT reached\); ECS called the deployment done at 50 % healthy/);
    expect(r.stdout).to.match(/cannot reach the database/);
  });

  it('behind a Network Load Balancer, targets `initial` for 4 minutes are its slow registration: predicted as such, no "check the health check path"', async () => {
    const r = await run('nlb');
    expect(r.code, r.stdout).to.equal(0);
    expectLiveOnceThenRetired(sim);
    expect(r.stdout).to.match(
      /targets healthy by ~\d\d:\d\d UTC \(Network Load Balancer registration, first check 70–300 s after it; then one passing health check, every 10 s\)/,
    );
    expect(r.stdout).not.to.match(/not passing load balancer health checks|check the health check path/);
  });

  it('deployment alarms: retired only once ECS calls the deployment done after its bake (exit 0)', async () => {
    const r = await run('alarm-bake-ok');
    expect(r.code, r.stdout).to.equal(0);
    expectLiveOnceThenRetired(sim);
    const retiredAt = topLevelCalls(sim).find((c) => c.metadata?.event_payload.phase === 'retired')?.at ?? 0;
    expect(retiredAt).to.be.at.least(sim.aws.marks.get('retired:shop-api') ?? Number.POSITIVE_INFINITY);
  });
});
