// Why a rollout is not (yet) live, from what AWS showed: new tasks that stopped (read once, in one
// pass, for the causes, the crash-loop warning and the log excerpts alike), unhealthy targets with
// the load balancer's reason codes, unhealthy containers and ECS's problem events. Pure.
import { targetGroupName, taskId } from './arn.ts';
import {
  type Cohort,
  inCohort,
  isDraining,
  type ServiceSnapshot,
  type TargetGroupSnapshot,
  type TargetSnapshot,
  type TaskSnapshot,
  targetKey,
} from './snapshot.ts';
import type { Clock, CrashLoop, StopKind, StoppedTask, TrafficGroups } from './vocabulary.ts';

/** New tasks must stop the same way this many times before it is called a crash loop. */
export const CRASH_LOOP_AFTER = 2;
/** Problem events kept as causes: the newest distinct ones (ECS repeats them every few minutes). */
const PROBLEM_EVENTS_SHOWN = 3;
// Service event messages worth showing when a rollout stalls or fails (not a documented format,
// so matched loosely; everything else, like "has started 1 tasks", is routine).
const PROBLEM_EVENT = /unable to|failed|unhealthy|rolling back|error|insufficient|throttl|denied|cannot|timed out/i;

/** The stopped tasks of one task definition, read once. */
export interface Stops {
  /** How many stopped each brief way ("exit code 1", or the stop reason). */
  byWhat: ReadonlyMap<string, number>;
  /** Each brief way of stopping, broadly. */
  kinds: ReadonlyMap<string, StopKind>;
  /** The newest task of each brief way of stopping, newest first (whose logs are worth reading). */
  distinct: StoppedTask[];
  /** One cause line per detailed way of stopping, newest first, with how many stopped so. */
  causes: string[];
}

export const NO_STOPS: Stops = { byWhat: new Map(), kinds: new Map(), distinct: [], causes: [] };

/** The stopped tasks of `cohort` (the new version's), newest first, grouped each way the message needs. */
export function stopsOf(cohort: Cohort | undefined, snap: Pick<ServiceSnapshot, 'tasks'>): Stops {
  if (!cohort) return NO_STOPS;
  const { taskDefinitionArn } = cohort;
  const stopped = snap.tasks.filter((t) => inCohort(t, cohort) && t.lastStatus === 'STOPPED').sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0));
  const byWhat = new Map<string, number>();
  const kinds = new Map<string, StopKind>();
  const detailed = new Map<string, number>();
  const distinct: StoppedTask[] = [];
  for (const t of stopped) {
    const what = briefStop(t);
    if (!byWhat.has(what)) {
      const culprit = t.containers.find((c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason) ?? t.containers[0];
      if (culprit)
        distinct.push({ taskArn: t.arn, taskDefinitionArn, container: culprit.name, what, ...(t.stoppedAt !== undefined ? { stoppedAt: t.stoppedAt } : {}) });
    }
    byWhat.set(what, (byWhat.get(what) ?? 0) + 1);
    kinds.set(what, stopKindOf(t));
    const text = describeStop(t);
    detailed.set(text, (detailed.get(text) ?? 0) + 1);
  }
  const causes = [...detailed].map(([text, n]) => `${n > 1 ? `${n} tasks` : 'task'} stopped: ${text}`);
  return { byWhat, kinds, distinct, causes };
}

/**
 * The commonest way new tasks stopped, when it happened at least CRASH_LOOP_AFTER times: ECS
 * starts them again and again, and without a circuit breaker would do so until WAIT_TIMEOUT.
 */
export function crashLoopOf(
  stops: Stops,
  failedTasks: number,
  snap: Pick<ServiceSnapshot, 'breakerCount' | 'circuitBreaker' | 'earlySuccess' | 'deployments'>,
  cohort: Cohort | undefined,
): CrashLoop | undefined {
  const [what, times] = [...stops.byWhat].reduce<[string, number]>((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  if (times < CRASH_LOOP_AFTER) return undefined;
  const count = snap.breakerCount;
  const breaker =
    count?.failureCount !== undefined && count.threshold !== undefined ? { failureCount: count.failureCount, threshold: count.threshold } : undefined;
  // Early success: ECS already called the deployment done, and its count no longer decides anything.
  const early = snap.deployments.find((d) => d.id === cohort?.deploymentId)?.rolloutState === 'COMPLETED' ? snap.earlySuccess : undefined;
  return {
    what,
    kind: stops.kinds.get(what) ?? 'stopped',
    times,
    failedTasks,
    circuitBreaker: snap.circuitBreaker?.enable,
    ...(breaker ? { breaker } : {}),
    ...(early ? { doneEarlyAt: early.healthyPercent } : {}),
  };
}

/** The warning the message shows while ECS has not decided. */
export function crashLoopWarning(loop: CrashLoop): string {
  const on = loop.breaker ? `; circuit breaker ${loop.breaker.failureCount} of ${loop.breaker.threshold}` : '; circuit breaker on';
  const breaker =
    loop.doneEarlyAt !== undefined
      ? `; ECS called the deployment done at ${loop.doneEarlyAt} % healthy and will not roll it back`
      : loop.circuitBreaker === undefined
        ? ''
        : loop.circuitBreaker
          ? on
          : '; circuit breaker off: ECS retries until WAIT_TIMEOUT';
  return `new tasks ${LOOP_WORDS[loop.kind].now}: ${loop.what}, ${loop.times} times (ECS counts ${loop.failedTasks} failed task${loop.failedTasks === 1 ? '' : 's'}${breaker})`;
}

/** Why the watch fails at CRASH_LOOP_LIMIT. */
export function crashLoopReason(loop: CrashLoop): string {
  const stopped = `new tasks ${LOOP_WORDS[loop.kind].past} (${loop.what}, ${loop.times} times, CRASH_LOOP_LIMIT reached)`;
  if (loop.doneEarlyAt !== undefined)
    return `${stopped}; ECS called the deployment done at ${loop.doneEarlyAt} % healthy (early success criteria), so it will not roll back and keeps replacing them`;
  const breaker = loop.circuitBreaker === false ? "ECS's deployment circuit breaker is disabled" : "ECS's deployment circuit breaker had not tripped";
  return `${stopped}; ${breaker}, so the deployment may still be running`;
}

/**
 * Why the tasks of a deployment (its cohort) are not serving: their unhealthy targets with the load
 * balancer's reason codes, how they stopped, failing container health checks, and ECS's problem
 * events since the deployment began, newest first.
 */
export function causesOf(
  deployment: Cohort & { createdAt: number },
  snap: ServiceSnapshot,
  clock: Pick<Clock, 'startedAt'>,
  stopCauses: readonly string[],
): string[] {
  const causes: string[] = [];
  const ours = snap.tasks.filter((t) => inCohort(t, deployment));
  const newKeys = new Set(ours.flatMap((t) => t.targetKeys));
  for (const group of snap.targetGroups) causes.push(...unhealthyTargetCauses(group, (t) => newKeys.has(targetKey(t))));
  causes.push(...stopCauses);
  for (const t of ours) {
    if (t.desiredStatus === 'RUNNING' && t.healthStatus === 'UNHEALTHY') {
      const sick = t.containers.filter((c) => c.healthStatus === 'UNHEALTHY').map((c) => c.name);
      causes.push(`task ${taskId(t.arn)} is UNHEALTHY${sick.length ? ` (container health check failing: ${sick.join(', ')})` : ''}`);
    }
  }
  const since = Math.min(deployment.createdAt, clock.startedAt);
  const seen = new Set<string>();
  for (const e of snap.events) {
    if (e.createdAt < since || !PROBLEM_EVENT.test(withoutNames(e.message))) continue;
    const text = stripServicePrefix(e.message);
    if (seen.has(text)) continue;
    seen.add(text);
    causes.push(`service event: ${text}`);
    if (seen.size >= PROBLEM_EVENTS_SHOWN) break;
  }
  return [...new Set(causes)];
}

/** The new targets of a group that are not healthy, counted by the load balancer's reason code. */
/**
 * The new version's targets the load balancer's anomaly detection flags (automatic target
 * weights): those of the new groups when the versions have their own, else those of the new tasks.
 */
export function anomalousTargets(
  groups: TrafficGroups | undefined,
  cohort: Cohort | undefined,
  snap: Pick<ServiceSnapshot, 'tasks' | 'targetGroups'>,
): string[] {
  const ours =
    groups?.kind === 'split'
      ? (t: TargetSnapshot, group: string) => groups.fresh.includes(group) && t.anomalous === true
      : (() => {
          const keys = new Set(cohort ? snap.tasks.filter((task) => inCohort(task, cohort)).flatMap((task) => task.targetKeys) : []);
          return (t: TargetSnapshot) => t.anomalous === true && keys.has(targetKey(t));
        })();
  return [...new Set(snap.targetGroups.flatMap((g) => g.targets.filter((t) => ours(t, g.arn)).map((t) => targetKey(t))))];
}

export function unhealthyTargetCauses(group: TargetGroupSnapshot, isNew: (t: TargetSnapshot) => boolean): string[] {
  const counts = new Map<string, number>();
  for (const t of group.targets) {
    if (!isNew(t) || t.state === 'healthy' || t.state === 'initial' || isDraining(t) || !t.reason) continue;
    const text = `${t.reason}${t.description ? ` (${t.description})` : ''}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => `target group ${targetGroupName(group.arn)}: ${n} new target${n > 1 ? 's' : ''} ${text}`);
}

/**
 * What ECS's event says, without the names it quotes: real events begin with `(service NAME)` and
 * name tasks, deployments and target groups in parentheses (service-events-real-timelines.json), so
 * a service named `error-pages` or a group named `payment-failed-worker` must not read as a problem.
 * ECS's own reasons, `(reason …)`, are kept.
 */
export function withoutNames(message: string): string {
  return message.replace(/\((?:service|task|deployment|target-group|port|container-instance|instance) [^)]*\)/g, '');
}

/** An ECS service event without its "(service name)" prefix. */
export function stripServicePrefix(message: string): string {
  return message.replace(/^\(service [^)]*\)\s*/, '');
}

/** How new tasks that keep stopping one way are said to do so, while it goes on and at the end. */
const LOOP_WORDS: Readonly<Record<StopKind, { now: string; past: string }>> = {
  crashed: { now: 'keep crashing', past: 'kept crashing' },
  failed_health_checks: { now: 'keep failing health checks', past: 'kept failing health checks' },
  failed_to_start: { now: 'keep failing to start', past: 'kept failing to start' },
  lost_capacity: {
    now: "keep being stopped on AWS's side (capacity or infrastructure, not an application fault)",
    past: "kept being stopped on AWS's side (capacity or infrastructure, not an application fault)",
  },
  stopped: { now: 'keep stopping', past: 'kept stopping' },
};

/**
 * Stop codes of AWS's side: capacity taken back (Spot interruption, an instance's termination
 * notice) and an infrastructure health issue (InfrastructureHealth), not the application's doing
 * (API_Task.html, stopCode).
 */
const CAPACITY_LOST = new Set(['SpotInterruption', 'TerminationNotice', 'InfrastructureHealth']);
/** ECS's stop reason for a task its load balancer or container health checks failed. */
const HEALTH_CHECKS_FAILED = /failed (ELB|container) health checks/i;

/**
 * Stop reasons of a task whose containers never started, by the prefixes AWS documents for them
 * ("Stopped tasks error codes", stopped-task-error-codes.html): the stop code alone does not always
 * say so, and none of them is a capacity shortage.
 */
const NEVER_STARTED =
  /^(ResourceInitializationError|CannotPullContainerError|CannotStartContainerError|ContainerRuntimeTimeoutError|CannotCreateVolumeError)\b/;

/**
 * Where to look, by the documented prefix of the stop reason. ResourceInitializationError's real
 * texts name secrets and registry auth ("unable to pull secrets or registry auth: execution
 * resource retrieval failed: unable to retrieve secrets from ssm: … context deadline exceeded";
 * stopped-reasons-real.json): the execution role, the secret, or the route to them.
 */
const STOP_HINTS: ReadonlyArray<[RegExp, string]> = [
  [
    /^ResourceInitializationError\b/,
    "not a capacity shortage: check the task execution role's access to the secrets, the registry and the log group, the secrets' names, and a route from the subnets to Secrets Manager, SSM, ECR and CloudWatch Logs (a NAT gateway or VPC endpoints)",
  ],
  [/^CannotPullContainerError\b/, "check the image name and tag, the task execution role's access to the registry, and a route from the subnets to it"],
];

/** What to check for a task that stopped this way, when its reason says. */
function stopHintOf(t: Pick<TaskSnapshot, 'stoppedReason'>): string | undefined {
  return STOP_HINTS.find(([pattern]) => pattern.test(t.stoppedReason ?? ''))?.[1];
}

/** How a task stopped, broadly, from its stop code, stop reason and exit codes (API_Task.html#ECS-Type-Task-stopCode). */
export function stopKindOf(t: Pick<TaskSnapshot, 'stopCode' | 'stoppedReason' | 'containers'>): StopKind {
  if (t.stopCode && CAPACITY_LOST.has(t.stopCode)) return 'lost_capacity';
  if (t.stopCode === 'TaskFailedToStart' || NEVER_STARTED.test(t.stoppedReason ?? '')) return 'failed_to_start';
  // ECS stops a task whose health checks fail with SIGTERM: its exit code 143 is ECS's, not the application's.
  if (HEALTH_CHECKS_FAILED.test(t.stoppedReason ?? '')) return 'failed_health_checks';
  if (t.stopCode === 'EssentialContainerExited' || t.containers.some((c) => c.exitCode !== undefined && c.exitCode !== 0)) return 'crashed';
  return 'stopped';
}

/** "exit code 1" when a container exited with one, else the stop reason. */
function briefStop(t: TaskSnapshot): string {
  if (t.stoppedReason && HEALTH_CHECKS_FAILED.test(t.stoppedReason)) return t.stoppedReason;
  const exit = t.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  if (exit?.exitCode !== undefined) return `exit code ${exit.exitCode}`;
  return t.stoppedReason ?? t.stopCode ?? 'no reason given';
}

/** The stop code and reason with every container's exit: the cause line's detail. */
function describeStop(t: TaskSnapshot): string {
  const exits = t.containers
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map((c) =>
      `${c.name} ${c.exitCode !== undefined ? `exit code ${c.exitCode}` : ''}${c.reason ? `${c.exitCode !== undefined ? ', ' : ''}${c.reason}` : ''}`.trim(),
    );
  const head = [t.stopCode, t.stoppedReason].filter(Boolean).join(': ') || 'no reason given';
  const hint = stopHintOf(t);
  return `${exits.length ? `${head} [${exits.join('; ')}]` : head}${hint ? ` (${hint})` : ''}`;
}
