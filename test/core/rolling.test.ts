import { expect } from 'chai';
import { deploymentFrom, eventsFrom, targetFrom } from '../../src/aws/to-snapshot.ts';
import { crashLoopWarning } from '../../src/core/evidence.ts';
import { etaOf } from '../../src/core/rolling.ts';
import type { ServiceSnapshot, TargetGroupSettings } from '../../src/core/snapshot.ts';
import { JUDGES } from '../../src/core/step.ts';
import { decideRollout } from '../../src/core/verdict.ts';
import { newWatch, type Phase, type ServiceStatus, type ServiceWatch } from '../../src/core/vocabulary.ts';

const assessService = JUDGES.rolling;

import { deployment, NEW_TD, NEWER_TD, OLD_TD, sample, service, stoppedByElb, T0, targets, task } from '../support/samples.ts';

// Each poll is judged as a fresh read (a "live" it shows is said; judge.ts).
const clock = { now: T0 + 120_000, startedAt: T0, graceMs: 60_000, fresh: true };
const NEW_ID = 'ecs-svc/7419115625193919142';
const requested = { family: 'shop-api', revision: 42 };
const watching = (fields: Partial<ServiceWatch> = {}): ServiceWatch => ({ ...newWatch('shop-api', requested), ...fields });

/** Our deployment of shop-api:42, live since T0 + 60 s, over shop-api:41. */
const liveOnNew = watching({
  status: 'live',
  track: { kind: 'rolling', deploymentId: NEW_ID },
  taskDefinitionArn: NEW_TD,
  deploymentCreatedAt: T0,
  previousTaskDefinitions: [OLD_TD],
  reachedAt: { live: T0 + 60_000 },
});
const oldRunning = [task('10.0.1.10', OLD_TD), task('10.0.1.11', OLD_TD)];
const oldStopping = oldRunning.map((t) => ({ ...t, desiredStatus: 'STOPPED' }));
const oldStopped = oldRunning.map((t) => ({ ...t, desiredStatus: 'STOPPED', lastStatus: 'STOPPED' }));
const newRunning = [task('10.0.2.20', NEW_TD), task('10.0.2.21', NEW_TD)];
const newPending = newRunning.map((t) => ({ ...t, lastStatus: 'PROVISIONING' }));
const newUnknownHealth = newRunning.map((t) => ({ ...t, healthStatus: 'UNKNOWN' }));
const newHealthy = newRunning.map((t) => ({ ...t, healthStatus: 'HEALTHY' }));

interface Case {
  name: string;
  watch?: ServiceWatch;
  snap: ServiceSnapshot;
  now?: number;
  status: ServiceStatus;
  reason?: RegExp;
  supersededBy?: string;
  causes?: RegExp[];
  progress?: Partial<Record<string, number>>;
}

const cases: Case[] = [
  {
    name: 'right after update-service: new PRIMARY has no tasks yet, old tasks serve',
    snap: service({ tasks: oldRunning, targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'])] }),
    status: 'starting',
    progress: { desired: 2, running: 0, ready: 0, oldTasks: 2, otherTargets: 2, oldTargets: 2 },
  },
  {
    name: 'new tasks provisioning',
    snap: service({ tasks: [...oldRunning, ...newPending] }),
    status: 'starting',
    progress: { running: 0 },
  },
  {
    name: 'new tasks RUNNING but container health checks not yet HEALTHY',
    snap: service({ tasks: [...oldRunning, ...newUnknownHealth], healthChecks: { [NEW_TD]: true } }),
    status: 'starting',
    progress: { running: 2, ready: 0 },
  },
  {
    name: 'new tasks RUNNING without health checks, targets still in initial health checks',
    snap: service({
      tasks: [...oldRunning, ...newRunning],
      targetGroups: [
        targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'], ['10.0.2.20', 'initial', 'Elb.RegistrationInProgress'], ['10.0.2.21', 'initial']),
      ],
    }),
    status: 'registering',
    progress: { ready: 2, healthyTargets: 0, otherTargets: 4, oldTargets: 2 },
  },
  {
    name: 'stalled: new targets fail health checks (the freshest cause names the reason code)',
    snap: service({
      tasks: [...oldRunning, ...newRunning, stoppedByElb()],
      targetGroups: [
        targets(
          ['10.0.1.10', 'healthy'],
          ['10.0.2.20', 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]'],
          ['10.0.2.21', 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]'],
        ),
      ],
      events: eventsFrom({
        events: [
          {
            id: 'e1',
            createdAt: new Date(T0 + 60_000),
            message:
              '(service shop-api) (task 1ae2230590ae4bbcb3197357c011ec5b) (port 8080) is unhealthy in (target-group arn:x) due to (reason Health checks failed with these codes: [502]).',
          },
        ],
      }),
    }),
    status: 'registering',
    causes: [
      /^target group shop-api: 2 new targets Target\.ResponseCodeMismatch \(Health checks failed with these codes: \[502\]\)$/,
      /^task stopped: ServiceSchedulerInitiated: Task failed ELB health checks in \(target-group .*\) \[sin-web_container-dev exit code 143\]$/,
      /^service event: \(task 1ae2230590ae4bbcb3197357c011ec5b\) \(port 8080\) is unhealthy/,
    ],
  },
  {
    name: 'new targets healthy, old targets still healthy: traffic still split',
    snap: service({
      tasks: [...oldRunning, ...newHealthy],
      targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
    }),
    status: 'cutting_over',
    progress: { healthyTargets: 2, otherTargets: 2, oldTasks: 2 },
  },
  {
    name: 'old targets draining (the real capture), old tasks told to stop: live',
    snap: service({
      // The capture's targets register port 1325.
      tasks: [...oldStopping, task('10.0.1.222', NEW_TD, {}, 1325), task('10.0.2.134', NEW_TD, {}, 1325)],
      targetGroups: [{ arn: 'arn:tg', targets: sample('describe-target-health-ip-healthy-and-draining').TargetHealthDescriptions.map(targetFrom) }],
    }),
    status: 'live',
    progress: { healthyTargets: 2, otherTargets: 0, draining: 2, oldTasksStopping: 2 },
  },
  {
    name: 'ECS says COMPLETED while old targets still drain: live, not retired',
    snap: service({
      deployments: [deployment('new', { rolloutState: 'COMPLETED', desiredCount: 2, runningCount: 2 })],
      tasks: [...oldStopping, ...newRunning],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'], ['10.0.1.10', 'draining', 'Target.DeregistrationInProgress'])],
    }),
    status: 'live',
  },
  {
    name: 'an old task still meant to run keeps it from live even when its target is gone',
    snap: service({
      tasks: [oldRunning[0]!, ...newRunning],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
    }),
    status: 'cutting_over',
    progress: { oldTasks: 1, otherTargets: 0 },
  },
  {
    name: 'old targets gone and old tasks stopped: old version retired',
    snap: service({
      deployments: [deployment('new', { rolloutState: 'COMPLETED' })],
      tasks: [...oldStopped, ...newRunning],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
    }),
    status: 'retired',
  },
  {
    name: 'a new task replaced after cut-over does not undo live',
    watch: watching({ status: 'live', track: { kind: 'rolling', deploymentId: NEW_ID }, taskDefinitionArn: NEW_TD, reachedAt: { live: T0 + 60_000 } }),
    snap: service({
      tasks: [newRunning[0]!, { ...newRunning[1]!, lastStatus: 'PENDING' }],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.1.10', 'draining'])],
    }),
    status: 'live',
  },
  {
    name: 'circuit breaker tripped (real trimmed capture): failed with the rollout reason',
    watch: newWatch('shop-api', { family: 'news-thewest-pr713-web-app-task-definition', revision: 3 }),
    snap: service({ deployments: sample('describe-services-circuit-breaker-failed-trimmed').services[0].deployments.map(deploymentFrom) }),
    status: 'failed',
    reason: /^ECS deployment circuit breaker: tasks failed to start\.$/,
  },
  {
    name: 'rollback in progress (real trimmed capture): ours still IN_PROGRESS but PRIMARY rolls back',
    watch: newWatch('shop-api', { family: 'news-thewest-pr713-web-app-task-definition', revision: 3 }),
    snap: service({ deployments: sample('describe-services-rollback-in-progress-trimmed').services[0].deployments.map(deploymentFrom) }),
    status: 'failed',
    reason: /rolling back to deploymentId ecs-svc\/6405940160831029548/,
  },
  {
    name: 'rollback completed (what services-stable calls success): ours gone, back on the old revision',
    watch: watching({
      status: 'starting',
      track: { kind: 'rolling', deploymentId: 'ecs-svc/1281894607538416024' },
      taskDefinitionArn: 'arn:aws:ecs:ap-southeast-2:291971919224:task-definition/news-thewest-pr713-web-app-task-definition:3',
      previousTaskDefinitions: ['arn:aws:ecs:ap-southeast-2:291971919224:task-definition/news-thewest-pr713-web-app-task-definition:2'],
    }),
    snap: service({ deployments: sample('describe-services-rollback-completed-trimmed').services[0].deployments.map(deploymentFrom) }),
    status: 'failed',
    reason: /^rolled back to news-thewest-pr713-web-app-task-definition:2$/,
  },
  {
    name: 'our deployment gone and the service events say it failed',
    watch: watching({ status: 'starting', track: { kind: 'rolling', deploymentId: 'ecs-svc/1571272475813219068' }, taskDefinitionArn: NEW_TD }),
    snap: service({
      deployments: [deployment('old', { status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: new Date(T0 + 90_000) })],
      events: eventsFrom({
        events: sample('service-events-real-timelines').circuit_breaker_rollback_2026.events.map((m: string, i: number) => ({
          id: `e${i}`,
          createdAt: new Date(T0 + 100_000 - i * 1000),
          message: m.replace(/^\S+ UTC\s+/, ''),
        })),
      }),
    }),
    status: 'failed',
    reason: /^\(deployment ecs-svc\/1571272475813219068\) deployment failed: tasks failed to start\.$/,
  },
  {
    name: 'a newer deployment of another revision took over: superseded',
    watch: watching({ status: 'registering', track: { kind: 'rolling', deploymentId: NEW_ID }, taskDefinitionArn: NEW_TD, previousTaskDefinitions: [OLD_TD] }),
    snap: service({
      deployments: [
        deployment('new', { id: 'ecs-svc/999', taskDefinition: NEWER_TD, createdAt: new Date(T0 + 60_000) }),
        deployment('new', { status: 'ACTIVE' }),
        deployment('old'),
      ],
    }),
    status: 'superseded',
    supersededBy: 'shop-api:43',
  },
  {
    name: 'a forced new deployment of the same revision is followed, not called superseded',
    watch: watching({
      status: 'registering',
      track: { kind: 'rolling', deploymentId: 'ecs-svc/gone' },
      taskDefinitionArn: NEW_TD,
      deploymentCreatedAt: T0 - 1,
    }),
    snap: service({
      deployments: [deployment('new', { id: 'ecs-svc/again', createdAt: new Date(T0 + 30_000), rolloutState: 'COMPLETED' })],
      tasks: newRunning.map((t) => ({ ...t, startedBy: 'ecs-svc/again' })),
    }),
    status: 'retired',
  },
  {
    name: 'requested revision not visible yet, within the grace period',
    snap: service({ deployments: [deployment('old', { status: 'PRIMARY' })] }),
    now: T0 + 30_000,
    status: 'waiting',
  },
  {
    name: 'requested revision never appeared: failed, naming what runs instead',
    snap: service({ deployments: [deployment('old', { status: 'PRIMARY' })] }),
    now: T0 + 61_000,
    status: 'failed',
    reason: /^no deployment of shop-api:42 appeared in service shop-api within 60 s; its primary deployment runs shop-api:41\./,
  },
  {
    name: 'no task definition requested: the PRIMARY of the steady legacy example, no load balancer',
    watch: newWatch('my-http-service'),
    snap: (() => {
      const s = sample('describe-services-steady-legacy').services[0];
      const td = s.deployments[0].taskDefinition;
      return service({
        deployments: s.deployments.map(deploymentFrom),
        desiredCount: 2,
        tasks: [task('10.0.0.1', td, { startedBy: s.deployments[0].id }), task('10.0.0.2', td, { startedBy: s.deployments[0].id })],
      });
    })(),
    status: 'retired',
  },
  {
    name: 'the service was deleted',
    snap: service({ status: 'INACTIVE' }),
    status: 'failed',
    reason: /inactive/,
  },
  {
    name: 'an old target not attached to a listener (unused) gets no traffic: it does not hold back live',
    snap: service({
      tasks: [...oldStopping, ...newRunning],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'], ['10.0.1.10', 'unused', 'Target.NotInUse'])],
    }),
    status: 'live',
    progress: { otherTargets: 0 },
  },
  {
    name: "a healthy target on the new task's address but another port is not the new task's target",
    snap: service({
      tasks: [...oldStopping, ...newRunning],
      targetGroups: [
        {
          ...targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy']),
          targets: [...targets(['10.0.2.20', 'healthy']).targets, { id: '10.0.2.21', port: 9090, state: 'healthy' }],
        },
      ],
    }),
    status: 'registering',
    progress: { healthyTargets: 1, otherTargets: 1 },
  },
  {
    name: 'a service that wants no tasks: nothing to roll out, never "live"',
    snap: service({
      desiredCount: 0,
      deployments: [deployment('new', { desiredCount: 0, runningCount: 0 }), deployment('old', { desiredCount: 0 })],
      tasks: [],
    }),
    status: 'no_tasks',
  },
  {
    name: 'problem events: the three newest distinct ones, not more',
    snap: service({
      tasks: [...oldRunning, ...newPending],
      events: [1, 2, 3, 4, 5].map((n) => ({
        id: `e${n}`,
        createdAt: T0 + 10_000 - n,
        message: `(service shop-api) was unable to place a task (attempt ${n}).`,
      })),
    }),
    status: 'starting',
    // At 2 min PROVISIONING the tasks are stuck waiting for capacity: said first, ECS's own words after.
    causes: [
      /^2 new tasks waiting for capacity \(PROVISIONING\) for 2 min: a capacity shortage, not the application/,
      /attempt 1\)/,
      /attempt 2\)/,
      /attempt 3\)/,
    ],
  },
];

describe('rollout: crash loops before ECS decides', () => {
  const crashed = (ip: string, exitCode = 1) =>
    task(ip, NEW_TD, {
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'web', lastStatus: 'STOPPED', exitCode }],
    });
  const snap = (...stopped: ReturnType<typeof crashed>[]) =>
    service({
      deployments: [deployment('new', { failedTasks: stopped.length }), deployment('old')],
      tasks: [...oldRunning, ...stopped],
      circuitBreaker: { enable: false, rollback: false },
    });

  it('warns from the second same stop, and keeps rolling out', () => {
    expect(assessService(watching(), snap(crashed('10.0.3.1')), clock).crashLoop).to.equal(undefined);
    const a = assessService(watching(), snap(crashed('10.0.3.1'), crashed('10.0.3.2'), crashed('10.0.3.3', 137)), clock);
    expect(a.watch.status).to.equal('starting');
    expect(a.crashLoop).to.deep.equal({ what: 'exit code 1', kind: 'crashed', times: 2, failedTasks: 3, circuitBreaker: false });
    expect(crashLoopWarning(a.crashLoop!)).to.equal(
      'new tasks keep crashing: exit code 1, 2 times (ECS counts 3 failed tasks; circuit breaker off: ECS retries until WAIT_TIMEOUT)',
    );
  });

  it("gives the circuit breaker's failure count and threshold when the service deployment was read", () => {
    const counted = {
      ...snap(crashed('10.0.3.1'), crashed('10.0.3.2')),
      circuitBreaker: { enable: true, rollback: true },
      breakerCount: { failureCount: 2, threshold: 3, status: 'MONITORING' },
    };
    const a = assessService(watching(), counted, clock);
    expect(crashLoopWarning(a.crashLoop!)).to.equal('new tasks keep crashing: exit code 1, 2 times (ECS counts 2 failed tasks; circuit breaker 2 of 3)');
    const unknown = assessService(watching(), { ...counted, breakerCount: undefined }, clock);
    expect(crashLoopWarning(unknown.crashLoop!)).to.match(/; circuit breaker on\)$/);
  });

  it('fails at CRASH_LOOP_LIMIT, saying ECS has not decided', () => {
    const three = snap(crashed('10.0.3.1'), crashed('10.0.3.2'), crashed('10.0.3.3'));
    expect(assessService(watching(), three, { ...clock, crashLoopLimit: 4 }).watch.status).to.equal('starting');
    const failed = assessService(watching(), three, { ...clock, crashLoopLimit: 3 }).watch;
    expect(failed.status).to.equal('failed');
    expect(failed.reason).to.equal(
      "new tasks kept crashing (exit code 1, 3 times, CRASH_LOOP_LIMIT reached); ECS's deployment circuit breaker is disabled, so the deployment may still be running",
    );
  });

  it('after an early success, says ECS called it done and will not roll back, not that its breaker may still trip', () => {
    const early = {
      ...snap(crashed('10.0.3.1'), crashed('10.0.3.2'), crashed('10.0.3.3')),
      deployments: [deployment('new', { failedTasks: 0, rolloutState: 'COMPLETED' }), deployment('old')],
      circuitBreaker: { enable: true, rollback: true },
      earlySuccess: { healthyPercent: 50, cleanup: 'DEFERRED' },
    };
    const a = assessService(watching(), early, clock);
    expect(crashLoopWarning(a.crashLoop!)).to.equal(
      'new tasks keep crashing: exit code 1, 3 times (ECS counts 0 failed tasks; ECS called the deployment done at 50 % healthy and will not roll it back)',
    );
    expect(assessService(watching(), early, { ...clock, crashLoopLimit: 3 }).watch.reason).to.equal(
      'new tasks kept crashing (exit code 1, 3 times, CRASH_LOOP_LIMIT reached); ECS called the deployment done at 50 % healthy (early success criteria), so it will not roll back and keeps replacing them',
    );
    // Still IN_PROGRESS: the criteria are configured but ECS has not called it done; its breaker still counts.
    const monitoring = { ...early, deployments: [deployment('new', { failedTasks: 3 }), deployment('old')] };
    expect(assessService(watching(), monitoring, clock).crashLoop?.doneEarlyAt).to.equal(undefined);
  });

  it('ignores stops once live: ECS replacing a task after the cut-over is not a crash loop', () => {
    const live = watching({ reachedAt: { live: T0 }, status: 'live' });
    const a = assessService(live, snap(crashed('10.0.3.1'), crashed('10.0.3.2')), { ...clock, crashLoopLimit: 2 });
    expect(a.crashLoop).to.equal(undefined);
    expect(a.watch.status).not.to.equal('failed');
  });
});

describe('rollout: early success criteria (ECS done at N % healthy)', () => {
  const early = { healthyPercent: 50, cleanup: 'DEFERRED' };
  const completedEarly = [deployment('new', { rolloutState: 'COMPLETED' }), deployment('old')];
  const EARLY_NOTE =
    'ECS considers this deployment done at 50 % healthy (early success criteria): neither its circuit breaker nor its alarms roll it back from here, so a new task that crashes now is named only here';

  it('ECS COMPLETED with one of two new targets healthy and old ones serving: not live, and the message says ECS will not roll back', () => {
    const a = assessService(
      watching(),
      service({
        deployments: completedEarly,
        earlySuccess: early,
        tasks: [...oldRunning, ...newRunning],
        targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'initial'])],
      }),
      clock,
    );
    expect(a.watch.status).to.equal('registering');
    expect(a.warning).to.equal(EARLY_NOTE);
  });

  it('old tasks removed after the success (DEFERRED) while one new target still registers: not live', () => {
    const a = assessService(
      watching(),
      service({
        deployments: completedEarly,
        earlySuccess: early,
        tasks: [...oldStopping, ...newRunning],
        targetGroups: [targets(['10.0.1.10', 'draining'], ['10.0.1.11', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'initial'])],
      }),
      clock,
    );
    expect(a.watch.status).to.equal('registering');
  });

  it('live once every serving target is new; retired once the old ones are gone, the note gone with it', () => {
    const live = assessService(
      watching(),
      service({
        deployments: completedEarly,
        earlySuccess: early,
        tasks: [...oldStopping, ...newRunning],
        targetGroups: [targets(['10.0.1.10', 'draining'], ['10.0.1.11', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
      }),
      clock,
    );
    expect(live.watch.status).to.equal('live');
    expect(live.warning).to.equal(EARLY_NOTE);
    const retired = assessService(
      live.watch,
      service({
        deployments: [deployment('new', { rolloutState: 'COMPLETED' })],
        earlySuccess: early,
        tasks: [...oldStopped, ...newRunning],
        targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
      }),
      clock,
    );
    expect(retired.watch.status).to.equal('retired');
    expect(retired.warning).to.equal(undefined);
  });
});

describe('rollout: one service, one poll', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { watch, progress, causes } = assessService(c.watch ?? watching(), c.snap, { ...clock, now: c.now ?? clock.now });
      expect(watch.status, JSON.stringify({ progress, causes })).to.equal(c.status);
      if (c.reason) expect(watch.reason).to.match(c.reason);
      if (c.supersededBy) expect(watch.supersededBy).to.equal(c.supersededBy);
      for (const [k, v] of Object.entries(c.progress ?? {})) expect(progress, k).to.have.property(k, v);
      for (const [i, re] of (c.causes ?? []).entries()) expect(causes[i], `cause ${i} of ${JSON.stringify(causes)}`).to.match(re);
      if (c.causes) expect(causes, 'no more causes than expected').to.have.length(c.causes.length);
    });
  }

  it('pins the deployment and remembers when each phase was first reached', () => {
    const first = assessService(watching(), service({ tasks: oldRunning }), clock);
    expect(first.watch).to.deep.include({ track: { kind: 'rolling', deploymentId: NEW_ID }, taskDefinitionArn: NEW_TD, status: 'starting' });
    expect(first.watch.previousTaskDefinitions).to.deep.equal([OLD_TD]);
    // What served before, and since when (what changed says "live since" then).
    expect(first.watch).to.deep.include({ replaces: OLD_TD, replacedSince: deployment('old').createdAt });
    // Kept once known: a later read lists only an even older deployment still draining (ours came
    // during another rollout), which is not what served before ours.
    const older = deployment('old', {
      id: 'ecs-svc/older',
      taskDefinition: OLD_TD.replace(/:41$/, ':40'),
      createdAt: new Date(deployment('old').createdAt - 60_000),
    });
    const later2 = assessService(first.watch, service({ deployments: [deployment('new'), older], tasks: newRunning }), clock);
    expect(later2.watch).to.deep.include({ replaces: OLD_TD, replacedSince: deployment('old').createdAt });
    const later = assessService(first.watch, service({ tasks: [...oldStopping, ...newRunning] }), { ...clock, now: clock.now + 50_000 });
    expect(later.watch.status).to.equal('live');
    expect(later.watch.reachedAt).to.deep.equal({
      waiting: clock.now,
      starting: clock.now,
      registering: clock.now + 50_000,
      cutting_over: clock.now + 50_000,
      live: clock.now + 50_000,
    });
  });

  it('leaves a finished service alone', () => {
    const done = watching({ status: 'retired' });
    expect(assessService(done, service({ status: 'INACTIVE' }), clock).watch).to.equal(done);
  });
});

describe('rollout: the whole run', () => {
  const w = (status: ServiceStatus, reachedLive = false): ServiceWatch => watching({ status, reachedAt: reachedLive ? { live: T0 } : {} });
  const table: Array<[string, ServiceWatch[], number, { status: string; phase?: Phase; done: boolean }]> = [
    ['one service still starting', [w('starting')], 0, { status: 'rolling_out', phase: 'starting', done: false }],
    ['live but old version draining', [w('live')], 0, { status: 'live', phase: 'live', done: false }],
    ['retired', [w('retired')], 0, { status: 'live', phase: 'retired', done: true }],
    ['live when every service is', [w('retired'), w('cutting_over')], 0, { status: 'rolling_out', phase: 'cutting_over', done: false }],
    ['failed when any fails', [w('retired'), w('failed')], 0, { status: 'failed', done: true }],
    // A failed run is at the furthest phase its services all reached, never "retired" (an empty reduce's seed).
    ['failed before anything started: waiting', [w('failed')], 0, { status: 'failed', phase: 'waiting', done: true }],
    [
      'failed after starting',
      [watching({ status: 'failed', reachedAt: { waiting: T0, starting: T0 } })],
      0,
      { status: 'failed', phase: 'starting', done: true },
    ],
    [
      'failed after going live (rolled back)',
      [watching({ status: 'failed', reachedAt: { waiting: T0, starting: T0, registering: T0, cutting_over: T0, live: T0 } })],
      0,
      { status: 'failed', phase: 'live', done: true },
    ],
    ['time is up before live', [w('live'), w('registering')], 1, { status: 'timed_out', phase: 'registering', done: true }],
    ['time is up after live: still live', [w('live')], 1, { status: 'live', phase: 'live', done: true }],
    ['all superseded', [w('superseded'), w('superseded')], 0, { status: 'superseded', done: true }],
    ['superseded one, the other retired', [w('superseded'), w('retired')], 0, { status: 'live', phase: 'retired', done: true }],
    ['superseded after it went live counts as live', [w('superseded', true)], 0, { status: 'live', phase: 'retired', done: true }],
    ['no tasks anywhere', [w('no_tasks'), w('no_tasks')], 0, { status: 'no_tasks', done: true }],
    ['one without tasks, the other live', [w('no_tasks'), w('retired')], 0, { status: 'live', phase: 'retired', done: true }],
  ];
  for (const [name, watches, late, expected] of table) {
    it(name, () => {
      const verdict = decideRollout(watches, T0 + late, T0 + 1);
      expect(verdict).to.include(expected);
    });
  }
});

describe('rollout: a rollback after going live', () => {
  const live = liveOnNew;
  it('is a failure that says so, not a newer version superseding a live one', () => {
    // ECS (or a person) put the old revision back as a new PRIMARY after the cut-over.
    const back = service({
      deployments: [deployment('old', { status: 'PRIMARY', id: 'ecs-svc/back', createdAt: new Date(T0 + 120_000) }), deployment('new', { status: 'ACTIVE' })],
      tasks: [...oldRunning, ...newRunning],
    });
    const a = assessService(live, back, clock);
    expect(a.watch.status).to.equal('failed');
    expect(a.watch.reason).to.equal('rolled back to shop-api:41 after going live');
  });
  it('our deployment gone and the old revision back: failed after going live', () => {
    const gone = service({ deployments: [deployment('old', { status: 'PRIMARY', createdAt: new Date(T0 + 120_000) })], tasks: oldRunning });
    const a = assessService(live, gone, clock);
    expect(a.watch).to.include({ status: 'failed', reason: 'rolled back to shop-api:41 after going live' });
  });
});

describe('rollout: rollbacks by alarm', () => {
  it('names the alarms that rolled the deployment back, when the reader found them', () => {
    const rolledBack = service({
      deployments: [
        deployment('old', { status: 'PRIMARY', rolloutStateReason: 'rolling back to deploymentId ecs-svc/1', createdAt: new Date(T0 + 60_000) }),
        deployment('new', { status: 'ACTIVE', rolloutState: 'FAILED' }),
      ],
      tasks: oldRunning,
      triggeredAlarms: ['shop-api-5xx', 'shop-api-p99'],
    });
    const first = assessService(
      watching({ track: { kind: 'rolling', deploymentId: NEW_ID }, taskDefinitionArn: NEW_TD, deploymentCreatedAt: T0, previousTaskDefinitions: [OLD_TD] }),
      rolledBack,
      clock,
    );
    expect(first.watch.status).to.equal('failed');
    expect(first.watch.reason).to.match(/ \(alarms shop-api-5xx, shop-api-p99\)$/);
    expect(first.evidence).to.deep.equal({ alarms: ['shop-api-5xx', 'shop-api-p99'], hooks: [] });
  });

  it('names them too once the rolled-back deployment is gone from the answer', () => {
    const gone = service({
      deployments: [deployment('old', { status: 'PRIMARY', rolloutStateReason: 'rolling back to deploymentId ecs-svc/1', createdAt: new Date(T0 + 60_000) })],
      tasks: oldRunning,
      triggeredAlarms: ['shop-api-5xx'],
    });
    const a = assessService(
      watching({ track: { kind: 'rolling', deploymentId: NEW_ID }, taskDefinitionArn: NEW_TD, deploymentCreatedAt: T0, previousTaskDefinitions: [OLD_TD] }),
      gone,
      clock,
    );
    expect(a.watch.status).to.equal('failed');
    expect(a.evidence?.alarms).to.deep.equal(['shop-api-5xx']);
  });
});

describe('rollout: estimates from the target groups', () => {
  const settings: TargetGroupSettings = { healthCheckIntervalSeconds: 30, healthyThresholdCount: 5, deregistrationDelaySeconds: 300 };
  const withSettings = (group: ReturnType<typeof targets>, s = settings) => ({ ...group, settings: s });

  it('while registering: one check interval from when the phase began (a new target needs one passing check), or the grace period when longer', () => {
    const snap = service({
      tasks: [...oldRunning, ...newRunning],
      targetGroups: [withSettings(targets(['10.0.1.10', 'healthy'], ['10.0.2.20', 'initial'], ['10.0.2.21', 'initial']))],
    });
    const first = assessService(watching(), snap, { ...clock, now: T0 + 10_000 });
    expect(first.watch.status).to.equal('registering');
    expect(first.eta).to.deep.equal({ what: 'healthy', at: T0 + 10_000 + 30_000, since: T0 + 10_000, basis: 'one passing health check, every 30 s' });
    // Counted from when registering began, not from each poll.
    expect(assessService(first.watch, snap, { ...clock, now: T0 + 30_000 }).eta?.at).to.equal(T0 + 40_000);
    // The healthy threshold counts only for a target recovering from unhealthy, not for a new one.
    const strict = service({ ...snap, targetGroups: snap.targetGroups.map((g) => withSettings(g, { ...settings, healthyThresholdCount: 10 })) });
    expect(assessService(watching(), strict, { ...clock, now: T0 + 10_000 }).eta?.at).to.equal(T0 + 40_000);
    const graced = assessService(watching(), { ...snap, healthCheckGracePeriodSeconds: 240 }, { ...clock, now: T0 + 10_000 });
    expect(graced.eta).to.deep.equal({
      what: 'healthy',
      at: T0 + 250_000,
      since: T0 + 10_000,
      basis: 'one passing health check, every 30 s, grace period 240 s',
    });
  });

  it('behind a Network Load Balancer: the window opens 70 s after the registration and ends an interval after 300 s (its slow registration)', () => {
    const nlb = { ...settings, healthCheckIntervalSeconds: 10, protocol: 'TCP' };
    const snap = service({
      tasks: [...oldRunning, ...newRunning],
      targetGroups: [withSettings(targets(['10.0.1.10', 'healthy'], ['10.0.2.20', 'initial'], ['10.0.2.21', 'initial']), nlb)],
    });
    const a = assessService(watching(), snap, { ...clock, now: T0 + 10_000 });
    expect(a.eta).to.deep.equal({
      what: 'healthy',
      at: T0 + 10_000 + 310_000,
      since: T0 + 10_000 + 70_000,
      basis: 'Network Load Balancer registration, first check 70–300 s after it; then one passing health check, every 10 s',
    });
    // An ALB's group beside it does not hide the NLB's: the rollout waits for its slowest group.
    const both = service({ ...snap, targetGroups: [...snap.targetGroups, withSettings(targets(), { ...settings, protocol: 'HTTP' })] });
    expect(assessService(watching(), both, { ...clock, now: T0 + 10_000 }).eta?.since).to.equal(T0 + 80_000);
  });

  it('once live: the longest deregistration delay from the cut-over; none once it has passed, none without settings', () => {
    const draining = (s: TargetGroupSettings = settings) =>
      service({
        tasks: [...oldStopping, ...newRunning],
        targetGroups: [withSettings(targets(['10.0.1.10', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy']), s)],
      });
    const live = assessService(watching(), draining(), { ...clock, now: T0 + 20_000 });
    expect(live.watch.status).to.equal('live');
    expect(live.eta).to.deep.equal({ what: 'retired', at: T0 + 320_000, since: T0 + 20_000, basis: 'deregistration delay 300 s' });
    expect(assessService(live.watch, draining(), { ...clock, now: T0 + 330_000 }).eta).to.equal(undefined);
    expect(assessService(watching(), draining({}), { ...clock, now: T0 + 20_000 }).eta).to.equal(undefined);
    expect(etaOf({ ...live.watch, status: 'starting' }, draining(), T0)).to.equal(undefined);
  });
});

describe('rollout: the rules that decide "live"', () => {
  it('old tasks told to stop whose targets still take requests (not yet draining): cutting over, not live', () => {
    const a = assessService(
      watching(),
      service({
        tasks: [...oldStopping, ...newRunning],
        targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
      }),
      clock,
    );
    expect(a.progress).to.include({ oldTasks: 0, otherTargets: 2, oldTargets: 2 });
    expect(a.watch.status).to.equal('cutting_over');
  });

  it('a healthy target counts only for a task past its container health check', () => {
    // ECS replacing a task: two new tasks HEALTHY (one target still initial), a third still UNKNOWN whose target passed the load balancer's check.
    const third = task('10.0.2.22', NEW_TD, { healthStatus: 'UNKNOWN' });
    const a = assessService(
      watching(),
      service({
        tasks: [...oldStopping, ...newHealthy, third],
        healthChecks: { [NEW_TD]: true, [OLD_TD]: false },
        targetGroups: [targets(['10.0.1.10', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'initial'], ['10.0.2.22', 'healthy'])],
      }),
      clock,
    );
    expect(a.progress).to.include({ ready: 2, healthyTargets: 1 });
    expect(a.watch.status).to.equal('registering');
  });
});

describe('rollout: a forced redeploy (the same task definition, a new deployment)', () => {
  // update-service --force-new-deployment: ours and the one it replaces both run shop-api:42; only startedBy tells their tasks apart.
  const OLD_SAME = 'ecs-svc/5678755162203410295';
  const forced = (fields: Partial<ServiceSnapshot>) =>
    service({ deployments: [deployment('new'), deployment('old', { id: OLD_SAME, taskDefinition: NEW_TD })], ...fields });
  const oldSame = oldRunning.map((t) => ({ ...t, taskDefinitionArn: NEW_TD, startedBy: OLD_SAME }));

  it("its predecessor's tasks are old: starting while only they serve", () => {
    const a = assessService(watching(), forced({ tasks: oldSame, targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'])] }), clock);
    expect(a.watch.status).to.equal('starting');
    expect(a.progress).to.include({ ready: 0, oldTasks: 2, oldTargets: 2 });
  });

  it("the predecessor's stopped tasks are not ours: no crash loop from its scale-in", () => {
    const scaledIn = oldSame.map((t, i) => ({
      ...t,
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPED',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedAt: T0 + i,
    }));
    const a = assessService(
      watching(),
      forced({ tasks: [...scaledIn, ...newRunning], targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])] }),
      {
        ...clock,
        crashLoopLimit: 2,
      },
    );
    expect(a.crashLoop).to.equal(undefined);
    expect(a.stops).to.deep.equal([]);
    expect(a.watch.status).to.equal('live');
  });

  it('a newer forced deployment of the same revision takes over: it is followed, its tasks the new ones', () => {
    const first = assessService(watching(), forced({ tasks: oldSame }), clock);
    const again = service({
      deployments: [deployment('new', { id: 'ecs-svc/again', createdAt: new Date(T0 + 60_000) }), deployment('new', { status: 'ACTIVE' })],
      tasks: newRunning,
    });
    const a = assessService(first.watch, again, { ...clock, now: T0 + 70_000 });
    expect(a.watch.track).to.deep.include({ deploymentId: 'ecs-svc/again' });
    expect(a.watch.status).to.equal('starting');
  });
});

describe('rollout: deployment alarms bake after the scale-in (ECS developer guide, deployment-alarm-failure)', () => {
  const alarmed = (fields: Partial<ServiceSnapshot> = {}) =>
    service({
      deploymentAlarms: { names: ['shop-api-5xx'], rollback: true },
      bakeTimeMinutes: 5,
      tasks: [...oldStopped, ...newRunning],
      targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
      ...fields,
    });
  const wasLive = liveOnNew;

  it('the old version gone while ECS still says IN_PROGRESS: live, baking, not retired', () => {
    const a = assessService(wasLive, alarmed(), clock);
    expect(a.watch.status).to.equal('live');
    expect(a.watch.track).to.deep.include({ scaledInAt: clock.now });
    expect(a.bake).to.deep.equal({ alarms: ['shop-api-5xx'], until: clock.now + 5 * 60_000 });
    expect(a.eta).to.deep.include({ what: 'retired', at: clock.now + 5 * 60_000, basis: 'ECS bake time 5 min' });
    // Retired once ECS calls the deployment done.
    const done = assessService(a.watch, alarmed({ deployments: [deployment('new', { rolloutState: 'COMPLETED' })] }), { ...clock, now: clock.now + 300_000 });
    expect(done.watch.status).to.equal('retired');
  });

  it('an alarm that rolls it back during the bake: failed after going live, naming the alarm', () => {
    const baking = assessService(wasLive, alarmed(), clock).watch;
    const rolledBack = alarmed({
      deployments: [
        deployment('old', {
          status: 'PRIMARY',
          id: 'ecs-svc/back',
          createdAt: new Date(T0 + 200_000),
          rolloutStateReason: 'ECS deployment alarm: rolling back to deploymentId ecs-svc/1709597507655421668.',
        }),
        deployment('new', { status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment failed: alarm detected.' }),
      ],
      triggeredAlarms: ['shop-api-5xx'],
    });
    const a = assessService(baking, rolledBack, { ...clock, now: clock.now + 120_000 });
    expect(a.watch.status).to.equal('failed');
    expect(a.watch.reason).to.equal('rolled back after going live: ECS deployment failed: alarm detected. (alarm shop-api-5xx)');
  });

  it('no bake without the rollout state (old answers): retired at the scale-in', () => {
    const a = assessService(wasLive, alarmed({ deployments: [deployment('new', { rolloutState: undefined })] }), clock);
    expect(a.watch.status).to.equal('retired');
  });
});

describe('rollout: a target no task explains', () => {
  const stray = service({
    tasks: [...oldStopped, ...newRunning],
    targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'], ['10.0.9.9', 'healthy'])],
  });

  it('keeps "live" from being said, and is named as the cause', () => {
    const a = assessService(watching(), stray, clock);
    expect(a.watch.status).to.equal('cutting_over');
    expect(a.progress).to.include({ strangers: 1, oldTargets: 0, otherTargets: 1 });
    expect(a.causes[0]).to.equal(
      'target 10.0.9.9:8080 (healthy) in target group shop-api belongs to no task of shop-api: a target group shared with another service, or a target registered by hand, takes requests too, so "live" waits until it is deregistered',
    );
  });
});
