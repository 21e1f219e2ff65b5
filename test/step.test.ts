// The reducer over realistic snapshots: what one poll means for the run, and what the watch must do next.
import { expect } from 'chai';
import { judgeFor, ROLLING } from '../src/judge.ts';
import type { ServiceSnapshot } from '../src/snapshot.ts';
import { expire, type RunState, start, step } from '../src/step.ts';
import { deployment, NEW_TD, OLD_TD, service, T0, targets, task } from './support/samples.ts';

const oldRunning = [task('10.0.1.10', OLD_TD), task('10.0.1.11', OLD_TD)];
const newRunning = [task('10.0.2.20', NEW_TD), task('10.0.2.21', NEW_TD)];
const SNAP = {
  starting: service({ tasks: oldRunning, targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'])] }),
  oneStarted: service({ tasks: [...oldRunning, newRunning[0]!], targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'])] }),
  stalled: service({
    tasks: [...oldRunning, ...newRunning],
    targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.2.20', 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]'])],
  }),
  draining: service({
    tasks: [...oldRunning.map((t) => ({ ...t, desiredStatus: 'STOPPED' })), ...newRunning],
    targetGroups: [targets(['10.0.1.10', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
  }),
  retired: service({
    deployments: [deployment('new', { rolloutState: 'COMPLETED' })],
    tasks: newRunning,
    targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
  }),
  failed: service({
    deployments: [deployment('new', { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }), deployment('old')],
    tasks: oldRunning,
  }),
} satisfies Record<string, ServiceSnapshot>;

const begin = (services = ['shop-api']): RunState =>
  start(services, services.map(() => ({ family: 'shop-api', revision: 42 })), { startedAt: T0, deadline: T0 + 600_000, graceMs: 60_000 });
const only = (snap: ServiceSnapshot) => new Map([['shop-api', snap]]);

describe('step: one poll of the whole run', () => {
  it('says "live" only once a fresh read confirms it', () => {
    // A fresh read before live confirms nothing.
    const early = step(begin(), only(SNAP.stalled), T0, { fresh: true });
    expect(early.view.confirm).to.equal(false);
    const first = step(early.state, only(SNAP.draining), T0 + 10_000);
    expect(first.view).to.include({ status: 'live', phase: 'live', confirm: true, done: false });
    const confirmed = step(first.state, only(SNAP.draining), T0 + 10_500, { fresh: true });
    expect(confirmed.view.confirm).to.equal(false);
  });

  it('announces phases, not counts', () => {
    const a = step(begin(), only(SNAP.starting), T0);
    const b = step(a.state, only(SNAP.oneStarted), T0 + 10_000);
    expect(b.view.services[0]?.progress?.running).to.equal(1);
    expect(b.view.announcement).to.equal(a.view.announcement);
    const c = step(b.state, only(SNAP.stalled), T0 + 20_000);
    expect(c.view.announcement).not.to.equal(b.view.announcement);
  });

  it('keeps the causes a service had when it ends without new ones', () => {
    const stalled = step(begin(), only(SNAP.stalled), T0);
    expect(stalled.view.causes.join('\n')).to.match(/Target\.ResponseCodeMismatch/);
    const failed = step(stalled.state, only(SNAP.failed), T0 + 10_000);
    expect(failed.view.status).to.equal('failed');
    expect(failed.view.causes.join('\n')).to.match(/Target\.ResponseCodeMismatch/);
  });

  it('reads only the services still going, and ends when all are done', () => {
    const both = begin(['shop-api', 'shop-worker']);
    const worker = (snap: ServiceSnapshot) => ({ ...snap, name: 'shop-worker' });
    const a = step(both, new Map([['shop-api', SNAP.retired], ['shop-worker', worker(SNAP.starting)]]), T0);
    expect(a.view.active).to.deep.equal(['shop-worker']);
    expect(a.view.done).to.equal(false);
    // The finished service is not read again; its watch stays as it was.
    const b = step(a.state, new Map([['shop-worker', worker(SNAP.retired)]]), T0 + 10_000);
    expect(b.view).to.include({ status: 'live', phase: 'retired', done: true });
    expect(b.view.active).to.deep.equal([]);
  });

  it('dates each milestone by the last service to reach it', () => {
    const both = begin(['shop-api', 'shop-worker']);
    const worker = (snap: ServiceSnapshot) => ({ ...snap, name: 'shop-worker' });
    const a = step(both, new Map([['shop-api', SNAP.stalled], ['shop-worker', worker(SNAP.starting)]]), T0 + 1000);
    expect(a.view.milestones.registering).to.equal(undefined);
    const b = step(a.state, new Map([['shop-api', SNAP.stalled], ['shop-worker', worker(SNAP.stalled)]]), T0 + 5000);
    expect(b.view.milestones.registering).to.equal(T0 + 5000);
    expect(b.view.milestones.starting).to.equal(T0 + 1000);
  });

  it('judges as at the deadline when AWS could not be read to the end', () => {
    const a = step(begin(), only(SNAP.stalled), T0);
    expect(expire(a.state).view).to.include({ status: 'timed_out', phase: 'registering', done: true });
    const live = step(a.state, only(SNAP.draining), T0 + 10_000);
    expect(expire(live.state).view).to.include({ status: 'live', done: true });
  });
});

describe('judge: one per kind of deployment', () => {
  it('judges rolling updates, and says why it judges nothing else yet', () => {
    expect(judgeFor(service())).to.equal(ROLLING);
    expect(judgeFor(service({ deploymentStrategy: 'ROLLING' }))).to.equal(ROLLING);
    expect(judgeFor(service({ deploymentController: 'CODE_DEPLOY' }))).to.deep.equal({
      unsupported: 'Service shop-api deploys with the CODE_DEPLOY deployment controller; only rolling updates (deployment controller ECS, strategy ROLLING) are supported yet, so this rollout is not judged.',
    });
    expect(judgeFor(service({ deploymentStrategy: 'CANARY' }))).to.have.property('unsupported').that.matches(/the CANARY deployment strategy/);
  });
});
