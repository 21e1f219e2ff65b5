// The judge of rolling updates (judge.ts), and the verdict over every service of a run (used by the
// reducer, step.ts): from snapshots of ECS and the load balancer, how far a rollout has got and
// whether it has ended. Pure functions only: no clock, no I/O, no SDK types.
//
// "Live" is stricter than ECS's own "steady state" (which `aws ecs wait services-stable` and most
// tools report): ECS says COMPLETED while old targets still drain and after a rollback too. We say
// live only when every target that can still receive new requests belongs to a healthy task of the
// new task definition, and no task of another task definition is still meant to run.
import type { DeploymentSnapshot, ServiceSnapshot, TargetGroupSnapshot, TargetSnapshot, TaskSnapshot } from './snapshot.ts';
import { isDraining, targetKey } from './snapshot.ts';
import { sameTaskDefinition, shortName, type TaskDefinitionRef } from './task-definition.ts';

/** Progress of one service's rollout, in the order it happens. */
export const PHASES = ['waiting', 'starting', 'registering', 'cutting_over', 'live', 'retired'] as const;
export type Phase = (typeof PHASES)[number];
/** `no_tasks`: the service wants no tasks (desired count 0), so the new revision runs nowhere yet. */
export type ServiceStatus = Phase | 'failed' | 'superseded' | 'no_tasks';

export const PHASE_LABELS: Record<Phase, string> = {
  waiting: 'waiting for the deployment to appear',
  starting: 'new tasks starting',
  registering: 'waiting for healthy targets',
  cutting_over: 'cutting traffic over',
  live: 'live, old version draining',
  retired: 'live, old version retired',
};

/** What the watch remembers about one service between polls. */
export interface ServiceWatch {
  service: string;
  /** What the user asked to watch; undefined: the PRIMARY deployment at the first poll. */
  requested?: TaskDefinitionRef;
  deploymentId?: string;
  deploymentCreatedAt?: number;
  taskDefinitionArn?: string;
  status: ServiceStatus;
  /** When each phase was first reached (epoch ms). */
  reachedAt: Partial<Record<Phase, number>>;
  /** Why it failed, when it did. */
  reason?: string;
  /** `family:revision` of the deployment that took over. */
  supersededBy?: string;
  /** Task definitions of the deployments ours replaces: going back to one of them is a rollback. */
  previousTaskDefinitions?: string[];
  /** Traffic shifting: the service deployment we follow. */
  serviceDeploymentArn?: string;
  /** Traffic shifting: the load balancer has been seen sending all production traffic to the new revision. */
  productionOnNew?: boolean;
  /** Traffic shifting: the new revision's target groups have been seen with every task healthy. */
  newTargetsHealthy?: boolean;
  /** Traffic shifting: when the bake began (epoch ms), for "rollback possible until". */
  bakeStartedAt?: number;
  /** CodeDeploy: our (replacement) task set, and the CodeDeploy deployment that created it. */
  taskSetId?: string;
  codeDeployId?: string;
}

export interface Progress {
  desired: number;
  /** New tasks whose last status is RUNNING. */
  running: number;
  /** New tasks RUNNING and, where the task definition has container health checks, HEALTHY. */
  ready: number;
  /** Per target group, the fewest new tasks with a healthy target; equals `ready` without target groups. */
  healthyTargets: number;
  targetGroups: number;
  /** Tasks of another task definition whose desired status is still RUNNING. */
  oldTasks: number;
  /** Targets that are not draining but not (yet) healthy targets of ready new tasks: block live. */
  otherTargets: number;
  /** Of those, the targets of old tasks: they still get new requests. */
  oldTargets: number;
  draining: number;
  /** Old tasks told to stop that have not stopped yet. */
  oldTasksStopping: number;
}

export interface ServiceAssessment {
  watch: ServiceWatch;
  progress: Progress;
  /** The freshest, distinct reasons why the rollout is not (yet) live. */
  causes: string[];
  /** New tasks keep stopping the same way before ECS has decided: a warning, not an outcome. */
  crashLoop?: CrashLoop;
  /** Traffic-shifting deployments: their stage, traffic share, bake and hooks (traffic.ts). */
  shift?: ShiftView;
  /** When the next step should be reached, from the target groups' settings. */
  eta?: Eta;
}

/** An estimate: when targets should turn healthy, or the old version retire, and from what. */
export interface Eta {
  what: 'healthy' | 'retired';
  /** Epoch ms. */
  at: number;
  /** What it is estimated from, e.g. "deregistration delay 300 s". */
  basis: string;
}

/** How a traffic-shifting deployment stands, for the message and the log. */
export interface ShiftView {
  /** BLUE_GREEN, LINEAR or CANARY. */
  strategy: string;
  /** CODE_DEPLOY for CodeDeploy blue/green (ECS-native otherwise). */
  controller?: 'CODE_DEPLOY';
  /** The CodeDeploy deployment ID and its console page. */
  deploymentId?: string;
  consoleUrl?: string;
  /** CodeDeploy: until when it keeps the original task set (its termination wait), epoch ms. */
  keptUntil?: number;
  /** ECS's lifecycle stage, e.g. PRODUCTION_TRAFFIC_SHIFT. */
  stage?: string;
  /** Percent of production traffic on the new revision: the load balancer's when read, else ECS's plan. */
  production?: number;
  /** Percent of test traffic on the new revision, while there is some. */
  test?: number;
  /** The production shares the strategy moves through, e.g. [25, 50, 75, 100]; [100] for blue/green. */
  steps: number[];
  /** Until when ECS may still roll back (the end of the bake), epoch ms. */
  bakeUntil?: number;
  /** A lifecycle hook still deciding: a Lambda running, or a PAUSE awaiting someone's go-ahead. */
  hook?: { id: string; targetType: string; status: string; expiresAt?: number };
  requested: number;
  running: number;
  /** Healthy targets of the new revision, when read this poll. */
  healthy?: number;
}

/** New tasks that stopped the same way, before the rollout went live. */
export interface CrashLoop {
  /** How they stopped, briefly: an exit code, or the stop reason. */
  what: string;
  times: number;
  /** The tasks of the deployment ECS counts as failed (what its circuit breaker counts). */
  failedTasks: number;
  /** Whether the service's deployment circuit breaker is on; undefined when the answer does not say. */
  circuitBreaker?: boolean;
  /** Its failure count and the threshold at which it trips, when known. */
  breaker?: { failureCount: number; threshold: number };
}

/** New tasks must stop the same way this many times before it is called a crash loop. */
export const CRASH_LOOP_AFTER = 2;

export interface Clock {
  now: number;
  /** When the watch started. */
  startedAt: number;
  /** How long a requested deployment may take to show up in DescribeServices. */
  graceMs: number;
  /** CRASH_LOOP_LIMIT: after this many same stops of new tasks, fail without waiting for ECS. */
  crashLoopLimit?: number;
}

export function newWatch(service: string, requested?: TaskDefinitionRef): ServiceWatch {
  return { service, requested, status: 'waiting', reachedAt: {} };
}

export function isFinal(status: ServiceStatus): boolean {
  return status === 'failed' || status === 'superseded' || status === 'retired' || status === 'no_tasks';
}

export const EMPTY_PROGRESS: Progress = {
  desired: 0,
  running: 0,
  ready: 0,
  healthyTargets: 0,
  targetGroups: 0,
  oldTasks: 0,
  otherTargets: 0,
  oldTargets: 0,
  draining: 0,
  oldTasksStopping: 0,
};

/** One poll's step for one service: the previous watch and a fresh snapshot in, the next watch out. */
export function assessService(prev: ServiceWatch, snap: ServiceSnapshot, clock: Clock): ServiceAssessment {
  if (isFinal(prev.status)) return { watch: prev, progress: EMPTY_PROGRESS, causes: [] };
  const end = (status: 'failed' | 'superseded' | 'no_tasks', fields: Partial<ServiceWatch>, progress = EMPTY_PROGRESS, causes: string[] = []) => ({
    watch: { ...prev, ...fields, status },
    progress,
    causes,
  });

  const gone = deletedReason(snap);
  if (gone) return end('failed', { reason: gone });

  const found = findDeployment(prev, snap);
  if (!found) {
    if (prev.deploymentId) return lostDeployment(prev, snap, end);
    const primary = primaryOf(snap);
    if (clock.now - clock.startedAt < clock.graceMs) {
      return { watch: reach({ ...prev, status: 'waiting' }, 'waiting', clock.now), progress: EMPTY_PROGRESS, causes: [] };
    }
    return end('failed', { reason: notAppeared(prev, snap.name, clock, primary?.taskDefinitionArn) });
  }

  const deployment = found;
  const watch: ServiceWatch = {
    ...prev,
    deploymentId: deployment.id,
    deploymentCreatedAt: deployment.createdAt,
    taskDefinitionArn: deployment.taskDefinitionArn,
    previousTaskDefinitions: [
      ...new Set([
        ...(prev.previousTaskDefinitions ?? []),
        ...snap.deployments
          .filter((d) => d.createdAt < deployment.createdAt && d.taskDefinitionArn !== deployment.taskDefinitionArn)
          .map((d) => d.taskDefinitionArn),
      ]),
    ],
  };
  const progress = measure(deployment, snap);
  const causes = causesOf(deployment, snap, clock);

  if (deployment.rolloutState === 'FAILED') {
    return end('failed', { ...watch, reason: withAlarms(deployment.rolloutStateReason ?? 'the deployment failed', snap) }, progress, causes);
  }
  if (deployment.status !== 'PRIMARY') {
    const primary = primaryOf(snap);
    if (primary && isRollbackFrom(watch, primary)) {
      return end('failed', { ...watch, reason: rollbackReason(primary, snap) }, progress, causes);
    }
    if (primary && primary.taskDefinitionArn !== deployment.taskDefinitionArn) {
      return end('superseded', { ...watch, supersededBy: shortName(primary.taskDefinitionArn) }, progress, causes);
    }
  }

  // The service wants no tasks: the new revision will serve nothing until it is scaled up, and
  // "live" would be a lie (every count is trivially met at zero).
  if (snap.desiredCount === 0) {
    return end('no_tasks', watch, progress, causes);
  }

  // A crash loop matters only before live: after it, a replaced task is ECS healing the service.
  const crashLoop = watch.reachedAt.live === undefined ? crashLoopOf(deployment, snap) : undefined;
  if (crashLoop && clock.crashLoopLimit !== undefined && crashLoop.times >= clock.crashLoopLimit) {
    return end('failed', { ...watch, reason: crashLoopReason(crashLoop) }, progress, causes);
  }

  // Once traffic has cut over, ECS replacing a task (self-healing) does not undo "live".
  const measured = phaseOf(progress);
  const phase = watch.reachedAt.live !== undefined && PHASES.indexOf(measured) < PHASES.indexOf('live') ? 'live' : measured;
  const reached = reach({ ...watch, status: phase }, phase, clock.now);
  const eta = etaOf(reached, snap, clock.now);
  return { watch: reached, progress, causes, ...(crashLoop ? { crashLoop } : {}), ...(eta ? { eta } : {}) };
}

/**
 * When the next step of a rolling update should happen, from the slowest target group: new targets
 * turn healthy after the healthy threshold of health checks (not before the service's grace period
 * ends), old ones leave after the deregistration delay. Counted from when the phase began; an
 * estimate that has passed is not shown.
 */
export function etaOf(watch: ServiceWatch, snap: ServiceSnapshot, now: number): Eta | undefined {
  const settings = snap.targetGroups.flatMap((g) => (g.settings ? [g.settings] : []));
  const eta = (what: Eta['what'], since: number | undefined, seconds: number, basis: string): Eta | undefined => {
    if (since === undefined || !(seconds > 0)) return undefined;
    const at = since + seconds * MS_PER_SECOND;
    return at > now ? { what, at, basis } : undefined;
  };
  if (watch.status === 'registering') {
    const checks = settings.map((g) => (g.healthCheckIntervalSeconds ?? 0) * (g.healthyThresholdCount ?? 0));
    const slowest = settings[checks.indexOf(Math.max(...checks))];
    if (!slowest) return undefined;
    const grace = snap.healthCheckGracePeriodSeconds ?? 0;
    const basis = `health checks ${slowest.healthyThresholdCount} × ${slowest.healthCheckIntervalSeconds} s${grace ? `, grace period ${grace} s` : ''}`;
    return eta('healthy', watch.reachedAt.registering, Math.max(...checks, grace), basis);
  }
  if (watch.status === 'live') {
    const delay = Math.max(0, ...settings.map((g) => g.deregistrationDelaySeconds ?? 0));
    return eta('retired', watch.reachedAt.live, delay, `deregistration delay ${delay} s`);
  }
  return undefined;
}

const MS_PER_SECOND = 1000;

/** Why a watch fails when its service is deleted (INACTIVE) or being deleted (DRAINING). */
export function deletedReason(snap: Pick<ServiceSnapshot, 'name' | 'status'>): string | undefined {
  return snap.status === 'ACTIVE' ? undefined : `service ${snap.name} is ${snap.status.toLowerCase()} (deleted or being deleted)`;
}

/** How a traffic-shifting judge ends a watch with a final status (retired also marks the phase reached). */
export function ending(clock: Pick<Clock, 'now'>) {
  return (status: 'failed' | 'superseded' | 'no_tasks' | 'retired', watch: ServiceWatch, progress = EMPTY_PROGRESS, causes: string[] = [], shift?: ShiftView): ServiceAssessment => ({
    watch: status === 'retired' ? reach({ ...watch, status }, 'retired', clock.now) : { ...watch, status },
    progress,
    causes,
    ...(shift ? { shift } : {}),
  });
}

/** Why a watch fails when the requested deployment never showed up within the grace period. */
export function notAppeared(prev: ServiceWatch, service: string, clock: Pick<Clock, 'graceMs'>, runningTaskDefinition?: string): string {
  const wanted = prev.requested ? `${prev.requested.family}:${prev.requested.revision}` : 'the requested task definition';
  return `no deployment of ${wanted} appeared in service ${service} within ${Math.round(clock.graceMs / 1000)} s${
    runningTaskDefinition ? `; its primary deployment runs ${shortName(runningTaskDefinition)}` : ''
  }. Was the service updated?`;
}

/**
 * The commonest way new tasks stopped, when it happened at least CRASH_LOOP_AFTER times: ECS
 * starts them again and again, and without a circuit breaker would do so until WAIT_TIMEOUT.
 */
export function crashLoopOf(deployment: Pick<DeploymentSnapshot, 'taskDefinitionArn' | 'failedTasks'>, snap: ServiceSnapshot): CrashLoop | undefined {
  const counts = new Map<string, number>();
  for (const t of snap.tasks) {
    if (t.taskDefinitionArn !== deployment.taskDefinitionArn || t.lastStatus !== 'STOPPED') continue;
    const what = briefStop(t);
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  const [what, times] = [...counts].reduce<[string, number]>((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  if (times < CRASH_LOOP_AFTER) return undefined;
  const count = snap.breakerCount;
  const breaker = count?.failureCount !== undefined && count.threshold !== undefined ? { failureCount: count.failureCount, threshold: count.threshold } : undefined;
  return { what, times, failedTasks: deployment.failedTasks, circuitBreaker: snap.circuitBreaker?.enable, ...(breaker ? { breaker } : {}) };
}

/** A new task that stopped: where to read what its container printed last. */
export interface StoppedTask {
  taskArn: string;
  taskDefinitionArn: string;
  /** The container that exited non-zero (or with a reason); else the first one. */
  container: string;
  /** How it stopped, briefly: "exit code 1", or the stop reason. */
  what: string;
  stoppedAt?: number;
}

/** The newest stopped task of `taskDefinitionArn` for each distinct way of stopping, newest first. */
export function distinctStops(taskDefinitionArn: string, snap: ServiceSnapshot): StoppedTask[] {
  const seen = new Set<string>();
  const out: StoppedTask[] = [];
  const stopped = snap.tasks.filter((t) => t.taskDefinitionArn === taskDefinitionArn && t.lastStatus === 'STOPPED').sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0));
  for (const t of stopped) {
    const what = briefStop(t);
    if (seen.has(what)) continue;
    seen.add(what);
    const culprit = t.containers.find((c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason) ?? t.containers[0];
    if (culprit) out.push({ taskArn: t.arn, taskDefinitionArn, container: culprit.name, what, ...(t.stoppedAt !== undefined ? { stoppedAt: t.stoppedAt } : {}) });
  }
  return out;
}

/** "exit code 1" when a container exited with one, else the stop reason. */
function briefStop(t: TaskSnapshot): string {
  const exit = t.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  if (exit?.exitCode !== undefined) return `exit code ${exit.exitCode}`;
  return t.stoppedReason ?? t.stopCode ?? 'no reason given';
}

/** The warning the message shows while ECS has not decided. */
export function crashLoopWarning(loop: CrashLoop): string {
  const on = loop.breaker ? `; circuit breaker ${loop.breaker.failureCount} of ${loop.breaker.threshold}` : '; circuit breaker on';
  const breaker = loop.circuitBreaker === undefined ? '' : loop.circuitBreaker ? on : '; circuit breaker off: ECS retries until WAIT_TIMEOUT';
  return `new tasks keep crashing: ${loop.what}, ${loop.times} times (ECS counts ${loop.failedTasks} failed task${loop.failedTasks === 1 ? '' : 's'}${breaker})`;
}

export function crashLoopReason(loop: CrashLoop): string {
  const breaker =
    loop.circuitBreaker === false ? "ECS's deployment circuit breaker is disabled" : "ECS's deployment circuit breaker had not tripped";
  return `new tasks kept crashing (${loop.what}, ${loop.times} times, CRASH_LOOP_LIMIT reached); ${breaker}, so the deployment may still be running`;
}

export function reach(watch: ServiceWatch, phase: Phase, now: number): ServiceWatch {
  if (watch.reachedAt[phase] !== undefined) return watch;
  // Reaching a phase implies the earlier ones, even when one poll skipped past them.
  const reachedAt = { ...watch.reachedAt };
  for (const p of PHASES.slice(0, PHASES.indexOf(phase) + 1)) reachedAt[p] ??= now;
  return { ...watch, reachedAt };
}

function primaryOf(snap: ServiceSnapshot): DeploymentSnapshot | undefined {
  return snap.deployments.find((d) => d.status === 'PRIMARY');
}

/** Circuit breaker and alarm rollbacks say so in the new PRIMARY's rollout reason. */
function isRollback(d: DeploymentSnapshot): boolean {
  return /rolling back/i.test(d.rolloutStateReason ?? '');
}

/**
 * A rollback is a new PRIMARY that says so (circuit breaker, alarms) or that goes back to a task
 * definition our deployment replaced, which is what a rollback looks like once ECS has finished it.
 */
function isRollbackFrom(watch: ServiceWatch, primary: DeploymentSnapshot): boolean {
  return isRollback(primary) || (watch.previousTaskDefinitions ?? []).includes(primary.taskDefinitionArn);
}

function rollbackReason(primary: DeploymentSnapshot, snap: Pick<ServiceSnapshot, 'triggeredAlarms'>): string {
  return withAlarms(isRollback(primary) && primary.rolloutStateReason ? primary.rolloutStateReason : `rolled back to ${shortName(primary.taskDefinitionArn)}`, snap);
}

/** A failure's reason with the alarms that triggered the rollback, when the reader found them. */
function withAlarms(reason: string, snap: Pick<ServiceSnapshot, 'triggeredAlarms'>): string {
  const alarms = snap.triggeredAlarms ?? [];
  return alarms.length ? `${reason} (alarm${alarms.length > 1 ? 's' : ''} ${alarms.join(', ')})` : reason;
}

function newest(deployments: DeploymentSnapshot[]): DeploymentSnapshot | undefined {
  return deployments.reduce<DeploymentSnapshot | undefined>((a, d) => (!a || d.createdAt > a.createdAt ? d : a), undefined);
}

function findDeployment(watch: ServiceWatch, snap: ServiceSnapshot): DeploymentSnapshot | undefined {
  if (watch.deploymentId) {
    const pinned = snap.deployments.find((d) => d.id === watch.deploymentId);
    if (pinned) return pinned;
    // A newer deployment of the same task definition (force-new-deployment) runs the same code:
    // follow it rather than calling ours superseded.
    return newest(
      snap.deployments.filter(
        (d) => d.taskDefinitionArn === watch.taskDefinitionArn && d.createdAt > (watch.deploymentCreatedAt ?? 0) && !isRollback(d),
      ),
    );
  }
  if (watch.requested) {
    const requested = watch.requested;
    return newest(snap.deployments.filter((d) => sameTaskDefinition(d.taskDefinitionArn, requested)));
  }
  return primaryOf(snap);
}

/** Our deployment is no longer listed: it failed and was rolled back, or a newer one replaced it. */
function lostDeployment(
  prev: ServiceWatch,
  snap: ServiceSnapshot,
  end: (status: 'failed' | 'superseded', fields: Partial<ServiceWatch>) => ServiceAssessment,
): ServiceAssessment {
  const primary = primaryOf(snap);
  const failedEvent = snap.events.find((e) => e.message.includes(`(deployment ${prev.deploymentId}) deployment failed`));
  if (failedEvent) return end('failed', { reason: stripServicePrefix(failedEvent.message) });
  if (primary && isRollbackFrom(prev, primary)) return end('failed', { reason: rollbackReason(primary, snap) });
  return end('superseded', { supersededBy: primary ? shortName(primary.taskDefinitionArn) : 'another deployment' });
}

function measure(deployment: DeploymentSnapshot, snap: ServiceSnapshot): Progress {
  const td = deployment.taskDefinitionArn;
  const meantToRun = snap.tasks.filter((t) => t.desiredStatus === 'RUNNING');
  const fresh = meantToRun.filter((t) => t.taskDefinitionArn === td);
  const running = fresh.filter((t) => t.lastStatus === 'RUNNING');
  // Container health checks gate readiness only where the task definition has them; a task without
  // any reports UNKNOWN forever.
  const checked = snap.healthChecks[td] ?? running.some((t) => t.healthStatus === 'HEALTHY' || t.healthStatus === 'UNHEALTHY');
  const ready = running.filter((t) => !checked || t.healthStatus === 'HEALTHY');
  const readyKeys = new Set(ready.flatMap((t) => t.targetKeys));
  const freshKeys = new Set(fresh.flatMap((t) => t.targetKeys));
  const old = snap.tasks.filter((t) => t.taskDefinitionArn !== td);

  let healthyTargets = snap.targetGroups.length ? Number.POSITIVE_INFINITY : ready.length;
  let otherTargets = 0;
  let oldTargets = 0;
  let draining = 0;
  for (const group of snap.targetGroups) {
    const healthyNew = new Set<string>();
    for (const target of group.targets) {
      const key = targetKey(target);
      if (isDraining(target)) draining++;
      else if (target.state === 'unused') continue; // not attached to a listener: gets no traffic
      else if (target.state === 'healthy' && readyKeys.has(key)) healthyNew.add(key);
      else {
        otherTargets++;
        if (!freshKeys.has(key)) oldTargets++;
      }
    }
    healthyTargets = Math.min(healthyTargets, healthyNew.size);
  }

  return {
    desired: snap.desiredCount,
    running: running.length,
    ready: ready.length,
    healthyTargets,
    targetGroups: snap.targetGroups.length,
    oldTasks: old.filter((t) => t.desiredStatus === 'RUNNING').length,
    otherTargets,
    oldTargets,
    draining,
    oldTasksStopping: old.filter((t) => t.desiredStatus !== 'RUNNING' && t.lastStatus !== 'STOPPED').length,
  };
}

function phaseOf(p: Progress): Phase {
  if (p.ready < p.desired) return 'starting';
  if (p.healthyTargets < p.desired) return 'registering';
  if (p.oldTasks > 0 || p.otherTargets > 0) return 'cutting_over';
  if (p.draining > 0 || p.oldTasksStopping > 0) return 'live';
  return 'retired';
}

/** Problem events kept as causes: the newest distinct ones (ECS repeats them every few minutes). */
const PROBLEM_EVENTS_SHOWN = 3;

// Service event messages worth showing when a rollout stalls or fails (not a documented format,
// so matched loosely; everything else, like "has started 1 tasks", is routine).
const PROBLEM_EVENT = /unable to|failed|unhealthy|rolling back|error|insufficient|throttl|denied|cannot|timed out/i;

export function causesOf(deployment: Pick<DeploymentSnapshot, 'taskDefinitionArn' | 'createdAt'>, snap: ServiceSnapshot, clock: Pick<Clock, 'startedAt'>): string[] {
  const causes: string[] = [];
  const td = deployment.taskDefinitionArn;
  const newKeys = new Set(snap.tasks.filter((t) => t.taskDefinitionArn === td).flatMap((t) => t.targetKeys));

  // Unhealthy targets of new tasks: the load balancer's reason code says why.
  for (const group of snap.targetGroups) causes.push(...unhealthyTargetCauses(group, (t) => newKeys.has(targetKey(t))));

  // Stopped tasks of the new task definition, newest first, grouped by their reason.
  const stopped = snap.tasks
    .filter((t) => t.taskDefinitionArn === td && t.lastStatus === 'STOPPED')
    .sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0));
  const stopCounts = new Map<string, number>();
  for (const t of stopped) {
    const text = describeStop(t);
    stopCounts.set(text, (stopCounts.get(text) ?? 0) + 1);
  }
  for (const [text, n] of stopCounts) causes.push(`${n > 1 ? `${n} tasks` : 'task'} stopped: ${text}`);

  for (const t of snap.tasks) {
    if (t.taskDefinitionArn === td && t.desiredStatus === 'RUNNING' && t.healthStatus === 'UNHEALTHY') {
      const sick = t.containers.filter((c) => c.healthStatus === 'UNHEALTHY').map((c) => c.name);
      causes.push(`task ${taskId(t.arn)} is UNHEALTHY${sick.length ? ` (container health check failing: ${sick.join(', ')})` : ''}`);
    }
  }

  // Problem events since the deployment began, newest first.
  const since = Math.min(deployment.createdAt, clock.startedAt);
  const seen = new Set<string>();
  for (const e of snap.events) {
    if (e.createdAt < since || !PROBLEM_EVENT.test(e.message)) continue;
    const text = stripServicePrefix(e.message);
    if (seen.has(text)) continue;
    seen.add(text);
    causes.push(`service event: ${text}`);
    if (seen.size >= PROBLEM_EVENTS_SHOWN) break;
  }
  return [...new Set(causes)];
}

/** The new targets of a group that are not healthy, counted by the load balancer's reason code. */
export function unhealthyTargetCauses(group: TargetGroupSnapshot, isNew: (t: TargetSnapshot) => boolean): string[] {
  const counts = new Map<string, number>();
  for (const t of group.targets) {
    if (!isNew(t) || t.state === 'healthy' || t.state === 'initial' || isDraining(t) || !t.reason) continue;
    const text = `${t.reason}${t.description ? ` (${t.description})` : ''}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => `target group ${targetGroupName(group.arn)}: ${n} new target${n > 1 ? 's' : ''} ${text}`);
}

function describeStop(t: TaskSnapshot): string {
  const exits = t.containers
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map((c) => `${c.name} ${c.exitCode !== undefined ? `exit code ${c.exitCode}` : ''}${c.reason ? `${c.exitCode !== undefined ? ', ' : ''}${c.reason}` : ''}`.trim());
  const head = [t.stopCode, t.stoppedReason].filter(Boolean).join(': ') || 'no reason given';
  return exits.length ? `${head} [${exits.join('; ')}]` : head;
}

export function targetGroupName(arn: string): string {
  return /targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

export function taskId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function stripServicePrefix(message: string): string {
  return message.replace(/^\(service [^)]*\)\s*/, '');
}

export type RolloutStatus = 'rolling_out' | 'live' | 'failed' | 'timed_out' | 'superseded' | 'no_tasks';

export interface RolloutVerdict {
  status: RolloutStatus;
  /** The least advanced phase among services still rolling out (or live). */
  phase: Phase;
  /** Stop watching: the outcome is final (for live: the old version is retired or time is up). */
  done: boolean;
}

/** The whole run's verdict: live when every service is, failed when any fails. */
export function decideRollout(watches: readonly ServiceWatch[], now: number, deadline: number): RolloutVerdict {
  // A service superseded before it went live is no longer ours to report; one superseded after it
  // went live has nothing left to wait for.
  const phases: Phase[] = [];
  for (const w of watches) {
    if (w.status === 'superseded') {
      if (w.reachedAt.live !== undefined) phases.push('retired');
    } else if (w.status !== 'failed' && w.status !== 'no_tasks') phases.push(w.status);
  }
  const phase = phases.reduce<Phase>((a, p) => (PHASES.indexOf(p) < PHASES.indexOf(a) ? p : a), 'retired');
  const timeUp = now >= deadline;
  if (watches.some((w) => w.status === 'failed')) return { status: 'failed', phase, done: true };
  if (phases.length === 0) return { status: watches.every((w) => w.status === 'superseded') ? 'superseded' : 'no_tasks', phase, done: true };
  if (PHASES.indexOf(phase) >= PHASES.indexOf('live')) return { status: 'live', phase, done: phase === 'retired' || timeUp };
  return timeUp ? { status: 'timed_out', phase, done: true } : { status: 'rolling_out', phase, done: false };
}
