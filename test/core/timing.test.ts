// Where the time went: the phases between milestones, and one hint only when a phase dominates and
// a setting explains it. Facts come from snapshots built from real API shapes (samples.ts).
import { expect } from 'chai';
import { slowestFacts, timeSpent, timeSpentText, timingFactsOf } from '../../src/core/timing.ts';
import { NEW_TD, OLD_TD, service, serviceDeployment, shiftService, T0, targets, task } from '../support/samples.ts';

const S = 1000;
/** Milestones at T0 + seconds. */
function at(seconds: Partial<Record<'starting' | 'registering' | 'cutting_over' | 'live' | 'retired', number>>) {
  return Object.fromEntries(Object.entries(seconds).map(([p, s]) => [p, T0 + s * S]));
}

describe('core/timing', () => {
  it('names each phase between milestones, counting the first from the start of the run when the deployment was found at once', () => {
    const t = timeSpent(at({ registering: 45, cutting_over: 100, live: 112, retired: 412 }), T0, {});
    expect(t?.phases.map((p) => [p.name, p.ms / S])).to.deep.equal([
      ['tasks started', 45],
      ['health checks', 55],
      ['cut-over', 12],
      ['drain', 300],
    ]);
    expect(timeSpentText(t ?? { phases: [] })).to.equal('tasks started 45 s · health checks 55 s · cut-over 12 s · drain 5 min');
  });

  it('hints at the deregistration delay when the drain dominates and the delay explains it, saying when it is the default', () => {
    const t = timeSpent(at({ registering: 45, cutting_over: 100, live: 112, retired: 412 }), T0, { settings: { deregistrationDelaySeconds: 300 } });
    expect(t?.hint).to.equal(
      "drain 300 s = the target group's deregistration delay of 300 s (the default); lower deregistration_delay.timeout_seconds if requests are short",
    );
    const custom = timeSpent(at({ registering: 45, cutting_over: 100, live: 112, retired: 412 }), T0, { settings: { deregistrationDelaySeconds: 280 } });
    expect(custom?.hint).to.match(/delay of 280 s; lower/);
    // What the channel remembers: the setting and its value (another value is another hint).
    expect([t?.hintKey, custom?.hintKey]).to.deep.equal(['drain 300 s', 'drain 280 s']);
  });

  it('hints at the health checks when they dominate: healthy threshold × interval, which only failed first checks explain', () => {
    const t = timeSpent(at({ registering: 10, cutting_over: 100, live: 105, retired: 115 }), T0, {
      settings: { healthyThresholdCount: 5, healthCheckIntervalSeconds: 20, deregistrationDelaySeconds: 10 },
    });
    expect(t?.hintKey).to.equal('health checks 5 × 20 s');
    expect(t?.hint).to.equal(
      'healthy after 90 s = 5 × 20 s health checks: the first checks failed (a new target needs only one to pass), so the healthy threshold applied; an application ready when its container starts, or a lower threshold or interval, makes it faster',
    );
  });

  it('shows the image pull inside the start, and hints at it when it is most of a dominant start', () => {
    const t = timeSpent(at({ registering: 150, cutting_over: 160, live: 165, retired: 175 }), T0, { pullMs: 120 * S });
    expect(timeSpentText(t ?? { phases: [] })).to.match(/^tasks started 2 min 30 s \(image pull 2 min\) · /);
    expect(t?.hint).to.match(/^tasks started in 150 s, 120 s of it pulling the image/);
    expect(t?.hintKey).to.equal('image pull');
  });

  it('calls the last phase the bake and drain when the deployment bakes, and hints at the bake time', () => {
    const t = timeSpent(at({ registering: 30, cutting_over: 60, live: 70, retired: 670 }), T0, {
      bakeMinutes: 10,
      settings: { deregistrationDelaySeconds: 300 },
    });
    expect(t?.phases.at(-1)?.name).to.equal('bake and drain');
    expect(t?.hint).to.match(/^10 min after live = the 10 min bake/);
    expect(t?.hintKey).to.equal('bake 10 min');
  });

  it('gives no hint when nothing dominates, when the longest phase is short, or when no setting explains it', () => {
    const even = at({ registering: 60, cutting_over: 120, live: 180, retired: 240 });
    expect(timeSpent(even, T0, { settings: { deregistrationDelaySeconds: 60, healthyThresholdCount: 3, healthCheckIntervalSeconds: 20 } })?.hint).to.equal(
      undefined,
    );
    const short = at({ registering: 5, cutting_over: 10, live: 12, retired: 50 });
    expect(timeSpent(short, T0, { settings: { deregistrationDelaySeconds: 40 } })?.hint).to.equal(undefined);
    const unexplained = at({ registering: 45, cutting_over: 100, live: 112, retired: 412 });
    // A setting far shorter, or far longer, than the phase does not explain it.
    expect(timeSpent(unexplained, T0, { settings: { deregistrationDelaySeconds: 30 } })?.hint).to.equal(undefined);
    expect(timeSpent(unexplained, T0, { settings: { deregistrationDelaySeconds: 900 } })?.hint).to.equal(undefined);
    expect(timeSpent(unexplained, T0, {})?.hint).to.equal(undefined);
  });

  it('shows only the phases that ended, and nothing before the first did', () => {
    expect(timeSpent(at({ registering: 30 }), T0, {})?.phases.map((p) => p.name)).to.deep.equal(['tasks started']);
    expect(timeSpent({}, T0, {})).to.equal(undefined);
  });

  it('reads the slowest target group, the longest pull of our new tasks (not the old ones) and our deployment’s bake', () => {
    const pulled = (td: string, seconds: number) =>
      task(td === NEW_TD ? '10.0.2.20' : '10.0.1.10', td, { pullStartedAt: new Date(T0), pullStoppedAt: new Date(T0 + seconds * S) });
    const snap = service({
      tasks: [pulled(NEW_TD, 7), pulled(OLD_TD, 90)],
      targetGroups: [
        { ...targets(), settings: { healthyThresholdCount: 2, healthCheckIntervalSeconds: 30, deregistrationDelaySeconds: 30 } },
        { ...targets(), settings: { healthyThresholdCount: 5, healthCheckIntervalSeconds: 30, deregistrationDelaySeconds: 10 } },
      ],
    });
    expect(timingFactsOf(snap, NEW_TD)).to.deep.equal({
      settings: { healthyThresholdCount: 5, healthCheckIntervalSeconds: 30, deregistrationDelaySeconds: 30 },
      pullMs: 7 * S,
    });
    const shifting = shiftService(serviceDeployment());
    expect(timingFactsOf(shifting, NEW_TD).bakeMinutes).to.equal(10);
    const quick = shiftService(serviceDeployment({ deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 3 } }));
    expect(timingFactsOf(quick, NEW_TD).bakeMinutes).to.equal(3);
    expect(timingFactsOf(service(), NEW_TD).bakeMinutes).to.equal(undefined);
  });

  it('keeps what an earlier read knew when a later one lacks it', () => {
    expect(slowestFacts([{ pullMs: 4 * S, settings: { deregistrationDelaySeconds: 300 } }, { bakeMinutes: 5 }])).to.deep.equal({
      pullMs: 4 * S,
      settings: { deregistrationDelaySeconds: 300 },
      bakeMinutes: 5,
    });
  });
});
