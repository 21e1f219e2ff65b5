// What a kind of deployment is to the judge skeleton (judge.ts): a small record of what differs
// between rolling updates, ECS-native traffic shifting and CodeDeploy. Types only.
import type { Cohort } from './snapshot.ts';
import type { Clock, Eta, Evidence, Phase, Progress, RollingBake, ServiceAssessment, ServiceWatch, ShiftView, TrafficGroups } from './vocabulary.ts';

/** A service's judge: the previous watch and a fresh snapshot `S` of the service in, the assessment out. */
export type Judge<S> = (prev: ServiceWatch, snap: S, clock: Clock) => ServiceAssessment;

/** How a kind says its deployment ended; the judge skeleton words it (and adds "after going live"). */
export type Ending =
  | { status: 'retired' }
  | { status: 'superseded'; by: string }
  | { status: 'failed'; reason: string }
  /** Back on `to`, the code ours replaced (by ECS or by hand); `why`: what triggered it, when known. */
  | { status: 'failed'; rolledBackTo: string; why?: string };

/** What a kind shows of its deployment at one poll. */
export interface Report {
  progress: Progress;
  causes: string[];
  shift?: ShiftView;
  bake?: RollingBake;
  eta?: Eta;
  /** Something the message should say while it rolls out that no outcome covers (a target no task explains). */
  warning?: string;
  /** Which target groups carry the new version's requests and which the old's (what its traffic is verified on). */
  groups?: TrafficGroups;
}

/**
 * What one kind of deployment adds to the skeleton (judge.ts), which applies the rules every kind
 * shares once: a finished service is left alone, a deleted one fails, a requested deployment gets
 * a grace period, an ending after "live" says so, desired count 0, the crash-loop limit before
 * live, and "once live, stays live". `D` is the kind's own picture of "ours"; `S` a snapshot of
 * the service at one poll (snapshot.ts's ServiceSnapshot).
 */
export interface Kind<D, S> {
  /** Ours in this snapshot: pinned by the watch, else the newest of the requested task definition, else the current one. */
  find(prev: ServiceWatch, snap: S): D | undefined;
  /** Ours was seen at an earlier poll and is no longer found: how it ended, if that can be told, and why. */
  lost(prev: ServiceWatch, snap: S): (Ending & { causes?: string[] }) | undefined;
  /** The task definition the service runs now (for "never appeared; it runs …"). */
  running(snap: S): string | undefined;
  /** The new version's tasks, as the watch pins them (what its stops, stuck tasks and crash loops are counted over). */
  cohort(watch: ServiceWatch): Cohort | undefined;
  /** The watch pinned on ours. */
  track(prev: ServiceWatch, ours: D, snap: S, now: number): ServiceWatch;
  /** Whether ours has ended: rolled back, stopped, replaced, or done for good. */
  ended(watch: ServiceWatch, ours: D, snap: S): Ending | undefined;
  /** The tasks of ours ECS counts as failed; undefined where ECS counts none (no crash-loop watch). */
  failedTasks(watch: ServiceWatch, ours: D, snap: S): number | undefined;
  /** How far ours has got, "live" included: the one place each kind decides it. */
  phase(watch: ServiceWatch, ours: D, snap: S): Phase;
  /** What the message shows of ours, given the stops the skeleton found (their cause lines). */
  report(watch: ServiceWatch, ours: D, snap: S, clock: Clock, stopCauses: readonly string[]): Report;
  /** The alarms and failed Lambda hooks the deployment the watch follows names; also once ours is no longer found. */
  evidence(watch: ServiceWatch, snap: S): Evidence;
}
