// The run as a reducer: `step(state, snapshots, now)` → `{ state, view }`. Each service is judged by
// the judge of its kind (judge.ts over rolling.ts, traffic.ts, codedeploy.ts); the run's verdict
// is verdict.ts's; a "live" a read with cached task data shows asks for a fresh read (the judge
// confirms it there, the one place); here WAIT_UNTIL is applied, and the view drawn: the lines, what changed, and when to poll next. Pure: no clock, no I/O; the
// watch (watch.ts) only reads, steps, sends and sleeps.
import { CODE_DEPLOY } from './codedeploy.ts';
import { crashLoopWarning } from './evidence.ts';
import { judgeWith } from './judge.ts';
import type { Judge } from './kind.ts';
import { trafficNow, trafficShown, type UrlRun, urlNow, type VerifyRun, withAnswer, withRead } from './measuring.ts';
import { ROLLING } from './rolling.ts';
import { type Due, liveImminent, liveMayCome, nextWait, type Outlook } from './schedule.ts';
import { type ServiceSnapshot, SHIFTING_STRATEGIES } from './snapshot.ts';
import { stuckWarning } from './stuck.ts';
import { rolledBackFrom, shortName } from './task-definition.ts';
import { slowestFacts, type TimingFacts, timeSpent, timingFactsOf } from './timing.ts';
import { TRAFFIC } from './traffic.ts';
import type { UrlAnswer, UrlExpectation } from './url-check.ts';
import { decideRollout } from './verdict.ts';
import type { MetricsRead, Verification } from './verification.ts';
import type { RolloutView, ServiceLine } from './view.ts';
import {
  type Eta,
  type Evidence,
  isFinal,
  MS_PER_SECOND,
  NO_EVIDENCE,
  newWatch,
  PHASES,
  type Phase,
  type Progress,
  type RollingBake,
  type RolloutVerdict,
  type ServiceAssessment,
  type ServiceStatus,
  type ServiceWatch,
  type ShiftView,
  type StoppedTask,
  type TaskDefinitionRef,
  type TrafficGroups,
  type VerifySettings,
  type WaitUntil,
} from './vocabulary.ts';

/** One judge per kind of deployment. */
export const JUDGES = {
  /** Rolling updates (deployment controller ECS, strategy ROLLING). */
  rolling: judgeWith(ROLLING),
  /** ECS-native blue/green, linear and canary deployments (controller ECS). */
  traffic: judgeWith(TRAFFIC),
  /** Blue/green through AWS CodeDeploy (controller CODE_DEPLOY). */
  codeDeploy: judgeWith(CODE_DEPLOY),
} as const;

/** The judge for a service's deployments, or why there is none. */
export function judgeFor(snap: ServiceSnapshot): Judge<ServiceSnapshot> | { unsupported: string } {
  const strategy = snap.deploymentStrategy ?? 'ROLLING';
  if (snap.deploymentController === 'ECS' && strategy === 'ROLLING') return JUDGES.rolling;
  if (snap.deploymentController === 'ECS' && SHIFTING_STRATEGIES.has(strategy)) return JUDGES.traffic;
  if (snap.deploymentController === 'CODE_DEPLOY') return JUDGES.codeDeploy;
  const how = snap.deploymentController !== 'ECS' ? `the ${snap.deploymentController} deployment controller` : `the ${strategy} deployment strategy`;
  return {
    unsupported: `Service ${snap.name} deploys with ${how}; the pipe judges deployments of the ECS and CODE_DEPLOY controllers (ECS strategies ROLLING, BLUE_GREEN, LINEAR and CANARY), so this rollout is not judged.`,
  };
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
  /** A rolling update ECS still bakes after its old version is gone. */
  bake?: RollingBake;
  eta?: Eta;
  /** Its next predicted transition, kept while its status stays the same (also once the moment has passed): the schedule polls around it. */
  due?: Due & { status: ServiceStatus };
  /** The target groups (ARNs) of its last read. */
  targetGroups: readonly string[];
  /** Its new tasks that stopped, one per distinct way of stopping. */
  stops: readonly StoppedTask[];
  /** ECS Express Mode: the service's endpoint, once read. */
  endpoint?: string;
  /** What explains how long its phases took (target group settings, image pull, bake), as last known. */
  timing: TimingFacts;
  /** The alarms and failed Lambda hooks its deployment named, at any read of this run. */
  evidence: Evidence;
  /** Which target groups carry the new version's requests and which the old's, as last known. */
  groups?: TrafficGroups;
  /** New targets the load balancer's anomaly detection flagged at the last read. */
  anomalous?: string[];
}

/** Everything the run knows between polls. */
export interface RunState {
  readonly startedAt: number;
  /** WAIT_TIMEOUT as an epoch ms. */
  readonly deadline: number;
  /** How long a requested deployment may take to show up. */
  readonly graceMs: number;
  /** POLL_INTERVAL: the cadence the schedule (schedule.ts) starts from. */
  readonly pollIntervalMs: number;
  /** The run's own seed for the schedule's jitter (schedule.ts); none: no jitter. */
  readonly jitterSeed?: number;
  /** Polls stepped so far: each wait's jitter differs. */
  readonly polls: number;
  /** CRASH_LOOP_LIMIT, when set. */
  readonly crashLoopLimit?: number;
  readonly waitUntil: WaitUntil;
  readonly watches: readonly ServiceWatch[];
  /** Per service, the facts of its last read (kept when a service is no longer read). */
  readonly facts: ReadonlyMap<string, ServiceFacts>;
  readonly verdict: RolloutVerdict;
  /** Services the last read showed live on cached task data: a fresh read must confirm it (judge.ts). */
  readonly unconfirmed: readonly string[];
  /** Why a service cannot be judged (its deployment controller or strategy): the run goes no further. */
  readonly refused?: string;
  /** Traffic verification (VERIFY not off). */
  readonly verify?: VerifyRun;
  /** VERIFY_URL: what its answers must carry, and each ask so far. */
  readonly url?: UrlRun;
}

export interface RunSettings {
  startedAt: number;
  deadline: number;
  graceMs: number;
  pollIntervalMs: number;
  jitterSeed?: number;
  crashLoopLimit?: number;
  waitUntil?: WaitUntil;
  /** VERIFY_*: undefined or mode off, no traffic verification. */
  verify?: VerifySettings;
  /** VERIFY_URL's expectation: the URL is asked once the new version is live. */
  url?: UrlExpectation;
}

export function start(services: readonly string[], requested: readonly (TaskDefinitionRef | undefined)[] | undefined, settings: RunSettings): RunState {
  const { verify, url, ...rest } = settings;
  return {
    ...rest,
    ...(url ? { url: { expect: url, asks: [] } } : {}),
    ...(verify && verify.mode !== 'off' ? { verify: { settings: verify } } : {}),
    waitUntil: settings.waitUntil ?? 'retired',
    watches: services.map((s, i) => newWatch(s, requested?.[i])),
    facts: new Map(),
    verdict: { status: 'rolling_out', phase: 'waiting', done: false },
    unconfirmed: [],
    polls: 0,
  };
}

/**
 * One poll: the snapshots read (services not read keep their watch), at `now`. `fresh`: the
 * snapshots were read with a fresh task list, so a "live" they show is said (judge.ts).
 */
export function step(
  state: RunState,
  snapshots: ReadonlyMap<string, ServiceSnapshot>,
  now: number,
  options: { fresh?: boolean } = {},
): { state: RunState; view: RolloutView } {
  const clock = { now, startedAt: state.startedAt, graceMs: state.graceMs, crashLoopLimit: state.crashLoopLimit, fresh: options.fresh === true };
  const facts = new Map(state.facts);
  let refused = state.refused;
  const unconfirmed: string[] = [];
  const watches = state.watches.map((w) => {
    const snap = snapshots.get(w.service);
    if (!snap) return w;
    const judge = judgeFor(snap);
    if ('unsupported' in judge) {
      refused ??= judge.unsupported;
      return w;
    }
    const a = judge(w, snap, clock);
    if (a.unconfirmedLive) unconfirmed.push(w.service);
    facts.set(w.service, factsOf(facts.get(w.service), a, snap));
    return a.watch;
  });
  const decided = decideRollout(watches, now, state.deadline);
  // WAIT_UNTIL=live: "live" (always confirmed, judge.ts) is the end of the watch, whatever is left to retire.
  const verdict = state.waitUntil === 'live' && decided.status === 'live' ? { ...decided, done: true } : decided;
  const verify = state.verify && verdict.done && state.verify.decidedAt === undefined ? { ...state.verify, decidedAt: now } : state.verify;
  const next: RunState = {
    ...state,
    watches,
    facts,
    verdict,
    unconfirmed,
    polls: state.polls + 1,
    ...(refused ? { refused } : {}),
    ...(verify ? { verify } : {}),
  };
  return { state: next, view: viewOf(next, now, state) };
}

/** VERIFY_URL answered (or not) at `now` (the view's `ask`): the check moves on, nothing else. */
export function asked(state: RunState, answer: UrlAnswer, now: number): { state: RunState; view: RolloutView } {
  if (!state.url) return { state, view: viewOf(state, now, state) };
  const next: RunState = { ...state, url: withAnswer(state.url, answer) };
  return { state: next, view: viewOf(next, now, state) };
}

/** The load balancer's metrics read at `now` (the view's `measure`): the verification moves on, nothing else. */
export function measured(state: RunState, read: MetricsRead, now: number): { state: RunState; view: RolloutView } {
  if (!state.verify) return { state, view: viewOf(state, now, state) };
  const next: RunState = { ...state, verify: withRead(state.verify, read, now) };
  return { state: next, view: viewOf(next, now, state) };
}

/** What one assessment adds to what the run knew of a service. */
function factsOf(prev: ServiceFacts | undefined, a: ServiceAssessment, snap: ServiceSnapshot): ServiceFacts {
  const final = isFinal(a.watch.status);
  const shift = a.shift ?? prev?.shift;
  const due = dueOf(a);
  return {
    progress: a.progress,
    // A service that finished keeps the causes and stopped tasks it had, unless it finished with its own.
    causes: a.causes.length || !final ? a.causes : (prev?.causes ?? []),
    stops: a.stops.length || !final ? a.stops : (prev?.stops ?? []),
    ...(final
      ? {}
      : a.crashLoop
        ? { warning: crashLoopWarning(a.crashLoop) }
        : a.stuck
          ? { warning: stuckWarning(a.stuck) }
          : a.warning
            ? { warning: a.warning }
            : {}),
    ...(shift ? { shift } : {}),
    ...(a.bake && !final ? { bake: a.bake } : {}),
    ...(a.eta ? { eta: a.eta } : {}),
    ...(due && !final ? { due: { ...due, status: a.watch.status } } : prev?.due && prev.due.status === a.watch.status ? { due: prev.due } : {}),
    targetGroups: snap.targetGroups.length ? snap.targetGroups.map((g) => g.arn) : (prev?.targetGroups ?? []),
    ...(snap.express?.endpoint ? { endpoint: snap.express.endpoint } : prev?.endpoint ? { endpoint: prev.endpoint } : {}),
    // A later read may lack what an earlier one had (the target groups' settings are read once, stopped tasks leave the list).
    timing: slowestFacts([...(prev ? [prev.timing] : []), timingFactsOf(snap, a.watch.taskDefinitionArn)]),
    // What a deployment named once stays named: the alarm may be OK again and the hook retried by the next read.
    evidence: mergeEvidence(prev?.evidence ?? NO_EVIDENCE, a.evidence ?? NO_EVIDENCE),
    // Flagged targets stay named once the service is finished, or while its targets are not read
    // (a settled "live"); otherwise the last read of them says.
    ...(a.anomalous ? { anomalous: a.anomalous } : (final || !snap.targetGroups.length) && prev?.anomalous ? { anomalous: prev.anomalous } : {}),
    // A read that names no group (the load balancer not read this time, ours ended) keeps the last known.
    ...(hasGroups(a.groups) ? { groups: a.groups } : prev?.groups ? { groups: prev.groups } : a.groups ? { groups: a.groups } : {}),
  };
}

function hasGroups(groups: TrafficGroups | undefined): groups is TrafficGroups {
  return groups !== undefined && (groups.kind === 'split' ? groups.fresh.length > 0 : groups.groups.length > 0);
}

function mergeEvidence(a: Evidence, b: Evidence): Evidence {
  const hooks = new Map([...a.hooks, ...b.hooks].map((h) => [`${h.function}|${h.stage ?? ''}`, h]));
  return { alarms: [...new Set([...a.alarms, ...b.alarms])], hooks: [...hooks.values()] };
}

/** The verdict as at the deadline, when AWS could not be read to the end (it kept failing until WAIT_TIMEOUT). */
export function expire(state: RunState): { state: RunState; view: RolloutView } {
  const next = { ...state, verdict: decideRollout(state.watches, state.deadline, state.deadline) };
  return { state: next, view: viewOf(next, state.deadline, state) };
}

/** The view of a state (at the start too, before any step); `before`: the state it was stepped from. */
export function viewOf(state: RunState, now: number = state.startedAt, before?: RunState): RolloutView {
  const traffic = trafficNow(state.verify, { ...state, groupsOf: (service) => state.facts.get(service)?.groups }, now);
  const url = urlNow(state.url, state.verdict, now);
  // After the outcome, the watch goes on only for what is still measured: it wakes for the next read or ask.
  const after = [...(traffic.measuring ? [traffic.nextReadAt] : []), ...(url.pending ? [url.nextAskAt] : [])];
  const services = state.watches.map((w) => lineOf(w, state.facts.get(w.service), traffic.lines.get(w.service)));
  const previous = new Map((before?.watches ?? []).map((w) => [w.service, shown(lineOf(w, before?.facts.get(w.service)))]));
  const outlook = outlookOf(state, services, now);
  const reached = milestones(state.watches);
  // Where the time went, once the watch is over: the phases beside the settings that explain them
  // (for a run that failed, the phases its services got through before they failed).
  const spentFrom = state.verdict.status === 'failed' ? milestones(state.watches, { withFailed: true }) : reached;
  const spent = state.verdict.done ? timeSpent(spentFrom, state.startedAt, slowestFacts([...state.facts.values()].map((f) => f.timing))) : undefined;
  return {
    status: state.verdict.status,
    phase: state.verdict.phase,
    done: state.verdict.done,
    services,
    milestones: reached,
    causes: [...new Set([...state.facts.values()].flatMap((f) => f.causes))],
    confirm: state.unconfirmed.length > 0,
    freshNext: state.verdict.status === 'rolling_out' && liveMayCome(outlook, now),
    announcement: JSON.stringify([
      state.verdict.status,
      state.verdict.phase,
      services.map((s) => [
        s.status,
        s.taskDefinition,
        s.warning,
        shiftShown(s.shift),
        s.bake !== undefined,
        trafficShown(s.traffic),
        s.anomalous?.length ?? 0,
      ]),
    ]),
    changed: services.filter((s) => previous.get(s.service) !== shown(s)).map((s) => s.service),
    active: state.watches.filter((w) => !isFinal(w.status)).map((w) => w.service),
    stoppedTasks: [...state.facts].flatMap(([service, f]) => f.stops.map((t) => ({ service, ...t }))),
    alarms: [...state.facts].flatMap(([service, f]) => f.evidence.alarms.map((name) => ({ service, name }))),
    failedHooks: [...state.facts].flatMap(([service, f]) => f.evidence.hooks.map((h) => ({ service, ...h }))),
    settled: state.watches.filter((w) => w.status === 'live').map((w) => w.service),
    quiet: state.watches.filter((w) => isQuiet(w, state)).map((w) => w.service),
    nextPollMs: Math.max(
      0,
      Math.min(
        state.verdict.done && after.length
          ? Math.min(...after) - now
          : Math.min(nextWait(state.pollIntervalMs, outlook, now, state.jitterSeed, state.polls), url.pending ? url.nextAskAt - now : Number.POSITIVE_INFINITY),
        state.deadline - now,
      ),
    ),
    measuring: state.verdict.done && after.length > 0,
    ...(traffic.query ? { measure: traffic.query } : {}),
    ...(url.due ? { ask: true } : {}),
    ...(url.check ? { urlCheck: url.check } : {}),
    ...(traffic.dip ? { dip: traffic.dip } : {}),
    ...(traffic.dip ? { dip: traffic.dip } : {}),
    ...(state.verdict.done && state.verdict.status === 'live' && state.verdict.phase !== 'retired' && state.waitUntil === 'live' ? { endedAtLive: true } : {}),
    ...(state.refused ? { refused: state.refused } : {}),
    ...(spent ? { timeSpent: spent } : {}),
  };
}

/**
 * Whether a service's target health may be kept from the last read unless DescribeServices shows a
 * change (view.quiet): while its new tasks start, and once it is live. Not while its
 * new targets are checked: they may turn healthy any moment, unseen by DescribeServices.
 */
function isQuiet(w: ServiceWatch, state: RunState): boolean {
  if (w.status === 'starting') return startsVisibly(state.facts.get(w.service)?.progress);
  return w.status === 'live';
}

/**
 * Whether a starting service moves on only by something DescribeServices shows (another task
 * running): not while a running task awaits its container health check, which turns HEALTHY
 * (and its target healthy) unseen by DescribeServices.
 */
function startsVisibly(progress: Progress | undefined): boolean {
  return progress !== undefined && progress.ready === progress.running;
}

/**
 * A service's next predicted transition: its estimate (rolling: healthy, retired), or, once a
 * traffic shift is live, the end of ECS's bake or CodeDeploy's termination wait, when the old
 * version goes (the schedule then polls sparsely until it, landing on it).
 */
function dueOf(a: ServiceAssessment): Due | undefined {
  if (a.eta) return { what: a.eta.what, at: a.eta.at, since: a.eta.since };
  const end = a.shift?.bakeUntil ?? a.shift?.keptUntil;
  const since = a.watch.reachedAt.live;
  return a.watch.status === 'live' && end !== undefined && since !== undefined ? { what: 'retired', at: end, since } : undefined;
}

/**
 * What the schedule needs of the run (schedule.ts): its phase, whether "live" is moments away, the
 * earliest predicted transition, and, while new tasks start, the shortest health-check interval of
 * their target groups (read once, on the first poll that names the groups).
 */
function outlookOf(state: RunState, services: readonly ServiceLine[], now: number): Outlook {
  const intervals = state.watches.flatMap((w) => {
    const seconds = w.status === 'starting' ? state.facts.get(w.service)?.timing.settings?.healthCheckIntervalSeconds : undefined;
    return seconds ? [seconds * MS_PER_SECOND] : [];
  });
  const due = nextDue(state);
  const before = services.filter((s) => !isFinal(s.status) && s.status !== 'live');
  const stalled = before.length > 0 && before.every((s) => s.status === 'cutting_over' && (s.progress?.strangers ?? 0) > 0);
  return {
    phase: state.verdict.phase,
    imminent: !stalled && liveImminent(state.verdict.phase, services, now),
    ...(due ? { due } : {}),
    ...(intervals.length ? { checkEveryMs: Math.min(...intervals) } : {}),
    ...(stalled ? { stalled } : {}),
  };
}

/** The earliest predicted transition of the services still rolling out. */
function nextDue(state: RunState): Due | undefined {
  const dues = state.watches.flatMap((w) => {
    const due = state.facts.get(w.service)?.due;
    return due && !isFinal(w.status) && due.status === w.status ? [due] : [];
  });
  return dues.reduce<Due | undefined>((a, d) => (a === undefined || d.at < a.at ? { what: d.what, at: d.at, since: d.since } : a), undefined);
}

/** What a reader sees of a line in the log: its status, its warning, its traffic step and hook. */
function shown(line: ServiceLine): string {
  return `${line.status}|${line.warning ?? ''}|${shiftShown(line.shift)}|${line.bake !== undefined}`;
}

/** What a reader sees change in a traffic-shifting deployment: a traffic step, test traffic, a hook waiting or done. */
export function shiftShown(shift: ShiftView | undefined): string {
  if (!shift) return '';
  return [
    Math.round(shift.production ?? 0),
    Math.round(shift.test ?? 0),
    shift.hook ? `${shift.hook.id}:${shift.hook.status}` : '',
    shift.stage === 'CLEAN_UP',
  ].join('|');
}

function lineOf(w: ServiceWatch, f?: ServiceFacts, traffic?: Verification): ServiceLine {
  const back = w.taskDefinitionArn ? rolledBackFrom(w.taskDefinitionArn, w.previousTaskDefinitions ?? []) : undefined;
  return {
    ...(traffic ? { traffic } : {}),
    ...(w.replaces ? { replaces: w.replaces } : {}),
    ...(w.replacedSince !== undefined ? { replacedSince: w.replacedSince } : {}),
    ...(w.taskDefinitionArn ? { taskDefinitionArn: w.taskDefinitionArn } : {}),
    ...(f?.anomalous?.length ? { anomalous: f.anomalous } : {}),
    ...(back ? { rollsBackFrom: back } : {}),
    ...(f?.targetGroups.length ? { targetGroups: [...f.targetGroups] } : {}),
    ...(f?.eta && !isFinal(w.status) ? { eta: f.eta } : {}),
    ...(f?.warning ? { warning: f.warning } : {}),
    ...(f?.shift ? { shift: f.shift } : {}),
    ...(f?.bake && !isFinal(w.status) ? { bake: f.bake } : {}),
    ...(f?.endpoint ? { endpoint: f.endpoint } : {}),
    service: w.service,
    status: w.status,
    taskDefinition: w.taskDefinitionArn ? shortName(w.taskDefinitionArn) : w.requested ? `${w.requested.family}:${w.requested.revision}` : undefined,
    progress: f?.progress,
    reason: w.reason,
    supersededBy: w.supersededBy,
  };
}

/** When every service still ours (`withFailed`: and those that failed) reached each phase. */
function milestones(watches: readonly ServiceWatch[], how: { withFailed?: boolean } = {}): Partial<Record<Phase, number>> {
  const ours = watches.filter((w) => w.status !== 'superseded' && (how.withFailed || w.status !== 'failed'));
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
