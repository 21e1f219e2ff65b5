// CodeDeploy blue/green services (deployment controller CODE_DEPLOY): the kind's record for the
// judge skeleton (judge.ts), from ECS's task sets and CodeDeploy's account of the deployment
// (GetDeployment, GetDeploymentTarget). Pure: no clock, no I/O, no SDK types.
//
// ECS lists no deployments for these services, only task sets; the replacement (green) task set's
// externalId is the CodeDeploy deployment. Live is the AllowTraffic lifecycle event done with the
// green task set carrying all production traffic; retired is the deployment Succeeded, which
// CodeDeploy says once the original task set is terminated (often an hour later).
import { regionOf } from './arn.ts';
import { codeDeployUrl } from './console.ts';
import { causesOf } from './evidence.ts';
import type { Kind } from './kind.ts';
import { type CodeDeploySnapshot, cohortOf, type LifecycleEventSnapshot, newestOf, type ServiceSnapshot, type TaskSetSnapshot } from './snapshot.ts';
import { sameTaskDefinition, shortName } from './task-definition.ts';
import {
  EMPTY_PROGRESS,
  MS_PER_MINUTE,
  NO_EVIDENCE,
  type Phase,
  type Progress,
  type ServiceWatch,
  type ShiftView,
  type TrafficGroups,
  trafficSteps,
} from './vocabulary.ts';

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
/** Lines of a failed hook's log tail kept in a cause. */
const LOG_TAIL_LINES = 5;

/** The production steps a CodeDeploy ECS configuration moves through, read from the predefined names (custom ones: unknown). */
export function configSteps(configName: string | undefined): { strategy: string; steps: number[] } {
  const linear = /Linear(\d+)PercentEvery/i.exec(configName ?? '');
  if (linear) return { strategy: 'LINEAR', steps: trafficSteps('LINEAR', Number(linear[1])) };
  const canary = /Canary(\d+)Percent/i.exec(configName ?? '');
  if (canary) return { strategy: 'CANARY', steps: trafficSteps('CANARY', Number(canary[1])) };
  return { strategy: 'BLUE_GREEN', steps: /AllAtOnce/i.test(configName ?? '') ? [FULL] : [] };
}

const event = (d: CodeDeploySnapshot, name: string): LifecycleEventSnapshot | undefined => d.events.find((e) => e.name === name);
const isDone = (d: CodeDeploySnapshot, name: string) => DONE.has(event(d, name)?.status ?? '');

/** Our task set: the one of the requested task definition, else the replacement (the newest, when there are several). */
function findTaskSet(prev: ServiceWatch, sets: readonly TaskSetSnapshot[]): TaskSetSnapshot | undefined {
  if (prev.track?.kind === 'codedeploy') {
    const { taskSetId, codeDeployId } = prev.track;
    return sets.find((t) => t.id === taskSetId) ?? sets.find((t) => t.externalId !== undefined && t.externalId === codeDeployId);
  }
  if (prev.requested) {
    const requested = prev.requested;
    return newestOf(sets.filter((t) => sameTaskDefinition(t.taskDefinitionArn, requested)));
  }
  return sets.length > 1 ? newestOf(sets) : undefined;
}

function phaseOf(d: CodeDeploySnapshot | undefined, green: number | undefined): Phase {
  if (!d || !isDone(d, 'Install')) return 'starting';
  const allow = event(d, 'AllowTraffic');
  if (allow && DONE.has(allow.status) && (green === undefined || green >= FULL)) return 'live';
  if (allow?.status === 'InProgress' || (allow && DONE.has(allow.status))) return 'cutting_over';
  return 'registering';
}

function failureReason(d: CodeDeploySnapshot): string {
  const failed = d.events.find((e) => e.status === 'Failed');
  const parts = [`CodeDeploy deployment ${d.id} ${d.status === 'Stopped' ? 'was stopped' : 'failed'}`];
  if (d.error?.code || d.error?.message) parts.push(`: ${[d.error.code, d.error.message].filter(Boolean).join(': ')}`);
  if (failed) parts.push(` (lifecycle event ${failed.name} failed${failed.diagnostics?.message ? `: ${failed.diagnostics.message}` : ''})`);
  if (d.rollback?.deploymentId) parts.push(`; rolled back by deployment ${d.rollback.deploymentId}`);
  return parts.join('');
}

/** A hook event's Lambda function: named in the deployment's AppSpec when given inline, else in CodeDeploy's diagnostics. */
function hookFunctionOf(d: CodeDeploySnapshot, e: CodeDeploySnapshot['events'][number]): string | undefined {
  return d.hookFunctions?.[e.name] ?? e.diagnostics?.script;
}

/**
 * Where to find the function behind a failed hook when nothing read names it. CodeDeploy's real
 * error names none ("The deployment failed because one or more of the lifecycle event validation
 * functions failed.", codedeploy troubleshooting-ecs-lifecycle, and a 2026 capture of
 * HOOK_EXECUTION_FAILURE), and an AppSpec kept in S3 is not read here.
 */
function whereTheHookIs(d: CodeDeploySnapshot, event: string): string {
  const appSpec = d.appSpecAt ? `the AppSpec at ${d.appSpecAt}` : "the deployment's AppSpec";
  return `the Lambda function behind ${event} is the one ${appSpec} names under Hooks for ${event}; its logs are in /aws/lambda/<function>, or in the log group its logging configuration names`;
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
    const unnamed = HOOK_EVENTS.has(e.name) && !hookFunctionOf(d, e);
    if (unnamed) causes.push(whereTheHookIs(d, e.name));
  }
  if (d.rollback?.message) causes.push(`rollback: ${d.rollback.message}`);
  return causes;
}

/** Ours: the replacement task set, and CodeDeploy's account of the deployment that created it (once read). */
interface Ours {
  set: TaskSetSnapshot;
  d?: CodeDeploySnapshot;
}

const codeDeployOf = (snap: ServiceSnapshot, id: string | undefined) => (id === undefined ? undefined : snap.codeDeploy?.find((x) => x.id === id));
const greenWeight = (d: CodeDeploySnapshot | undefined) => d?.taskSets.find((t) => t.label === 'Green')?.weight;

export const CODE_DEPLOY: Kind<Ours, ServiceSnapshot> = {
  find(prev, snap) {
    const set = findTaskSet(prev, snap.taskSets ?? []);
    if (!set) return undefined;
    const d = codeDeployOf(snap, set.externalId ?? (prev.track?.kind === 'codedeploy' ? prev.track.codeDeployId : undefined));
    return { set, ...(d ? { d } : {}) };
  },

  // Our task set is gone: CodeDeploy says how its deployment ended; a newer task set of other code superseded it.
  lost(prev, snap) {
    const d = codeDeployOf(snap, prev.track?.kind === 'codedeploy' ? prev.track.codeDeployId : undefined);
    if (d?.status === 'Succeeded') return { status: 'retired' };
    if (d && ENDED_BADLY.has(d.status)) return { status: 'failed', reason: failureReason(d), causes: codeDeployCauses(d) };
    const newer = (snap.taskSets ?? []).find((t) => t.createdAt > (prev.deploymentCreatedAt ?? 0) && t.taskDefinitionArn !== prev.taskDefinitionArn);
    if (newer && !(prev.previousTaskDefinitions ?? []).includes(newer.taskDefinitionArn))
      return { status: 'superseded', by: shortName(newer.taskDefinitionArn) };
    return {
      status: 'failed',
      reason: `the task set of ${prev.taskDefinitionArn ? shortName(prev.taskDefinitionArn) : 'the new revision'} is gone from service ${snap.name}`,
    };
  },

  cohort: (watch) => cohortOf(watch.taskDefinitionArn),

  running: (snap) => snap.taskSets?.find((t) => t.status === 'PRIMARY')?.taskDefinitionArn,

  track(prev, { set, d }, snap) {
    const codeDeployId = set.externalId ?? (prev.track?.kind === 'codedeploy' ? prev.track.codeDeployId : d?.id);
    // What served before ours: the newest original task set.
    const before = newestOf((snap.taskSets ?? []).filter((t) => t.createdAt < set.createdAt));
    return {
      ...prev,
      track: { kind: 'codedeploy', taskSetId: set.id, ...(codeDeployId ? { codeDeployId } : {}) },
      deploymentCreatedAt: set.createdAt,
      taskDefinitionArn: set.taskDefinitionArn,
      previousTaskDefinitions: [
        ...new Set([
          ...(prev.previousTaskDefinitions ?? []),
          ...(snap.taskSets ?? []).filter((t) => t.createdAt < set.createdAt).map((t) => t.taskDefinitionArn),
        ]),
      ],
      ...(before ? { replaces: before.taskDefinitionArn, replacedSince: before.createdAt } : {}),
    };
  },

  ended(_watch, { d }) {
    if (d && ENDED_BADLY.has(d.status)) return { status: 'failed', reason: failureReason(d) };
    if (d?.status === 'Succeeded') return { status: 'retired' };
    return undefined;
  },

  // No crash-loop watch here: ECS counts no failed tasks for task sets, and CodeDeploy's own health
  // checks and hooks decide (the README says so beside CRASH_LOOP_LIMIT).
  failedTasks: () => undefined,

  phase: (_watch, { d }) => phaseOf(d, greenWeight(d)),

  // A failed hook event's function: named in the deployment's AppSpec (read by the reader), else in CodeDeploy's diagnostics.
  evidence(watch, snap) {
    const d = codeDeployOf(snap, watch.track?.kind === 'codedeploy' ? watch.track.codeDeployId : undefined);
    if (!d) return NO_EVIDENCE;
    const hooks = d.events.flatMap((e) => {
      const fn = hookFunctionOf(d, e);
      return e.status === 'Failed' && HOOK_EVENTS.has(e.name) && fn
        ? [{ function: fn, stage: e.name, status: e.status, ...(e.startedAt ? { from: e.startedAt } : {}), ...(e.endedAt ? { to: e.endedAt } : {}) }]
        : [];
    });
    return { alarms: [], hooks };
  },

  report(_watch, { set, d }, snap, clock, stopCauses) {
    const sets = snap.taskSets ?? [];
    const progress: Progress = {
      ...EMPTY_PROGRESS,
      desired: set.desired,
      running: set.running,
      ready: set.running,
      oldTasks: sets.filter((t) => t !== set).reduce((n, t) => n + t.running, 0),
    };
    const causes = [
      ...new Set([
        ...(d ? codeDeployCauses(d) : []),
        ...causesOf({ taskDefinitionArn: set.taskDefinitionArn, createdAt: set.createdAt }, snap, clock, stopCauses),
      ]),
    ];
    return { progress, causes, shift: shiftView(set, d, snap), ...(d ? { groups: groupsOf(d) } : {}) };
  },
};

/** The replacement (Green) task set's target group against the original (Blue) one's, as CodeDeploy names them. */
function groupsOf(d: CodeDeploySnapshot): TrafficGroups {
  const of = (label: string) => d.taskSets.flatMap((t) => (t.label === label && t.targetGroup ? [t.targetGroup] : []));
  return { kind: 'split', fresh: of('Green'), old: of('Blue') };
}

function shiftView(set: TaskSetSnapshot, d: CodeDeploySnapshot | undefined, snap: ServiceSnapshot): ShiftView {
  const { strategy, steps } = configSteps(d?.configName);
  const running = d?.events.find((e) => e.status === 'InProgress' && HOOK_EVENTS.has(e.name));
  const allowed = d ? (event(d, 'AfterAllowTraffic')?.endedAt ?? event(d, 'AllowTraffic')?.endedAt) : undefined;
  const readySince = d ? (event(d, 'AfterAllowTestTraffic')?.endedAt ?? event(d, 'AfterInstall')?.endedAt) : undefined;
  return {
    strategy,
    controller: 'CODE_DEPLOY',
    ...(d ? { deploymentId: d.id, consoleUrl: codeDeployUrl(regionOf(snap.arn), d.id) } : {}),
    stage: running?.name ?? d?.events.find((e) => e.status === 'InProgress')?.name,
    production: greenWeight(d),
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
    ...(allowed !== undefined && d?.terminationWaitMinutes !== undefined && d.status !== 'Succeeded'
      ? { keptUntil: allowed + d.terminationWaitMinutes * MS_PER_MINUTE }
      : {}),
    requested: set.desired,
    running: set.running,
  };
}
