// The reducer over realistic snapshots: what one poll means for the run, and what the watch must do next.
import { expect } from 'chai';
import { DENSE_POLL_MS, DENSE_WINDOW_MS, HEALTHY_WINDOW_POLLS, SPARSE_POLL_FACTOR } from '../../src/core/budget.ts';
import type { ServiceSnapshot } from '../../src/core/snapshot.ts';
import { expire, JUDGES, judgeFor, type RunState, start, step } from '../../src/core/step.ts';
import {
  checkedTargets,
  greenTargets,
  NEW_REVISION,
  NEW_TD,
  OLD_TD,
  ROLLOUT,
  rule,
  service,
  serviceDeployment,
  shiftService,
  stoppedByElb,
  T0,
  TG_SETTINGS,
  targets,
  task,
  withSettings,
} from '../support/samples.ts';

const { oldTasks: oldRunning, newTasks: newRunning } = ROLLOUT;
const SNAP = {
  starting: ROLLOUT.starting,
  oneStarted: service({ tasks: [...oldRunning, newRunning[0]!], targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'])] }),
  stalled: service({
    tasks: [...oldRunning, ...newRunning],
    targetGroups: [
      targets(['10.0.1.10', 'healthy'], ['10.0.2.20', 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]']),
    ],
  }),
  draining: ROLLOUT.draining,
  retired: ROLLOUT.retired,
  failed: ROLLOUT.failed,
} satisfies Record<string, ServiceSnapshot>;

const begin = (services = ['shop-api']): RunState =>
  start(
    services,
    services.map(() => ({ family: 'shop-api', revision: 42 })),
    { startedAt: T0, deadline: T0 + 600_000, graceMs: 60_000, pollIntervalMs: 10_000 },
  );
const only = (snap: ServiceSnapshot) => new Map([['shop-api', snap]]);
/** The new revision's two tasks running. */
const NEW_RUNNING = { targetServiceRevision: { arn: NEW_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 } };
/** A linear shift (25 % steps, each baking `bakeMinutes`) with `green` % of production on the new revision; `hook`: a PAUSE awaiting approval. */
const linearAt = (green: number, bakeMinutes: number, hook = false) =>
  shiftService(
    serviceDeployment({
      ...NEW_RUNNING,
      lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
      deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: bakeMinutes } },
      ...(hook ? { lifecycleHookDetails: [{ hookId: 'approve', targetType: 'PAUSE', status: 'AWAITING_ACTION' }] } : {}),
    }),
    { production: [rule(100 - green, green)], deploymentStrategy: 'LINEAR' },
  );

describe('step: one poll of the whole run', () => {
  it('says "live" only once a fresh read shows it: a read with cached task data holds it at the cut-over and asks for one', () => {
    // A fresh read before live confirms nothing.
    const early = step(begin(), only(SNAP.stalled), T0, { fresh: true });
    expect(early.view.confirm).to.equal(false);
    const first = step(early.state, only(SNAP.draining), T0 + 10_000);
    expect(first.view).to.include({ status: 'rolling_out', phase: 'cutting_over', confirm: true, done: false });
    expect(first.view.services[0]?.status).to.equal('cutting_over');
    const confirmed = step(first.state, only(SNAP.draining), T0 + 10_500, { fresh: true });
    expect(confirmed.view).to.include({ status: 'live', phase: 'live', confirm: false });
    expect(confirmed.state.watches[0]?.reachedAt.live, 'live from the read that showed it afresh').to.equal(T0 + 10_500);
  });

  it('the fresh read may say no: old tasks and old targets still serving keep it cutting over, and nothing pins the cached "live"', () => {
    const cached = step(step(begin(), only(SNAP.stalled), T0, { fresh: true }).state, only(SNAP.draining), T0 + 10_000);
    expect(cached.view.confirm).to.equal(true);
    const no = step(cached.state, only(ROLLOUT.cutover), T0 + 10_500, { fresh: true });
    expect(no.view).to.include({ status: 'rolling_out', phase: 'cutting_over', confirm: false });
    expect(no.state.watches[0]?.reachedAt.live).to.equal(undefined);
    // And a later cached read that shows the old version back does not find a "live" to keep.
    expect(step(no.state, only(ROLLOUT.cutover), T0 + 20_000).view.services[0]?.status).to.equal('cutting_over');
  });

  it('calls a service quiet while its new tasks start and once its "live" is confirmed: its targets change only with what ECS shows', () => {
    const starting = step(begin(), only(SNAP.starting), T0);
    expect(starting.view.quiet).to.deep.equal(['shop-api']);
    const checking = step(starting.state, only(ROLLOUT.registering), T0 + 10_000);
    expect(checking.view.quiet, 'health checks pass without ECS showing it').to.deep.equal([]);
    const live = step(checking.state, only(SNAP.draining), T0 + 20_000);
    expect(live.view.quiet, 'live on cached data: not said yet').to.deep.equal([]);
    expect(step(live.state, only(SNAP.draining), T0 + 20_500, { fresh: true }).view.quiet).to.deep.equal(['shop-api']);
    // A running task awaiting its container health check: it turns HEALTHY unseen by DescribeServices.
    const awaiting = service({
      tasks: [...oldRunning, ...newRunning.map((t) => ({ ...t, healthStatus: 'UNKNOWN' }))],
      targetGroups: ROLLOUT.registering.targetGroups,
      healthChecks: { [NEW_TD]: true, [OLD_TD]: false },
    });
    const checked = step(begin(), only(awaiting), T0);
    expect(checked.view.services[0]?.status).to.equal('starting');
    expect(checked.view.quiet).to.deep.equal([]);
  });

  it('while the new targets are checked, reads their health and a fresh task list at every poll: they may turn healthy any moment', () => {
    // A 300 s check interval (the longest) from the registration at T0 + 5 s: healthy by T0 + 305 s.
    const checked = checkedTargets(300, 5);
    let r = step(begin(), only(checked), T0 + 20_000);
    for (const at of [30_000, 150_000, 296_000]) {
      expect(r.view).to.deep.include({ quiet: [], freshNext: true });
      r = step(r.state, only(checked), T0 + at);
    }
    // Without a prediction (settings unknown), every poll reads the health too.
    expect(step(begin(), only(ROLLOUT.registering), T0 + 20_000).view.quiet).to.deep.equal([]);
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
    const a = step(
      both,
      new Map([
        ['shop-api', SNAP.retired],
        ['shop-worker', worker(SNAP.starting)],
      ]),
      T0,
      { fresh: true },
    );
    expect(a.view.active).to.deep.equal(['shop-worker']);
    expect(a.view.done).to.equal(false);
    // The finished service is not read again; its watch stays as it was.
    const b = step(a.state, new Map([['shop-worker', worker(SNAP.retired)]]), T0 + 10_000, { fresh: true });
    expect(b.view).to.include({ status: 'live', phase: 'retired', done: true });
    expect(b.view.active).to.deep.equal([]);
  });

  it('WAIT_UNTIL=live: a confirmed "live" ends the run, and the view says so; retired (default) follows on', () => {
    const until = (waitUntil: 'live' | 'retired') =>
      start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
        startedAt: T0,
        deadline: T0 + 600_000,
        graceMs: 60_000,
        pollIntervalMs: 10_000,
        waitUntil,
      });
    const seen = step(until('live'), only(SNAP.draining), T0 + 10_000);
    expect(seen.view).to.include({ status: 'rolling_out', done: false, confirm: true });
    const confirmed = step(seen.state, only(SNAP.draining), T0 + 10_500, { fresh: true });
    expect(confirmed.view).to.include({ status: 'live', phase: 'live', done: true, endedAtLive: true });
    const following = step(step(until('retired'), only(SNAP.draining), T0 + 10_000).state, only(SNAP.draining), T0 + 10_500, { fresh: true });
    expect(following.view.done).to.equal(false);
    expect(following.view.endedAtLive).to.equal(undefined);
    // Retired within the same run: nothing was left unfollowed.
    const retired = step(confirmed.state, only(SNAP.retired), T0 + 20_000);
    expect(retired.view.endedAtLive).to.equal(undefined);
  });

  it('announces each traffic step and hook of a traffic-shifting deployment, and marks live services settled once confirmed', () => {
    const green = greenTargets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy']);
    const shifting = (blue: number, greenShare: number) =>
      shiftService(serviceDeployment({ ...NEW_RUNNING, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }), { green, production: [rule(blue, greenShare)] });
    const a = step(begin(), only(shifting(75, 25)), T0);
    const b = step(a.state, only(shifting(50, 50)), T0 + 1000);
    expect(b.view.services[0]?.shift?.production).to.equal(50);
    expect(b.view.announcement).not.to.equal(a.view.announcement);
    expect(step(b.state, only(shifting(50, 50)), T0 + 2000).view.announcement).to.equal(b.view.announcement);
    const baking = shiftService(serviceDeployment({ ...NEW_RUNNING, lifecycleStage: 'BAKE_TIME' }), { green, production: [rule(0, 100)] });
    const live = step(b.state, only(baking), T0 + 3000);
    expect(live.view.settled).to.deep.equal([]);
    expect(live.view.quiet, 'not before live is confirmed').to.deep.equal([]);
    const confirmed = step(live.state, only(baking), T0 + 3500, { fresh: true }).view;
    expect(confirmed.settled).to.deep.equal(['shop-api']);
    expect(confirmed.quiet).to.deep.equal(['shop-api']);
  });

  it('polls faster during a cut-over, but not while a linear step or an approval is still to come', () => {
    expect(step(begin(), only(SNAP.stalled), T0).view.nextPollMs).to.equal(10_000);
    const cutting = service({
      tasks: [...oldRunning, ...newRunning],
      targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
    });
    expect(step(begin(), only(cutting), T0).view).to.include({ phase: 'cutting_over', nextPollMs: DENSE_POLL_MS });
    // Steps without a bake: the next one may come any moment.
    expect(step(begin(), only(linearAt(25, 0)), T0).view.nextPollMs).to.equal(10_000);
    expect(step(begin(), only(linearAt(75, 0)), T0).view.nextPollMs).to.equal(DENSE_POLL_MS);
    expect(step(begin(), only(linearAt(75, 0, true)), T0).view.nextPollMs).to.equal(10_000);
    const blueGreen = shiftService(serviceDeployment({ ...NEW_RUNNING, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }), { production: [rule(100, 0)] });
    expect(step(begin(), only(blueGreen), T0).view.nextPollMs).to.equal(DENSE_POLL_MS);
  });

  it('keeps the newest stopped new task of each distinct way of stopping, for its last log lines', () => {
    const crashed = (ip: string, exitCode: number, stoppedAt: number) =>
      task(ip, NEW_TD, {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedAt: new Date(stoppedAt),
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'web', exitCode }],
      });
    const snap = service({
      tasks: [
        ...oldRunning,
        crashed('10.0.2.30', 1, T0 + 1000),
        crashed('10.0.2.31', 1, T0 + 2000),
        crashed('10.0.2.32', 137, T0 + 3000),
        stoppedByElb(OLD_TD),
      ],
    });
    const a = step(begin(), only(snap), T0 + 5000);
    expect(a.view.stoppedTasks.map((t) => [t.service, t.container, t.what, t.taskArn.split('/').pop()])).to.deep.equal([
      ['shop-api', 'web', 'exit code 137', '100232abcdef'],
      ['shop-api', 'web', 'exit code 1', '100231abcdef'],
    ]);
    // A service that ends without new stops keeps the ones it had.
    const failed = step(a.state, only(SNAP.failed), T0 + 10_000);
    expect(failed.view.stoppedTasks).to.have.length(2);
  });

  it('says where the time went once the watch is over, from what every read knew', () => {
    // The target groups' settings are read once: only the first snapshot carries them.
    let run = step(begin(), only(withSettings(SNAP.starting, { deregistrationDelaySeconds: 300 })), T0);
    for (const [snap, at, fresh] of [
      [ROLLOUT.registering, 30, false],
      [ROLLOUT.cutover, 60, false],
      [SNAP.draining, 70, false],
      [SNAP.draining, 71, true],
    ] as const) {
      run = step(run.state, only(snap), T0 + at * 1000, { fresh });
      expect(run.view.timeSpent).to.equal(undefined);
    }
    const end = step(run.state, only(SNAP.retired), T0 + 371_000);
    expect(end.view.done).to.equal(true);
    expect(end.view.timeSpent?.phases.map((p) => [p.name, p.ms / 1000, p.detail])).to.deep.equal([
      ['tasks started', 30, 'image pull 4 s'],
      ['health checks', 30, undefined],
      ['cut-over', 11, undefined],
      ['drain', 300, undefined],
    ]);
    expect(end.view.timeSpent?.hint).to.match(/^drain 300 s = the target group's deregistration delay of 300 s \(the default\)/);
  });

  it('for a run that failed, says how long the phases it got through took', () => {
    const a = step(begin(), only(SNAP.starting), T0);
    const b = step(a.state, only(SNAP.stalled), T0 + 40_000);
    const failed = step(b.state, only(SNAP.failed), T0 + 400_000);
    expect(failed.view.status).to.equal('failed');
    expect(failed.view.timeSpent?.phases.map((p) => [p.name, p.ms / 1000])).to.deep.equal([['tasks started', 40]]);
  });

  it('dates each milestone by the last service to reach it', () => {
    const both = begin(['shop-api', 'shop-worker']);
    const worker = (snap: ServiceSnapshot) => ({ ...snap, name: 'shop-worker' });
    const a = step(
      both,
      new Map([
        ['shop-api', SNAP.stalled],
        ['shop-worker', worker(SNAP.starting)],
      ]),
      T0 + 1000,
    );
    expect(a.view.milestones.registering).to.equal(undefined);
    const b = step(
      a.state,
      new Map([
        ['shop-api', SNAP.stalled],
        ['shop-worker', worker(SNAP.stalled)],
      ]),
      T0 + 5000,
    );
    expect(b.view.milestones.registering).to.equal(T0 + 5000);
    expect(b.view.milestones.starting).to.equal(T0 + 1000);
  });

  it('a target no task explains: named on the line, and polled sparsely (not as if live were moments away) until it goes', () => {
    const stray = service({
      tasks: [...oldRunning.map((t) => ({ ...t, desiredStatus: 'STOPPED', lastStatus: 'STOPPED' })), ...newRunning],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'], ['10.0.9.9', 'healthy'])],
    });
    const a = step(begin(), only(stray), T0, { fresh: true });
    expect(a.view.services[0]?.status).to.equal('cutting_over');
    expect(a.view.services[0]?.warning).to.match(/^target 10\.0\.9\.9:8080 \(healthy\) in target group shop-api belongs to no task of shop-api/);
    expect(a.view).to.include({ nextPollMs: 10_000 * SPARSE_POLL_FACTOR, freshNext: false });
    // Deregistered: live at the next poll.
    const gone = service({ ...stray, targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])] });
    expect(step(a.state, only(gone), T0 + 60_000, { fresh: true }).view.status).to.equal('live');
  });

  it('judges as at the deadline when AWS could not be read to the end', () => {
    const a = step(begin(), only(SNAP.stalled), T0);
    expect(expire(a.state).view).to.include({ status: 'timed_out', phase: 'registering', done: true });
    // A "live" only a cached read showed is not an outcome: at the deadline it is a time-out.
    const unconfirmed = step(a.state, only(SNAP.draining), T0 + 10_000);
    expect(expire(unconfirmed.state).view).to.include({ status: 'timed_out', phase: 'cutting_over', done: true });
    const live = step(a.state, only(SNAP.draining), T0 + 10_000, { fresh: true });
    expect(expire(live.state).view).to.include({ status: 'live', done: true });
  });
});

describe('judge: one per kind of deployment', () => {
  it('judges rolling updates, the ECS-native traffic-shifting strategies and CodeDeploy, and says why it judges nothing else', () => {
    expect(judgeFor(service())).to.equal(JUDGES.rolling);
    expect(judgeFor(service({ deploymentStrategy: 'ROLLING' }))).to.equal(JUDGES.rolling);
    for (const strategy of ['BLUE_GREEN', 'LINEAR', 'CANARY']) expect(judgeFor(service({ deploymentStrategy: strategy }))).to.equal(JUDGES.traffic);
    expect(judgeFor(service({ deploymentController: 'CODE_DEPLOY' }))).to.equal(JUDGES.codeDeploy);
    expect(judgeFor(service({ deploymentController: 'EXTERNAL' }))).to.deep.equal({
      unsupported:
        'Service shop-api deploys with the EXTERNAL deployment controller; the pipe judges deployments of the ECS and CODE_DEPLOY controllers (ECS strategies ROLLING, BLUE_GREEN, LINEAR and CANARY), so this rollout is not judged.',
    });
    expect(judgeFor(service({ deploymentStrategy: 'SOMETHING_NEW' })))
      .to.have.property('unsupported')
      .that.matches(/the SOMETHING_NEW deployment strategy/);
  });
});

describe('step: what a failed deployment named, kept for the end', () => {
  it('alarms and failed hooks seen at any poll reach the view, also when a later read no longer shows them', () => {
    const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:smoke';
    const failedHook = serviceDeployment({
      status: 'ROLLBACK_IN_PROGRESS',
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      lifecycleHookDetails: [{ hookId: 'smoke', targetType: 'AWS_LAMBDA', status: 'FAILED', targetArn: fn }],
      alarms: { status: 'TRIGGERED', alarmNames: ['api-5xx'], triggeredAlarmNames: ['api-5xx'] },
    });
    const s0 = begin();
    const first = step(s0, new Map([['shop-api', shiftService(serviceDeployment({ lifecycleStage: 'POST_SCALE_UP' }))]]), T0 + 10_000);
    expect(first.view.alarms).to.deep.equal([]);
    expect(first.view.failedHooks).to.deep.equal([]);
    const second = step(first.state, new Map([['shop-api', shiftService(failedHook)]]), T0 + 20_000);
    expect(second.view.alarms).to.deep.equal([{ service: 'shop-api', name: 'api-5xx' }]);
    expect(second.view.failedHooks).to.deep.equal([
      { service: 'shop-api', function: fn, status: 'FAILED', stage: 'POST_TEST_TRAFFIC_SHIFT', from: T0, to: T0 },
    ]);
    // The rollback is over and ECS no longer reports the hook or the alarm: what was named stays named.
    const third = step(
      second.state,
      new Map([['shop-api', shiftService(serviceDeployment({ status: 'ROLLBACK_SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }))]]),
      T0 + 30_000,
    );
    expect(third.view.alarms).to.deep.equal(second.view.alarms);
    expect(third.view.failedHooks).to.deep.equal(second.view.failedHooks);
  });
});

describe('step: the schedule around the predicted "healthy"', () => {
  it('polls across the window in which the new targets pass their one health check (from the registration event), densely just after, then as usual', () => {
    // A 30 s check interval (the threshold of 5 counts only for a recovering target), registered at T0 + 5 s.
    const registered = checkedTargets(30, 5);
    const first = step(begin(), only(registered), T0 + 20_000);
    expect(first.view.services[0]?.eta).to.deep.include({ what: 'healthy', at: T0 + 35_000, since: T0 + 5000 });
    expect(first.view.nextPollMs, `the 30 s window polled ${HEALTHY_WINDOW_POLLS} times`).to.equal(30_000 / HEALTHY_WINDOW_POLLS);
    expect(first.view.freshNext, 'each poll of the window reads a fresh task list: live may come with it').to.equal(true);
    const near = step(first.state, only(registered), T0 + 32_000);
    expect(near.view.nextPollMs, 'the predicted moment comes before the next poll').to.equal(3000);
    // Past the moment: the estimate is no longer shown, but the schedule still knows it.
    const past = step(near.state, only(registered), T0 + 36_000);
    expect(past.view.services[0]?.eta).to.equal(undefined);
    expect(past.view.nextPollMs).to.equal(DENSE_POLL_MS);
    const later = step(past.state, only(registered), T0 + 35_000 + DENSE_WINDOW_MS);
    expect(later.view.nextPollMs).to.equal(10_000);
  });

  it('while the new tasks start, polls once per health-check interval when that is shorter than POLL_INTERVAL: the registration is seen within the window in which "live" may come', () => {
    const fast = { ...TG_SETTINGS, healthCheckIntervalSeconds: 5 };
    const starting = step(begin(), only(withSettings(ROLLOUT.starting, fast)), T0);
    expect(starting.view).to.include({ phase: 'starting', nextPollMs: 5000 });
    // Settings read once: a later read without them still polls at the interval.
    expect(step(starting.state, only(ROLLOUT.starting), T0 + 5000).view.nextPollMs).to.equal(5000);
    // The default 30 s interval, or settings not read: POLL_INTERVAL.
    expect(step(begin(), only(withSettings(ROLLOUT.starting, { ...TG_SETTINGS, healthCheckIntervalSeconds: 30 })), T0).view.nextPollMs).to.equal(10_000);
    expect(step(begin(), only(ROLLOUT.starting), T0).view.nextPollMs).to.equal(10_000);
    // Once live, the interval no longer matters: only the retirement is left.
    const live = step(starting.state, only(withSettings(ROLLOUT.draining, { ...fast, deregistrationDelaySeconds: 0 })), T0 + 10_000, { fresh: true });
    expect(live.view).to.include({ phase: 'live', nextPollMs: 20_000 });
  });

  it("a linear shift: polls sparsely through each step's bake, across the window in which the next step may come, and densely only once the last step's window opens", () => {
    const BAKE_MS = 10 * 60_000;
    const linear = (green: number, hook = false) => linearAt(green, BAKE_MS / 60_000, hook);
    const begun = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
      startedAt: T0,
      deadline: T0 + 3_600_000,
      graceMs: 60_000,
      pollIntervalMs: 10_000,
    });
    // 50 % first seen a minute after the deployment began: the step was taken in between.
    const half = step(begun, only(linear(50)), T0 + 60_000);
    expect(half.view.services[0]?.eta).to.deep.include({ what: 'step', since: T0 + BAKE_MS, at: T0 + 60_000 + BAKE_MS, basis: 'step bake 10 min' });
    expect(half.view.nextPollMs, 'sparse through the bake').to.equal(10_000 * SPARSE_POLL_FACTOR);
    expect(half.view.freshNext).to.equal(false);
    // A hook awaiting approval holds the next step: no prediction.
    expect(step(begun, only(linear(50, true)), T0 + 60_000).view.services[0]?.eta).to.equal(undefined);
    // Within the window: as across the health-check window (60 s over HEALTHY_WINDOW_POLLS polls).
    const waiting = step(half.state, only(linear(50)), T0 + BAKE_MS + 5000);
    expect(waiting.view.nextPollMs).to.equal(60_000 / HEALTHY_WINDOW_POLLS);
    // 75 % seen: the last step is ten minutes off, not moments away.
    const last = step(waiting.state, only(linear(75)), T0 + BAKE_MS + 12_500);
    expect(last.view.services[0]?.eta).to.deep.include({ since: T0 + BAKE_MS + 5000 + BAKE_MS, at: T0 + BAKE_MS + 12_500 + BAKE_MS });
    expect(last.view.nextPollMs).to.equal(10_000 * SPARSE_POLL_FACTOR);
    const near = step(last.state, only(linear(75)), T0 + 2 * BAKE_MS);
    expect(near.view.nextPollMs, 'waking as its window opens').to.equal(5000);
    const open = step(near.state, only(linear(75)), T0 + 2 * BAKE_MS + 6000);
    expect(open.view, 'the last step may come any moment: live is').to.include({ nextPollMs: DENSE_POLL_MS, freshNext: true });
  });

  it('once a blue/green deployment is live, polls sparsely through the bake, the last poll landing on its end', () => {
    const state = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
      startedAt: T0,
      deadline: T0 + 3_600_000,
      graceMs: 60_000,
      pollIntervalMs: 10_000,
    });
    // Baking since T0 for 10 minutes: ECS may roll back until T0 + 600 s, then the blue revision goes.
    const running = { ...NEW_RUNNING, updatedAt: new Date(T0) };
    const baking = shiftService(
      { ...serviceDeployment(running), lifecycleStage: 'BAKE_TIME' },
      { green: greenTargets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy']), production: [rule(0, 100)] },
    );
    const live = step(state, only(baking), T0 + 10_000, { fresh: true });
    expect(live.view).to.include({ status: 'live', nextPollMs: 10_000 * SPARSE_POLL_FACTOR });
    expect(step(live.state, only(baking), T0 + 575_000).view.nextPollMs).to.equal(25_000);
  });
});
