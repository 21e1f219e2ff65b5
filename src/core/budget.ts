// The run's budgets in one place: how often a watch asks AWS, and how long it waits for Slack and
// for what it reads at the end. README's "API budget per watch" states exactly these numbers (a
// test holds them together). Constants only; imports nothing.

/** The fastest poll, whatever POLL_INTERVAL says. */
export const MIN_POLL_MS = 250;
/** While traffic is cut over and "live" is moments away, poll this many times as often. */
export const CUTOVER_POLL_DIVISOR = 4;
/** Around a predicted transition and while traffic is cut over: poll about this often (or POLL_INTERVAL ÷ 4 when shorter). */
export const DENSE_POLL_MS = 1000;
/**
 * A newly registered target needs one passing health check, which comes within about one check
 * interval (30 s by default) of its registration; ECS cuts traffic over seconds after. Across that
 * window, poll this many times (every 5 s at the defaults), at least every POLL_INTERVAL and at
 * most as often as while cutting over: "live" is then seen within a second of the cut-over (a
 * poll between the check passing and the cut-over sees the targets healthy and polls every second
 * from there) for a handful of calls, not every second for the whole window. Eight would see it
 * 0.2 s sooner for about one load balancer read more per rollout, which at 400 watches an account
 * is beyond the load balancer's share (bench/RESULTS.md).
 */
export const HEALTHY_WINDOW_POLLS = 6;
/**
 * After the moment the new targets should have passed their health check (registration + one
 * interval, or the grace period), poll densely this long: ECS cuts traffic over seconds later, and
 * the check may come a little late. Then, if nothing happened, back to POLL_INTERVAL.
 */
export const DENSE_WINDOW_MS = 8000;
/**
 * The wait between polls counts from when the last read began, but after a slow read (a large
 * fleet, a far region, throttling) at least this share of it is still waited: reads never run back
 * to back, which would only add to the account's load and the pipe's memory.
 */
export const MIN_REST_SHARE = 0.5;
/** Once live, only the old version's retirement is left: poll this many times less often. */
export const LIVE_POLL_FACTOR = 2;
/**
 * Once live, while the old version's predicted retirement (the deregistration delay, 300 s by
 * default) is further off, polls are this many POLL_INTERVALs apart, the last one landing on the
 * predicted moment: the drain is the longest phase, only the "retired" line waits on it, and a
 * rollback meanwhile is still seen within that.
 */
export const SPARSE_POLL_FACTOR = 6;
/**
 * Each wait between polls is stretched or shrunk by up to this share, differently for every run,
 * so that watches started together (one pipeline deploying many services) do not poll in step.
 */
export const POLL_JITTER = 0.1;

/**
 * A change of the message while rolling out: when Slack cannot take it within this (rate limited,
 * slow), it is dropped, and the next poll sends the state as it is then. Progress is never worth
 * holding up the watch.
 */
export const SLACK_PROGRESS_BUDGET_MS = 5000;
/**
 * After Slack could not take a change in time (rate limited, slow), this long only a change of
 * status (live, an outcome) is sent, not each phase in between: many pipes sharing one app's
 * quota then spend it on what matters, and the final message gets through sooner.
 */
export const SLACK_PRESSURE_MS = 60_000;
/**
 * The outcome — the final message and the failure thread — is waited for as long as Slack's
 * Retry-After asks, up to this; only then does the run end undelivered (exit 4).
 */
export const SLACK_OUTCOME_BUDGET_MS = 15 * 60_000;
/** Any other Slack call (a lookup, the reactions, a permalink): Slack documents 90 s as the longest sensible wait. */
export const SLACK_CALL_BUDGET_MS = 90_000;

/** What the failure thread reads at the end (logs, alarms) ends within this, whatever AWS does. */
export const EVIDENCE_READ_BUDGET_MS = 4000;
