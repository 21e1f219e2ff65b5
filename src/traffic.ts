// The judge of ECS-native traffic shifting (deployment controller ECS, strategy BLUE_GREEN, LINEAR
// or CANARY): from the service deployment (DescribeServiceDeployments), the production listener
// and the new revision's target groups, how far the deployment has got and whether it has ended.
// Pure: no clock, no I/O, no SDK types.
//
// "Live" here is not the rolling rule ("every target that can take requests is new"): after the
// flip the old (blue) target group still holds healthy old tasks, on standby for a rollback. Live
// is all production traffic on the new revision's target groups, as the load balancer itself says
// (ECS's own weights are documented as a snapshot that may lag), with every new task a healthy
// target. A rollback, during the bake too, is a failure, even after "live" was said.
import {
  type Clock,
  causesOf,
  crashLoopOf,
  crashLoopReason,
  deletedReason,
  EMPTY_PROGRESS,
  ending,
  isFinal,
  notAppeared,
  type Phase,
  type Progress,
  reach,
  type ServiceAssessment,
  type ServiceWatch,
  type ShiftView,
  unhealthyTargetCauses,
} from './rollout.ts';
import type { ListenerTraffic, RevisionShare, ServiceDeploymentSnapshot, ServiceSnapshot, TargetGroupSnapshot } from './snapshot.ts';
import { isDraining } from './snapshot.ts';
import { sameTaskDefinition, shortName } from './task-definition.ts';

/**
 * ECS's lifecycle stages in the order a deployment passes them (ServiceDeployment.lifecycleStage in
 * the API reference; the SDK's enum lacks PRE_PRODUCTION_TRAFFIC_SHIFT, which the field's own
 * documentation lists). Polls may skip stages, so compare order, never equality.
 */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Whether `stage` is `ref` or later; an unknown or absent stage is before every known one. */
export function atOrAfter(stage: string | undefined, ref: LifecycleStage): boolean {
  return LIFECYCLE_STAGES.findIndex((s) => s === stage) >= LIFECYCLE_STAGES.indexOf(ref);
}

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
const MS_PER_MINUTE = 60_000;

/** The production shares a strategy moves through. */
export function trafficSteps(d: Pick<ServiceDeploymentSnapshot, 'strategy' | 'linear' | 'canary'>): number[] {
  if (d.strategy === 'LINEAR' && d.linear?.stepPercent) {
    const step = d.linear.stepPercent;
    const steps: number[] = [];
    for (let p = step; p < FULL; p += step) steps.push(Math.round(p * 10) / 10);
    return [...steps, FULL];
  }
  if (d.strategy === 'CANARY' && d.canary?.percent) return [d.canary.percent, FULL];
  return [FULL];
}

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
  const newest = (list: ServiceDeploymentSnapshot[]) => list.reduce<ServiceDeploymentSnapshot | undefined>((a, d) => (!a || d.createdAt > a.createdAt ? d : a), undefined);
  if (prev.serviceDeploymentArn) {
    // A newer deployment of the same task definition (force-new-deployment) runs the same code: follow it.
    const current = deployments.find((d) => d.arn === snap.shift?.current);
    if (current && current.createdAt > (prev.deploymentCreatedAt ?? 0) && current.target.taskDefinitionArn === prev.taskDefinitionArn) return current;
    return deployments.find((d) => d.arn === prev.serviceDeploymentArn);
  }
  if (prev.requested) {
    const requested = prev.requested;
    return newest(deployments.filter((d) => d.target.taskDefinitionArn && sameTaskDefinition(d.target.taskDefinitionArn, requested)));
  }
  return deployments.find((d) => d.arn === snap.shift?.current);
}

/** Why a deployment was rolled back, in ECS's words, with what triggered it. */
function rollbackReason(d: ServiceDeploymentSnapshot, wasLive: boolean): string {
  const triggers: string[] = [];
  const cb = d.circuitBreaker;
  if (cb?.status === 'TRIGGERED') {
    triggers.push(`circuit breaker tripped${cb.failureCount !== undefined && cb.threshold !== undefined ? `: ${cb.failureCount} failed tasks, threshold ${cb.threshold}` : ''}`);
  }
  const alarms = d.alarms?.triggered ?? [];
  if (alarms.length) triggers.push(`alarm${alarms.length > 1 ? 's' : ''} ${alarms.join(', ')}`);
  for (const h of d.hooks.filter((h) => HOOK_FAILED.has(h.status))) triggers.push(hookFailure(h));
  const base = d.rollback?.reason ?? d.statusReason ?? 'the deployment was rolled back';
  const rollbackFailed = d.status === 'ROLLBACK_FAILED' ? '; the rollback itself failed' : '';
  return `${wasLive ? 'rolled back after going live: ' : ''}${base}${triggers.length ? ` (${triggers.join('; ')})` : ''}${rollbackFailed}`;
}

function hookFailure(h: { id: string; targetType: string; status: string }): string {
  const kind = h.targetType === 'PAUSE' ? 'pause hook' : 'Lambda hook';
  return `${kind} ${h.id} ${h.status === 'TIMED_OUT' ? 'timed out' : 'failed'}`;
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

/** One poll's step for one traffic-shifting service. */
export function assessShift(prev: ServiceWatch, snap: ServiceSnapshot, clock: Clock): ServiceAssessment {
  if (isFinal(prev.status)) return { watch: prev, progress: EMPTY_PROGRESS, causes: [] };
  const end = ending(clock);

  const gone = deletedReason(snap);
  if (gone) return end('failed', { ...prev, reason: gone });
  const current = snap.shift?.deployments.find((d) => d.arn === snap.shift?.current);
  const ours = findDeployment(prev, snap);
  if (!ours) {
    if (clock.now - clock.startedAt < clock.graceMs) return { watch: reach({ ...prev, status: 'waiting' }, 'waiting', clock.now), progress: EMPTY_PROGRESS, causes: [] };
    return end('failed', { ...prev, reason: notAppeared(prev, snap.name, clock, current?.target.taskDefinitionArn) });
  }

  const td = ours.target.taskDefinitionArn ?? prev.taskDefinitionArn ?? '';
  const production = snap.shift?.production ?? [];
  const share = productionShare(ours.target, production);
  const healthy = healthyTargets(ours.target, snap.targetGroups);
  const wasLive = prev.reachedAt.live !== undefined;
  const watch: ServiceWatch = {
    ...prev,
    serviceDeploymentArn: ours.arn,
    deploymentCreatedAt: ours.createdAt,
    taskDefinitionArn: td || undefined,
    productionOnNew: share === undefined ? prev.productionOnNew : share >= FULL,
    newTargetsHealthy: healthy === undefined ? prev.newTargetsHealthy : healthy >= ours.target.requested,
    bakeStartedAt: prev.bakeStartedAt ?? (atOrAfter(ours.lifecycleStage, 'BAKE_TIME') ? Math.min(ours.updatedAt ?? clock.now, clock.now) : undefined),
  };
  const progress = progressOf(ours, healthy, ours.target.targetGroupArns.length);
  const causes = [...new Set([...shiftCauses(ours), ...unhealthyTargets(ours.target, snap.targetGroups), ...causesOf({ taskDefinitionArn: td, createdAt: ours.createdAt }, snap, clock)])];
  const pendingHook = ours.hooks.find((h) => HOOK_PENDING.has(h.status));
  const shift: ShiftView = {
    strategy: ours.strategy ?? snap.deploymentStrategy ?? 'BLUE_GREEN',
    stage: ours.lifecycleStage,
    production: share ?? ours.target.productionWeight,
    ...(ours.target.testWeight && !atOrAfter(ours.lifecycleStage, 'PRODUCTION_TRAFFIC_SHIFT') ? { test: ours.target.testWeight } : {}),
    steps: trafficSteps(ours),
    ...(watch.bakeStartedAt !== undefined && ours.bakeTimeMinutes !== undefined && ours.lifecycleStage === 'BAKE_TIME'
      ? { bakeUntil: watch.bakeStartedAt + ours.bakeTimeMinutes * MS_PER_MINUTE }
      : {}),
    ...(pendingHook ? { hook: { id: pendingHook.id, targetType: pendingHook.targetType, status: pendingHook.status, expiresAt: pendingHook.expiresAt } } : {}),
    requested: ours.target.requested,
    running: ours.target.running,
    ...(healthy !== undefined ? { healthy } : {}),
  };

  if (ROLLED_BACK.has(ours.status)) return end('failed', { ...watch, reason: rollbackReason(ours, wasLive) }, progress, causes, shift);
  if (ours.status === 'SUCCESSFUL') return end('retired', watch, progress, causes, shift);
  // Another deployment took over. Back to the code ours replaced, it is a rollback (by ECS or by
  // hand); to other code, it supersedes ours, whatever ECS did to ours.
  if (current && current.arn !== ours.arn && current.createdAt > ours.createdAt) {
    const to = current.target.taskDefinitionArn;
    if (to && ours.sources.some((s) => s.taskDefinitionArn === to)) {
      return end('failed', { ...watch, reason: `rolled back to ${shortName(to)}${wasLive ? ' after going live' : ''}` }, progress, causes, shift);
    }
    return end('superseded', { ...watch, supersededBy: to ? shortName(to) : 'another deployment' }, progress, causes, shift);
  }
  if (STOPPED.has(ours.status)) {
    return end('failed', { ...watch, reason: `the deployment was stopped${ours.statusReason ? `: ${ours.statusReason}` : ''}` }, progress, causes, shift);
  }
  if (snap.desiredCount === 0) return end('no_tasks', watch, progress, causes, shift);

  const ecsDeployment = snap.deployments.find((d) => d.taskDefinitionArn === td);
  const crashLoop = !wasLive && ecsDeployment ? crashLoopOf(ecsDeployment, snap) : undefined;
  if (crashLoop && clock.crashLoopLimit !== undefined && crashLoop.times >= clock.crashLoopLimit) {
    return end('failed', { ...watch, reason: crashLoopReason(crashLoop) }, progress, causes, shift);
  }

  // Live: ECS has shifted production, the load balancer confirms all of it on the new target
  // groups, and every new task is a healthy target. Once live, it stays live until ECS decides.
  // Without a target group to ask about (the revision resolved none), ECS's account is all there is.
  const shifted = atOrAfter(ours.lifecycleStage, 'POST_PRODUCTION_TRAFFIC_SHIFT');
  const confirmed = ours.target.targetGroupArns.length === 0 || (watch.productionOnNew === true && watch.newTargetsHealthy === true);
  const live = wasLive || (shifted && confirmed);
  const phase: Phase = live ? 'live' : phaseOfStage(ours.lifecycleStage);
  const reached = reach({ ...watch, status: phase }, phase, clock.now);
  return { watch: reached, progress, causes, shift, ...(crashLoop ? { crashLoop } : {}) };
}

/** Every target in the new revision's own target groups is new: the load balancer's reason codes say why they are not healthy. */
function unhealthyTargets(revision: RevisionShare, groups: readonly TargetGroupSnapshot[]): string[] {
  return groups.filter((g) => revision.targetGroupArns.includes(g.arn)).flatMap((g) => unhealthyTargetCauses(g, () => true));
}

/** What ECS's own account of the deployment says is going wrong. */
function shiftCauses(d: ServiceDeploymentSnapshot): string[] {
  const causes: string[] = [];
  for (const h of d.hooks.filter((h) => HOOK_FAILED.has(h.status))) causes.push(`lifecycle ${hookFailure(h)}${d.lifecycleStage ? ` at ${d.lifecycleStage}` : ''}`);
  const cb = d.circuitBreaker;
  if (cb?.failureCount && cb.threshold !== undefined) causes.push(`circuit breaker: ${cb.failureCount} failed task${cb.failureCount > 1 ? 's' : ''} of a threshold of ${cb.threshold}`);
  const alarms = d.alarms?.triggered ?? [];
  if (alarms.length) causes.push(`alarm${alarms.length > 1 ? 's' : ''} in ALARM: ${alarms.join(', ')}`);
  if (d.statusReason && (ROLLED_BACK.has(d.status) || STOPPED.has(d.status))) causes.push(`service deployment: ${d.statusReason}`);
  return causes;
}
