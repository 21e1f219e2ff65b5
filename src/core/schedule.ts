// When to poll next, from how the run stands: the core's answer, so the watch loop owns no cadence.
// Pure.
import {
  CUTOVER_POLL_DIVISOR,
  DENSE_POLL_MS,
  DENSE_WINDOW_MS,
  HEALTHY_WINDOW_POLLS,
  LIVE_POLL_FACTOR,
  MIN_POLL_MS,
  MIN_REST_SHARE,
  POLL_JITTER,
  SPARSE_POLL_FACTOR,
} from './budget.ts';
import type { Eta, Phase, ShiftView } from './vocabulary.ts';

/** The next predicted transition of a service still rolling out: what, and when (epoch ms). */
export interface Due {
  what: Eta['what'];
  at: number;
  /**
   * From when it may come (the registration, "live", a traffic step's earliest end): "healthy" or
   * a step any moment from there to `at`.
   */
  since: number;
}

/** What the schedule needs of the run: how it stands, and what AWS's answers predict. */
export interface Outlook {
  phase: Phase;
  /** "Live" is moments away (liveImminent). */
  imminent: boolean;
  /** The earliest predicted transition of the services still rolling out. */
  due?: Due;
  /**
   * While new tasks start: their target groups' health-check interval (ms). ECS registers a target
   * as its task starts running, which no prediction can time, and the one check a new target needs
   * passes within an interval of that: polled less often, the whole way from registration to the
   * cut-over may fall between two polls and "live" be seen a poll late.
   */
  checkEveryMs?: number;
  /**
   * Every service not yet live waits on something the rollout does not end: a target no task of
   * the service explains (a shared target group, a target registered by hand) keeps "live" from
   * being said until someone deregisters it, at a moment nothing predicts. Polled
   * SPARSE_POLL_FACTOR intervals apart instead of densely until WAIT_TIMEOUT.
   */
  stalled?: boolean;
}

/**
 * The poll rate follows the phase and what AWS's settings predict.
 * - While traffic is being cut over, "live" is seconds away and the phase is short (ECS stops old
 *   tasks right after the new ones are healthy): poll densely. Not while a hook waits for approval,
 *   nor through a linear or canary step's bake: those take minutes.
 * - While the new tasks start, at least once per health-check interval when that is shorter than
 *   POLL_INTERVAL (5 s, as AWS suggests for fast deployments): ECS registers the targets at a moment
 *   no setting predicts, and the window from there to the cut-over is about one interval.
 * - A predicted transition is a window (Due: since … at). Across it ("healthy": a new target passes
 *   its one health check within about one interval of its registration; a traffic step, within
 *   the two reads that bracket the step before, plus its bake), polls come HEALTHY_WINDOW_POLLS
 *   times, no sparser than POLL_INTERVAL and no denser than the cut-over's, the last landing on its
 *   end; then densely for DENSE_WINDOW_MS. Before a window opens, SPARSE_POLL_FACTOR intervals
 *   apart, waking as it opens.
 * - Once live, only the old version's retirement is left (the deregistration delay, a bake,
 *   CodeDeploy's termination wait): half as often, and while its predicted end is further off,
 *   SPARSE_POLL_FACTOR intervals apart, landing on it: only the "retired" line waits on it.
 */
export function nextPollIn(pollIntervalMs: number, { phase, imminent, due, checkEveryMs, stalled }: Outlook, now = 0): number {
  const dense = Math.max(MIN_POLL_MS, Math.min(Math.round(pollIntervalMs / CUTOVER_POLL_DIVISOR), DENSE_POLL_MS));
  const starting = checkEveryMs === undefined ? pollIntervalMs : Math.max(dense, Math.min(pollIntervalMs, checkEveryMs));
  const regular = phase === 'live' ? pollIntervalMs * LIVE_POLL_FACTOR : starting;
  if (stalled) return Math.max(regular, pollIntervalMs * SPARSE_POLL_FACTOR);
  if (phase === 'cutting_over' && imminent) return dense;
  if (due) {
    const sparse = Math.max(regular, pollIntervalMs * SPARSE_POLL_FACTOR);
    // Before a transition's window opens (a traffic step's bake), sparse, waking as it opens.
    if (now < due.since) return Math.max(MIN_POLL_MS, Math.min(sparse, due.since - now));
    const dueIn = due.at - now;
    // Before the predicted retirement, sparse: only the "retired" line waits on it.
    const cap = due.what === 'retired' ? sparse : Math.max(dense, Math.min(regular, Math.round((due.at - due.since) / HEALTHY_WINDOW_POLLS)));
    if (dueIn > 0) return Math.max(MIN_POLL_MS, Math.min(cap, dueIn));
    if (due.what !== 'retired' && -dueIn < DENSE_WINDOW_MS) return dense;
  }
  return regular;
}

/**
 * The wait before the next poll, jittered (see jittered) except when it is aimed at a predicted
 * transition or the opening of its window: each service's prediction is its own (from its
 * registration, its cut-over, its traffic step), so those wakes are not in step anyway, and a
 * jittered one would see the transition up to POLL_JITTER late.
 */
export function nextWait(pollIntervalMs: number, outlook: Outlook, now: number, seed: number | undefined, poll: number): number {
  const wait = nextPollIn(pollIntervalMs, outlook, now);
  const { due } = outlook;
  const aimed = due && (wait === Math.max(MIN_POLL_MS, due.at - now) || wait === Math.max(MIN_POLL_MS, due.since - now));
  return aimed ? wait : jittered(wait, seed, poll);
}

/**
 * Whether the next poll is one of those around "live" (the cut-over, the window in which the new
 * targets pass their health check or a traffic step may come, and the dense polls just after it):
 * it then reads a fresh task list and every target group, so that a "live" it shows is confirmed
 * by the same read instead of a whole extra one, and targets turning healthy are seen as they do
 * (the cut-over follows within seconds).
 */
export function liveMayCome({ phase, imminent, due, stalled }: Outlook, now: number): boolean {
  if (stalled) return false;
  if (phase === 'cutting_over' && imminent) return true;
  return due !== undefined && due.what !== 'retired' && now >= due.since && now - due.at < DENSE_WINDOW_MS;
}

/**
 * Whether "live" is moments away: the run is cutting over, and no traffic-shifting service still
 * cutting over has a step to take before the last, or the last step's predicted window still ahead
 * (a linear or canary step bakes for minutes), or waits for a hook's approval.
 */
export function liveImminent(phase: Phase, services: ReadonlyArray<{ status: string; shift?: ShiftView; eta?: Eta }>, now: number): boolean {
  if (phase !== 'cutting_over') return false;
  return services.every(({ status, shift, eta }) => {
    if (status !== 'cutting_over' || !shift) return true;
    const beforeLast = shift.steps.at(-2);
    // The last step waits out the step before it: its bake (minutes) is not "moments away".
    const baking = eta?.what === 'step' && now < eta.since;
    return !shift.hook && !baking && (beforeLast === undefined || (shift.production ?? 0) >= beforeLast);
  });
}

/**
 * A wait stretched or shrunk by up to POLL_JITTER, by a noise that depends only on the run's seed
 * and the poll's number: runs started together (one pipeline deploying many services) drift apart
 * instead of asking AWS in step, while one run's schedule stays reproducible. No seed, no jitter.
 */
export function jittered(ms: number, seed: number | undefined, poll: number): number {
  if (seed === undefined) return ms;
  return Math.max(MIN_POLL_MS, Math.round(ms * (1 + POLL_JITTER * (2 * unitNoise(seed, poll) - 1))));
}

// MurmurHash3's 32-bit finalizer, and the golden-ratio step that spreads consecutive polls apart.
const GOLDEN_RATIO_32 = 0x9e3779b9;
const MIX_1 = 0x85ebca6b;
const MIX_2 = 0xc2b2ae35;
const TWO_TO_32 = 2 ** 32;

/** A number in [0, 1) that looks random across seeds and polls, and is the same for the same two. */
export function unitNoise(seed: number, poll: number): number {
  let x = (seed ^ Math.imul(poll + 1, GOLDEN_RATIO_32)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), MIX_1) >>> 0;
  x = Math.imul(x ^ (x >>> 13), MIX_2) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / TWO_TO_32;
}

/**
 * How long to sleep once a read that took `readMs` is done: the next poll is due `nextPollMs` after
 * the read began, but at least MIN_REST_SHARE of that wait is left between reads.
 */
export function waitAfterRead(nextPollMs: number, readMs: number): number {
  return Math.max(Math.round(nextPollMs * MIN_REST_SHARE), nextPollMs - readMs);
}
