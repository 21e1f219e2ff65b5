// Verified by its own traffic: the new version's requests, 5xx and latency on the load balancer,
// against the old version's over the same minutes (traffic shifting, CodeDeploy), or against the
// same span before the deployment (a rolling update, whose versions share one target group). Which
// minutes to read, and what they say. Pure: no clock, no I/O, no SDK types; the reader
// (aws/metrics.ts) turns a MetricsQuery into CloudWatch's GetMetricData and back into minutes.
//
// The rule that keeps it honest: an Application Load Balancer reports nothing for a minute without
// requests, and its health checks are not requests. A missing datapoint is no traffic, and too few
// requests is "not measured", never "verified".
import { MS_PER_MINUTE, type TrafficGroups, type VerifySettings } from './vocabulary.ts';

/** The load balancer's metrics come per minute (GetMetricData Period 60). */
export const METRIC_PERIOD_MS = MS_PER_MINUTE;
/** At most one GetMetricData a minute per watch (one call for every metric), and one last read at the end. */
export const METRICS_READ_EVERY_MS = MS_PER_MINUTE;
/**
 * A higher 5xx (or connection error) rate is a regression only with at least this many such errors
 * on the new version: one or two 5xx at low traffic, which aborted good canaries elsewhere, are not.
 */
export const MIN_ERRORS_TO_REGRESS = 5;
/** A latency rise below this (ms) is never a regression, whatever its share: 20 → 35 ms is +75 % and harmless. */
export const MIN_LATENCY_RISE_MS = 50;

/** One minute of one target group's traffic as CloudWatch reported it; an absent value had no datapoint. */
export interface MinuteTraffic {
  /** The minute's start (epoch ms). */
  at: number;
  requests?: number;
  /** HTTPCode_Target_5XX_Count. */
  errors5xx?: number;
  /** TargetConnectionErrorCount: requests the load balancer could not connect to a target for. */
  connectionErrors?: number;
  /** TargetResponseTime p95 and p99, in milliseconds. */
  p95Ms?: number;
  p99Ms?: number;
}

/** One minute of a load balancer's own errors (per load balancer only): requests it answered 5xx itself, and of those 502 and 503. */
export interface MinuteElb {
  at: number;
  elb5xx?: number;
  elb502?: number;
  elb503?: number;
}

/** What the rollout cost in availability: minutes in which the load balancer answered 5xx itself beyond its usual, and how many requests. */
export interface AvailabilityDip {
  /** The code that made most of it: 502, 503, or 5xx when neither did. */
  code: '502' | '503' | '5xx';
  minutes: number;
  requests: number;
  /** The load balancers, as CloudWatch names them (`app/shop/50dc…`). */
  balancers: string[];
}

/**
 * A minute of the rollout counts as a dip when the load balancer answered more 5xx itself than in
 * its usual minute before the deployment by at least this many, and at least twice as many: a
 * 502 or two is noise.
 */
export const DIP_MIN_EXTRA_ERRORS = 10;

/**
 * The availability dip of a rollout (HTTPCode_ELB_5XX_Count, per load balancer): its minutes
 * `during` (from the deployment to the outcome) against as many minutes just before, the usual
 * minute being their mean. Nothing beyond the usual: undefined (nothing said).
 */
export function dipOf(balancers: ReadonlyMap<string, readonly MinuteElb[]>, during: { from: number; to: number }): AvailabilityDip | undefined {
  const minutes = minutesBetween(during.from, during.to);
  const before = new Set(minutes.map((_, i) => minuteOf(during.from) - (minutes.length - i) * METRIC_PERIOD_MS));
  const rollout = new Set(minutes);
  let dipMinutes = 0;
  const extra = { elb5xx: 0, elb502: 0, elb503: 0 };
  const named: string[] = [];
  for (const [balancer, rows] of balancers) {
    const usual = (field: keyof typeof extra) => rows.filter((r) => before.has(r.at)).reduce((n, r) => n + (r[field] ?? 0), 0) / Math.max(1, before.size);
    const base = { elb5xx: usual('elb5xx'), elb502: usual('elb502'), elb503: usual('elb503') };
    const dips = rows.filter((r) => rollout.has(r.at) && (r.elb5xx ?? 0) >= Math.max(base.elb5xx + DIP_MIN_EXTRA_ERRORS, 2 * base.elb5xx));
    if (!dips.length) continue;
    named.push(balancer);
    dipMinutes = Math.max(dipMinutes, dips.length);
    for (const r of dips) for (const f of ['elb5xx', 'elb502', 'elb503'] as const) extra[f] += Math.max(0, (r[f] ?? 0) - base[f]);
  }
  if (!named.length) return undefined;
  const code = extra.elb503 >= extra.elb5xx / 2 && extra.elb503 >= extra.elb502 ? '503' : extra.elb502 >= extra.elb5xx / 2 ? '502' : '5xx';
  return { code, minutes: dipMinutes, requests: Math.round(extra.elb5xx), balancers: named };
}

/** A span's traffic on one side. The percentiles are the minutes', weighted by their requests (CloudWatch gives them per minute). */
export interface TrafficTotals {
  requests: number;
  errors5xx: number;
  connectionErrors: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Minutes with requests. */
  minutes: number;
}

/** What the new version is compared with: the old version over the same minutes, or the service before the deployment. */
export type Baseline = 'old_version' | 'before';

export interface Regression {
  metric: '5xx' | 'connection errors' | 'p95';
  /** Rates in percent, latencies in ms. */
  fresh: number;
  baseline: number;
}

/**
 * A service's traffic verdict: `measuring` while the window is open (the numbers so far, and what
 * would regress if it ended now), then verified, regressed or not measured (with why).
 */
export interface Verification {
  verdict: 'measuring' | 'verified' | 'regressed' | 'not_measured';
  /** not_measured: why, in words that say what to change. */
  why?: string;
  fresh?: TrafficTotals;
  baseline?: TrafficTotals;
  against?: Baseline;
  /** Each metric out of bounds, new against baseline (so far, while measuring). */
  regressions: Regression[];
  /** While measuring: until when (epoch ms). */
  until?: number;
}

/** One GetMetricData: every target group's minutes from `from` to `to` (minute-aligned); the reader finds their load balancers. */
export interface MetricsQuery {
  from: number;
  to: number;
  targetGroups: string[];
}

/**
 * What a read returned: minutes per target group ARN (summed over its load balancers), and why a
 * group could not be read (a Network Load Balancer's, one in no load balancer); or why nothing
 * can be read (`refused`: GetMetricData denied, never asked again); or why this read failed
 * (`failed`: the next one may not).
 */
export type MetricsRead =
  | {
      minutes: ReadonlyMap<string, readonly MinuteTraffic[]>;
      unreadable: ReadonlyMap<string, string>;
      /** Each load balancer's own errors per minute, by its CloudWatch name. */
      balancers?: ReadonlyMap<string, readonly MinuteElb[]>;
    }
  | { refused: string }
  | { failed: string };

/** What the plan needs to know of one service. */
export interface MeasuredService {
  service: string;
  /** Whose traffic is whose, as its kind's judge last said. */
  groups?: TrafficGroups;
  /** When its deployment was created, went live and was retired (epoch ms). */
  createdAt?: number;
  liveAt?: number;
  retiredAt?: number;
}

/** Where and over which minutes one service is measured, or why it cannot be. */
export type MeasurePlan =
  | {
      service: string;
      groups: TrafficGroups;
      /** The minutes measured: from `from` until `until` (which may lie ahead). */
      from: number;
      until: number;
      /** A shared group (rolling update): the deployment's creation, the baseline ending at its minute. */
      createdAt: number;
    }
  | { service: string; unmeasurable: string };

/**
 * How a service is measured, once there is something to measure: traffic-shifting and CodeDeploy
 * deployments from their creation (the new group's first requests, test traffic included, are the
 * new version's), a rolling update from "live" (before it both versions share the group). Until
 * the rollout ends and VERIFY_MINUTES after live, capped at the deadline. `rolloutEndedAt`: when
 * the run's outcome was decided (WAIT_UNTIL=live ends it at live).
 */
export function planOf(s: MeasuredService, settings: VerifySettings, rolloutEndedAt: number | undefined, deadline: number): MeasurePlan | undefined {
  const { groups, createdAt, liveAt } = s;
  if (!groups || createdAt === undefined) return undefined;
  if (!groupsOf(groups).length) return { service: s.service, unmeasurable: 'the service has no load balancer' };
  const from = groups.kind === 'split' ? createdAt : liveAt;
  if (from === undefined) return undefined;
  const ended = s.retiredAt ?? rolloutEndedAt;
  const until = Math.min(deadline, Math.max(ended ?? Number.POSITIVE_INFINITY, (liveAt ?? from) + settings.afterLiveMs));
  // A rolling update whose watch ends at live has no minute of the new version alone to measure.
  if (until <= from)
    return {
      service: s.service,
      unmeasurable: 'the watch ended at live, leaving no time to measure the new version alone (VERIFY_MINUTES measures after live)',
    };
  return { service: s.service, groups, from, until, createdAt };
}

/** The minute a moment falls in. */
export function minuteOf(t: number): number {
  return Math.floor(t / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
}

/** The minutes (their starts) that overlap [from, to). */
function minutesBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = minuteOf(from); m < to; m += METRIC_PERIOD_MS) out.push(m);
  return out;
}

/** The query that reads every plan's minutes so far, baselines included; undefined when there is nothing to read. */
export function queryOf(plans: readonly MeasurePlan[], now: number): MetricsQuery | undefined {
  const measured = plans.flatMap((p) => ('unmeasurable' in p ? [] : [p]));
  if (!measured.length) return undefined;
  // Back far enough for every baseline: as many minutes before the deployment as the window will
  // have since it (a rolling update's since live, the availability dip's since the deployment).
  const starts = measured.map((p) => {
    const span = minutesBetween(p.createdAt, Math.max(p.until, p.createdAt + 1)).length;
    return minuteOf(p.createdAt) - span * METRIC_PERIOD_MS;
  });
  const targetGroups = [...new Set(measured.flatMap((p) => groupsOf(p.groups)))];
  return { from: Math.min(...starts), to: minuteOf(now) + METRIC_PERIOD_MS, targetGroups };
}

/** Every target group of a service's traffic. */
function groupsOf(groups: TrafficGroups): string[] {
  return groups.kind === 'split' ? [...groups.fresh, ...groups.old] : groups.groups;
}

/** The traffic of `groups` in the minutes `at` (every group's minutes summed; a minute without requests counts nothing). */
export function totalsOf(minutes: ReadonlyMap<string, readonly MinuteTraffic[]>, groups: readonly string[], at: ReadonlySet<number>): TrafficTotals {
  const rows = groups.flatMap((g) => (minutes.get(g) ?? []).filter((m) => at.has(m.at) && (m.requests ?? 0) > 0));
  const requests = rows.reduce((n, m) => n + (m.requests ?? 0), 0);
  const weighted = (pick: (m: MinuteTraffic) => number | undefined): number | undefined => {
    const known = rows.flatMap((m) => {
      const v = pick(m);
      return v === undefined ? [] : [{ v, w: m.requests ?? 0 }];
    });
    const weight = known.reduce((n, k) => n + k.w, 0);
    return weight > 0 ? known.reduce((n, k) => n + k.v * k.w, 0) / weight : undefined;
  };
  const p95Ms = weighted((m) => m.p95Ms);
  const p99Ms = weighted((m) => m.p99Ms);
  return {
    requests,
    errors5xx: rows.reduce((n, m) => n + (m.errors5xx ?? 0), 0),
    connectionErrors: rows.reduce((n, m) => n + (m.connectionErrors ?? 0), 0),
    ...(p95Ms !== undefined ? { p95Ms } : {}),
    ...(p99Ms !== undefined ? { p99Ms } : {}),
    minutes: new Set(rows.map((m) => m.at)).size,
  };
}

/**
 * The two sides of a plan over the minutes read so far (up to `now`). Split groups: the new
 * group's minutes with requests against the old group's same minutes; when the old version had too
 * few requests then (blue/green moves everything at once), against as many of its minutes just
 * before the new version's first. Shared groups: the minutes since live against as many before the
 * deployment's minute.
 */
export function sidesOf(
  plan: Extract<MeasurePlan, { from: number }>,
  minutes: ReadonlyMap<string, readonly MinuteTraffic[]>,
  now: number,
  minRequests: number,
): { fresh: TrafficTotals; baseline: TrafficTotals; against: Baseline } {
  const window = minutesBetween(plan.from, Math.min(plan.until, now));
  if (plan.groups.kind === 'shared') {
    const { groups } = plan.groups;
    const before = window.map((_, i) => minuteOf(plan.createdAt) - (window.length - i) * METRIC_PERIOD_MS);
    return { fresh: totalsOf(minutes, groups, new Set(window)), baseline: totalsOf(minutes, groups, new Set(before)), against: 'before' };
  }
  const { fresh: freshGroups, old } = plan.groups;
  const withRequests = window.filter((m) => freshGroups.some((g) => (minutes.get(g) ?? []).some((x) => x.at === m && (x.requests ?? 0) > 0)));
  const fresh = totalsOf(minutes, freshGroups, new Set(withRequests));
  const same = totalsOf(minutes, old, new Set(withRequests));
  const first = withRequests[0];
  if (same.requests >= minRequests || first === undefined) return { fresh, baseline: same, against: 'old_version' };
  const before = withRequests.map((_, i) => first - (withRequests.length - i) * METRIC_PERIOD_MS);
  const earlier = totalsOf(minutes, old, new Set(before));
  return { fresh, baseline: earlier.requests > same.requests ? earlier : same, against: 'old_version' };
}

/** A rate in percent (0 without requests). */
export function ratePercent(count: number, requests: number): number {
  return requests > 0 ? (count / requests) * 100 : 0;
}

/**
 * The verdict on two sides: not measured under VERIFY_MIN_REQUESTS on either; regressed when the
 * 5xx or connection-error rate is more than VERIFY_MAX_5XX_INCREASE points above the baseline's
 * (with at least MIN_ERRORS_TO_REGRESS such errors), or the p95 more than VERIFY_MAX_LATENCY_INCREASE
 * percent above it (and by MIN_LATENCY_RISE_MS at least); else verified. p99 is shown, not judged:
 * over a few hundred requests it is a handful of them.
 */
export function judgeTraffic(
  sides: { fresh: TrafficTotals; baseline: TrafficTotals; against: Baseline },
  settings: Pick<VerifySettings, 'minRequests' | 'max5xxIncrease' | 'maxLatencyIncrease'>,
): Pick<Verification, 'verdict' | 'why' | 'regressions'> {
  const { fresh, baseline, against } = sides;
  const guard = `VERIFY_MIN_REQUESTS is ${settings.minRequests}`;
  if (fresh.requests === 0) return { verdict: 'not_measured', why: 'no requests reached the new version', regressions: [] };
  if (fresh.requests < settings.minRequests)
    return { verdict: 'not_measured', why: `only ${fresh.requests} requests reached the new version (${guard})`, regressions: [] };
  if (baseline.requests < settings.minRequests) {
    const side = against === 'before' ? 'the same span before the deployment' : 'the old version';
    return { verdict: 'not_measured', why: `${side} had only ${baseline.requests} requests to compare with (${guard})`, regressions: [] };
  }
  const regressions: Regression[] = [];
  const rate = (metric: '5xx' | 'connection errors', f: number, b: number) => {
    const fr = ratePercent(f, fresh.requests);
    const br = ratePercent(b, baseline.requests);
    if (f >= MIN_ERRORS_TO_REGRESS && fr - br > settings.max5xxIncrease) regressions.push({ metric, fresh: fr, baseline: br });
  };
  rate('5xx', fresh.errors5xx, baseline.errors5xx);
  rate('connection errors', fresh.connectionErrors, baseline.connectionErrors);
  if (fresh.p95Ms !== undefined && baseline.p95Ms !== undefined) {
    const rise = fresh.p95Ms - baseline.p95Ms;
    if (rise >= MIN_LATENCY_RISE_MS && fresh.p95Ms > baseline.p95Ms * (1 + settings.maxLatencyIncrease / 100))
      regressions.push({ metric: 'p95', fresh: fresh.p95Ms, baseline: baseline.p95Ms });
  }
  return { verdict: regressions.length ? 'regressed' : 'verified', regressions };
}

/**
 * A service's verification at `now`: from its plan and the minutes last read (or why none could be
 * read). `final`: the window is over and this read covers it, so the verdict stands.
 */
export function verificationOf(plan: MeasurePlan, read: MetricsRead | undefined, settings: VerifySettings, now: number, final: boolean): Verification {
  if ('unmeasurable' in plan) return { verdict: 'not_measured', why: plan.unmeasurable, regressions: [] };
  if (read && 'refused' in read) return { verdict: 'not_measured', why: read.refused, regressions: [] };
  if (read && 'failed' in read)
    return final ? { verdict: 'not_measured', why: read.failed, regressions: [] } : { verdict: 'measuring', regressions: [], until: plan.until };
  const unreadable = read ? groupsOf(plan.groups).flatMap((g) => read.unreadable.get(g) ?? []) : [];
  if (unreadable[0]) return { verdict: 'not_measured', why: unreadable[0], regressions: [] };
  const until = { until: plan.until };
  if (!read) return { verdict: 'measuring', regressions: [], ...until };
  const sides = sidesOf(plan, read.minutes, now, settings.minRequests);
  const judged = judgeTraffic(sides, settings);
  if (final) return { ...judged, ...sides };
  return { verdict: 'measuring', regressions: judged.regressions, ...sides, ...until };
}
