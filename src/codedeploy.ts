// The judge of CodeDeploy blue/green services (deployment controller CODE_DEPLOY): from ECS's task
// sets and CodeDeploy's account of the deployment (GetDeployment, GetDeploymentTarget), how far it
// has got and whether it has ended. Pure: no clock, no I/O, no SDK types.
//
// ECS lists no deployments for these services, only task sets; the replacement (green) task set's
// externalId is the CodeDeploy deployment. Live is the AllowTraffic lifecycle event done with the
// green task set carrying all production traffic; retired is the deployment Succeeded, which
// CodeDeploy says once the original task set is terminated (often an hour later).
import {
  type Clock,
  causesOf,
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
} from './rollout.ts';
import { codeDeployUrl } from './console.ts';
import type { CodeDeploySnapshot, LifecycleEventSnapshot, ServiceSnapshot, TaskSetSnapshot } from './snapshot.ts';
import { sameTaskDefinition, shortName } from './task-definition.ts';
import { trafficSteps } from './traffic.ts';

/** The lifecycle events of an ECS deployment target, in the order CodeDeploy runs them. */
export const LIFECYCLE_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
] as const;

/** Events that run the user's Lambda hooks (the others are CodeDeploy's own work). */
const HOOK_EVENTS = new Set(['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic']);
const DONE = new Set(['Succeeded', 'Skipped']);
const ENDED_BADLY = new Set(['Failed', 'Stopped']);
const FULL = 100;
const MS_PER_MINUTE = 60_000;
/** Lines of a failed hook's log tail kept in a cause. */
const LOG_TAIL_LINES = 5;

/** The production steps a CodeDeploy ECS configuration moves through, read from the predefined names (custom ones: unknown). */
export function configSteps(configName: string | undefined): { strategy: string; steps: number[] } {
  const linear = /Linear(\d+)PercentEvery/i.exec(configName ?? '');
  if (linear) return { strategy: 'LINEAR', steps: trafficSteps({ strategy: 'LINEAR', linear: { stepPercent: Number(linear[1]) } }) };
  const canary = /Canary(\d+)Percent/i.exec(configName ?? '');
  if (canary) return { strategy: 'CANARY', steps: trafficSteps({ strategy: 'CANARY', canary: { percent: Number(canary[1]) } }) };
  return { strategy: 'BLUE_GREEN', steps: /AllAtOnce/i.test(configName ?? '') ? [FULL] : [] };
}


/** The region of an ARN (arn:aws:ecs:REGION:…). */
function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

const event = (d: CodeDeploySnapshot, name: string): LifecycleEventSnapshot | undefined => d.events.find((e) => e.name === name);
const isDone = (d: CodeDeploySnapshot, name: string) => DONE.has(event(d, name)?.status ?? '');

/** Our task set: the one of the requested task definition, else the replacement (the newest, when there are several). */
function findTaskSet(prev: ServiceWatch, sets: readonly TaskSetSnapshot[]): TaskSetSnapshot | undefined {
  const newest = (list: readonly TaskSetSnapshot[]) => list.reduce<TaskSetSnapshot | undefined>((a, t) => (!a || t.createdAt > a.createdAt ? t : a), undefined);
  if (prev.taskSetId) return sets.find((t) => t.id === prev.taskSetId) ?? sets.find((t) => t.externalId !== undefined && t.externalId === prev.codeDeployId);
  if (prev.requested) {
    const requested = prev.requested;
    return newest(sets.filter((t) => sameTaskDefinition(t.taskDefinitionArn, requested)));
  }
  return sets.length > 1 ? newest(sets) : undefined;
}

function phaseOf(d: CodeDeploySnapshot | undefined, green: number | undefined): Phase {
  if (!d || !isDone(d, 'Install')) return 'starting';
  const allow = event(d, 'AllowTraffic');
  if (allow && DONE.has(allow.status) && (green === undefined || green >= FULL)) return 'live';
  if (allow?.status === 'InProgress' || (allow && DONE.has(allow.status))) return 'cutting_over';
  return 'registering';
}

function failureReason(d: CodeDeploySnapshot, wasLive: boolean): string {
  const failed = d.events.find((e) => e.status === 'Failed');
  const parts = [`CodeDeploy deployment ${d.id} ${d.status === 'Stopped' ? 'was stopped' : 'failed'}`];
  if (d.error?.code || d.error?.message) parts.push(`: ${[d.error.code, d.error.message].filter(Boolean).join(': ')}`);
  if (failed) parts.push(` (lifecycle event ${failed.name} failed${failed.diagnostics?.message ? `: ${failed.diagnostics.message}` : ''})`);
  if (d.rollback?.deploymentId) parts.push(`; rolled back by deployment ${d.rollback.deploymentId}`);
  return `${wasLive ? 'rolled back after going live: ' : ''}${parts.join('')}`;
}

/** What CodeDeploy says is going wrong: its error, a failed event's diagnostics and log tail, the rollback. */
function codeDeployCauses(d: CodeDeploySnapshot): string[] {
  const causes: string[] = [];
  if (d.error?.code || d.error?.message) causes.push(`CodeDeploy: ${[d.error.code, d.error.message].filter(Boolean).join(': ')}`);
  for (const e of d.events.filter((x) => x.status === 'Failed')) {
    const diag = e.diagnostics;
    const detail = [diag?.errorCode, diag?.script ? `hook ${diag.script}` : undefined, diag?.message].filter(Boolean).join(': ');
    causes.push(`lifecycle event ${e.name} failed${detail ? `: ${detail}` : ''}`);
    const tail = diag?.logTail?.trim().split('\n').slice(-LOG_TAIL_LINES).join(' | ');
    if (tail) causes.push(`${e.name} log: ${tail}`);
  }
  if (d.rollback?.message) causes.push(`rollback: ${d.rollback.message}`);
  return causes;
}

/** One poll's step for one CodeDeploy service. */
export function assessCodeDeploy(prev: ServiceWatch, snap: ServiceSnapshot, clock: Clock): ServiceAssessment {
  if (isFinal(prev.status)) return { watch: prev, progress: EMPTY_PROGRESS, causes: [] };
  const end = ending(clock);
  const gone = deletedReason(snap);
  if (gone) return end('failed', { ...prev, reason: gone });
  const sets = snap.taskSets ?? [];
  const primary = sets.find((t) => t.status === 'PRIMARY');
  const ours = findTaskSet(prev, sets);
  const deploymentId = ours?.externalId ?? prev.codeDeployId;
  const d = snap.codeDeploy?.find((x) => x.id === deploymentId);
  const wasLive = prev.reachedAt.live !== undefined;

  if (!ours) {
    // Our task set is gone: CodeDeploy says how its deployment ended; a newer task set of other code superseded it.
    if (d?.status === 'Succeeded') return end('retired', prev);
    if (d && ENDED_BADLY.has(d.status)) return end('failed', { ...prev, reason: failureReason(d, wasLive) }, EMPTY_PROGRESS, codeDeployCauses(d));
    if (prev.taskSetId) {
      const newer = sets.find((t) => t.createdAt > (prev.deploymentCreatedAt ?? 0) && t.taskDefinitionArn !== prev.taskDefinitionArn);
      if (newer && !(prev.previousTaskDefinitions ?? []).includes(newer.taskDefinitionArn)) return end('superseded', { ...prev, supersededBy: shortName(newer.taskDefinitionArn) });
      return end('failed', { ...prev, reason: `the task set of ${prev.taskDefinitionArn ? shortName(prev.taskDefinitionArn) : 'the new revision'} is gone from service ${snap.name}` });
    }
    if (clock.now - clock.startedAt < clock.graceMs) return { watch: reach({ ...prev, status: 'waiting' }, 'waiting', clock.now), progress: EMPTY_PROGRESS, causes: [] };
    return end('failed', { ...prev, reason: notAppeared(prev, snap.name, clock, primary?.taskDefinitionArn) });
  }

  const watch: ServiceWatch = {
    ...prev,
    taskSetId: ours.id,
    codeDeployId: deploymentId,
    deploymentCreatedAt: ours.createdAt,
    taskDefinitionArn: ours.taskDefinitionArn,
    previousTaskDefinitions: [...new Set([...(prev.previousTaskDefinitions ?? []), ...sets.filter((t) => t.createdAt < ours.createdAt).map((t) => t.taskDefinitionArn)])],
  };
  const greenInfo = d?.taskSets.find((t) => t.label === 'Green');
  const green = greenInfo?.weight;
  const progress: Progress = { ...EMPTY_PROGRESS, desired: ours.desired, running: ours.running, ready: ours.running, oldTasks: sets.filter((t) => t !== ours).reduce((n, t) => n + t.running, 0) };
  const causes = [...new Set([...(d ? codeDeployCauses(d) : []), ...causesOf({ taskDefinitionArn: ours.taskDefinitionArn, createdAt: ours.createdAt }, snap, clock)])];
  const { strategy, steps } = configSteps(d?.configName);
  const running = d?.events.find((e) => e.status === 'InProgress' && HOOK_EVENTS.has(e.name));
  const allowed = d ? (event(d, 'AfterAllowTraffic')?.endedAt ?? event(d, 'AllowTraffic')?.endedAt) : undefined;
  const readySince = d ? (event(d, 'AfterAllowTestTraffic')?.endedAt ?? event(d, 'AfterInstall')?.endedAt) : undefined;
  const shift: ShiftView = {
    strategy,
    controller: 'CODE_DEPLOY',
    ...(d ? { deploymentId: d.id, consoleUrl: codeDeployUrl(regionOf(snap.arn), d.id) } : {}),
    stage: running?.name ?? d?.events.find((e) => e.status === 'InProgress')?.name,
    production: green,
    ...(d && isDone(d, 'AllowTestTraffic') && !event(d, 'AllowTraffic')?.startedAt ? { test: FULL } : {}),
    steps,
    ...(d?.status === 'Ready' && d.readyAction === 'STOP_DEPLOYMENT'
      ? {
          hook: {
            id: 'traffic reroute',
            targetType: 'PAUSE',
            status: 'AWAITING_ACTION',
            ...(readySince !== undefined && d.readyWaitMinutes ? { expiresAt: readySince + d.readyWaitMinutes * MS_PER_MINUTE } : {}),
          },
        }
      : running
        ? { hook: { id: running.name, targetType: 'AWS_LAMBDA', status: 'IN_PROGRESS' } }
        : {}),
    ...(allowed !== undefined && d?.terminationWaitMinutes !== undefined && d.status !== 'Succeeded' ? { keptUntil: allowed + d.terminationWaitMinutes * MS_PER_MINUTE } : {}),
    requested: ours.desired,
    running: ours.running,
  };

  if (d && ENDED_BADLY.has(d.status)) return end('failed', { ...watch, reason: failureReason(d, wasLive) }, progress, causes, shift);
  if (d?.status === 'Succeeded') return end('retired', watch, progress, causes, shift);
  if (snap.desiredCount === 0) return end('no_tasks', watch, progress, causes, shift);

  // No crash-loop watch here: ECS counts no failed tasks for task sets, and CodeDeploy's own health
  // checks and hooks decide (the README says so beside CRASH_LOOP_LIMIT).
  const phase: Phase = wasLive ? 'live' : phaseOf(d, green);
  return { watch: reach({ ...watch, status: phase }, phase, clock.now), progress, causes, shift };
}
