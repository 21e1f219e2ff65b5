// ECS-native traffic shifting (deployment controller ECS, strategy BLUE_GREEN, LINEAR or CANARY):
// the kind's record for the judge skeleton (judge.ts), from the service deployment
// (DescribeServiceDeployments), the production listener and the new revision's target groups.
// Pure: no clock, no I/O, no SDK types.
//
// "Live" here is not the rolling rule ("every target that can take requests is new"): after the
// flip the old (blue) target group still holds healthy old tasks, on standby for a rollback. Live
// is all production traffic on the new revision's target groups, as the load balancer itself says
// (ECS's own weights are documented as a snapshot that may lag), with every new task a healthy
// target. A rollback, during the bake too, is a failure, even after "live" was said.
import { lambdaFunctionOf } from './arn.ts';
import { causesOf, unhealthyTargetCauses } from './evidence.ts';
import type { Ending, Kind } from './kind.ts';
import {
  atOrAfter,
  cohortOf,
  isDraining,
  type ListenerTraffic,
  newestOf,
  type RevisionShare,
  type ServiceDeploymentSnapshot,
  type ServiceSnapshot,
  type TargetGroupSnapshot,
} from './snapshot.ts';
import { sameTaskDefinition, shortName } from './task-definition.ts';
import {
  EMPTY_PROGRESS,
  type Eta,
  MS_PER_MINUTE,
  NO_EVIDENCE,
  type Phase,
  type Progress,
  type ServiceWatch,
  type ShiftView,
  type Track,
  trafficSteps,
} from './vocabulary.ts';

/** The phase (shared with rolling updates: timeline and verdict) that a stage stands for, before "live" is proven. */
function phaseOfStage(stage: string | undefined): Phase {
  if (atOrAfter(stage, 'PRE_PRODUCTION_TRAFFIC_SHIFT')) return 'cutting_over';
  if (atOrAfter(stage, 'POST_SCALE_UP')) return 'registering';
  return 'starting';
}

const ROLLED_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const STOPPED = new Set(['STOP_REQUESTED', 'STOPPED']);
/** Hook states that have not decided yet, and those that decided against the deployment. */
const HOOK_PENDING = new Set(['IN_PROGRESS', 'AWAITING_ACTION']);
const HOOK_FAILED = new Set(['FAILED', 'TIMED_OUT']);
const FULL = 100;

/**
 * The share of production traffic (percent) that the listeners send to `revision`'s target groups:
 * the smallest over its listeners; undefined when none of them was read.
 */
export function productionShare(revision: RevisionShare, production: readonly ListenerTraffic[]): number | undefined {
  const ours = new Set(revision.targetGroupArns);
  const read = production.filter((l) => revision.listeners.includes(l.arn) || l.weights.some((w) => ours.has(w.targetGroupArn)));
  if (!read.length) return undefined;
  const shares = read.map((l) => {
    const total = l.weights.reduce((n, w) => n + w.weight, 0);
    const mine = l.weights.filter((w) => ours.has(w.targetGroupArn)).reduce((n, w) => n + w.weight, 0);
    return total > 0 ? (mine / total) * FULL : 0;
  });
  return Math.min(...shares);
}

/** Healthy targets in the revision's target groups (the fewest over them); undefined when none was read. */
function healthyTargets(revision: RevisionShare, groups: readonly TargetGroupSnapshot[]): number | undefined {
  const read = groups.filter((g) => revision.targetGroupArns.includes(g.arn));
  if (!read.length) return undefined;
  return Math.min(...read.map((g) => g.targets.filter((t) => t.state === 'healthy' && !isDraining(t)).length));
}

function findDeployment(prev: ServiceWatch, snap: ServiceSnapshot): ServiceDeploymentSnapshot | undefined {
  const deployments = snap.shift?.deployments ?? [];
  if (prev.track?.kind === 'traffic') {
    const pinned = prev.track.serviceDeploymentArn;
    // A newer deployment of the same task definition (force-new-deployment) runs the same code: follow it.
    const current = deployments.find((d) => d.arn === snap.shift?.current);
    if (current && current.createdAt > (prev.deploymentCreatedAt ?? 0) && current.target.taskDefinitionArn === prev.taskDefinitionArn) return current;
    return deployments.find((d) => d.arn === pinned);
  }
  if (prev.requested) {
    const requested = prev.requested;
    return newestOf(deployments.filter((d) => d.target.taskDefinitionArn && sameTaskDefinition(d.target.taskDefinitionArn, requested)));
  }
  return deployments.find((d) => d.arn === snap.shift?.current);
}

/** Why a deployment was rolled back, in ECS's words, with what triggered it. */
function rollbackReason(d: ServiceDeploymentSnapshot): string {
  const triggers: string[] = [];
  const cb = d.circuitBreaker;
  if (cb?.status === 'TRIGGERED') {
    triggers.push(
      `circuit breaker tripped${cb.failureCount !== undefined && cb.threshold !== undefined ? `: ${cb.failureCount} failed tasks, threshold ${cb.threshold}` : ''}`,
    );
  }
  const alarms = d.alarms?.triggered ?? [];
  if (alarms.length) triggers.push(`alarm${alarms.length > 1 ? 's' : ''} ${alarms.join(', ')}`);
  for (const h of d.hooks.filter((h) => HOOK_FAILED.has(h.status))) triggers.push(hookFailure(h));
  const base = d.rollback?.reason ?? d.statusReason ?? 'the deployment was rolled back';
  const rollbackFailed = d.status === 'ROLLBACK_FAILED' ? '; the rollback itself failed' : '';
  return `${base}${triggers.length ? ` (${triggers.join('; ')})` : ''}${rollbackFailed}`;
}

function hookFailure(h: { id: string; targetType: string; status: string; timeoutAction?: string; targetArn?: string }): string {
  if (h.targetType === 'PAUSE' && h.status === 'TIMED_OUT') return pauseExpired(h);
  const kind = h.targetType === 'PAUSE' ? 'pause hook' : 'Lambda hook';
  // A Lambda hook is known by its function's name; its hook ID says nothing to a reader.
  const name = h.targetArn ? lambdaFunctionOf(h.targetArn, '').name : h.id;
  return `${kind} ${name} ${h.status === 'TIMED_OUT' ? 'timed out' : 'failed'}`;
}

/** A PAUSE hook nobody acted on before it expired, and what ECS did then. */
function pauseExpired(h: { id: string; timeoutAction?: string }): string {
  return `nobody continued pause hook ${h.id} before it expired; ECS ${h.timeoutAction === 'CONTINUE' ? 'continued the deployment' : 'rolled it back'}`;
}

/** Progress in the rolling terms the timeline and the bench share. */
function progressOf(d: ServiceDeploymentSnapshot, healthy: number | undefined, groups: number): Progress {
  return {
    ...EMPTY_PROGRESS,
    desired: d.target.requested,
    running: d.target.running,
    ready: d.target.running,
    healthyTargets: healthy ?? 0,
    targetGroups: groups,
    oldTasks: d.sources.reduce((n, s) => n + s.running + s.pending, 0),
  };
}

/** Ours: the service deployment, with what the load balancer said of it this poll, and the current one. */
interface Ours {
  d: ServiceDeploymentSnapshot;
  /** Percent of production on the new revision's target groups; undefined when the listener was not read. */
  share?: number;
  /** Healthy targets of the new revision; undefined when its target groups were not read. */
  healthy?: number;
  current?: ServiceDeploymentSnapshot;
}

type TrafficTrack = Extract<Track, { kind: 'traffic' }>;
const trackOf = (w: ServiceWatch): TrafficTrack | undefined => (w.track?.kind === 'traffic' ? w.track : undefined);

export const TRAFFIC: Kind<Ours, ServiceSnapshot> = {
  find(prev, snap) {
    const d = findDeployment(prev, snap);
    if (!d) return undefined;
    const current = snap.shift?.deployments.find((x) => x.arn === snap.shift?.current);
    const share = productionShare(d.target, snap.shift?.production ?? []);
    const healthy = healthyTargets(d.target, snap.targetGroups);
    return { d, current, ...(share !== undefined ? { share } : {}), ...(healthy !== undefined ? { healthy } : {}) };
  },

  // The service deployment stays listed once ended: a deployment seen and gone cannot be told apart.
  lost: () => undefined,

  cohort: (watch) => cohortOf(watch.taskDefinitionArn),

  running: (snap) => snap.shift?.deployments.find((d) => d.arn === snap.shift?.current)?.target.taskDefinitionArn,

  track(prev, { d, share, healthy }, snap, now) {
    const seen = trackOf(prev);
    const bakeStartedAt = seen?.bakeStartedAt ?? (atOrAfter(d.lifecycleStage, 'BAKE_TIME') ? Math.min(d.updatedAt ?? now, now) : undefined);
    const productionOnNew = share === undefined ? seen?.productionOnNew : share >= FULL;
    const newTargetsHealthy = healthy === undefined ? seen?.newTargetsHealthy : healthy >= d.target.requested;
    const production = share ?? d.target.productionWeight;
    const step =
      production === undefined || production === seen?.step?.share ? seen?.step : { share: production, since: seen?.readAt ?? d.createdAt, seen: now };
    const td = d.target.taskDefinitionArn ?? prev.taskDefinitionArn;
    // What served before ours: the revision the deployment shifts traffic from, since the newest
    // earlier ECS deployment of it was created (DescribeServices lists it while it still serves).
    const replaces = d.sources[0]?.taskDefinitionArn;
    const replacedSince = newestOf(snap.deployments.filter((x) => x.taskDefinitionArn === replaces && x.createdAt < d.createdAt))?.createdAt;
    return {
      ...prev,
      track: {
        kind: 'traffic',
        serviceDeploymentArn: d.arn,
        ...(productionOnNew !== undefined ? { productionOnNew } : {}),
        ...(newTargetsHealthy !== undefined ? { newTargetsHealthy } : {}),
        ...(bakeStartedAt !== undefined ? { bakeStartedAt } : {}),
        readAt: now,
        ...(step ? { step } : {}),
      },
      deploymentCreatedAt: d.createdAt,
      taskDefinitionArn: td || undefined,
      ...(replaces ? { replaces } : {}),
      ...(replacedSince !== undefined ? { replacedSince } : {}),
    };
  },

  ended(_watch, { d, current }): Ending | undefined {
    if (ROLLED_BACK.has(d.status)) return { status: 'failed', reason: rollbackReason(d) };
    if (d.status === 'SUCCESSFUL') return { status: 'retired' };
    // Another deployment took over. Back to the code ours replaced, it is a rollback (by ECS or by
    // hand); to other code, it supersedes ours, whatever ECS did to ours.
    if (current && current.arn !== d.arn && current.createdAt > d.createdAt) {
      const to = current.target.taskDefinitionArn;
      if (to && d.sources.some((s) => s.taskDefinitionArn === to)) return { status: 'failed', rolledBackTo: shortName(to) };
      return { status: 'superseded', by: to ? shortName(to) : 'another deployment' };
    }
    if (STOPPED.has(d.status)) return { status: 'failed', reason: `the deployment was stopped${d.statusReason ? `: ${d.statusReason}` : ''}` };
    // A pause nobody acted on ends the watch even where ECS carries on by itself: nobody approved it.
    const expired = d.hooks.find((h) => h.targetType === 'PAUSE' && h.status === 'TIMED_OUT');
    if (expired) return { status: 'failed', reason: pauseExpired(expired) };
    return undefined;
  },

  // ECS counts failed tasks on the rolling-style deployment of the same task definition, when listed.
  failedTasks: (watch, _ours, snap) => snap.deployments.find((x) => x.taskDefinitionArn === watch.taskDefinitionArn)?.failedTasks,

  // Live: ECS has shifted production, the load balancer confirms all of it on the new target
  // groups, and every new task is a healthy target. Without a target group to ask about (the
  // revision resolved none), ECS's account is all there is.
  phase(watch, { d }) {
    const seen = trackOf(watch);
    const shifted = atOrAfter(d.lifecycleStage, 'POST_PRODUCTION_TRAFFIC_SHIFT');
    const confirmed = d.target.targetGroupArns.length === 0 || (seen?.productionOnNew === true && seen.newTargetsHealthy === true);
    return shifted && confirmed ? 'live' : phaseOfStage(d.lifecycleStage);
  },

  evidence(watch, snap) {
    const d = snap.shift?.deployments.find((x) => watch.track?.kind === 'traffic' && x.arn === watch.track.serviceDeploymentArn);
    if (!d) return NO_EVIDENCE;
    const hooks = d.hooks.flatMap((h) =>
      HOOK_FAILED.has(h.status) && h.targetType === 'AWS_LAMBDA' && h.targetArn
        ? [
            {
              function: h.targetArn,
              status: h.status,
              ...(d.lifecycleStage ? { stage: d.lifecycleStage } : {}),
              from: d.createdAt,
              ...(d.updatedAt ? { to: d.updatedAt } : {}),
            },
          ]
        : [],
    );
    return { alarms: d.alarms?.triggered ?? [], hooks };
  },

  report(watch, { d, share, healthy }, snap, clock, stopCauses) {
    const td = watch.taskDefinitionArn ?? '';
    const causes = [
      ...new Set([
        ...shiftCauses(d),
        ...unhealthyTargets(d.target, snap.targetGroups),
        ...causesOf({ taskDefinitionArn: td, createdAt: d.createdAt }, snap, clock, stopCauses),
      ]),
    ];
    const eta = nextStepOf(d, trackOf(watch), clock.now);
    return {
      progress: progressOf(d, healthy, d.target.targetGroupArns.length),
      causes,
      shift: shiftView(d, trackOf(watch), share, healthy, snap),
      groups: { kind: 'split', fresh: d.target.targetGroupArns, old: oldGroups(d) },
      ...(eta ? { eta } : {}),
    };
  },
};

/** The target groups of the revisions ours replaces, not shared with ours. */
function oldGroups(d: ServiceDeploymentSnapshot): string[] {
  const ours = new Set(d.target.targetGroupArns);
  return [...new Set(d.sources.flatMap((s) => s.targetGroupArns))].filter((g) => !ours.has(g));
}

/**
 * When a linear or canary shift should take its next step: ECS holds each step for its bake
 * (stepBakeTimeInMinutes, canaryBakeTimeInMinutes), counted from when the step was taken, which the
 * watch knows to within two reads. The step may come any moment from the earliest of them plus the
 * bake; a bake of 0 is no wait, and a pending hook holds the step (it has its own expiry).
 */
function nextStepOf(d: ServiceDeploymentSnapshot, seen: TrafficTrack | undefined, now: number): Eta | undefined {
  const step = seen?.step;
  const minutes = d.strategy === 'LINEAR' ? d.linear?.stepBakeMinutes : d.strategy === 'CANARY' ? d.canary?.bakeMinutes : undefined;
  if (!step || !minutes || step.share <= 0 || step.share >= FULL) return undefined;
  if (d.hooks.some((h) => HOOK_PENDING.has(h.status))) return undefined;
  const at = step.seen + minutes * MS_PER_MINUTE;
  return at > now ? { what: 'step', at, since: step.since + minutes * MS_PER_MINUTE, basis: `step bake ${minutes} min` } : undefined;
}

function shiftView(
  d: ServiceDeploymentSnapshot,
  seen: TrafficTrack | undefined,
  share: number | undefined,
  healthy: number | undefined,
  snap: ServiceSnapshot,
): ShiftView {
  const pendingHook = d.hooks.find((h) => HOOK_PENDING.has(h.status));
  return {
    strategy: d.strategy ?? snap.deploymentStrategy ?? 'BLUE_GREEN',
    stage: d.lifecycleStage,
    production: share ?? d.target.productionWeight,
    ...(d.target.testWeight && !atOrAfter(d.lifecycleStage, 'PRODUCTION_TRAFFIC_SHIFT') ? { test: d.target.testWeight } : {}),
    steps: trafficSteps(d.strategy, d.strategy === 'LINEAR' ? d.linear?.stepPercent : d.canary?.percent),
    ...(seen?.bakeStartedAt !== undefined && d.bakeTimeMinutes !== undefined && d.lifecycleStage === 'BAKE_TIME'
      ? { bakeUntil: seen.bakeStartedAt + d.bakeTimeMinutes * MS_PER_MINUTE }
      : {}),
    ...(pendingHook
      ? {
          hook: {
            id: pendingHook.id,
            targetType: pendingHook.targetType,
            status: pendingHook.status,
            ...(pendingHook.expiresAt !== undefined ? { expiresAt: pendingHook.expiresAt } : {}),
            ...(pendingHook.timeoutAction ? { timeoutAction: pendingHook.timeoutAction } : {}),
          },
        }
      : {}),
    serviceDeploymentArn: d.arn,
    requested: d.target.requested,
    running: d.target.running,
    ...(healthy !== undefined ? { healthy } : {}),
  };
}

/** Every target in the new revision's own target groups is new: the load balancer's reason codes say why they are not healthy. */
function unhealthyTargets(revision: RevisionShare, groups: readonly TargetGroupSnapshot[]): string[] {
  return groups.filter((g) => revision.targetGroupArns.includes(g.arn)).flatMap((g) => unhealthyTargetCauses(g, () => true));
}

/** What ECS's own account of the deployment says is going wrong. */
function shiftCauses(d: ServiceDeploymentSnapshot): string[] {
  const causes: string[] = [];
  for (const h of d.hooks.filter((h) => HOOK_FAILED.has(h.status)))
    causes.push(`lifecycle ${hookFailure(h)}${d.lifecycleStage ? ` at ${d.lifecycleStage}` : ''}`);
  const cb = d.circuitBreaker;
  if (cb?.failureCount && cb.threshold !== undefined)
    causes.push(`circuit breaker: ${cb.failureCount} failed task${cb.failureCount > 1 ? 's' : ''} of a threshold of ${cb.threshold}`);
  const alarms = d.alarms?.triggered ?? [];
  if (alarms.length) causes.push(`alarm${alarms.length > 1 ? 's' : ''} in ALARM: ${alarms.join(', ')}`);
  if (d.statusReason && (ROLLED_BACK.has(d.status) || STOPPED.has(d.status))) causes.push(`service deployment: ${d.statusReason}`);
  return causes;
}
