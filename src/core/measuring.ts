// What a run measures beside the rollout, and when (the reducer, step.ts, asks): the load
// balancer's metrics for each live service (verification.ts) and VERIFY_URL's answers
// (url-check.ts). Each says what it shows now, what to read now, and when it next wants to read,
// so the watch sleeps until then and, once the outcome is decided, goes on only while something is
// still measured. Pure: no clock, no I/O.
import { judgeAnswer, URL_ASK_EVERY_MS, type UrlAnswer, type UrlAsk, type UrlCheck, type UrlExpectation, urlCheckOf } from './url-check.ts';
import {
  type AvailabilityDip,
  dipOf,
  METRICS_READ_EVERY_MS,
  type MeasurePlan,
  type MetricsQuery,
  type MetricsRead,
  planOf,
  queryOf,
  type Verification,
  verificationOf,
} from './verification.ts';
import type { RolloutVerdict, ServiceStatus, ServiceWatch, TrafficGroups, VerifySettings } from './vocabulary.ts';

/** The traffic verification of a run: its settings and the metrics last read. */
export interface VerifyRun {
  readonly settings: VerifySettings;
  /** When the metrics were last read (epoch ms), and what came back. */
  readonly readAt?: number;
  readonly read?: MetricsRead;
  /** When the rollout's outcome was decided: measuring goes on after it only for VERIFY_MINUTES after live. */
  readonly decidedAt?: number;
}

/** VERIFY_URL in a run: what its answers must carry, and each ask so far. */
export interface UrlRun {
  readonly expect: UrlExpectation;
  readonly asks: readonly UrlAsk[];
}

/** The metrics read at `now`: a failed read keeps what an earlier one had (the verdict stands on the minutes that were read). */
export function withRead(v: VerifyRun, read: MetricsRead, now: number): VerifyRun {
  const kept = 'failed' in read && v.read && 'minutes' in v.read ? v.read : read;
  return { ...v, readAt: now, read: kept };
}

/** VERIFY_URL's answer, judged. */
export function withAnswer(u: UrlRun, answer: UrlAnswer): UrlRun {
  return { ...u, asks: [...u.asks, judgeAnswer(answer, u.expect)] };
}

/** The statuses in which a service's traffic is measured: its new version may be taking requests, and has not failed. */
const MEASURED_STATUSES: ReadonlySet<ServiceStatus> = new Set(['cutting_over', 'live', 'retired']);

export interface TrafficNow {
  /** Per measured service, its verdict so far. */
  lines: Map<string, Verification>;
  /** The metrics to read now. */
  query?: MetricsQuery;
  /** Still measuring once the outcome is decided. */
  measuring: boolean;
  /** When the next read is due (epoch ms). */
  nextReadAt: number;
  /** What the rollout cost in availability (the load balancer's own 5xx), when anything. */
  dip?: AvailabilityDip;
}

/**
 * The traffic verification at `now`: each measured service's verdict so far, the metrics to read
 * now (at most once a METRICS_READ_EVERY_MS while measuring, and once more when the window is
 * over), and whether the watch must go on measuring after the outcome (VERIFY_MINUTES).
 * `groupsOf`: each service's traffic groups, as its kind's judge last said.
 */
export function trafficNow(
  v: VerifyRun | undefined,
  run: { watches: readonly ServiceWatch[]; verdict: RolloutVerdict; deadline: number; groupsOf: (service: string) => TrafficGroups | undefined },
  now: number,
): TrafficNow {
  const lines = new Map<string, Verification>();
  if (!v) return { lines, measuring: false, nextReadAt: now };
  const plans = run.watches.flatMap((w): MeasurePlan[] => {
    // Measured once its new version takes (or is about to take) requests, and only while it may still go well.
    if (!MEASURED_STATUSES.has(w.status)) return [];
    const groups = run.groupsOf(w.service);
    const plan = planOf(
      {
        service: w.service,
        ...(groups ? { groups } : {}),
        ...(w.deploymentCreatedAt !== undefined ? { createdAt: w.deploymentCreatedAt } : {}),
        ...(w.reachedAt.live !== undefined ? { liveAt: w.reachedAt.live } : {}),
        ...(w.reachedAt.retired !== undefined ? { retiredAt: w.reachedAt.retired } : {}),
      },
      v.settings,
      v.decidedAt,
      run.deadline,
    );
    return plan ? [plan] : [];
  });
  const open = plans.flatMap((p) => ('unmeasurable' in p ? [] : [p]));
  const refused = v.read !== undefined && 'refused' in v.read;
  const covered = (p: { until: number }) => v.readAt !== undefined && v.readAt >= p.until;
  for (const p of plans) lines.set(p.service, verificationOf(p, v.read, v.settings, v.readAt ?? now, 'until' in p && covered(p)));
  const pending = open.filter((p) => !covered(p));
  const windowEnd = Math.max(...pending.map((p) => p.until));
  const measuring = run.verdict.done && !refused && pending.length > 0;
  const nextReadAt = v.readAt === undefined ? now : Math.min(windowEnd, v.readAt + METRICS_READ_EVERY_MS);
  // Due: the first read, a minute after the last, or the window just ended (its last read).
  const due = !refused && pending.length > 0 && (v.readAt === undefined || now >= nextReadAt || (run.verdict.done && now >= windowEnd));
  const query = due ? queryOf(open, now) : undefined;
  // The rollout's minutes: from the first measured deployment to the outcome (or now).
  const from = Math.min(...open.map((p) => p.createdAt));
  const dip =
    v.read && 'minutes' in v.read && v.read.balancers && open.length ? dipOf(v.read.balancers, { from, to: v.decidedAt ?? v.readAt ?? now }) : undefined;
  return { lines, ...(query ? { query } : {}), measuring, nextReadAt: Math.max(now, nextReadAt), ...(dip ? { dip } : {}) };
}

/**
 * VERIFY_URL at `now`: asked once the run is live (every service is), every URL_ASK_EVERY_MS until
 * it passes or fails (url-check.ts); pending while it has not, and the outcome is live.
 */
export function urlNow(u: UrlRun | undefined, verdict: RolloutVerdict, now: number): { check?: UrlCheck; due: boolean; pending: boolean; nextAskAt: number } {
  if (!u || verdict.status !== 'live') return { due: false, pending: false, nextAskAt: now };
  const check = urlCheckOf(u.asks, u.expect);
  const last = u.asks.at(-1)?.at;
  const nextAskAt = last === undefined ? now : Math.max(now, last + URL_ASK_EVERY_MS);
  const pending = check.verdict === 'checking';
  return { check, due: pending && now >= nextAskAt, pending, nextAskAt };
}

/** What a reader sees change of a service's traffic verdict: the verdict, each metric out of bounds, and the requests counted. */
export function trafficShown(traffic: Verification | undefined): string {
  return traffic ? `${traffic.verdict}|${traffic.regressions.map((r) => r.metric).join(',')}|${traffic.fresh?.requests ?? ''}` : '';
}
