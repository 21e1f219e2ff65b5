// Where new tasks are stuck, by sub-phase, from DescribeTasks' own timestamps (createdAt,
// pullStartedAt, pullStoppedAt, startedAt) and their load balancer targets: waiting for capacity,
// for a host or a network interface, pulling the image, starting, activating, or running but not
// yet passing health checks. A task is named stuck once it has stayed in one sub-phase longer than
// that sub-phase usually takes: a warning while ECS has not decided, and a cause at a time-out. Pure.
import {
  type Cohort,
  inCohort,
  registrationWindowS,
  type ServiceSnapshot,
  slowestSettings,
  type TargetSnapshot,
  type TaskSnapshot,
  targetKey,
} from './snapshot.ts';
import { MS_PER_MINUTE, MS_PER_SECOND, type StuckTasks, type StuckWhere } from './vocabulary.ts';

/**
 * How long a new task may stay in each sub-phase before the message says it is stuck. Fargate
 * provisions and places a task within a minute, and an EC2 capacity provider scales out within
 * about two; pulls of ordinary images take seconds, container start and activation likewise.
 */
export const STUCK_AFTER_MS: Readonly<Record<Exclude<StuckWhere, 'health_checks'>, number>> = {
  provisioning: 2 * MS_PER_MINUTE,
  placing: 2 * MS_PER_MINUTE,
  initializing: 2 * MS_PER_MINUTE,
  pulling: 2 * MS_PER_MINUTE,
  starting: 2 * MS_PER_MINUTE,
  activating: 2 * MS_PER_MINUTE,
};
/** Health checks take what the target group's settings and the grace period say, plus this much before a target is called stuck. */
export const HEALTH_CHECK_SLACK_MS = MS_PER_MINUTE;
/** When the target group's health check settings are unknown: how long a target may stay not healthy. */
export const HEALTH_CHECKS_STUCK_MS = 3 * MS_PER_MINUTE;

/**
 * The new tasks (of `cohort`) stuck longest in one sub-phase, at `now`: the earliest
 * sub-phase where any is stuck (what holds the first tasks holds the rollout).
 */
export function stuckTasksOf(
  cohort: Cohort | undefined,
  snap: Pick<ServiceSnapshot, 'tasks' | 'targetGroups' | 'healthCheckGracePeriodSeconds'>,
  now: number,
): StuckTasks | undefined {
  if (!cohort) return undefined;
  const targets = new Map<string, TargetSnapshot>();
  for (const g of snap.targetGroups) for (const t of g.targets) targets.set(targetKey(t), t);
  const healthLimit = healthChecksLimitMs(snap);
  const found = new Map<StuckWhere, StuckTasks>();
  for (const t of snap.tasks) {
    if (!inCohort(t, cohort) || t.desiredStatus !== 'RUNNING') continue;
    const at = subPhaseOf(t, targets);
    if (!at || at.since === undefined) continue;
    const forMs = now - at.since;
    const limit = at.where === 'health_checks' ? healthLimit : STUCK_AFTER_MS[at.where];
    if (forMs < limit) continue;
    const prev = found.get(at.where);
    found.set(at.where, {
      where: at.where,
      count: (prev?.count ?? 0) + 1,
      forMs: Math.max(prev?.forMs ?? 0, forMs),
      ...((prev?.detail ?? at.detail) ? { detail: prev?.detail ?? at.detail } : {}),
    });
  }
  return ORDER.map((w) => found.get(w)).find((s) => s !== undefined);
}

const ORDER: readonly StuckWhere[] = ['provisioning', 'placing', 'initializing', 'pulling', 'starting', 'activating', 'health_checks'];

/** The warning the message shows: "2 new tasks waiting for capacity (PROVISIONING) for 4 min: …". */
export function stuckWarning(s: StuckTasks): string {
  const tasks = `${s.count} new task${s.count === 1 ? '' : 's'}`;
  return `${tasks} ${WHAT[s.where]} for ${minutesOrSeconds(s.forMs)}${s.detail ? ` (${s.detail})` : ''}: ${LOOK_AT[s.where]}`;
}

const WHAT: Readonly<Record<StuckWhere, string>> = {
  provisioning: 'waiting for capacity (PROVISIONING)',
  placing: 'waiting for a host or a network interface (PENDING, no image pull started)',
  initializing: 'fetching secrets and registry auth (PENDING on Fargate, no image pull started)',
  pulling: 'pulling the image',
  starting: 'starting containers (PENDING after the image pull)',
  activating: 'activating (ACTIVATING)',
  health_checks: 'running but not passing load balancer health checks',
};

/** Where to look, per sub-phase: capacity is not the application's fault, a failing health check usually is. */
const LOOK_AT: Readonly<Record<StuckWhere, string>> = {
  provisioning: "a capacity shortage, not the application: check the capacity provider's Auto Scaling group or Fargate (Spot) capacity",
  placing: 'a capacity shortage, not the application: free CPU, memory or ports on the instances, or IP addresses in the subnets',
  // Real stop reasons of such tasks: "ResourceInitializationError: unable to pull secrets or registry
  // auth: … unable to retrieve secret from asm" (a missing secret, a denied ssm:GetParameters, an
  // i/o timeout from a private subnet without a NAT gateway or VPC endpoints).
  initializing:
    "not a capacity shortage: the task execution role's access to the secrets and the registry, the secrets' names, and a route from the subnets to Secrets Manager, SSM and ECR (a NAT gateway or VPC endpoints)",
  pulling: 'check the image size and the registry (and a NAT gateway or VPC endpoint on the way to it)',
  starting: 'check container dependencies (dependsOn conditions) and secrets the containers wait for',
  activating: 'ECS is registering the task with the load balancer or service discovery',
  health_checks: "check the health check path and port, and the service's health check grace period",
};

function minutesOrSeconds(ms: number): string {
  return ms >= MS_PER_MINUTE ? `${Math.floor(ms / MS_PER_MINUTE)} min` : `${Math.round(ms / MS_PER_SECOND)} s`;
}

const FARGATE_PROVIDERS: ReadonlySet<string> = new Set(['FARGATE', 'FARGATE_SPOT']);

function isFargate(t: Pick<TaskSnapshot, 'launchType' | 'capacityProvider'>): boolean {
  return t.launchType === 'FARGATE' || (t.capacityProvider !== undefined && FARGATE_PROVIDERS.has(t.capacityProvider));
}

/** Which sub-phase a task is in, since when, from its status, its timestamps and its targets. */
function subPhaseOf(t: TaskSnapshot, targets: ReadonlyMap<string, TargetSnapshot>): { where: StuckWhere; since?: number; detail?: string } | undefined {
  switch (t.lastStatus) {
    case 'PROVISIONING':
      return { where: 'provisioning', since: t.createdAt, ...(t.capacityProvider ? { detail: `capacity provider ${t.capacityProvider}` } : {}) };
    case 'PENDING':
      // Fargate places a task while PROVISIONING; PENDING before the pull is the task's own
      // resources: secrets and registry auth (ResourceInitializationError when they fail).
      if (t.pullStartedAt === undefined) return { where: isFargate(t) ? 'initializing' : 'placing', since: t.createdAt };
      if (t.pullStoppedAt === undefined) return { where: 'pulling', since: t.pullStartedAt };
      return { where: 'starting', since: t.pullStoppedAt };
    case 'ACTIVATING':
      return { where: 'activating', since: t.pullStoppedAt ?? t.createdAt };
    case 'RUNNING': {
      const waiting = t.targetKeys.map((k) => targets.get(k)).find((g) => g !== undefined && (g.state === 'initial' || g.state === 'unhealthy'));
      if (!waiting) return undefined;
      const reason = waiting.reason
        ? `target ${waiting.state}: ${waiting.reason}${waiting.description ? `, ${waiting.description}` : ''}`
        : `target ${waiting.state}`;
      return { where: 'health_checks', since: t.startedAt, detail: reason };
    }
    default:
      return undefined;
  }
}

/**
 * How long health checks may take before a target is stuck: the grace period and threshold ×
 * interval, plus slack, after a Network Load Balancer's slow registration (registrationWindowS):
 * a target in `initial` for three minutes there is normal, not a health check path to fix.
 */
function healthChecksLimitMs(snap: Pick<ServiceSnapshot, 'targetGroups' | 'healthCheckGracePeriodSeconds'>): number {
  const s = slowestSettings(snap.targetGroups.flatMap((g) => (g.settings ? [g.settings] : [])));
  const registrationMs = s ? registrationWindowS(s).toS * MS_PER_SECOND : 0;
  if (s?.healthCheckIntervalSeconds === undefined || s.healthyThresholdCount === undefined) return registrationMs + HEALTH_CHECKS_STUCK_MS;
  const checks = s.healthCheckIntervalSeconds * s.healthyThresholdCount + (snap.healthCheckGracePeriodSeconds ?? 0);
  return registrationMs + checks * MS_PER_SECOND + HEALTH_CHECK_SLACK_MS;
}
