// Realistic rolling updates for the fake account, one step per poll (DescribeServices call). The
// steps follow the order ECS really goes through (see the service-events timelines in test/fixtures/aws):
// new tasks provision, run, register (initial → healthy); old targets drain; old tasks stop.
import {
  ACCOUNT_ID,
  CLUSTER,
  type FakeAccount,
  type FakeCodeDeploy,
  type FakeCodeDeployment,
  type FakeDeployment,
  type FakeLifecycleEvent,
  type FakeRevision,
  type FakeRevisionShare,
  type FakeServiceDeployment,
  type FakeShift,
  type FakeTask,
  type FakeTaskSet,
  REGION,
  tdArn,
  tgArn,
} from './fake-aws.ts';

/** Each service has its own task definition family, named after it: revision 41 runs, 42 is deployed. */
export const oldOf = (service: string) => tdArn(service, 41);
export const newOf = (service: string) => tdArn(service, 42);
export const OLD = oldOf('shop-api');
export const NEW = newOf('shop-api');
export const NEWER = tdArn('shop-api', 43);

let seq = 0;
const nextId = () => (++seq).toString(16).padStart(8, '0');
let ipSeq = 0;
const nextIp = () => {
  ipSeq++;
  return `10.0.${Math.floor(ipSeq / 250) + 1}.${(ipSeq % 250) + 1}`;
};

export type Step = (a: FakeAccount) => void;

/** A service at rest on `td`, behind one target group (unless `targetGroup` is false). */
export function steadyService(a: FakeAccount, name: string, td = oldOf(name), count = 2, targetGroup = true): void {
  const dep: FakeDeployment = {
    id: `ecs-svc/${nextId()}${nextId()}`,
    status: 'PRIMARY',
    td,
    desiredCount: count,
    runningCount: count,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment completed.',
    createdAt: Date.now() - 86_400_000,
  };
  const tg = tgArn(name);
  a.services.set(name, {
    name,
    status: 'ACTIVE',
    desiredCount: count,
    controller: 'ECS',
    deployments: [dep],
    events: [{ id: 'ev-0', createdAt: Date.now() - 3600_000, message: `(service ${name}) has reached a steady state.` }],
    targetGroups: targetGroup ? [tg] : [],
  });
  if (targetGroup) a.targets.set(tg, []);
  for (let i = 0; i < count; i++) addTask(a, name, dep, 'RUNNING', 'healthy');
}

/** How long a simulated task pulls its image before it starts. */
const IMAGE_PULL_MS = 2000;

/** A task's pull and start times, as if it started now after pulling its image. */
function started(): Pick<FakeTask, 'startedAt' | 'pullStartedAt' | 'pullStoppedAt'> {
  return { startedAt: Date.now(), pullStartedAt: Date.now() - IMAGE_PULL_MS, pullStoppedAt: Date.now() };
}

function addTask(a: FakeAccount, service: string, dep: FakeDeployment, lastStatus: string, targetState?: string): FakeTask {
  const t: FakeTask = {
    id: nextId() + nextId() + nextId() + nextId(),
    service,
    td: dep.td,
    ip: nextIp(),
    deploymentId: dep.id,
    lastStatus,
    desiredStatus: 'RUNNING',
    createdAt: Date.now(),
    // A task still PROVISIONING has not pulled or started yet (runNew does that).
    ...(lastStatus === 'PROVISIONING' ? {} : started()),
  };
  a.tasks.set(t.id, t);
  if (targetState) for (const tg of a.service(service).targetGroups) a.targets.get(tg)?.push({ id: t.ip, port: 8080, state: targetState });
  return t;
}

const tasksOf = (a: FakeAccount, service: string, td: string) => [...a.tasks.values()].filter((t) => t.service === service && t.td === td);
/** The newest deployment of `td` (deploy() puts it first). */
const deploymentOf = (a: FakeAccount, service: string, td: string) => a.service(service).deployments.find((d) => d.td === td) as FakeDeployment;
/**
 * The deployment of `td` that ours replaces: not the PRIMARY. After a forced redeploy both run the
 * same task definition, and ECS tells their tasks apart only by `startedBy` (the deployment's ID).
 */
const previousOf = (a: FakeAccount, service: string, td: string) =>
  a.service(service).deployments.find((d) => d.td === td && d.status !== 'PRIMARY') as FakeDeployment;
/** The tasks a deployment started (their startedBy). */
const tasksOfDeployment = (a: FakeAccount, d: FakeDeployment) => [...a.tasks.values()].filter((t) => t.deploymentId === d.id);
function setTarget(a: FakeAccount, service: string, ip: string, state: string, reason?: string, description?: string): void {
  for (const tg of a.service(service).targetGroups) {
    const list = a.targets.get(tg) ?? [];
    const t = list.find((x) => x.id === ip);
    if (t) Object.assign(t, { state, reason, description });
    else if (state !== 'gone') list.push({ id: ip, port: 8080, state, reason, description });
    if (state === 'gone')
      a.targets.set(
        tg,
        list.filter((x) => x.id !== ip),
      );
  }
}
function sync(a: FakeAccount, service: string): void {
  for (const d of a.service(service).deployments) {
    const ts = [...a.tasks.values()].filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING');
    d.runningCount = ts.filter((t) => t.lastStatus === 'RUNNING').length;
    d.pendingCount = ts.filter((t) => t.lastStatus !== 'RUNNING').length;
  }
}

/** update-service: a new PRIMARY deployment with no tasks yet; the old one becomes ACTIVE. */
export const deploy =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const s = a.service(service);
    for (const d of s.deployments) d.status = 'ACTIVE';
    const id = `ecs-svc/${nextId()}${nextId()}`;
    s.deployments.unshift({
      id,
      status: 'PRIMARY',
      td,
      desiredCount: s.desiredCount,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: Date.now(),
    });
  };

export const provisionNew =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const d = deploymentOf(a, service, td);
    for (let i = tasksOfDeployment(a, d).filter((t) => t.desiredStatus === 'RUNNING').length; i < d.desiredCount; i++) addTask(a, service, d, 'PROVISIONING');
    sync(a, service);
    a.addEvent(service, `has started ${d.desiredCount} tasks: (task ${tasksOfDeployment(a, d)[0]?.id}).`);
  };

/**
 * New tasks wait for capacity: created `waitedMs` ago (the watch started late), still PROVISIONING on
 * `provider`, and ECS says it cannot place them (Fargate's wording for a Spot shortage).
 */
export const provisionStarved =
  (service: string, waitedMs: number, provider: string, td = newOf(service)): Step =>
  (a) => {
    provisionNew(service, td)(a);
    for (const t of tasksOf(a, service, td))
      if (t.lastStatus === 'PROVISIONING') Object.assign(t, { createdAt: Date.now() - waitedMs, capacityProvider: provider });
    a.addEvent(
      service,
      'was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.',
    );
  };

export const runNew =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const ours = tasksOfDeployment(a, deploymentOf(a, service, td));
    for (const t of ours) {
      if (t.desiredStatus !== 'RUNNING') continue;
      if (t.lastStatus !== 'RUNNING') Object.assign(t, started());
      t.lastStatus = 'RUNNING';
    }
    for (const t of ours)
      if (t.desiredStatus === 'RUNNING') setTarget(a, service, t.ip, 'initial', 'Elb.RegistrationInProgress', 'Target registration is in progress');
    sync(a, service);
    a.addEvent(service, 'registered 2 targets in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-api/73e2d6bc24d8a067)');
  };

/**
 * The new tasks have been running for `agoMs` already (the watch started late), their targets still
 * `initial`: behind a Network Load Balancer, normal for minutes ("it is expected to take between 3-5
 * minutes", AWS Support, quoted in kubernetes-sigs/aws-load-balancer-controller#1834).
 */
export const registeringSince =
  (service: string, agoMs: number, td = newOf(service)): Step =>
  (a) => {
    for (const t of tasksOfDeployment(a, deploymentOf(a, service, td))) {
      if (t.desiredStatus !== 'RUNNING' || t.lastStatus !== 'RUNNING') continue;
      Object.assign(t, {
        createdAt: Date.now() - agoMs - IMAGE_PULL_MS,
        pullStartedAt: Date.now() - agoMs - IMAGE_PULL_MS,
        pullStoppedAt: Date.now() - agoMs,
        startedAt: Date.now() - agoMs,
      });
    }
  };

/**
 * The new tasks' targets pass the load balancer's health checks (the first `count` of them, when
 * given). A task that reaches a healthy state resets the circuit breaker's failure count to 0
 * (resetOnHealthyTask, on by default: API_DeploymentCircuitBreaker.html), and with it failedTasks.
 */
export const healthyNew =
  (service: string, td = newOf(service), count = Number.POSITIVE_INFINITY): Step =>
  (a) => {
    const d = deploymentOf(a, service, td);
    const running = tasksOfDeployment(a, d).filter((t) => t.desiredStatus === 'RUNNING');
    for (const t of running.slice(0, count)) setTarget(a, service, t.ip, 'healthy');
    if (running.length > 0) d.failedTasks = 0;
  };

/**
 * Early success criteria (DeploymentEarlySuccessCriteria, API_DeploymentConfiguration.html): once
 * `healthyPercent` of the tasks are healthy, ECS marks the deployment successful and "continues to
 * scale the target service revision to 100 percent in the background". The completed reason and
 * event are ECS's usual ones; no published answer shows an early success, so the pipe relies on
 * the rollout state and the configuration, never on these texts.
 */
export const earlySuccessReached =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const n = deploymentOf(a, service, td);
    n.rolloutState = 'COMPLETED';
    n.rolloutStateReason = `ECS deployment ${n.id} completed.`;
    a.addEvent(service, `(deployment ${n.id}) deployment completed.`);
  };

/**
 * Each new task whose target is not healthy crashes (exit 1) and ECS starts another in its place,
 * which runs and registers: every count reads as before, and only the stopped task and ECS's
 * "has started" event show it. The circuit breaker counts it while it monitors the deployment; ECS
 * publishes nothing on counting after an early success, so none is counted then (the harder case).
 */
export const crashUnhealthyNew =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const d = deploymentOf(a, service, td);
    const healthy = new Set(a.service(service).targetGroups.flatMap((tg) => (a.targets.get(tg) ?? []).filter((x) => x.state === 'healthy').map((x) => x.id)));
    for (const t of tasksOfDeployment(a, d)) {
      if (t.desiredStatus !== 'RUNNING' || healthy.has(t.ip)) continue;
      crash(a, service, t);
      if (d.rolloutState === 'IN_PROGRESS') d.failedTasks++;
      const replacement = addTask(a, service, d, 'RUNNING', 'initial');
      a.addEvent(service, `has started 1 tasks: (task ${replacement.id}).`);
    }
    sync(a, service);
  };

export const unhealthyNew =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    for (const t of tasksOfDeployment(a, deploymentOf(a, service, td))) {
      if (t.desiredStatus === 'RUNNING')
        setTarget(a, service, t.ip, 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]');
    }
  };

/** ECS scales the old deployment to zero: its targets drain, its tasks are told to stop. */
export const drainOld =
  (service: string, td = oldOf(service)): Step =>
  (a) => {
    const d = previousOf(a, service, td);
    d.desiredCount = 0;
    for (const t of tasksOfDeployment(a, d)) {
      t.desiredStatus = 'STOPPED';
      setTarget(a, service, t.ip, 'draining', 'Target.DeregistrationInProgress', 'Target deregistration is in progress');
    }
    sync(a, service);
    a.addEvent(service, `has stopped ${tasksOfDeployment(a, d).length} running tasks.`);
    a.addEvent(service, `(service ${service}, taskSet ${d.id}) has begun draining connections on 2 tasks.`);
  };

/**
 * Deregistration delay over: old targets gone, old tasks stopped. ECS calls the deployment done,
 * unless it bakes first (deployment alarms: `bake`), keeping it IN_PROGRESS (completeBake ends it).
 */
export const retireOld =
  (service: string, td = oldOf(service), newTd = newOf(service), bake = false): Step =>
  (a) => {
    const old = previousOf(a, service, td);
    const n = deploymentOf(a, service, newTd);
    for (const t of tasksOfDeployment(a, old)) {
      t.lastStatus = 'STOPPED';
      t.stoppedAt = Date.now();
      t.stopCode = 'ServiceSchedulerInitiated';
      t.stoppedReason = `Scaling activity initiated by (deployment ${n.id})`;
      setTarget(a, service, t.ip, 'gone');
    }
    const s = a.service(service);
    s.deployments = s.deployments.filter((d) => d !== old);
    s.scaledIn = old.id;
    sync(a, service);
    if (!bake) completeBake(service, newTd)(a);
  };

/**
 * ECS's bake after the scale-in ends: the deployment is COMPLETED ("When the service reaches a
 * steady state, the bake time completes and the rollout state transitions to COMPLETED", developer
 * guide, deployment-alarm-failure).
 */
export const completeBake =
  (service: string, newTd = newOf(service)): Step =>
  (a) => {
    const n = deploymentOf(a, service, newTd);
    n.rolloutState = 'COMPLETED';
    n.rolloutStateReason = `ECS deployment ${n.id} completed.`;
    sync(a, service);
    a.addEvent(service, `(deployment ${n.id}) deployment completed.`);
    a.addEvent(service, 'has reached a steady state.');
  };

/**
 * What a crashing shop-api prints before it exits 1 (through the awslogs driver), a credential
 * among it: the failure thread shows these lines, masked.
 */
export const CRASH_LOG = [
  'shop-api 42 starting on :8080',
  'config: AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY loaded from the environment',
  'db: connecting to orders-db.internal:5432',
  'Error: connect ECONNREFUSED 10.0.9.9:5432',
  '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1637:16)',
  'fatal: cannot reach the database, exiting with code 1',
];

/** New tasks crash: stopped with an exit code; ECS counts failed tasks. */
export const crashNew =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const d = deploymentOf(a, service, td);
    for (const t of tasksOfDeployment(a, d)) {
      if (t.desiredStatus !== 'RUNNING') continue;
      crash(a, service, t);
      d.failedTasks++;
    }
    sync(a, service);
  };

/** A task whose essential container prints CRASH_LOG and exits 1; its target goes. */
function crash(a: FakeAccount, service: string, t: FakeTask): void {
  a.printLogs(service, 'web', t.id, CRASH_LOG);
  Object.assign(t, {
    desiredStatus: 'STOPPED',
    lastStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    exitCode: 1,
    stoppedAt: Date.now(),
  });
  setTarget(a, service, t.ip, 'gone');
}

/** The circuit breaker trips and rolls back to the old task definition. */
export const circuitBreak =
  (service: string, td = newOf(service), oldTd = oldOf(service)): Step =>
  (a) => {
    const s = a.service(service);
    const failed = deploymentOf(a, service, td);
    const old = previousOf(a, service, oldTd);
    failed.status = 'ACTIVE';
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    failed.desiredCount = 0;
    s.deployments = s.deployments.filter((d) => d !== old);
    const id = `ecs-svc/${nextId()}${nextId()}`;
    s.deployments.unshift({
      ...old,
      id,
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${old.id}.`,
      createdAt: Date.now(),
    });
    for (const t of tasksOfDeployment(a, old)) t.deploymentId = id;
    // Real answers give this event with the deployment's ID (devops-g3-inventory, 2026) and without
    // it (authn, 2026-03-18; both in service-events-real-timelines.json): the simulator says it
    // without, the harder case; the pipe relies on the rollout state first.
    a.addEvent(service, 'deployment failed: tasks failed to start.');
    a.addEvent(service, `rolling back to deployment ${old.id}.`);
  };

/** A CloudWatch alarm on the load balancer's 5xx count goes into ALARM, having seen 42 and 57 against a threshold of 10. */
function raiseAlarm(a: FakeAccount, name: string): void {
  a.alarms.set(name, {
    name,
    namespace: 'AWS/ApplicationELB',
    metric: 'HTTPCode_Target_5XX_Count',
    statistic: 'Sum',
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 10,
    periodSeconds: 60,
    evaluationPeriods: 2,
    state: 'ALARM',
    datapoints: [57, 42],
    updatedAt: Date.now(),
  });
}

/** A CloudWatch alarm goes into ALARM during the rollout: ECS rolls back to the old task definition. */
export const alarmRollback =
  (service: string, alarm: string, td = newOf(service)): Step =>
  (a) => {
    raiseAlarm(a, alarm);
    circuitBreak(service, td)(a);
    const failed = deploymentOf(a, service, td);
    failed.triggeredAlarms = [alarm];
    failed.rolloutStateReason = 'ECS deployment failed: alarm detected.';
    const primary = a.service(service).deployments.find((d) => d.status === 'PRIMARY');
    // The wording ECS uses for alarm rollbacks is not documented; the pipe relies on "rolling back" only.
    if (primary) primary.rolloutStateReason = `ECS deployment alarm: rolling back to deploymentId ${primary.id}.`;
  };

/**
 * An alarm after the scale-in, during ECS's bake: ECS fails our deployment ("If the service fails to
 * reach a steady state and the alarm goes into the ALARM state, the deployment transitions to
 * FAILED", developer guide, deployment-alarm-failure) and rolls back to the old task definition in a
 * new PRIMARY. The old deployment is gone from the list by then; the rollback's reason wording is
 * not documented (the pipe relies on the FAILED state, and on "rolling back" only beside it).
 */
export const alarmRollbackAfterScaleIn =
  (service: string, alarm: string, td = newOf(service), oldTd = oldOf(service)): Step =>
  (a) => {
    raiseAlarm(a, alarm);
    const s = a.service(service);
    const failed = deploymentOf(a, service, td);
    failed.status = 'ACTIVE';
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = 'ECS deployment failed: alarm detected.';
    failed.triggeredAlarms = [alarm];
    const id = `ecs-svc/${nextId()}${nextId()}`;
    s.deployments.unshift({
      id,
      status: 'PRIMARY',
      td: oldTd,
      desiredCount: s.desiredCount,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      // The PRIMARY's reason names the deployment it goes back to, as in the real trimmed answer
      // (describe-services-rollback-in-progress-trimmed.json: "rolling back to deploymentId ecs-svc/…").
      rolloutStateReason: `ECS deployment alarm: rolling back to deploymentId ${s.scaledIn ?? failed.id}.`,
      createdAt: Date.now(),
    });
    a.addEvent(service, `(deployment ${failed.id}) deployment failed: alarm detected.`);
  };

export const noop: Step = () => {};

/** The circuit breaker's rollback finishes: the old revision is PRIMARY and COMPLETED again. */
export const completeRollback =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const s = a.service(service);
    s.deployments = s.deployments.filter((d) => !(d.td === td && d.rolloutState === 'FAILED'));
    const primary = s.deployments.find((d) => d.status === 'PRIMARY');
    if (primary) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      a.addEvent(service, `(deployment ${primary.id}) deployment completed.`);
    }
    a.addEvent(service, 'has reached a steady state.');
  };

/** Records when a named moment of the scenario happened (the bench measures lags from it). */
export const mark =
  (name: string): Step =>
  (a) => {
    a.marks.set(name, Date.now());
  };

export const all =
  (...steps: Step[]): Step =>
  (a) => {
    for (const step of steps) step(a);
  };

/** Applies each step at its time (ms from now), on a timer: the model changes when reality would. */
export function timeline(a: FakeAccount, entries: Array<[atMs: number, step: Step]>): void {
  for (const [at, step] of entries) a.schedule(at, () => step(a));
}

/** Applies `steps[tick]` at each poll; later polls see the last state. */
export function script(a: FakeAccount, steps: Step[]): void {
  a.onPoll = (tick) => steps[tick]?.(a);
}

/** The canonical successful rolling update of one service, one step per poll. */
export const successfulRollout = (service = 'shop-api'): Step[] => [
  deploy(service),
  provisionNew(service),
  runNew(service),
  healthyNew(service),
  drainOld(service),
  noop,
  retireOld(service),
];

export { CLUSTER };

// ECS-native blue/green, linear and canary deployments (strategy BLUE_GREEN, LINEAR, CANARY): the
// stages follow the lifecycle ECS documents for them (ServiceDeployment.lifecycleStage, see
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html);
// production traffic moves on the listener rule's weights between two target groups.

const listenerRuleArn = (service: string) =>
  `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:listener-rule/app/shop-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/${service.length.toString(16).padStart(4, '0')}9eb2c6b8e4`;
const revisionArn = (service: string) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service-revision/${CLUSTER}/${service}/${nextId()}${nextId()}`;
const serviceDeploymentArn = (service: string) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service-deployment/${CLUSTER}/${service}/${nextId()}${nextId()}`;

export interface ShiftOptions {
  strategy: FakeShift['strategy'];
  bakeTimeInMinutes?: number;
  linear?: FakeShift['linear'];
  canary?: FakeShift['canary'];
  /** CloudWatch alarms that roll the deployment back. */
  alarms?: string[];
  /** Lambda functions (names) run as lifecycle hooks. */
  lambdaHooks?: string[];
  /** An ECS Express Mode service, with its public endpoint. */
  express?: { endpoint: string };
}

/** A traffic-shifting service at rest on `td`: its tasks in the primary target group, which takes all production traffic. */
export function steadyShiftService(a: FakeAccount, name: string, options: ShiftOptions, td = oldOf(name), count = 2): void {
  steadyService(a, name, td, count);
  const s = a.service(name);
  const blue = tgArn(name);
  const green = tgArn(`${name}-alt`);
  a.targets.set(green, []);
  const rule = listenerRuleArn(name);
  const revision: FakeRevision = { arn: revisionArn(name), td, targetGroup: blue, listenerRule: rule };
  a.revisions.set(revision.arn, revision);
  const previous: FakeServiceDeployment = {
    arn: serviceDeploymentArn(name),
    status: 'SUCCESSFUL',
    lifecycleStage: 'CLEAN_UP',
    createdAt: Date.now() - 86_400_000,
    updatedAt: Date.now() - 86_000_000,
    target: { arn: revision.arn, requested: count, running: count, pending: 0, production: 100 },
    sources: [],
    hooks: [],
    circuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: 3 },
    alarms: { status: options.alarms?.length ? 'MONITORING_COMPLETE' : 'DISABLED', alarmNames: options.alarms ?? [], triggeredAlarmNames: [] },
  };
  if (options.express) s.express = options.express;
  s.shift = {
    strategy: options.strategy,
    bakeTimeInMinutes: options.bakeTimeInMinutes ?? 5,
    ...(options.linear ? { linear: options.linear } : {}),
    ...(options.canary ? { canary: options.canary } : {}),
    primaryTargetGroup: blue,
    alternateTargetGroup: green,
    listenerRule: rule,
    alarms: options.alarms ?? [],
    lambdaHooks: (options.lambdaHooks ?? []).map((fn) => `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${fn}`),
    weights: new Map([
      [blue, 100],
      [green, 0],
    ]),
    deployments: [previous],
    current: previous.arn,
  };
}

const shiftOf = (a: FakeAccount, service: string): FakeShift => {
  const sh = a.service(service).shift;
  if (!sh) throw new Error(`${service} does not shift traffic`);
  return sh;
};
const currentOf = (a: FakeAccount, service: string): FakeServiceDeployment => {
  const sh = shiftOf(a, service);
  const d = sh.deployments.find((x) => x.arn === sh.current);
  if (!d) throw new Error(`${service} has no current service deployment`);
  return d;
};
const revisionOf = (a: FakeAccount, share: FakeRevisionShare): FakeRevision => {
  const r = a.revisions.get(share.arn);
  if (!r) throw new Error(`no revision ${share.arn}`);
  return r;
};
function stage(a: FakeAccount, service: string, lifecycleStage: string): FakeServiceDeployment {
  const d = currentOf(a, service);
  d.lifecycleStage = lifecycleStage;
  d.updatedAt = Date.now();
  return d;
}
function setWeights(a: FakeAccount, service: string, toNew: number): void {
  const d = currentOf(a, service);
  const sh = shiftOf(a, service);
  const green = revisionOf(a, d.target).targetGroup;
  for (const tg of sh.weights.keys()) sh.weights.set(tg, tg === green ? toNew : 100 - toNew);
  d.target.production = toNew;
  for (const s of d.sources) s.production = 100 - toNew;
}

/** update-service on a traffic-shifting service: a new revision for the target group without production traffic. */
export const shiftDeploy =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    deploy(service, td)(a);
    const sh = shiftOf(a, service);
    const previous = currentOf(a, service);
    const idle = [...sh.weights].find(([, w]) => w === 0)?.[0] ?? sh.alternateTargetGroup;
    const revision: FakeRevision = { arn: revisionArn(service), td, targetGroup: idle, listenerRule: sh.listenerRule };
    a.revisions.set(revision.arn, revision);
    const count = a.service(service).desiredCount;
    const d: FakeServiceDeployment = {
      arn: serviceDeploymentArn(service),
      status: 'IN_PROGRESS',
      lifecycleStage: 'SCALE_UP',
      createdAt: Date.now(),
      updatedAt: Date.now(),
      target: { arn: revision.arn, requested: count, running: 0, pending: count, production: 0, test: 0 },
      sources: [{ arn: previous.target.arn, requested: count, running: previous.target.running, pending: 0, production: 100 }],
      hooks: [],
      circuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
      alarms: { ...previous.alarms, status: previous.alarms.alarmNames.length ? 'MONITORING' : 'DISABLED', triggeredAlarmNames: [] },
    };
    sh.deployments.unshift(d);
    sh.current = d.arn;
  };

/** The green tasks run and register with the idle target group (initial). */
export const shiftScaleUp =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const d = stage(a, service, 'POST_SCALE_UP');
    const tg = revisionOf(a, d.target).targetGroup;
    const dep = deploymentOf(a, service, td);
    for (let i = 0; i < d.target.requested; i++) {
      const t = addTask(a, service, dep, 'RUNNING');
      a.targets
        .get(tg)
        ?.push({ id: t.ip, port: 8080, state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' });
    }
    d.target.running = d.target.requested;
    d.target.pending = 0;
    sync(a, service);
    a.addEvent(service, `has started ${d.target.requested} tasks: (task ${tasksOf(a, service, td)[0]?.id}).`);
  };

const greenTargets = (a: FakeAccount, service: string) => a.targets.get(revisionOf(a, currentOf(a, service).target).targetGroup) ?? [];

/** Green targets pass the health checks; test traffic (if a test rule exists) goes to green. */
export const shiftHealthy =
  (service: string): Step =>
  (a) => {
    for (const t of greenTargets(a, service)) Object.assign(t, { state: 'healthy', reason: undefined, description: undefined });
    const d = stage(a, service, 'POST_TEST_TRAFFIC_SHIFT');
    d.target.test = 100;
  };

/** A production traffic step: the listener rule's weights move to green. */
export const shiftTraffic =
  (service: string, toNew: number): Step =>
  (a) => {
    stage(a, service, 'PRODUCTION_TRAFFIC_SHIFT');
    setWeights(a, service, toNew);
  };

/** ECS's own account moves ahead of the load balancer (documented to lag): stage says shifted, weights not yet. */
export const shiftReported =
  (service: string, lifecycleStage: string): Step =>
  (a) => {
    stage(a, service, lifecycleStage);
    currentOf(a, service).target.production = 100;
  };

/** All production traffic on green; the bake begins (ECS may still roll back). */
export const shiftBake =
  (service: string): Step =>
  (a) => {
    setWeights(a, service, 100);
    stage(a, service, 'BAKE_TIME');
  };

/** The bake is over: ECS scales the blue revision in; its tasks stop and leave the old target group. */
export const shiftCleanUp =
  (service: string, oldTd = oldOf(service)): Step =>
  (a) => {
    const d = stage(a, service, 'CLEAN_UP');
    for (const src of d.sources) {
      const tg = revisionOf(a, src).targetGroup;
      for (const t of tasksOf(a, service, oldTd)) {
        Object.assign(t, {
          desiredStatus: 'STOPPED',
          lastStatus: 'STOPPED',
          stoppedAt: Date.now(),
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/new)',
        });
        a.targets.set(
          tg,
          (a.targets.get(tg) ?? []).filter((x) => x.id !== t.ip),
        );
      }
      src.running = 0;
      src.requested = 0;
    }
    sync(a, service);
  };

/** ECS calls the deployment done. */
export const shiftSucceed =
  (service: string, oldTd = oldOf(service)): Step =>
  (a) => {
    const d = currentOf(a, service);
    d.status = 'SUCCESSFUL';
    d.updatedAt = Date.now();
    d.circuitBreaker.status = 'MONITORING_COMPLETE';
    if (d.alarms.alarmNames.length) d.alarms.status = 'MONITORING_COMPLETE';
    const s = a.service(service);
    s.deployments = s.deployments.filter((x) => x.td !== oldTd);
    for (const x of s.deployments) Object.assign(x, { rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${x.id} completed.` });
    a.addEvent(service, 'has reached a steady state.');
  };

/** A lifecycle hook of type PAUSE holds the deployment until someone continues it (or it expires). */
export const shiftPause =
  (service: string, hookId: string, expiresInMs: number): Step =>
  (a) => {
    const d = stage(a, service, 'PRE_PRODUCTION_TRAFFIC_SHIFT');
    d.hooks = [{ hookId, targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: Date.now() + expiresInMs, timeoutAction: 'ROLLBACK' }];
  };

/** The new tasks fail the load balancer's health checks; ECS replaces them and its circuit breaker counts. */
export const shiftUnhealthy =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const d = currentOf(a, service);
    const tg = revisionOf(a, d.target).targetGroup;
    for (const t of greenTargets(a, service))
      Object.assign(t, { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [502]' });
    const dep = deploymentOf(a, service, td);
    for (const t of tasksOf(a, service, td).filter((x) => x.desiredStatus === 'RUNNING')) {
      Object.assign(t, {
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Task failed ELB health checks in (target-group ${tg})`,
        exitCode: 143,
        stoppedAt: Date.now(),
      });
      dep.failedTasks++;
      d.circuitBreaker.failureCount++;
      const replacement = addTask(a, service, dep, 'RUNNING');
      a.targets.set(tg, [
        ...(a.targets.get(tg) ?? []).filter((x) => x.id !== t.ip),
        {
          id: replacement.ip,
          port: 8080,
          state: 'unhealthy',
          reason: 'Target.ResponseCodeMismatch',
          description: 'Health checks failed with these codes: [502]',
        },
      ]);
    }
    sync(a, service);
    a.addEvent(
      service,
      `(task ${tasksOf(a, service, td)[0]?.id}) (port 8080) is unhealthy in (target-group ${tg}) due to (reason Health checks failed with these codes: [502]).`,
    );
  };

/**
 * ECS rolls the deployment back: production traffic returns to the old revision. `alarm`: an
 * alarm in ALARM triggered it; else the circuit breaker did.
 */
export const shiftRollback =
  (service: string, alarm?: string): Step =>
  (a) => {
    const d = currentOf(a, service);
    d.status = 'ROLLBACK_IN_PROGRESS';
    d.updatedAt = Date.now();
    if (alarm) {
      raiseAlarm(a, alarm);
      d.alarms = { ...d.alarms, status: 'TRIGGERED', triggeredAlarmNames: [alarm] };
      d.statusReason = `Service deployment rolled back because alarm ${alarm} is in ALARM state.`;
    } else {
      d.circuitBreaker.status = 'TRIGGERED';
      d.statusReason = 'Service deployment rolled back because the circuit breaker threshold was exceeded.';
    }
    d.rollback = { reason: d.statusReason, startedAt: Date.now(), serviceRevisionArn: d.sources[0]?.arn ?? '' };
    setWeights(a, service, 0);
    a.addEvent(service, `(service-deployment ${d.arn.split('/').pop()}) rolling back.`);
  };

/** What the smoke-test hook prints before it fails, in the scenarios where it does. */
export const HOOK_LOG = ['smoke test: GET /health -> 200', 'smoke test: GET /orders -> 500 Internal Server Error', 'smoke test failed: 1 of 2 checks'];

/**
 * The Lambda hook at POST_TEST_TRAFFIC_SHIFT fails (it prints HOOK_LOG to /aws/lambda/`fn`): ECS
 * rolls the deployment back, production traffic stays on the old revision.
 */
export const shiftHookFails =
  (service: string, fn: string): Step =>
  (a) => {
    const d = stage(a, service, 'POST_TEST_TRAFFIC_SHIFT');
    a.printLambdaLogs(fn, HOOK_LOG);
    d.hooks = [{ hookId: `hook-${nextId()}`, targetType: 'AWS_LAMBDA', status: 'FAILED', targetArn: `arn:aws:lambda:eu-west-1:${ACCOUNT_ID}:function:${fn}` }];
    d.status = 'ROLLBACK_IN_PROGRESS';
    d.statusReason = 'Service deployment rolled back because a lifecycle hook failed.';
    d.rollback = { reason: d.statusReason, startedAt: Date.now(), serviceRevisionArn: d.sources[0]?.arn ?? '' };
    setWeights(a, service, 0);
    a.addEvent(service, `(service-deployment ${d.arn.split('/').pop()}) rolling back.`);
  };

/** The rollback is done: the green tasks are gone. */
export const shiftRollbackDone =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const d = currentOf(a, service);
    d.status = 'ROLLBACK_SUCCESSFUL';
    d.updatedAt = Date.now();
    const tg = revisionOf(a, d.target).targetGroup;
    for (const t of tasksOf(a, service, td))
      Object.assign(t, { desiredStatus: 'STOPPED', lastStatus: 'STOPPED', stoppedAt: Date.now(), stopCode: 'ServiceSchedulerInitiated' });
    a.targets.set(tg, []);
    d.target.running = 0;
    sync(a, service);
  };

// CodeDeploy blue/green (deployment controller CODE_DEPLOY): ECS lists task sets, CodeDeploy runs the
// lifecycle events of an ECS deployment in the order it documents
// (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-ecs.html), and the
// replacement (green) task set takes the production traffic at AllowTraffic.

export const CODE_DEPLOY_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];
/** CodeDeploy's IDs are `d-` and nine characters. */
const codeDeployId = () => `d-${(nextId() + nextId()).slice(-9).toUpperCase()}`;

export interface CodeDeployOptions {
  configName?: string;
  terminationWaitMinutes?: number;
  readyAction?: FakeCodeDeploy['readyAction'];
}

/** A CODE_DEPLOY service at rest on `td`: one PRIMARY task set, created by an earlier CodeDeploy deployment. */
export function steadyCodeDeployService(a: FakeAccount, name: string, options: CodeDeployOptions = {}, td = oldOf(name), count = 2): void {
  steadyService(a, name, td, count);
  const s = a.service(name);
  s.controller = 'CODE_DEPLOY';
  const previous = s.deployments[0] as FakeDeployment;
  s.taskSets = [
    {
      id: previous.id,
      status: 'PRIMARY',
      td,
      externalId: codeDeployId(),
      desired: count,
      running: count,
      pending: 0,
      createdAt: previous.createdAt,
      targetGroup: tgArn(name),
    },
  ];
  a.targets.set(tgArn(`${name}-green`), []);
  s.codeDeploy = {
    application: `AppECS-${CLUSTER}-${name}`,
    group: `DgpECS-${CLUSTER}-${name}`,
    configName: options.configName ?? 'CodeDeployDefault.ECSAllAtOnce',
    terminationWaitMinutes: options.terminationWaitMinutes ?? 60,
    readyAction: options.readyAction ?? 'CONTINUE_DEPLOYMENT',
    readyWaitMinutes: 0,
    deployments: [],
  };
}

const codeDeployOf = (a: FakeAccount, service: string): FakeCodeDeploy => {
  const cd = a.service(service).codeDeploy;
  if (!cd) throw new Error(`${service} is not a CodeDeploy service`);
  return cd;
};
const latestOf = (a: FakeAccount, service: string): FakeCodeDeployment => {
  const d = codeDeployOf(a, service).deployments[0];
  if (!d) throw new Error(`${service} has no CodeDeploy deployment`);
  return d;
};
const greenSetOf = (a: FakeAccount, service: string): FakeTaskSet | undefined =>
  (a.service(service).taskSets ?? []).find((t) => t.externalId === latestOf(a, service).id);
function lifecycle(a: FakeAccount, service: string, name: string, status: FakeLifecycleEvent['status']): void {
  const e = latestOf(a, service).events.find((x) => x.name === name);
  if (!e) return;
  e.status = status;
  if (status === 'InProgress') e.start = Date.now();
  else if (status !== 'Pending') {
    e.start ??= Date.now();
    e.end = Date.now();
  }
}

/** The AppSpec `aws deploy create-deployment` is given inline, in YAML, with a Lambda hook per hook event (reference-appspec-file-structure-hooks.html#appspec-hooks-ecs). */
function appSpecOf(service: string, td: string): string {
  return [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    `        TaskDefinition: "${td}"`,
    '        LoadBalancerInfo:',
    '          ContainerName: "web"',
    '          ContainerPort: 8080',
    'Hooks:',
    ...['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'].map((e) => `  - ${e}: "${service}-${e}"`),
  ].join('\n');
}

/** `aws deploy create-deployment` with a new task definition: CodeDeploy creates the replacement task set. */
export const codeDeployCreate =
  (service: string, td = newOf(service), appSpecInS3 = false): Step =>
  (a) => {
    const cd = codeDeployOf(a, service);
    const s = a.service(service);
    const d: FakeCodeDeployment = {
      id: codeDeployId(),
      status: 'InProgress',
      createdAt: Date.now(),
      events: CODE_DEPLOY_EVENTS.map((name) => ({ name, status: 'Pending' })),
      weights: { Blue: 100, Green: 0 },
      ...(appSpecInS3 ? { appSpecS3: { bucket: 'shop-deploys', key: `${service}/appspec.yaml` } } : { appSpec: appSpecOf(service, td) }),
    };
    cd.deployments.unshift(d);
    lifecycle(a, service, 'BeforeInstall', 'Succeeded');
    lifecycle(a, service, 'Install', 'InProgress');
    s.taskSets?.push({
      id: `ecs-svc/${nextId()}${nextId()}`,
      status: 'ACTIVE',
      td,
      externalId: d.id,
      desired: s.desiredCount,
      running: 0,
      pending: s.desiredCount,
      createdAt: Date.now(),
      targetGroup: tgArn(`${service}-green`),
    });
  };

/** The green tasks run and register with the other target group; the install hooks pass; test traffic goes to green. */
export const codeDeployInstall =
  (service: string, td = newOf(service)): Step =>
  (a) => {
    const set = greenSetOf(a, service);
    if (!set) return;
    const dep = { ...(a.service(service).deployments[0] as FakeDeployment), id: set.id, td };
    for (let i = 0; i < set.desired; i++) {
      const t = addTask(a, service, dep, 'RUNNING');
      a.targets.get(set.targetGroup)?.push({ id: t.ip, port: 8080, state: 'healthy' });
    }
    set.running = set.desired;
    set.pending = 0;
    lifecycle(a, service, 'Install', 'Succeeded');
    lifecycle(a, service, 'AfterInstall', 'Succeeded');
    lifecycle(a, service, 'AllowTestTraffic', 'Succeeded');
    lifecycle(a, service, 'AfterAllowTestTraffic', 'InProgress');
  };

/** The test-traffic hook passes; production traffic starts to move. */
export const codeDeployAllowTraffic =
  (service: string, green = 0): Step =>
  (a) => {
    lifecycle(a, service, 'AfterAllowTestTraffic', 'Succeeded');
    lifecycle(a, service, 'BeforeAllowTraffic', 'Succeeded');
    lifecycle(a, service, 'AllowTraffic', 'InProgress');
    latestOf(a, service).weights = { Blue: 100 - green, Green: green };
  };

/** All production traffic on green: AllowTraffic done, green is PRIMARY; the termination wait begins. */
export const codeDeployRerouted =
  (service: string): Step =>
  (a) => {
    const d = latestOf(a, service);
    d.weights = { Blue: 0, Green: 100 };
    lifecycle(a, service, 'AllowTraffic', 'Succeeded');
    lifecycle(a, service, 'AfterAllowTraffic', 'Succeeded');
    for (const t of a.service(service).taskSets ?? []) t.status = t.externalId === d.id ? 'PRIMARY' : 'ACTIVE';
  };

/** The termination wait is over: the original task set goes, and CodeDeploy calls the deployment done. */
export const codeDeploySucceed =
  (service: string, oldTd = oldOf(service)): Step =>
  (a) => {
    const s = a.service(service);
    const d = latestOf(a, service);
    for (const t of tasksOf(a, service, oldTd))
      Object.assign(t, { desiredStatus: 'STOPPED', lastStatus: 'STOPPED', stoppedAt: Date.now(), stopCode: 'ServiceSchedulerInitiated' });
    s.taskSets = (s.taskSets ?? []).filter((t) => t.externalId === d.id);
    d.status = 'Succeeded';
    d.completedAt = Date.now();
  };

/** A lifecycle hook (a Lambda function) reports Failed: CodeDeploy fails the deployment and rolls back. */
export const codeDeployHookFails =
  (service: string, event = 'AfterAllowTestTraffic'): Step =>
  (a) => {
    const d = latestOf(a, service);
    const e = d.events.find((x) => x.name === event);
    a.printLambdaLogs(`${service}-${event}`, HOOK_LOG);
    // No published answer shows an ECS hook event's diagnostics: none are given, and CodeDeploy's
    // error is its real, generic one (a 2026 capture of HOOK_EXECUTION_FAILURE; the CodeDeploy user
    // guide, troubleshooting-ecs.html#troubleshooting-ecs-lifecycle), which names no function.
    if (e) {
      e.status = 'Failed';
      e.end = Date.now();
    }
    d.status = 'Failed';
    d.completedAt = Date.now();
    d.error = {
      code: 'HOOK_EXECUTION_FAILURE',
      message: 'The deployment failed because one or more of the lifecycle event validation functions failed.',
    };
    d.rollback = { rollbackDeploymentId: codeDeployId(), rollbackMessage: 'Automatic rollback triggered by a failed lifecycle event.' };
    d.weights = { Blue: 100, Green: 0 };
    const s = a.service(service);
    s.taskSets = (s.taskSets ?? []).filter((t) => t.externalId !== d.id).map((t) => ({ ...t, status: 'PRIMARY' }));
  };

/** Someone stops the deployment during the termination wait, with rollback: traffic returns to the original task set. */
export const codeDeployStop =
  (service: string): Step =>
  (a) => {
    const d = latestOf(a, service);
    d.status = 'Stopped';
    d.completedAt = Date.now();
    d.error = { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user.' };
    d.rollback = { rollbackDeploymentId: codeDeployId(), rollbackMessage: 'Rolled back to the original task set at the user\u2019s request.' };
    d.weights = { Blue: 100, Green: 0 };
    const s = a.service(service);
    s.taskSets = (s.taskSets ?? []).filter((t) => t.externalId !== d.id).map((t) => ({ ...t, status: 'PRIMARY' }));
  };
