// The whole run's verdict from every service's watch: live when every service is, failed when any
// fails, timed out at the deadline before live. Pure.
import { isBefore, PHASES, type Phase, type RolloutVerdict, type ServiceWatch } from './vocabulary.ts';

/** The furthest phase a watch reached (waiting when none). */
function furthest(w: ServiceWatch): Phase {
  return PHASES.reduce<Phase>((a, p) => (w.reachedAt[p] !== undefined ? p : a), 'waiting');
}

/** The least advanced of `phases`; `none` when there are none. */
function leastOf(phases: readonly Phase[], none: Phase): Phase {
  return phases.reduce<Phase | undefined>((a, p) => (a === undefined || isBefore(p, a) ? p : a), undefined) ?? none;
}

export function decideRollout(watches: readonly ServiceWatch[], now: number, deadline: number): RolloutVerdict {
  // A service superseded before it went live is no longer ours to report; one superseded after it
  // went live has nothing left to wait for.
  const phases: Phase[] = [];
  for (const w of watches) {
    if (w.status === 'superseded') {
      if (w.reachedAt.live !== undefined) phases.push('retired');
    } else if (w.status !== 'failed' && w.status !== 'no_tasks') phases.push(w.status);
  }
  const timeUp = now >= deadline;
  // A run that ends with nothing of ours live stands at the furthest phase all of its services
  // reached (a rollback after live: live), never at an empty list's "retired".
  const reached = leastOf(watches.map(furthest), 'waiting');
  if (watches.some((w) => w.status === 'failed')) return { status: 'failed', phase: reached, done: true };
  if (phases.length === 0) return { status: watches.every((w) => w.status === 'superseded') ? 'superseded' : 'no_tasks', phase: reached, done: true };
  const phase = leastOf(phases, 'retired');
  if (!isBefore(phase, 'live')) return { status: 'live', phase, done: phase === 'retired' || timeUp };
  return timeUp ? { status: 'timed_out', phase, done: true } : { status: 'rolling_out', phase, done: false };
}
