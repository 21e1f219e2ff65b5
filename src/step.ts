// The run as a reducer: `step(state, snapshots, now)` → `{ state, view }`. All the rules for what a
// poll means live here and in the judges (judge.ts): how each service stands, when the whole run is
// live, failed, timed out or superseded, which causes to keep, when "live" must be confirmed on a
// fresh read, and what a reader of the message would see change. Pure: no clock, no I/O; the watch
// (watch.ts) only reads, steps, sends and sleeps.
import { type Judge, judgeFor } from './judge.ts';
import {
  crashLoopWarning,
  decideRollout,
  distinctStops,
  type Eta,
  isFinal,
  newWatch,
  PHASES,
  type Phase,
  type Progress,
  type RolloutVerdict,
  type ServiceAssessment,
  type ServiceStatus,
  type ServiceWatch,
  type ShiftView,
  type StoppedTask,
} from './rollout.ts';
import type { ServiceSnapshot } from './snapshot.ts';
import { shortName, type TaskDefinitionRef } from './task-definition.ts';

/** One service as the message and the log show it. */
export interface ServiceLine {
  service: string;
  status: ServiceStatus;
  /** `family:revision` being deployed, once known. */
  taskDefinition?: string;
  progress?: Progress;
  reason?: string;
  supersededBy?: string;
  /** Something going wrong that ECS has not decided on yet (a crash loop): shown, not an outcome. */
  warning?: string;
  /** Traffic-shifting deployments: stage, traffic share, bake, hooks. */
  shift?: ShiftView;
  /** When the next step should be reached. */
  eta?: Eta;
  /** The target groups its new tasks register with (ARNs), as last read: linked in the failure thread. */
  targetGroups?: string[];
}

/** What the run keeps about one service between polls besides its watch: what its last read showed. */
interface ServiceFacts {
  progress: Progress;
  /** The freshest reasons why it is not (yet) live. */
  causes: readonly string[];
  /** A crash loop ECS has not decided on. */
  warning?: string;
  /** How its traffic-shifting deployment stood when last read. */
  shift?: ShiftView;
  eta?: Eta;
  /** The target groups (ARNs) of its last read. */
  targetGroups: readonly string[];
  /** Its new tasks that stopped, one per distinct way of stopping. */
  stops: readonly StoppedTask[];
}

/** WAIT_UNTIL: follow the rollout until the old version is retired, or end once the new one is live. */
export type WaitUntil = 'retired' | 'live';

/** Everything the run knows between polls. */
export interface RunState {
  readonly startedAt: number;
  /** WAIT_TIMEOUT as an epoch ms. */
  readonly deadline: number;
  /** How long a requested deployment may take to show up. */
  readonly graceMs: number;
  /** CRASH_LOOP_LIMIT, when set. */
  readonly crashLoopLimit?: number;
  readonly waitUntil: WaitUntil;
  readonly watches: readonly ServiceWatch[];
  /** Per service, the facts of its last read (kept when a service is no longer read). */
  readonly facts: ReadonlyMap<string, ServiceFacts>;
  readonly verdict: RolloutVerdict;
  /** "live" has been seen on a fresh task list, not only on cached task data. */
  readonly confirmed: boolean;
}

/** What one step shows: the message's and the log's data, and what the watch must do next. */
export interface RolloutView {
  status: RolloutVerdict['status'];
  phase: Phase;
  /** Stop watching: the outcome is final. */
  done: boolean;
  services: ServiceLine[];
  /** When every service still ours reached each phase (epoch ms). */
  milestones: Partial<Record<Phase, number>>;
  /** The distinct causes, freshest first per service. */
  causes: string[];
  /** Read again with a fresh task list before saying "live". */
  confirm: boolean;
  /** Changes exactly when a reader of the message would see a change (phases, not every count). */
  announcement: string;
  /** The services to read at the next poll: those not finished. */
  active: string[];
  /** Services whose "live" is settled: the reader need not check their traffic and targets again. */
  settled: string[];
  /** New tasks that stopped, one per service and distinct way of stopping, newest first: whose last log lines the failure thread shows. */
  stoppedTasks: Array<StoppedTask & { service: string }>;
  /** Set when the watch ends at "live" (WAIT_UNTIL=live) before the old version is retired. */
  endedAtLive?: boolean;
  /** Traffic is being cut over and "live" is moments away (poll faster). */
  liveImminent: boolean;
}

export function start(
  services: readonly string[],
  requested: readonly (TaskDefinitionRef | undefined)[] | undefined,
  clock: { startedAt: number; deadline: number; graceMs: number; crashLoopLimit?: number; waitUntil?: WaitUntil },
): RunState {
  return {
    ...clock,
    waitUntil: clock.waitUntil ?? 'retired',
    watches: services.map((s, i) => newWatch(s, requested?.[i])),
    facts: new Map(),
    verdict: { status: 'rolling_out', phase: 'waiting', done: false },
    confirmed: false,
  };
}

/**
 * One poll: the snapshots read (services not read keep their watch), at `now`. `fresh`: the
 * snapshots were read with a fresh task list, so a "live" they show is confirmed.
 */
export function step(state: RunState, snapshots: ReadonlyMap<string, ServiceSnapshot>, now: number, options: { fresh?: boolean } = {}): { state: RunState; view: RolloutView } {
  const clock = { now, startedAt: state.startedAt, graceMs: state.graceMs, crashLoopLimit: state.crashLoopLimit };
  const facts = new Map(state.facts);
  const watches = state.watches.map((w) => {
    const snap = snapshots.get(w.service);
    if (!snap) return w;
    const judge = judgeFor(snap);
    if (!isJudge(judge)) return w; // the watch refuses such a service before the first step
    const a = judge.assess(w, snap, clock);
    facts.set(w.service, factsOf(facts.get(w.service), a, snap));
    return a.watch;
  });
  const decided = decideRollout(watches, now, state.deadline);
  const confirmed = state.confirmed || (options.fresh === true && decided.status === 'live');
  // WAIT_UNTIL=live: a confirmed "live" is the end of the watch, whatever is left to retire.
  const verdict = state.waitUntil === 'live' && decided.status === 'live' && confirmed ? { ...decided, done: true } : decided;
  const next: RunState = { ...state, watches, facts, verdict, confirmed };
  return { state: next, view: viewOf(next) };
}

/** What one assessment adds to what the run knew of a service. */
function factsOf(prev: ServiceFacts | undefined, a: ServiceAssessment, snap: ServiceSnapshot): ServiceFacts {
  const final = isFinal(a.watch.status);
  const stops = a.watch.taskDefinitionArn ? distinctStops(a.watch.taskDefinitionArn, snap) : [];
  const shift = a.shift ?? prev?.shift;
  return {
    progress: a.progress,
    // A service that finished keeps the causes and stopped tasks it had, unless it finished with its own.
    causes: a.causes.length || !final ? a.causes : (prev?.causes ?? []),
    stops: stops.length || !final ? stops : (prev?.stops ?? []),
    ...(a.crashLoop && !final ? { warning: crashLoopWarning(a.crashLoop) } : {}),
    ...(shift ? { shift } : {}),
    ...(a.eta ? { eta: a.eta } : {}),
    targetGroups: snap.targetGroups.length ? snap.targetGroups.map((g) => g.arn) : (prev?.targetGroups ?? []),
  };
}

/** The verdict as at the deadline, when AWS could not be read to the end (it kept failing until WAIT_TIMEOUT). */
export function expire(state: RunState): { state: RunState; view: RolloutView } {
  const next = { ...state, verdict: decideRollout(state.watches, state.deadline, state.deadline) };
  return { state: next, view: viewOf(next) };
}

/** The view of a state (at the start too, before any step). */
export function viewOf(state: RunState): RolloutView {
  const services = state.watches.map((w) => lineOf(w, state.facts.get(w.service)));
  return {
    status: state.verdict.status,
    phase: state.verdict.phase,
    done: state.verdict.done,
    services,
    milestones: milestones(state.watches),
    causes: [...new Set([...state.facts.values()].flatMap((f) => f.causes))],
    confirm: state.verdict.status === 'live' && !state.confirmed,
    announcement: JSON.stringify([
      state.verdict.status,
      state.verdict.phase,
      state.watches.map((w) => [w.status, w.taskDefinitionArn, state.facts.get(w.service)?.warning, shiftShown(state.facts.get(w.service)?.shift)]),
    ]),
    active: state.watches.filter((w) => !isFinal(w.status)).map((w) => w.service),
    liveImminent: liveImminent(state),
    stoppedTasks: [...state.facts].flatMap(([service, f]) => f.stops.map((t) => ({ service, ...t }))),
    settled: state.confirmed ? state.watches.filter((w) => w.status === 'live').map((w) => w.service) : [],
    ...(state.verdict.done && state.verdict.status === 'live' && state.verdict.phase !== 'retired' && state.waitUntil === 'live' ? { endedAtLive: true } : {}),
  };
}

/**
 * Whether "live" is moments away: traffic is being cut over, and no traffic-shifting service still
 * has a step to take before the last (a linear or canary step bakes for minutes) or waits for a
 * hook's approval.
 */
function liveImminent(state: RunState): boolean {
  if (state.verdict.phase !== 'cutting_over') return false;
  return state.watches.every((w) => {
    const shift = state.facts.get(w.service)?.shift;
    if (w.status !== 'cutting_over' || !shift) return true;
    const beforeLast = shift.steps.at(-2);
    return !shift.hook && (beforeLast === undefined || (shift.production ?? 0) >= beforeLast);
  });
}

/** What a reader sees change in a traffic-shifting deployment: a traffic step, test traffic, a hook waiting or done. */
export function shiftShown(shift: ShiftView | undefined): string {
  if (!shift) return '';
  return [Math.round(shift.production ?? 0), Math.round(shift.test ?? 0), shift.hook ? `${shift.hook.id}:${shift.hook.status}` : '', shift.stage === 'CLEAN_UP'].join('|');
}

function isJudge(j: Judge | { unsupported: string }): j is Judge {
  return 'assess' in j;
}

function lineOf(w: ServiceWatch, f?: ServiceFacts): ServiceLine {
  return {
    ...(f?.targetGroups.length ? { targetGroups: [...f.targetGroups] } : {}),
    ...(f?.eta && !isFinal(w.status) ? { eta: f.eta } : {}),
    ...(f?.warning ? { warning: f.warning } : {}),
    ...(f?.shift ? { shift: f.shift } : {}),
    service: w.service,
    status: w.status,
    taskDefinition: w.taskDefinitionArn ? shortName(w.taskDefinitionArn) : w.requested ? `${w.requested.family}:${w.requested.revision}` : undefined,
    progress: f?.progress,
    reason: w.reason,
    supersededBy: w.supersededBy,
  };
}

/** When every service still ours reached each phase. */
function milestones(watches: readonly ServiceWatch[]): Partial<Record<Phase, number>> {
  const ours = watches.filter((w) => w.status !== 'superseded' && w.status !== 'failed');
  const out: Partial<Record<Phase, number>> = {};
  if (!ours.length) return out;
  for (const p of PHASES) {
    const times = ours.flatMap((w) => {
      const t = w.reachedAt[p];
      return t === undefined ? [] : [t];
    });
    if (times.length === ours.length) out[p] = Math.max(...times);
  }
  return out;
}
