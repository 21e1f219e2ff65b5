// Named rollouts for `npm run demo` and `npm run bench`, replayed in compressed time: one simulated
// second stands for roughly half a minute of a real Fargate rollout. Each timeline follows the
// order ECS really goes through (the service-events timelines in test/fixtures/aws).
import { FakeAccount, type FakeElbMinute, type FakeMinute, tgArn } from './fake-aws.ts';
import { FakeSlack } from './fake-slack.ts';
import type { Tls } from './listen.ts';
import {
  alarmRollbackAfterScaleIn,
  all,
  type CodeDeployOptions,
  circuitBreak,
  codeDeployAllowTraffic,
  codeDeployCreate,
  codeDeployHookFails,
  codeDeployInstall,
  codeDeployRerouted,
  codeDeployStop,
  codeDeploySucceed,
  completeBake,
  completeRollback,
  crashNew,
  crashUnhealthyNew,
  deploy,
  drainOld,
  earlySuccessReached,
  healthyNew,
  mark,
  NEW,
  NEWER,
  OLD,
  provisionNew,
  provisionStarved,
  registeringSince,
  retireOld,
  runNew,
  type ShiftOptions,
  type Step,
  shiftBake,
  shiftCleanUp,
  shiftDeploy,
  shiftHealthy,
  shiftHookFails,
  shiftPause,
  shiftRollback,
  shiftRollbackDone,
  shiftScaleUp,
  shiftSucceed,
  shiftTraffic,
  shiftUnhealthy,
  steadyCodeDeployService,
  steadyService,
  steadyShiftService,
  timeline,
  unhealthyNew,
} from './scenarios.ts';

/**
 * The real-time rollout's settings: when ECS registers the targets, their health checks, when the
 * one check a new target needs passes (within an interval of the registration), the drain (ms and s).
 */
const REAL_TIME_REGISTER_MS = 3000;
const REAL_TIME_FIRST_PASS_MS = 3000;
/** ECS cuts over this long after the new targets turn healthy. */
const REAL_TIME_CUTOVER_AFTER_MS = 1000;
const REAL_TIME = {
  registerMs: REAL_TIME_REGISTER_MS,
  healthyThreshold: 2,
  checkIntervalS: 5,
  firstPassMs: REAL_TIME_FIRST_PASS_MS,
  drainS: 20,
  cutoverMs: REAL_TIME_REGISTER_MS + REAL_TIME_FIRST_PASS_MS + REAL_TIME_CUTOVER_AFTER_MS,
};

/**
 * How long each traffic step lasts: longer than the longest wait between 1 s polls (jittered by up
 * to POLL_JITTER), as a real step's bake is longer than a poll, so that every step is seen.
 */
const TRAFFIC_STEP_MS = 1500;
/**
 * A step's bake as these scenarios' service deployments state it (stepBakeTimeInMinutes,
 * canaryBakeTimeInMinutes): the API counts whole minutes, and a compressed step (TRAFFIC_STEP_MS)
 * is under one, so 0: the pipe then expects each next step any moment, as it comes here. A bake in
 * minutes would have it poll sparsely until minutes after a step the scenario takes in 1.5 s.
 */
const COMPRESSED_STEP_BAKE_MINUTES = 0;

/** The Slack user the scenarios' approver is (APPROVERS). */
const APPROVER = 'U0APPROVER1';
/** How long a scenario's PAUSE hook waits before it expires (ECS's default is a day). */
const PAUSE_EXPIRES_MS = 30 * 60_000;

export interface Scenario {
  name: string;
  summary: string;
  services: string[];
  /** Pipe variables this scenario needs besides the common ones. */
  env: Record<string, string>;
  /** What the pipe should conclude. */
  expected: { exitCode: number; status: string };
  /** Builds the account at rest and schedules the rollout on timers, from now. */
  start(a: FakeAccount): void;
  /** What people in the Slack workspace do, e.g. an approver reacting to a paused deployment. */
  people?(slack: FakeSlack): void;
}

/** update-service, then the new tasks provision and start (every scenario begins so). */
function newTasksStart(service: string, at = 0): Array<[number, Step]> {
  return [
    [at, deploy(service)],
    [at + 1000, provisionNew(service)],
    [at + 2500, runNew(service)],
  ];
}

/** shop-api at rest, with a deployment alarm on its rolling updates (deploymentConfiguration.alarms). */
function alarmedShopApi(a: FakeAccount): void {
  steadyService(a, 'shop-api');
  a.service('shop-api').rollingAlarms = { names: ['shop-api-5xx'], bakeTimeInMinutes: 0 };
}

/** shop-api at rest, its rolling updates done for ECS at 50 % healthy, the old tasks removed after that (earlySuccessCriteria, DEFERRED). */
function earlyShopApi(a: FakeAccount): void {
  steadyService(a, 'shop-api');
  a.service('shop-api').earlySuccess = { healthyPercent: 50, cleanup: 'DEFERRED' };
}

/** An early-success rolling update of shop-api up to ECS's "done": one of the two new tasks healthy, then the old ones drain. */
function earlyRollingUpdate(): Array<[number, Step]> {
  return [
    ...newTasksStart('shop-api'),
    [4000, all(healthyNew('shop-api', NEW, 1), earlySuccessReached('shop-api'), mark('early:shop-api'))],
    [5500, drainOld('shop-api')],
  ];
}

/**
 * A rolling update of shop-api with deployment alarms: the drain ends and the old tasks stop while
 * ECS keeps the deployment IN_PROGRESS, watching the alarm; `bakeEnds` is how the bake ends. Polls
 * through the drain are sparse (its end is minutes off): one lands in the bake before it ends.
 */
function bakedRollingUpdate(bakeEnds: Step): Array<[number, Step]> {
  return [
    ...newTasksStart('shop-api'),
    [4000, healthyNew('shop-api')],
    [5500, all(drainOld('shop-api'), mark('cutover:shop-api'))],
    [8000, retireOld('shop-api', undefined, undefined, true)],
    [16_000, bakeEnds],
  ];
}

/**
 * What shop-api's load balancer reports per minute in the traffic scenarios (numbers a scenario
 * makes up, in the shape an ALB publishes): 20 requests a second with 0.1–0.2 % 5xx and a p95
 * about 180 ms, as a healthy service; a broken version 8 % 5xx and a p95 of 840 ms.
 */
const HEALTHY: FakeMinute = { requests: 1200, target5xx: 2, connectionErrors: 0, p95Seconds: 0.18, p99Seconds: 0.41 };
const HEALTHY_AFTER: FakeMinute = { requests: 1260, target5xx: 2, connectionErrors: 0, p95Seconds: 0.175, p99Seconds: 0.39 };
const PRODUCTION_90: FakeMinute = { requests: 10_800, target5xx: 11, connectionErrors: 0, p95Seconds: 0.18, p99Seconds: 0.32 };
const BROKEN_10: FakeMinute = { requests: 1200, target5xx: 96, connectionErrors: 0, p95Seconds: 0.84, p99Seconds: 1.9 };

/** The load balancer answering 503 itself for a minute, as while a cut-over leaves it without a healthy target. */
const CUT_OVER_503S: FakeElbMinute = { elb5xx: 640, elb502: 20, elb503: 620 };

/** The minute a moment falls in (CloudWatch's Period 60). */
const minuteOf = (t: number) => Math.floor(t / 60_000) * 60_000;

/** shop-api at rest as `steady` builds it, its load balancer reporting `traffic` (given when the scenario starts: the deploy's moment). */
function withTraffic(steady: (a: FakeAccount, name: string) => void, traffic: (deployedAt: number) => FakeAccount['traffic']): (a: FakeAccount) => void {
  return (a) => {
    steady(a, 'shop-api');
    a.traffic = traffic(Date.now());
  };
}

/** A successful rolling update of one service, offset by `at` ms; marks `cutover` and `retired`. */
function rollingUpdate(service: string, at = 0): Array<[number, Step]> {
  const m = (name: string) => mark(`${name}:${service}`);
  return [
    ...newTasksStart(service, at),
    [at + 4000, healthyNew(service)],
    // ECS scales the old deployment in: from here on, only new tasks get new requests.
    [at + 5500, all(drainOld(service), m('cutover'))],
    // The deregistration delay (300 s by default) ends; the old tasks stop.
    [at + 9500, all(retireOld(service), m('retired'))],
  ];
}

/** `count` services svc-01, svc-02 … of `tasks` tasks each, all updated at once. */
function fleet(name: string, summary: string, count: number, tasks: number): Scenario {
  const services = Array.from({ length: count }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);
  return {
    name,
    summary,
    services,
    env: { TASK_DEFINITION: services.map((s) => `${s}:42`).join(',') },
    expected: { exitCode: 0, status: 'live' },
    start(a) {
      for (const s of services) steadyService(a, s, undefined, tasks);
      timeline(
        a,
        services.flatMap((s) => rollingUpdate(s)),
      );
    },
  };
}

/**
 * A scenario about shop-api alone, deploying shop-api:42 over a steady shop-api:41: `steady` builds
 * the service at rest (rolling, traffic-shifting or CodeDeploy), `steps` is the rollout.
 */
function shopApiOver(
  steady: (a: FakeAccount) => void,
  name: string,
  summary: string,
  expected: Scenario['expected'],
  steps: Array<[number, Step]>,
  env: Record<string, string> = {},
): Scenario {
  return {
    name,
    summary,
    services: ['shop-api'],
    env: { TASK_DEFINITION: 'shop-api:42', ...env },
    expected,
    start(a) {
      steady(a);
      timeline(a, steps);
    },
  };
}

/** A rolling update of shop-api (of `tasks` tasks). */
function shopApi(
  name: string,
  summary: string,
  expected: Scenario['expected'],
  steps: Array<[number, Step]>,
  env: Record<string, string> = {},
  tasks = 2,
): Scenario {
  return shopApiOver((a) => steadyService(a, 'shop-api', undefined, tasks), name, summary, expected, steps, env);
}

/**
 * An ECS-native traffic-shifting deployment of `service`, offset by `at` ms: green starts, passes
 * its health checks and test traffic, takes production in `steps` (percent, one a second), bakes,
 * and the blue revision is removed. Marks `cutover` (the bake begins: all production on green, ECS
 * past the shift) and `retired`.
 */
function trafficShift(service: string, steps: number[], at = 0, bakeMs = 5000): Array<[number, Step]> {
  const m = (name: string) => mark(`${name}:${service}`);
  const shifted = at + 4000 + steps.length * TRAFFIC_STEP_MS;
  return [
    [at, shiftDeploy(service)],
    [at + 1500, shiftScaleUp(service)],
    [at + 3000, shiftHealthy(service)],
    ...steps.map((p, i): [number, Step] => [at + 4000 + i * TRAFFIC_STEP_MS, shiftTraffic(service, p)]),
    // ECS is past the production shift and the listener sends everything to green: live.
    [shifted, all(shiftBake(service), m('cutover'))],
    [shifted + bakeMs, shiftCleanUp(service)],
    [shifted + bakeMs + 1000, all(shiftSucceed(service), m('retired'))],
  ];
}

/**
 * A CodeDeploy deployment of `service` up to "live": the replacement task set starts and passes its
 * hooks and test traffic, then takes all production traffic (marked `cutover`); the termination wait begins.
 */
function codeDeployGoesLive(service: string): Array<[number, Step]> {
  return [
    [0, codeDeployCreate(service)],
    [1500, codeDeployInstall(service)],
    [3000, codeDeployAllowTraffic(service)],
    [4000, all(codeDeployRerouted(service), mark(`cutover:${service}`))],
  ];
}

/** shop-api deployed with a traffic-shifting strategy (ECS-native blue/green, linear, canary). */
function shopApiShift(name: string, summary: string, expected: Scenario['expected'], options: ShiftOptions, steps: Array<[number, Step]>): Scenario {
  return shopApiOver((a) => steadyShiftService(a, 'shop-api', options), name, summary, expected, steps);
}

/** shop-api deployed blue/green through CodeDeploy. */
function shopApiCodeDeploy(name: string, summary: string, expected: Scenario['expected'], options: CodeDeployOptions, steps: Array<[number, Step]>): Scenario {
  return shopApiOver((a) => steadyCodeDeployService(a, 'shop-api', options), name, summary, expected, steps);
}

export const SCENARIOS: Scenario[] = [
  shopApi(
    'success',
    'a rolling update of shop-api: new tasks start, pass health checks, take the traffic; the old ones drain and stop',
    { exitCode: 0, status: 'live' },
    rollingUpdate('shop-api'),
  ),
  shopApi(
    'rollback',
    'the new revision crashes on start; the circuit breaker fails the deployment and rolls back to the old one',
    { exitCode: 1, status: 'failed' },
    [
      ...newTasksStart('shop-api'),
      [4000, crashNew('shop-api')],
      [5500, all(circuitBreak('shop-api'), mark('failed:shop-api'))],
      // What `services-stable` waits for: one deployment, counts equal. On the old revision.
      [8000, all(completeRollback('shop-api'), mark('rollback_completed:shop-api'))],
    ],
  ),
  shopApi(
    'stalled',
    'the new tasks run but fail the load balancer health checks (HTTP 502) until WAIT_TIMEOUT',
    { exitCode: 1, status: 'timed_out' },
    [...newTasksStart('shop-api'), [4000, unhealthyNew('shop-api')]],
    { WAIT_TIMEOUT: '12' },
  ),
  shopApi(
    'capacity',
    'Fargate Spot has no capacity: the new tasks wait PROVISIONING (the message says so, and that it is not the application), then start and go live',
    { exitCode: 0, status: 'live' },
    [
      [0, deploy('shop-api')],
      // The watch starts late: the tasks have waited 3 minutes already.
      [1000, provisionStarved('shop-api', 3 * 60_000, 'FARGATE_SPOT')],
      [6000, runNew('shop-api')],
      [7500, healthyNew('shop-api')],
      [9000, all(drainOld('shop-api'), mark('cutover:shop-api'))],
      [13_000, all(retireOld('shop-api'), mark('retired:shop-api'))],
    ],
  ),
  shopApiOver(
    (a) => {
      steadyService(a, 'shop-api');
      a.targetGroupSettings = {
        intervalSeconds: REAL_TIME.checkIntervalS,
        healthyThreshold: REAL_TIME.healthyThreshold,
        deregistrationDelaySeconds: REAL_TIME.drainS,
        protocol: 'HTTP',
      };
    },
    'real-time',
    `a rolling update at real speed: ${REAL_TIME.firstPassMs / 1000} s after ECS registers the targets they pass their first health check (every ${REAL_TIME.checkIntervalS} s; one is enough for a new target), ECS cuts over a second later, the old version drains for ${REAL_TIME.drainS} s (for the default 10 s poll)`,
    { exitCode: 0, status: 'live' },
    [
      [0, deploy('shop-api')],
      [1000, provisionNew('shop-api')],
      // ECS registers the targets (its event says when) and the health checks start counting.
      [REAL_TIME.registerMs, runNew('shop-api')],
      [REAL_TIME.registerMs + REAL_TIME.firstPassMs, healthyNew('shop-api')],
      [REAL_TIME.cutoverMs, all(drainOld('shop-api'), mark('cutover:shop-api'))],
      [REAL_TIME.cutoverMs + REAL_TIME.drainS * 1000, all(retireOld('shop-api'), mark('retired:shop-api'))],
    ],
  ),
  shopApiOver(
    (a) => {
      steadyService(a, 'shop-api');
      a.targetGroupSettings = { intervalSeconds: 10, healthyThreshold: 3, deregistrationDelaySeconds: 300, protocol: 'TCP' };
    },
    'nlb',
    'behind a Network Load Balancer: the new targets sit `initial` for minutes before the first check (normal there, no "check the health check path"), then go live',
    { exitCode: 0, status: 'live' },
    [
      ...newTasksStart('shop-api'),
      // The watch starts late: the tasks have run for 4 minutes, their targets still registering.
      [3000, registeringSince('shop-api', 4 * 60_000)],
      [6000, healthyNew('shop-api')],
      [7500, all(drainOld('shop-api'), mark('cutover:shop-api'))],
      [11_000, all(retireOld('shop-api'), mark('retired:shop-api'))],
    ],
  ),
  shopApiOver(
    (a) => steadyService(a, 'shop-api', NEW),
    'redeploy-older',
    'someone deploys shop-api:41 again over the live shop-api:42 (a rollback by hand): named a rollback, with what it takes away',
    { exitCode: 0, status: 'live' },
    [
      [0, deploy('shop-api', OLD)],
      [1000, provisionNew('shop-api', OLD)],
      [2500, runNew('shop-api', OLD)],
      [4000, healthyNew('shop-api', OLD)],
      [5500, all(drainOld('shop-api', NEW), mark('cutover:shop-api'))],
      [9500, all(retireOld('shop-api', NEW, OLD), mark('retired:shop-api'))],
    ],
    { TASK_DEFINITION: 'shop-api:41' },
  ),
  shopApiOver(
    (a) => steadyService(a, 'shop-api', NEW),
    'forced',
    'update-service --force-new-deployment on shop-api:42 (a new image behind the same tag): a second deployment of the same task definition; its own tasks go live',
    { exitCode: 0, status: 'live' },
    [
      [0, deploy('shop-api', NEW)],
      [1000, provisionNew('shop-api', NEW)],
      [2500, runNew('shop-api', NEW)],
      [4000, healthyNew('shop-api', NEW)],
      [5500, all(drainOld('shop-api', NEW), mark('cutover:shop-api'))],
      [9500, all(retireOld('shop-api', NEW, NEW), mark('retired:shop-api'))],
    ],
  ),
  shopApiOver(
    (a) => steadyService(a, 'shop-api', NEW),
    'forced-crash',
    'a forced redeploy whose new image crashes: the old tasks of the same task definition keep serving; the circuit breaker fails it',
    { exitCode: 1, status: 'failed' },
    [
      [0, deploy('shop-api', NEW)],
      [1000, provisionNew('shop-api', NEW)],
      [2500, runNew('shop-api', NEW)],
      [4000, crashNew('shop-api', NEW)],
      [5500, all(circuitBreak('shop-api', NEW, NEW), mark('failed:shop-api'))],
    ],
  ),
  shopApiOver(
    alarmedShopApi,
    'alarm-bake',
    'a rolling update with deployment alarms: the old version is gone, ECS bakes, then an alarm rolls it back: failed after going live',
    { exitCode: 1, status: 'failed' },
    bakedRollingUpdate(all(alarmRollbackAfterScaleIn('shop-api', 'shop-api-5xx'), mark('failed:shop-api'))),
  ),
  shopApiOver(
    alarmedShopApi,
    'alarm-bake-ok',
    'a rolling update with deployment alarms: the old version is gone, ECS bakes, and calls it done: retired only then',
    { exitCode: 0, status: 'live' },
    bakedRollingUpdate(all(completeBake('shop-api'), mark('retired:shop-api'))),
  ),
  shopApiOver(
    earlyShopApi,
    'early-success',
    'early success criteria at 50 %: ECS calls the deployment done with one new task healthy and old ones serving; live only once every serving target is new',
    { exitCode: 0, status: 'live' },
    [
      ...earlyRollingUpdate(),
      [7000, all(healthyNew('shop-api'), mark('cutover:shop-api'))],
      // Already COMPLETED: the old tasks stop without ECS saying so again.
      [10_000, all(retireOld('shop-api', undefined, undefined, true), mark('retired:shop-api'))],
    ],
  ),
  shopApiOver(
    earlyShopApi,
    'early-success-crash',
    'early success criteria at 50 %: after ECS\'s "done", the second new task crashes again and again; nothing in ECS rolls back, the pipe names it and fails at CRASH_LOOP_LIMIT',
    { exitCode: 1, status: 'failed' },
    [...earlyRollingUpdate(), [6500, crashUnhealthyNew('shop-api')], [8000, crashUnhealthyNew('shop-api')], [9500, crashUnhealthyNew('shop-api')]],
    { CRASH_LOOP_LIMIT: '3' },
  ),
  shopApi('superseded', 'while shop-api:42 is starting, someone deploys shop-api:43', { exitCode: 0, status: 'superseded' }, [
    [0, deploy('shop-api')],
    [1000, provisionNew('shop-api')],
    [3000, deploy('shop-api', NEWER)],
  ]),
  {
    name: 'multi',
    summary: 'three services deployed together (one without a load balancer); live when all are',
    services: ['shop-api', 'shop-worker', 'shop-web'],
    env: { TASK_DEFINITION: 'shop-api:42,shop-worker:42,shop-web:42' },
    expected: { exitCode: 0, status: 'live' },
    start(a) {
      steadyService(a, 'shop-api');
      steadyService(a, 'shop-worker', undefined, 1, false);
      steadyService(a, 'shop-web', undefined, 3);
      timeline(a, [...rollingUpdate('shop-api', 0), ...rollingUpdate('shop-worker', 1000), ...rollingUpdate('shop-web', 2000)]);
    },
  },
  fleet('twelve', 'a dozen services of 2 tasks each, deployed together', 12, 2),
  shopApi('large', 'one service of 150 tasks', { exitCode: 0, status: 'live' }, rollingUpdate('shop-api'), {}, 150),
  fleet('fleet', 'a dozen services of 150 tasks each (1,800 tasks), deployed together', 12, 150),
  shopApiShift(
    'blue-green',
    'ECS-native blue/green: green starts beside blue, passes test traffic, takes all production at once, bakes; blue is removed',
    { exitCode: 0, status: 'live' },
    { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 },
    trafficShift('shop-api', [100]),
  ),
  shopApiShift(
    'linear',
    'ECS-native linear: production moves to the new revision 25 % at a time, then bakes',
    { exitCode: 0, status: 'live' },
    { strategy: 'LINEAR', bakeTimeInMinutes: 5, linear: { stepPercent: 25, stepBakeTimeInMinutes: COMPRESSED_STEP_BAKE_MINUTES } },
    trafficShift('shop-api', [25, 50, 75, 100]),
  ),
  shopApiShift(
    'canary',
    'ECS-native canary: 10 % of production on the new revision, then the rest',
    { exitCode: 0, status: 'live' },
    { strategy: 'CANARY', bakeTimeInMinutes: 5, canary: { canaryPercent: 10, canaryBakeTimeInMinutes: COMPRESSED_STEP_BAKE_MINUTES } },
    trafficShift('shop-api', [10, 100]),
  ),
  shopApiShift(
    'express',
    'an ECS Express Mode service (ECS manages its load balancer; canary by default): live, with its public endpoint',
    { exitCode: 0, status: 'live' },
    {
      strategy: 'CANARY',
      bakeTimeInMinutes: 3,
      canary: { canaryPercent: 5, canaryBakeTimeInMinutes: COMPRESSED_STEP_BAKE_MINUTES },
      express: { endpoint: 'sh-3f2a9c1b.ecs.eu-west-1.on.aws' },
    },
    trafficShift('shop-api', [5, 100]),
  ),
  {
    name: 'paused',
    summary: 'blue/green paused at a PAUSE hook before production moves; an approver (APPROVERS) continues it with a ✅ reaction on the message',
    services: ['shop-api'],
    env: { TASK_DEFINITION: 'shop-api:42', APPROVERS: APPROVER },
    expected: { exitCode: 0, status: 'live' },
    start(a) {
      steadyShiftService(a, 'shop-api', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
      const steps = trafficShift('shop-api', [100]);
      // Green is up and healthy; ECS waits at the PAUSE hook before production traffic moves.
      timeline(a, [...steps.slice(0, 3), [3500, shiftPause('shop-api', 'approve-production', PAUSE_EXPIRES_MS)]]);
      // What was left of the rollout carries on from the moment someone continues it.
      a.onContinue = (_service, action) =>
        timeline(
          a,
          action === 'CONTINUE'
            ? steps.slice(3).map(([at, step]): [number, Step] => [at - 3500, step])
            : [
                [500, shiftRollback('shop-api')],
                [2000, shiftRollbackDone('shop-api')],
              ],
        );
    },
    people(slack) {
      // The approver sees the message say "paused" and reacts a moment later.
      slack.people.push((call) => {
        if (JSON.stringify(call.blocks ?? []).includes('is paused*')) setTimeout(() => slack.react('white_check_mark', APPROVER), 1500);
      });
    },
  },
  shopApiShift(
    'bake-rollback',
    'blue/green goes live, then an alarm fires during the bake and ECS rolls production back to the old revision',
    { exitCode: 1, status: 'failed' },
    { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10, alarms: ['shop-api-5xx-rate'] },
    [
      ...trafficShift('shop-api', [100], 0, 60_000).slice(0, 5),
      // Late enough in the bake for at least two settled polls (every 2 s, jittered by up to 10 %)
      // after the cut-over and the confirming read: 5.5 s from the cut-over + 2 s.
      [13_000, all(shiftRollback('shop-api', 'shop-api-5xx-rate'), mark('failed:shop-api'))],
      [14_500, shiftRollbackDone('shop-api')],
    ],
  ),
  shopApiShift(
    'green-unhealthy',
    'the new revision fails the load balancer health checks in its target group; the circuit breaker rolls back before any production traffic moves',
    { exitCode: 1, status: 'failed' },
    { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 },
    [
      [0, shiftDeploy('shop-api')],
      [1500, shiftScaleUp('shop-api')],
      [3000, shiftUnhealthy('shop-api')],
      [4500, shiftUnhealthy('shop-api')],
      [6000, all(shiftRollback('shop-api'), mark('failed:shop-api'))],
      [7500, shiftRollbackDone('shop-api')],
    ],
  ),
  shopApiShift(
    'hook-fails',
    'blue/green: the smoke-test Lambda hook after test traffic fails; ECS rolls back, and the thread shows what the function printed',
    { exitCode: 1, status: 'failed' },
    { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5, lambdaHooks: ['shop-api-smoke-test'] },
    [
      [0, shiftDeploy('shop-api')],
      [1500, shiftScaleUp('shop-api')],
      [3000, shiftHealthy('shop-api')],
      [4500, all(shiftHookFails('shop-api', 'shop-api-smoke-test'), mark('failed:shop-api'))],
      [6000, shiftRollbackDone('shop-api')],
    ],
  ),
  shopApiCodeDeploy(
    'codedeploy',
    'CodeDeploy blue/green: the replacement task set starts, its hooks pass, it takes all production traffic; the original is terminated after the wait',
    { exitCode: 0, status: 'live' },
    { terminationWaitMinutes: 60 },
    [...codeDeployGoesLive('shop-api'), [8000, all(codeDeploySucceed('shop-api'), mark('retired:shop-api'))]],
  ),
  shopApiCodeDeploy(
    'codedeploy-hook-fails',
    'CodeDeploy blue/green: the AfterAllowTestTraffic hook (a smoke test) fails; CodeDeploy fails the deployment and rolls back',
    { exitCode: 1, status: 'failed' },
    {},
    [
      [0, codeDeployCreate('shop-api')],
      [1500, codeDeployInstall('shop-api')],
      [3500, all(codeDeployHookFails('shop-api'), mark('failed:shop-api'))],
    ],
  ),
  shopApiCodeDeploy(
    'codedeploy-hook-fails-s3',
    "the same failed hook with the AppSpec kept in S3: CodeDeploy's error names no function, the message names the event and where the function is",
    { exitCode: 1, status: 'failed' },
    {},
    [
      [0, codeDeployCreate('shop-api', NEW, true)],
      [1500, codeDeployInstall('shop-api')],
      [3500, all(codeDeployHookFails('shop-api'), mark('failed:shop-api'))],
    ],
  ),
  shopApiCodeDeploy(
    'codedeploy-stopped',
    'CodeDeploy blue/green goes live, then someone stops it during the termination wait and traffic returns to the original task set',
    { exitCode: 1, status: 'failed' },
    { terminationWaitMinutes: 60 },
    [...codeDeployGoesLive('shop-api'), [7000, all(codeDeployStop('shop-api'), mark('failed:shop-api'))]],
  ),
  {
    name: 'mixed',
    summary: 'a rolling service and a blue/green service deployed together; live when both are',
    services: ['shop-api', 'shop-web'],
    env: { TASK_DEFINITION: 'shop-api:42,shop-web:42' },
    expected: { exitCode: 0, status: 'live' },
    start(a) {
      steadyService(a, 'shop-api');
      steadyShiftService(a, 'shop-web', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 });
      timeline(a, [...rollingUpdate('shop-api', 0), ...trafficShift('shop-web', [100], 500)]);
    },
  },
  shopApiOver(
    (a) => {
      withTraffic(steadyService, (deployedAt) => (_group, minute) => (minute < minuteOf(deployedAt) ? HEALTHY : HEALTHY_AFTER))(a);
      // The cut-over itself costs 503s (the load balancer answers them while the new targets register): said beside the verdict.
      const deployed = minuteOf(Date.now());
      a.elbErrors = (_lb, minute) => (minute >= deployed ? CUT_OVER_503S : undefined);
    },
    'verified',
    "a rolling update under steady traffic: live, verified on the load balancer's numbers (5xx and p95 as before the deployment), and what the cut-over cost in 503s",
    { exitCode: 0, status: 'live' },
    rollingUpdate('shop-api'),
  ),
  shopApiOver(
    withTraffic(
      (a, name) =>
        steadyShiftService(a, name, {
          strategy: 'CANARY',
          bakeTimeInMinutes: 5,
          canary: { canaryPercent: 10, canaryBakeTimeInMinutes: COMPRESSED_STEP_BAKE_MINUTES },
        }),
      () => (group) => (group === tgArn('shop-api-alt') ? BROKEN_10 : PRODUCTION_90),
    ),
    'regressed',
    "a canary whose new version answers 8 % 5xx against production's 0.1 %, the ALB's anomaly detection flagging it: live, but regressed (exit 1), both rates named",
    { exitCode: 1, status: 'live' },
    [
      ...trafficShift('shop-api', [10, 100]),
      [
        4500,
        (a) => {
          for (const t of a.targets.get(tgArn('shop-api-alt')) ?? []) t.anomalous = true;
        },
      ],
    ],
  ),
  shopApiOver(
    withTraffic(steadyService, () => () => undefined),
    'no-traffic',
    'a rolling update of a service nobody calls: live, its traffic not measured (no requests), never called verified',
    { exitCode: 0, status: 'live' },
    rollingUpdate('shop-api'),
  ),
];

export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}

/** The pipe variables for a run against the simulator. */
/**
 * The pipe variables of a run against the simulated account and workspace (the one builder of
 * them): shop-api deployed to production from main, polled every second, credentials made up.
 * `overrides` win; an override of `undefined` removes a variable.
 */
export function simulatedVariables(
  urls: { aws: string; slack: string },
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    CLUSTER_NAME: 'prod',
    SERVICE_NAME: 'shop-api',
    ENVIRONMENT: 'production',
    BITBUCKET_BRANCH: 'main',
    BITBUCKET_COMMIT: '0123456789abcdef0123456789abcdef01234567',
    SLACK_TOKEN: 'xoxb-simulated-workspace-token',
    SLACK_CHANNEL: '#deploys',
    SLACK_API_URL: urls.slack,
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIASIMULATEDKEY0001',
    AWS_SECRET_ACCESS_KEY: 'simulated-secret-access-key',
    AWS_ENDPOINT_URL: urls.aws,
    POLL_INTERVAL: '1',
    WAIT_TIMEOUT: '60',
    // Off unless a test gives the Bitbucket double's address: the default one is not on this machine.
    CODE_INSIGHTS: 'false',
    ...overrides,
  };
}

/** The variables of scenario `s` as the demo and the bench run it: its services and settings, with a repository and build. */
export function pipeEnv(s: Scenario, awsUrl: string, slackUrl: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return simulatedVariables(
    { aws: awsUrl, slack: slackUrl },
    { SERVICE_NAME: s.services.join(','), BITBUCKET_REPO_FULL_NAME: 'acme/shop', BITBUCKET_BUILD_NUMBER: '412', ...s.env, ...extra },
  );
}

export interface Simulation {
  aws: FakeAccount;
  slack: FakeSlack;
  stop(): Promise<void>;
}

/** A simulated AWS account and Slack workspace on 127.0.0.1, with `s` (if given) under way; over HTTPS given a certificate. */
export async function simulate(s?: Scenario, tls?: Tls): Promise<Simulation> {
  const aws = new FakeAccount();
  const slack = new FakeSlack();
  await Promise.all([aws.start(tls), slack.start(tls)]);
  s?.start(aws);
  s?.people?.(slack);
  return { aws, slack, stop: async () => void (await Promise.all([aws.stop(), slack.stop()])) };
}
