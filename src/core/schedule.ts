// When to poll next, from how the run stands: the core's answer, so the watch loop owns no cadence.
// Pure.
import type { Phase, ShiftView } from './vocabulary.ts';

/** While traffic is cut over, poll this many times as often: "live" is seconds away. */
const CUTOVER_POLL_DIVISOR = 4;
/** The fastest poll, whatever POLL_INTERVAL says. */
export const MIN_POLL_MS = 250;
/** Once live, only the old version's retirement is left: poll this many times less often. */
const LIVE_POLL_FACTOR = 2;

/**
 * The poll rate follows the phase. While traffic is being cut over, the moment users care about is
 * seconds away and the phase is short (ECS stops old tasks right after the new ones are healthy):
 * poll four times as often. Not while a linear or canary shift has steps left before the last, nor
 * while a hook waits for approval: those take minutes. Once live, only the old version's
 * retirement is left, which takes the deregistration delay (300 s by default): poll half as often,
 * sparing the account's API limits.
 */
export function nextPollIn(pollIntervalMs: number, phase: Phase, liveImminent: boolean): number {
  if (phase === 'cutting_over' && liveImminent) return Math.max(MIN_POLL_MS, Math.round(pollIntervalMs / CUTOVER_POLL_DIVISOR));
  if (phase === 'live') return pollIntervalMs * LIVE_POLL_FACTOR;
  return pollIntervalMs;
}

/**
 * Whether "live" is moments away: the run is cutting over, and no traffic-shifting service still
 * cutting over has a step to take before the last (a linear or canary step bakes for minutes) or
 * waits for a hook's approval.
 */
export function liveImminent(phase: Phase, services: ReadonlyArray<{ status: string; shift?: ShiftView }>): boolean {
  if (phase !== 'cutting_over') return false;
  return services.every(({ status, shift }) => {
    if (status !== 'cutting_over' || !shift) return true;
    const beforeLast = shift.steps.at(-2);
    return !shift.hook && (beforeLast === undefined || (shift.production ?? 0) >= beforeLast);
  });
}
