// The judge skeleton: the rules every kind of deployment shares, applied once, in this order. A
// kind (rolling.ts, traffic.ts, codedeploy.ts) is a small record of what differs (vocabulary.ts's
// `Kind`): how to find ours, how it ended, how far it got. Pure: no clock, no I/O, no SDK types.
import { anomalousTargets, crashLoopOf, crashLoopReason, stopsOf } from './evidence.ts';
import type { Ending, Judge, Kind, Report } from './kind.ts';
import type { ServiceSnapshot } from './snapshot.ts';
import { stuckTasksOf, stuckWarning } from './stuck.ts';
import { shortName } from './task-definition.ts';
import { type Clock, EMPTY_PROGRESS, isBefore, isFinal, MS_PER_SECOND, PHASES, type Phase, type ServiceAssessment, type ServiceWatch } from './vocabulary.ts';

const NOTHING: Report = { progress: EMPTY_PROGRESS, causes: [] };

/** The judge of one kind: `judgeWith(kind)(prev, snap, clock)` is one poll's step for one service. */
export function judgeWith<D>(kind: Kind<D, ServiceSnapshot>): Judge<ServiceSnapshot> {
  return (prev, snap, clock) => judge(kind, prev, snap, clock);
}

function judge<D>(kind: Kind<D, ServiceSnapshot>, prev: ServiceWatch, snap: ServiceSnapshot, clock: Clock): ServiceAssessment {
  // A finished service is left alone, whatever a later read shows.
  if (isFinal(prev.status)) return { watch: prev, ...NOTHING, stops: [] };
  const wasLive = prev.reachedAt.live !== undefined;

  const gone = deletedReason(snap);
  if (gone) return { watch: { ...prev, status: 'failed', reason: gone }, ...NOTHING, stops: [] };

  const ours = kind.find(prev, snap);
  if (ours === undefined) {
    const stops = stopsOf(kind.cohort(prev), snap).distinct;
    const lost = prev.track ? kind.lost(prev, snap) : undefined;
    if (lost)
      return { watch: end(prev, lost, wasLive, clock.now), progress: EMPTY_PROGRESS, causes: lost.causes ?? [], stops, evidence: kind.evidence(prev, snap) };
    // A requested deployment may take a moment to show up in DescribeServices.
    if (clock.now - clock.startedAt < clock.graceMs) return { watch: reach({ ...prev, status: 'waiting' }, 'waiting', clock.now), ...NOTHING, stops };
    return { watch: { ...prev, status: 'failed', reason: notAppeared(prev, snap.name, clock, kind.running(snap)) }, ...NOTHING, stops };
  }

  const watch = keepReplaced(prev, kind.track(prev, ours, snap, clock.now));
  const stops = stopsOf(kind.cohort(watch), snap);
  const assessed = (w: ServiceWatch, extra: Partial<ServiceAssessment> = {}): ServiceAssessment => {
    const { eta, ...report } = kind.report(w, ours, snap, clock, stops.causes);
    // The load balancer's own word on the new targets (anomaly detection), for every kind alike.
    const anomalous = anomalousTargets(report.groups, kind.cohort(w), snap);
    return {
      watch: w,
      ...report,
      ...(eta && !isFinal(w.status) ? { eta } : {}),
      ...(anomalous.length ? { anomalous } : {}),
      stops: stops.distinct,
      evidence: kind.evidence(w, snap),
      ...extra,
    };
  };

  const ending = kind.ended(watch, ours, snap);
  if (ending) return assessed(end(watch, ending, wasLive, clock.now));
  // The service wants no tasks: the new revision serves nothing until it is scaled up, and "live"
  // would be a lie (every count is trivially met at zero).
  if (snap.desiredCount === 0) return assessed({ ...watch, status: 'no_tasks' });

  // A crash loop matters only before live: after it, a replaced task is ECS healing the service.
  const failedTasks = wasLive ? undefined : kind.failedTasks(watch, ours, snap);
  const crashLoop = failedTasks === undefined ? undefined : crashLoopOf(stops, failedTasks, snap, kind.cohort(watch));
  if (crashLoop && clock.crashLoopLimit !== undefined && crashLoop.times >= clock.crashLoopLimit) {
    return assessed({ ...watch, status: 'failed', reason: crashLoopReason(crashLoop) });
  }

  // "Live" is confirmed here, the one place: it is said only when a fresh read shows it (a read
  // with cached task data that shows it holds the service at the cut-over and asks for a fresh
  // read, which may say no). Once said, it stays until the deployment ends: ECS replacing a task, a
  // listener not read again, or a hook's later stage do not undo it.
  const measured = kind.phase(watch, ours, snap);
  const unconfirmedLive = !wasLive && !isBefore(measured, 'live') && clock.fresh !== true;
  const phase: Phase = wasLive && isBefore(measured, 'live') ? 'live' : unconfirmedLive ? 'cutting_over' : measured;
  // New tasks stuck in a sub-phase (capacity, image pull, health checks) matter only before live.
  const stuck = wasLive || !isBefore(measured, 'live') ? undefined : stuckTasksOf(kind.cohort(watch), snap, clock.now);
  const a = assessed(reach({ ...watch, status: phase }, phase, clock.now), {
    ...(crashLoop ? { crashLoop } : {}),
    ...(stuck ? { stuck } : {}),
    ...(unconfirmedLive ? { unconfirmedLive } : {}),
  });
  return stuck ? { ...a, causes: [stuckWarning(stuck), ...a.causes] } : a;
}

/** The watch ended as the kind says, worded once for every kind: a failure after "live" says so. */
function end(watch: ServiceWatch, ending: Ending, wasLive: boolean, now: number): ServiceWatch {
  switch (ending.status) {
    case 'retired':
      return reach({ ...watch, status: 'retired' }, 'retired', now);
    case 'superseded':
      return { ...watch, status: 'superseded', supersededBy: ending.by };
    case 'failed': {
      const after = wasLive ? ' after going live' : '';
      const reason =
        'rolledBackTo' in ending
          ? `rolled back to ${ending.rolledBackTo}${after}${ending.why ? ` (${ending.why})` : ''}`
          : `${wasLive ? 'rolled back after going live: ' : ''}${ending.reason}`;
      return { ...watch, status: 'failed', reason };
    }
  }
}

/** The watch with `phase` reached at `now`, and the earlier phases too when one poll skipped past them. */
export function reach(watch: ServiceWatch, phase: Phase, now: number): ServiceWatch {
  if (watch.reachedAt[phase] !== undefined) return watch;
  const reachedAt = { ...watch.reachedAt };
  for (const p of PHASES.slice(0, PHASES.indexOf(phase) + 1)) reachedAt[p] ??= now;
  return { ...watch, reachedAt };
}

/** Why a watch fails when its service is deleted (INACTIVE) or being deleted (DRAINING). */
export function deletedReason(snap: Pick<ServiceSnapshot, 'name' | 'status'>): string | undefined {
  return snap.status === 'ACTIVE' ? undefined : `service ${snap.name} is ${snap.status.toLowerCase()} (deleted or being deleted)`;
}

/** Why a watch fails when the requested deployment never showed up within the grace period. */
function notAppeared(prev: ServiceWatch, service: string, clock: Pick<Clock, 'graceMs'>, runningTaskDefinition?: string): string {
  const wanted = prev.requested ? `${prev.requested.family}:${prev.requested.revision}` : 'the requested task definition';
  return `no deployment of ${wanted} appeared in service ${service} within ${Math.round(clock.graceMs / MS_PER_SECOND)} s${
    runningTaskDefinition ? `; its primary deployment runs ${shortName(runningTaskDefinition)}` : ''
  }. Was the service updated?`;
}

/**
 * What served before ours, as first seen, for every kind alike: later reads may list it no more
 * (the old deployment retired, the original task set gone), and what changed is asked against it once.
 */
function keepReplaced(prev: ServiceWatch, next: ServiceWatch): ServiceWatch {
  if (!prev.replaces) return next;
  const { replacedSince: _, ...rest } = next;
  return { ...rest, replaces: prev.replaces, ...(prev.replacedSince !== undefined ? { replacedSince: prev.replacedSince } : {}) };
}
