// Rolling updates (deployment controller ECS, strategy ROLLING): the kind's record for the judge
// skeleton (judge.ts). Pure: no clock, no I/O, no SDK types.
//
// "Live" is stricter than ECS's own "steady state" (which `aws ecs wait services-stable` and most
// tools report): ECS says COMPLETED while old targets still drain and after a rollback too. We say
// live only when every target that can still receive new requests belongs to a healthy task of the
// new task definition, and no task of another task definition is still meant to run.
import { targetGroupName } from './arn.ts';
import { causesOf, stripServicePrefix } from './evidence.ts';
import type { Ending, Kind } from './kind.ts';
import {
  type Cohort,
  cohortOf,
  type DeploymentSnapshot,
  inCohort,
  isDraining,
  newestOf,
  registrationWindowS,
  type ServiceSnapshot,
  slowestSettings,
  type TargetGroupSnapshot,
  type TargetSnapshot,
  targetKey,
} from './snapshot.ts';
import { sameTaskDefinition, shortName } from './task-definition.ts';
import { type Eta, MS_PER_MINUTE, MS_PER_SECOND, type Phase, type Progress, type RollingBake, type ServiceWatch } from './vocabulary.ts';

/** Ours: the ECS deployment, and how far its tasks and targets have got. */
interface Ours {
  deployment: DeploymentSnapshot;
  progress: Progress;
}

export const ROLLING: Kind<Ours, ServiceSnapshot> = {
  find(prev, snap) {
    const deployment = findDeployment(prev, snap);
    return deployment && { deployment, progress: measure(deployment, snap) };
  },

  /** Our deployment is no longer listed: it failed and was rolled back, or a newer one replaced it. */
  lost(prev, snap) {
    const failedEvent = failureEventOf(prev, snap);
    if (failedEvent) return { status: 'failed', reason: stripServicePrefix(failedEvent.message) };
    const primary = primaryOf(snap);
    if (primary && isRollbackFrom(prev, primary)) return rollback(primary, snap);
    return { status: 'superseded', by: primary ? shortName(primary.taskDefinitionArn) : 'another deployment' };
  },

  running: (snap) => primaryOf(snap)?.taskDefinitionArn,

  cohort: (watch) => cohortOf(watch.taskDefinitionArn, watch.track?.kind === 'rolling' ? watch.track.deploymentId : undefined),

  track(prev, { deployment, progress }, snap, now) {
    const same = prev.track?.kind === 'rolling' && prev.track.deploymentId === deployment.id ? prev.track : undefined;
    const scaledInAt = same?.scaledInAt ?? (scaledIn(progress) ? now : undefined);
    return {
      ...prev,
      track: { kind: 'rolling', deploymentId: deployment.id, ...(scaledInAt !== undefined ? { scaledInAt } : {}) },
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
      ...replacedOf(snap.deployments.filter((d) => d.createdAt < deployment.createdAt)),
    };
  },

  ended(watch, { deployment }, snap) {
    if (deployment.rolloutState === 'FAILED') return { status: 'failed', reason: withAlarms(deployment.rolloutStateReason ?? 'the deployment failed', snap) };
    if (deployment.status === 'PRIMARY') return undefined;
    const primary = primaryOf(snap);
    if (primary && isRollbackFrom(watch, primary)) return rollback(primary, snap);
    if (primary && primary.taskDefinitionArn !== deployment.taskDefinitionArn) return { status: 'superseded', by: shortName(primary.taskDefinitionArn) };
    return undefined;
  },

  failedTasks: (_watch, { deployment }) => deployment.failedTasks,

  phase: (_watch, { deployment, progress }) => phaseOf(progress, deployment),

  // The alarms the reader found behind a rollback of this run (DescribeServiceDeployments); rolling updates run no hooks.
  evidence: (_watch, snap) => ({ alarms: snap.triggeredAlarms ?? [], hooks: [] }),

  report(watch, { deployment, progress }, snap, clock, stopCauses) {
    const bake = bakeOf(watch, deployment, snap);
    const eta = etaOf(watch, snap, clock.now, bake);
    const strangers = strangerCauses(snap, progress);
    const early = earlySuccessNote(watch, deployment, snap);
    const causes = [...strangers, ...causesOf(cohortOfDeployment(deployment), snap, clock, stopCauses)];
    const warning = strangers[0] ?? early;
    // Both versions register with the service's target groups: its traffic is compared with the span before the deployment.
    const groups = { kind: 'shared' as const, groups: snap.targetGroups.map((g) => g.arn) };
    return { progress, causes, groups, ...(bake ? { bake } : {}), ...(eta ? { eta } : {}), ...(warning ? { warning } : {}) };
  },
};

/** What served before ours: the newest of the earlier deployments. */
function replacedOf(earlier: readonly DeploymentSnapshot[]): Pick<ServiceWatch, 'replaces' | 'replacedSince'> {
  const newest = newestOf(earlier);
  return newest ? { replaces: newest.taskDefinitionArn, replacedSince: newest.createdAt } : {};
}

/** The tasks `deployment` started (see Cohort: a forced redeploy keeps the task definition), from its creation. */
function cohortOfDeployment(deployment: DeploymentSnapshot): Cohort & { createdAt: number } {
  return { taskDefinitionArn: deployment.taskDefinitionArn, deploymentId: deployment.id, createdAt: deployment.createdAt };
}

/** Every new task ready and the only healthy target, and nothing of the old version left: not running, not draining, not stopping. */
function scaledIn(p: Progress): boolean {
  return p.ready >= p.desired && p.healthyTargets >= p.desired && p.oldTasks + p.otherTargets + p.draining + p.oldTasksStopping === 0;
}

/**
 * Live is every counted target healthy and new, and no old task meant to run; retired once old ones
 * are gone and ECS says the deployment is done: with deployment alarms it keeps it IN_PROGRESS
 * through a bake after the scale-in, and an alarm then still rolls it back ("When the service
 * reaches a steady state, the bake time completes and the rollout state transitions to COMPLETED",
 * developer guide, deployment-alarm-failure). Old answers without a rollout state end at the scale-in.
 */
function phaseOf(p: Progress, deployment: Pick<DeploymentSnapshot, 'rolloutState'>): Phase {
  if (p.ready < p.desired) return 'starting';
  if (p.healthyTargets < p.desired) return 'registering';
  if (p.oldTasks > 0 || p.otherTargets > 0) return 'cutting_over';
  if (p.draining > 0 || p.oldTasksStopping > 0) return 'live';
  return deployment.rolloutState === 'IN_PROGRESS' ? 'live' : 'retired';
}

/** ECS still watching a live deployment whose old version is gone (see phaseOf): its alarms, and the end of its bake time when the answer gives one. */
function bakeOf(watch: ServiceWatch, deployment: DeploymentSnapshot, snap: ServiceSnapshot): RollingBake | undefined {
  const since = watch.track?.kind === 'rolling' ? watch.track.scaledInAt : undefined;
  if (watch.status !== 'live' || since === undefined || deployment.rolloutState !== 'IN_PROGRESS') return undefined;
  const minutes = snap.bakeTimeMinutes ?? 0;
  return { alarms: snap.deploymentAlarms?.names ?? [], ...(minutes > 0 ? { until: since + minutes * MS_PER_MINUTE } : {}) };
}

/**
 * With early success criteria, ECS calls the deployment COMPLETED once `healthyPercent` of the tasks
 * are healthy, before the rest start, and "after the deployment is successful, neither the circuit
 * breaker nor the alarms roll it back" (UpdateService, earlySuccessCriteria): the watch goes on to
 * live and retired as always, and says that nothing in ECS will undo a failure from here.
 */
function earlySuccessNote(watch: ServiceWatch, deployment: DeploymentSnapshot, snap: ServiceSnapshot): string | undefined {
  if (!snap.earlySuccess || deployment.rolloutState !== 'COMPLETED' || watch.status === 'retired') return undefined;
  return `ECS considers this deployment done at ${snap.earlySuccess.healthyPercent} % healthy (early success criteria): neither its circuit breaker nor its alarms roll it back from here, so a new task that crashes now is named only here`;
}

/** Stranger targets named in the causes, at most this many. */
const STRANGERS_NAMED = 3;

/** Targets that can take requests and that no task of the service explains, by target group. */
function strangersOf(snap: Pick<ServiceSnapshot, 'tasks' | 'targetGroups'>): Array<{ group: TargetGroupSnapshot; target: TargetSnapshot }> {
  const known = new Set(snap.tasks.flatMap((t) => t.targetKeys));
  return snap.targetGroups.flatMap((group) =>
    group.targets.filter((t) => !isDraining(t) && t.state !== 'unused' && !known.has(targetKey(t))).map((target) => ({ group, target })),
  );
}

/** Why "live" waits on targets no task explains: named, since nothing the rollout does will remove them. */
function strangerCauses(snap: ServiceSnapshot, p: Progress): string[] {
  if (!p.strangers) return [];
  const found = strangersOf(snap);
  const named = found
    .slice(0, STRANGERS_NAMED)
    .map(({ group, target }) => `${targetKey(target).replace(/:$/, '')} (${target.state}) in target group ${targetGroupName(group.arn)}`);
  const more = found.length > STRANGERS_NAMED ? ` and ${found.length - STRANGERS_NAMED} more` : '';
  return [
    `target${found.length > 1 ? 's' : ''} ${named.join(', ')}${more} belong${found.length > 1 ? '' : 's'} to no task of ${snap.name}: a target group shared with another service, or a target registered by hand, takes requests too, so "live" waits until it is deregistered`,
  ];
}

/** How far the tasks of `deployment` have got, and what of the old version still takes requests. */
export function measure(deployment: DeploymentSnapshot, snap: ServiceSnapshot): Progress {
  const td = deployment.taskDefinitionArn;
  const cohort = cohortOfDeployment(deployment);
  const meantToRun = snap.tasks.filter((t) => t.desiredStatus === 'RUNNING');
  const fresh = meantToRun.filter((t) => inCohort(t, cohort));
  const running = fresh.filter((t) => t.lastStatus === 'RUNNING');
  // Container health checks gate readiness only where the task definition has them; a task without
  // any reports UNKNOWN forever.
  const checked = snap.healthChecks[td] ?? running.some((t) => t.healthStatus === 'HEALTHY' || t.healthStatus === 'UNHEALTHY');
  const ready = running.filter((t) => !checked || t.healthStatus === 'HEALTHY');
  const readyKeys = new Set(ready.flatMap((t) => t.targetKeys));
  const freshKeys = new Set(fresh.flatMap((t) => t.targetKeys));
  const knownKeys = new Set(snap.tasks.flatMap((t) => t.targetKeys));
  const old = snap.tasks.filter((t) => !inCohort(t, cohort));

  let healthyTargets = snap.targetGroups.length ? Number.POSITIVE_INFINITY : ready.length;
  let otherTargets = 0;
  let oldTargets = 0;
  let strangers = 0;
  let draining = 0;
  for (const group of snap.targetGroups) {
    const healthyNew = new Set<string>();
    for (const target of group.targets) {
      const key = targetKey(target);
      if (isDraining(target)) draining++;
      else if (target.state === 'unused')
        continue; // not attached to a listener: gets no traffic
      else if (target.state === 'healthy' && readyKeys.has(key)) healthyNew.add(key);
      else {
        otherTargets++;
        if (!knownKeys.has(key)) strangers++;
        else if (!freshKeys.has(key)) oldTargets++;
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
    strangers,
    draining,
    oldTasksStopping: old.filter((t) => t.desiredStatus !== 'RUNNING' && t.lastStatus !== 'STOPPED').length,
  };
}

/**
 * When the next step of a rolling update should happen, from the slowest target group: new targets
 * turn healthy after the healthy threshold of health checks (not before the service's grace period
 * ends), old ones leave after the deregistration delay. Counted from when the phase began; an
 * estimate that has passed is not shown.
 */
export function etaOf(watch: ServiceWatch, snap: ServiceSnapshot, now: number, bake?: RollingBake): Eta | undefined {
  const scaledInAt = watch.track?.kind === 'rolling' ? watch.track.scaledInAt : undefined;
  if (bake) {
    // The old version is gone; what is left is ECS's bake, when the answer says how long.
    if (bake.until === undefined || scaledInAt === undefined || bake.until <= now) return undefined;
    return { what: 'retired', at: bake.until, since: scaledInAt, basis: `ECS bake time ${snap.bakeTimeMinutes} min` };
  }
  const slowest = slowestSettings(snap.targetGroups.flatMap((g) => (g.settings ? [g.settings] : [])));
  if (!slowest) return undefined;
  const eta = (what: Eta['what'], since: number | undefined, seconds: number, basis: string): Eta | undefined => {
    if (since === undefined || !(seconds > 0)) return undefined;
    const at = since + seconds * MS_PER_SECOND;
    return at > now ? { what, at, since, basis } : undefined;
  };
  if (watch.status === 'registering') {
    // A newly registered target is healthy after one passing check, whatever HealthyThresholdCount
    // says (the threshold counts only for a target recovering from unhealthy), and the first check
    // comes within an interval: "healthy" is due within one interval of the registration, or
    // within the grace period when that is longer (set for an application that starts slowly).
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-healthcheck.html
    // A Network Load Balancer first leaves the target in `initial` for minutes (registrationWindowS):
    // the window opens at its earliest first check and ends one interval after its slowest.
    const interval = slowest.healthCheckIntervalSeconds ?? 0;
    const grace = snap.healthCheckGracePeriodSeconds ?? 0;
    const { fromS, toS } = registrationWindowS(slowest);
    const registration = toS ? `Network Load Balancer registration, first check ${fromS}–${toS} s after it; then ` : '';
    const basis = `${registration}one passing health check, every ${interval} s${grace ? `, grace period ${grace} s` : ''}`;
    const from = registeredAt(watch, snap) ?? watch.reachedAt.registering;
    const due = eta('healthy', from, Math.max(toS + interval, grace), basis);
    return due && from !== undefined ? { ...due, since: Math.min(from + fromS * MS_PER_SECOND, due.at) } : due;
  }
  if (watch.status === 'live') {
    const delay = slowest.deregistrationDelaySeconds ?? 0;
    return eta('retired', watch.reachedAt.live, delay, `deregistration delay ${delay} s`);
  }
  return undefined;
}

/** ECS's event when it registers targets (not a documented format; service-events-real-timelines.json has it). */
const REGISTERED = /\bregistered \d+ targets? in \(target-group /;

/**
 * When ECS last registered targets for this deployment: its service event says so to the
 * millisecond, while the watch only saw "registering" at its next poll. The health checks count
 * from there.
 */
function registeredAt(watch: ServiceWatch, snap: Pick<ServiceSnapshot, 'events'>): number | undefined {
  const since = watch.deploymentCreatedAt;
  if (since === undefined) return undefined;
  return snap.events.find((e) => e.createdAt >= since && REGISTERED.test(e.message))?.createdAt;
}

/**
 * ECS's event that our deployment failed: `(deployment ecs-svc/…) deployment failed: …`, or the
 * same without a deployment ID, as real answers also give it (`(service authn) deployment failed:
 * tasks failed to start.`), when it came after ours was created.
 */
function failureEventOf(watch: ServiceWatch, snap: Pick<ServiceSnapshot, 'events'>) {
  const id = watch.track?.kind === 'rolling' ? watch.track.deploymentId : undefined;
  const since = watch.deploymentCreatedAt ?? Number.POSITIVE_INFINITY;
  return snap.events.find((e) => {
    const text = stripServicePrefix(e.message);
    return (id !== undefined && text.startsWith(`(deployment ${id}) deployment failed`)) || (e.createdAt >= since && /^deployment failed\b/.test(text));
  });
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

/** ECS's own words for a rollback it is running, else the revision the service went back to; with the alarms that triggered it. */
function rollback(primary: DeploymentSnapshot, snap: Pick<ServiceSnapshot, 'triggeredAlarms'>): Ending {
  if (isRollback(primary) && primary.rolloutStateReason) return { status: 'failed', reason: withAlarms(primary.rolloutStateReason, snap) };
  const why = alarmsOf(snap);
  return { status: 'failed', rolledBackTo: shortName(primary.taskDefinitionArn), ...(why ? { why } : {}) };
}

/** A failure's reason with the alarms that triggered the rollback, when the reader found them. */
function withAlarms(reason: string, snap: Pick<ServiceSnapshot, 'triggeredAlarms'>): string {
  const alarms = alarmsOf(snap);
  return alarms ? `${reason} (${alarms})` : reason;
}

function alarmsOf(snap: Pick<ServiceSnapshot, 'triggeredAlarms'>): string | undefined {
  const alarms = snap.triggeredAlarms ?? [];
  return alarms.length ? `alarm${alarms.length > 1 ? 's' : ''} ${alarms.join(', ')}` : undefined;
}

function findDeployment(watch: ServiceWatch, snap: ServiceSnapshot): DeploymentSnapshot | undefined {
  if (watch.track?.kind === 'rolling') {
    const id = watch.track.deploymentId;
    // A newer deployment of the same task definition (force-new-deployment) runs the same
    // revision: follow it rather than calling ours superseded (its tasks are then the new ones).
    const again = newestOf(
      snap.deployments.filter(
        (d) => d.id !== id && d.taskDefinitionArn === watch.taskDefinitionArn && d.createdAt > (watch.deploymentCreatedAt ?? 0) && !isRollback(d),
      ),
    );
    const pinned = snap.deployments.find((d) => d.id === id);
    if (pinned && (pinned.status === 'PRIMARY' || again?.status !== 'PRIMARY')) return pinned;
    return again;
  }
  if (watch.requested) {
    const requested = watch.requested;
    return newestOf(snap.deployments.filter((d) => sameTaskDefinition(d.taskDefinitionArn, requested)));
  }
  return primaryOf(snap);
}
