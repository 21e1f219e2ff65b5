// The traffic verification in words (core/verification.ts), for the message, its thread, the log
// and the Code Insights report alike: the numbers side by side, new against baseline. Pure.
import { type AvailabilityDip, ratePercent, type TrafficTotals, type Verification } from '../core/verification.ts';
import type { MessageView, ServiceLine } from '../core/view.ts';
import { PLAIN_FORMAT, type TextFormat } from './text.ts';

/** Below this a rate is shown with two decimals (0.05 %), from it with one (2.1 %). */
const FINE_RATE_BELOW = 1;

export function rateText(count: number, requests: number): string {
  const r = ratePercent(count, requests);
  return `${r < FINE_RATE_BELOW && r > 0 ? r.toFixed(2) : r.toFixed(1)} %`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function ms(n: number | undefined): string {
  return n === undefined ? '–' : `${count(n)} ms`;
}

/** What the new version is compared with, in words. */
function againstText(t: Verification): string {
  return t.against === 'before' ? 'since live vs before' : 'new version vs old';
}

/** `5xx 2.1 % vs 0.1 %, p95 840 vs 180 ms` (connection errors when there were any). */
export function comparisonText(fresh: TrafficTotals, baseline: TrafficTotals): string {
  const parts = [`5xx ${rateText(fresh.errors5xx, fresh.requests)} vs ${rateText(baseline.errors5xx, baseline.requests)}`];
  if (fresh.connectionErrors || baseline.connectionErrors)
    parts.push(`connection errors ${rateText(fresh.connectionErrors, fresh.requests)} vs ${rateText(baseline.connectionErrors, baseline.requests)}`);
  if (fresh.p95Ms !== undefined || baseline.p95Ms !== undefined)
    parts.push(`p95 ${fresh.p95Ms === undefined ? '–' : count(fresh.p95Ms)} vs ${ms(baseline.p95Ms)}`);
  return parts.join(', ');
}

/** One service's traffic in one line: so far, or the verdict. */
export function verificationText(t: Verification, f: TextFormat = PLAIN_FORMAT): string {
  const numbers = t.fresh && t.baseline ? `${againstText(t)}: ${comparisonText(t.fresh, t.baseline)}` : undefined;
  const over = t.fresh ? ` (${count(t.fresh.requests)} requests)` : '';
  switch (t.verdict) {
    case 'measuring':
      if (t.fresh?.requests === 0) return 'measuring traffic: no requests on the new version yet';
      if (t.regressions.length && numbers) return `⚠️ traffic so far, ${numbers}${over}: ${regressionWords(t)} if it stays so`;
      return numbers ? `traffic so far, ${numbers}${over}` : `measuring traffic${t.until !== undefined ? ` until ${f.time(t.until)}` : ''}`;
    case 'verified':
      return `✓ traffic verified, ${numbers ?? ''}${over}`;
    case 'regressed':
      return `✗ traffic regressed, ${numbers ?? ''}${over}: ${regressionWords(t)}`;
    case 'not_measured':
      return `traffic not measured: ${f.text(t.why ?? 'no numbers')}`;
  }
}

/** `5xx and p95 over their thresholds`. */
function regressionWords(t: Verification): string {
  const names = t.regressions.map((r) => r.metric);
  return `${names.join(' and ')} over ${names.length > 1 ? 'their thresholds' : 'its threshold'}`;
}

/** The services whose traffic regressed, once the verdict stands. */
export function regressedServices(v: Pick<MessageView, 'services'>): ServiceLine[] {
  return v.services.filter((s) => s.traffic?.verdict === 'regressed');
}

/** Whether the run fails on its traffic: a regression, or a VERIFY_URL that never answered with the new version, with VERIFY=fail. */
export function failsOnTraffic(v: Pick<MessageView, 'services' | 'verifyFails' | 'urlCheck'>): boolean {
  return v.verifyFails === true && (regressedServices(v).length > 0 || v.urlCheck?.verdict === 'failed');
}

/**
 * VERIFY_URL in one line: *answers with 9f2c1e7 since 10:32:05*, or *still answers 8a1b2c3 (traffic
 * is not on the new version there)*. `shown`: the URL without user, password or query.
 */
export function urlCheckText(v: Pick<MessageView, 'urlCheck'>, shown: string, f: TextFormat = PLAIN_FORMAT): string {
  const c = v.urlCheck;
  if (!c) return '';
  const where = f.text(shown);
  const expected = f.text(c.expected);
  switch (c.verdict) {
    case 'checking':
      return `🔗 ${where}: asking for ${expected} (${c.asks} ask${c.asks === 1 ? '' : 's'} so far)`;
    case 'passed':
      return `✓ ${where} answers with ${expected} since ${c.since !== undefined ? f.time(c.since) : 'now'}`;
    case 'failed':
      return c.seen && !/^(HTTP |no answer|nothing at|an answer)/.test(c.seen)
        ? `✗ ${where} still answers ${f.text(c.seen)}, not ${expected} (traffic is not on the new version there: a CDN, another region, another listener?)`
        : `✗ ${where} did not answer with ${expected} in ${c.asks} asks${c.seen ? `: ${f.text(c.seen)}` : ''}`;
  }
}

/** Targets named in an anomaly line; more are counted. */
const ANOMALOUS_NAMED = 3;

/** Per service with a verdict or numbers: `shop-api: ✓ traffic verified, …`; and the new targets the load balancer flags as anomalous. */
export function trafficLines(v: Pick<MessageView, 'services'>, f: TextFormat = PLAIN_FORMAT): string[] {
  // Many services verified together read as one line naming them; what is not verified keeps its own.
  const verified = v.services.filter((s) => s.traffic?.verdict === 'verified').map((s) => s.service);
  const grouped = v.services.length > VERIFIED_ONE_BY_ONE && verified.length > 1;
  return [
    ...(grouped ? [`✓ traffic verified for ${verified.length} services: ${verified.map((name) => f.bold(name)).join(', ')}`] : []),
    ...v.services.flatMap((s) => [
      ...(s.traffic && !(grouped && s.traffic.verdict === 'verified') ? [`${f.bold(s.service)}: ${verificationText(s.traffic, f)}`] : []),
      ...(s.anomalous?.length ? [`${f.bold(s.service)}: ${anomalyText(s.anomalous, f)}`] : []),
    ]),
  ];
}

/** Up to this many services, each verified one shows its numbers; more read as one line naming them. */
const VERIFIED_ONE_BY_ONE = 3;

/** `⚠️ the load balancer's anomaly detection flags 2 new targets (10.0.2.20:8080, 10.0.2.21:8080)`. */
export function anomalyText(targets: readonly string[], f: TextFormat = PLAIN_FORMAT): string {
  const named = targets
    .slice(0, ANOMALOUS_NAMED)
    .map((t) => f.text(t))
    .join(', ');
  const more = targets.length > ANOMALOUS_NAMED ? ` and ${targets.length - ANOMALOUS_NAMED} more` : '';
  const n = targets.length === 1 ? '1 new target' : `${targets.length} new targets`;
  return `⚠️ the load balancer's anomaly detection flags ${n} (${named}${more})`;
}

/**
 * Every verification line: per service its traffic, what the rollout cost in availability, then
 * VERIFY_URL's answers. `needsReader`: only what a reader must act on (a regression, so far or
 * final; anomalous targets; a dip; a URL that does not answer with the new version), for the
 * compact form, whose one line carries the rest in brief (verifiedBrief).
 */
export function verifyLines(
  v: Pick<MessageView, 'services' | 'urlCheck' | 'urlShown' | 'dip'>,
  f: TextFormat = PLAIN_FORMAT,
  how: { needsReader?: boolean } = {},
): string[] {
  const services = how.needsReader ? v.services.map((s) => (s.traffic && !s.traffic.regressions.length ? { ...s, traffic: undefined } : s)) : v.services;
  const url = v.urlCheck && v.urlShown && (!how.needsReader || v.urlCheck.verdict === 'failed') ? [urlCheckText(v, v.urlShown, f)] : [];
  return [...trafficLines({ services }, f), ...(v.dip ? [dipText(v.dip, f)] : []), ...url];
}

/** The verification in a few words, for the compact form's one line: `✓ traffic verified`, `traffic not measured`, `✓ URL answers with 9f2c1e7`. */
export function verifiedBrief(v: Pick<MessageView, 'services' | 'urlCheck'>): string | undefined {
  const verdicts = new Set(v.services.flatMap((s) => (s.traffic ? [s.traffic.verdict] : [])));
  const traffic =
    verdicts.has('regressed') || verdicts.has('measuring')
      ? undefined
      : verdicts.has('not_measured')
        ? 'traffic not measured'
        : verdicts.size
          ? '✓ traffic verified'
          : undefined;
  const url = v.urlCheck?.verdict === 'passed' ? `✓ answers with ${v.urlCheck.expected}` : undefined;
  return [traffic, url].filter(Boolean).join(' · ') || undefined;
}

/** `⚠️ the rollout cost 3 min of 503s: 1,240 requests (app/shop-alb/50dc…)`. */
export function dipText(dip: AvailabilityDip, f: TextFormat = PLAIN_FORMAT): string {
  return `⚠️ the rollout cost ${dip.minutes} min of ${dip.code}s from the load balancer: ${count(dip.requests)} requests (${dip.balancers.map((b) => f.text(b)).join(', ')})`;
}

/**
 * A regression side by side, for the thread: every number of both sides, so that whoever is on call
 * sees at once what moved and by how much.
 */
export function regressionTable(s: ServiceLine): string[] {
  const t = s.traffic;
  if (!t?.fresh || !t.baseline) return [];
  const { fresh, baseline } = t;
  const rows: Array<[string, string, string]> = [
    ['', t.against === 'before' ? 'since live' : 'new version', t.against === 'before' ? 'before' : 'old version'],
    ['requests', count(fresh.requests), count(baseline.requests)],
    [
      '5xx',
      `${rateText(fresh.errors5xx, fresh.requests)} (${count(fresh.errors5xx)})`,
      `${rateText(baseline.errors5xx, baseline.requests)} (${count(baseline.errors5xx)})`,
    ],
    [
      'connection errors',
      `${rateText(fresh.connectionErrors, fresh.requests)} (${count(fresh.connectionErrors)})`,
      `${rateText(baseline.connectionErrors, baseline.requests)} (${count(baseline.connectionErrors)})`,
    ],
    ['p95', ms(fresh.p95Ms), ms(baseline.p95Ms)],
    ['p99', ms(fresh.p99Ms), ms(baseline.p99Ms)],
    ['minutes', String(fresh.minutes), String(baseline.minutes)],
  ];
  const width = rows.map((r) => r.map((c) => c.length));
  const col = (i: number) => Math.max(...width.map((w) => w[i] ?? 0));
  return rows.map(([a, b, c]) => `${a.padEnd(col(0))}  ${b.padEnd(col(1))}  ${c}`.trimEnd());
}
