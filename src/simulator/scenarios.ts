// Realistic rolling updates for the fake account, one step per poll (DescribeServices call). The
// steps follow the order ECS really goes through (see shared/aws-samples service-events timelines):
// new tasks provision, run, register (initial → healthy); old targets drain; old tasks stop.
import { CLUSTER, FakeAccount, type FakeDeployment, type FakeTask, tdArn, tgArn } from './fake-aws.ts';

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

function addTask(a: FakeAccount, service: string, dep: FakeDeployment, lastStatus: string, targetState?: string): FakeTask {
  const t: FakeTask = { id: nextId() + nextId() + nextId() + nextId(), service, td: dep.td, ip: nextIp(), deploymentId: dep.id, lastStatus, desiredStatus: 'RUNNING', startedAt: Date.now() };
  a.tasks.set(t.id, t);
  if (targetState) for (const tg of a.service(service).targetGroups) a.targets.get(tg)?.push({ id: t.ip, port: 8080, state: targetState });
  return t;
}

const tasksOf = (a: FakeAccount, service: string, td: string) => [...a.tasks.values()].filter((t) => t.service === service && t.td === td);
const deploymentOf = (a: FakeAccount, service: string, td: string) => a.service(service).deployments.find((d) => d.td === td) as FakeDeployment;
function setTarget(a: FakeAccount, service: string, ip: string, state: string, reason?: string, description?: string): void {
  for (const tg of a.service(service).targetGroups) {
    const list = a.targets.get(tg) ?? [];
    const t = list.find((x) => x.id === ip);
    if (t) Object.assign(t, { state, reason, description });
    else if (state !== 'gone') list.push({ id: ip, port: 8080, state, reason, description });
    if (state === 'gone') a.targets.set(tg, list.filter((x) => x.id !== ip));
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
export const deploy = (service: string, td = newOf(service)): Step => (a) => {
  const s = a.service(service);
  for (const d of s.deployments) d.status = 'ACTIVE';
  const id = `ecs-svc/${nextId()}${nextId()}`;
  s.deployments.unshift({ id, status: 'PRIMARY', td, desiredCount: s.desiredCount, runningCount: 0, pendingCount: 0, failedTasks: 0, rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${id} in progress.`, createdAt: Date.now() });
};

export const provisionNew = (service: string, td = newOf(service)): Step => (a) => {
  const d = deploymentOf(a, service, td);
  for (let i = tasksOf(a, service, td).filter((t) => t.desiredStatus === 'RUNNING').length; i < d.desiredCount; i++) addTask(a, service, d, 'PROVISIONING');
  sync(a, service);
  a.addEvent(service, `has started ${d.desiredCount} tasks: (task ${tasksOf(a, service, td)[0]?.id}).`);
};

export const runNew = (service: string, td = newOf(service)): Step => (a) => {
  for (const t of tasksOf(a, service, td)) if (t.desiredStatus === 'RUNNING') t.lastStatus = 'RUNNING';
  for (const t of tasksOf(a, service, td)) if (t.desiredStatus === 'RUNNING') setTarget(a, service, t.ip, 'initial', 'Elb.RegistrationInProgress', 'Target registration is in progress');
  sync(a, service);
  a.addEvent(service, 'registered 2 targets in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-api/73e2d6bc24d8a067)');
};

export const healthyNew = (service: string, td = newOf(service)): Step => (a) => {
  for (const t of tasksOf(a, service, td)) if (t.desiredStatus === 'RUNNING') setTarget(a, service, t.ip, 'healthy');
};

export const unhealthyNew = (service: string, td = newOf(service)): Step => (a) => {
  for (const t of tasksOf(a, service, td)) {
    if (t.desiredStatus === 'RUNNING') setTarget(a, service, t.ip, 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]');
  }
};

/** ECS scales the old deployment to zero: its targets drain, its tasks are told to stop. */
export const drainOld = (service: string, td = oldOf(service)): Step => (a) => {
  const d = deploymentOf(a, service, td);
  d.desiredCount = 0;
  for (const t of tasksOf(a, service, td)) {
    t.desiredStatus = 'STOPPED';
    setTarget(a, service, t.ip, 'draining', 'Target.DeregistrationInProgress', 'Target deregistration is in progress');
  }
  sync(a, service);
  a.addEvent(service, `has stopped ${tasksOf(a, service, td).length} running tasks.`);
  a.addEvent(service, `(service ${service}, taskSet ${d.id}) has begun draining connections on 2 tasks.`);
};

/** Deregistration delay over: old targets gone, old tasks stopped, ECS calls the deployment done. */
export const retireOld = (service: string, td = oldOf(service), newTd = newOf(service)): Step => (a) => {
  for (const t of tasksOf(a, service, td)) {
    t.lastStatus = 'STOPPED';
    t.stoppedAt = Date.now();
    t.stopCode = 'ServiceSchedulerInitiated';
    t.stoppedReason = 'Scaling activity initiated by (deployment ecs-svc/new)';
    setTarget(a, service, t.ip, 'gone');
  }
  const s = a.service(service);
  s.deployments = s.deployments.filter((d) => d.td !== td);
  const n = deploymentOf(a, service, newTd);
  n.rolloutState = 'COMPLETED';
  n.rolloutStateReason = `ECS deployment ${n.id} completed.`;
  sync(a, service);
  a.addEvent(service, `(deployment ${n.id}) deployment completed.`);
  a.addEvent(service, 'has reached a steady state.');
};

/** New tasks crash: stopped with an exit code; ECS counts failed tasks. */
export const crashNew = (service: string, td = newOf(service)): Step => (a) => {
  const d = deploymentOf(a, service, td);
  for (const t of tasksOf(a, service, td)) {
    if (t.desiredStatus !== 'RUNNING') continue;
    Object.assign(t, {
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      exitCode: 1,
      stoppedAt: Date.now(),
    });
    setTarget(a, service, t.ip, 'gone');
    d.failedTasks++;
  }
  sync(a, service);
};

/** The circuit breaker trips and rolls back to the old task definition. */
export const circuitBreak = (service: string, td = newOf(service), oldTd = oldOf(service)): Step => (a) => {
  const s = a.service(service);
  const failed = deploymentOf(a, service, td);
  const old = deploymentOf(a, service, oldTd);
  failed.status = 'ACTIVE';
  failed.rolloutState = 'FAILED';
  failed.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  failed.desiredCount = 0;
  s.deployments = s.deployments.filter((d) => d !== old);
  const id = `ecs-svc/${nextId()}${nextId()}`;
  s.deployments.unshift({ ...old, id, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${old.id}.`, createdAt: Date.now() });
  for (const t of tasksOf(a, service, oldTd)) t.deploymentId = id;
  a.addEvent(service, `(deployment ${failed.id}) deployment failed: tasks failed to start.`);
  a.addEvent(service, `rolling back to deployment ${old.id}.`);
};

export const noop: Step = () => {};

/** The circuit breaker's rollback finishes: the old revision is PRIMARY and COMPLETED again. */
export const completeRollback = (service: string, td = newOf(service)): Step => (a) => {
  const s = a.service(service);
  s.deployments = s.deployments.filter((d) => d.td !== td);
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  if (primary) {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    a.addEvent(service, `(deployment ${primary.id}) deployment completed.`);
  }
  a.addEvent(service, 'has reached a steady state.');
};

/** Records when a named moment of the scenario happened (the bench measures lags from it). */
export const mark = (name: string): Step => (a) => {
  a.marks.set(name, Date.now());
};

export const all = (...steps: Step[]): Step => (a) => {
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
