// The message's machine-readable facts (Slack message metadata), the same on the message and its
// thread replies, for other automations. Pure.
import type { MessageMetadata } from '@slack/types';
import type { Changes } from '../core/changes.ts';
import type { TrafficTotals, Verification } from '../core/verification.ts';
import type { MessageView } from '../core/view.ts';
import { PHASES } from '../core/vocabulary.ts';
import { pipelineUrlOf } from './lines.ts';

/** The distinct `family:revision` names being deployed, once known. */
export function taskDefinitionsOf(v: MessageView): string[] {
  return [...new Set(v.services.map((s) => s.taskDefinition).filter((t): t is string => Boolean(t)))];
}

/** The verdict in the worst case among the services: regressed, not measured, verified (measuring while any is). */
const VERDICT_ORDER: ReadonlyArray<Verification['verdict']> = ['regressed', 'measuring', 'not_measured', 'verified'];

/**
 * A service's traffic verification for a bot, flat (Slack's payload objects hold scalars): the
 * verdict, why, and both sides' numbers (times in ms); each regressed metric named.
 */
function trafficOf(service: string, t: Verification): Record<string, string | number> {
  const side = (prefix: string, x: TrafficTotals) => ({
    [`${prefix}_requests`]: x.requests,
    [`${prefix}_errors_5xx`]: x.errors5xx,
    [`${prefix}_connection_errors`]: x.connectionErrors,
    ...(x.p95Ms !== undefined ? { [`${prefix}_p95_ms`]: Math.round(x.p95Ms) } : {}),
    ...(x.p99Ms !== undefined ? { [`${prefix}_p99_ms`]: Math.round(x.p99Ms) } : {}),
  });
  return {
    service,
    verdict: t.verdict,
    ...(t.why ? { why: t.why } : {}),
    ...(t.against ? { against: t.against } : {}),
    ...(t.fresh ? side('new', t.fresh) : {}),
    ...(t.baseline ? side('baseline', t.baseline) : {}),
    ...(t.regressions.length ? { regressed: t.regressions.map((r) => r.metric).join(',') } : {}),
  };
}

/** What a service's deploy changes, flat: the previous commit, where it was learned and since when it was live, how many commits each way, the compare link. */
function changesOf(c: Changes | undefined): Record<string, string | number> {
  if (!c) return {};
  return {
    previous_commit: c.previous.commit,
    previous_source: c.previous.source,
    ...(c.previous.liveSince !== undefined ? { previous_live_since: new Date(c.previous.liveSince).toISOString() } : {}),
    ...(c.ahead ? { commits_ahead: c.ahead.length } : {}),
    ...(c.behind ? { commits_behind: c.behind.length } : {}),
    ...(c.compareUrl ? { compare_url: c.compareUrl } : {}),
  };
}

/** The run's traffic verdict: the worst of its services'. */
export function trafficVerdictOf(v: Pick<MessageView, 'services'>): Verification['verdict'] | undefined {
  const verdicts = new Set(v.services.flatMap((s) => (s.traffic ? [s.traffic.verdict] : [])));
  return VERDICT_ORDER.find((x) => verdicts.has(x));
}

/** Machine-readable facts for other automations; the same on the message and its thread replies. */
export function metadataOf(v: MessageView): MessageMetadata {
  const tds = taskDefinitionsOf(v);
  return {
    event_type: 'ecs_deployment',
    event_payload: {
      status: v.stopped ? 'stopped' : v.status,
      phase: v.phase,
      environment: v.environment,
      cluster: v.cluster,
      region: v.region,
      // Slack's payload schema takes arrays of objects, not of strings.
      services: v.services.map((s) => ({
        name: s.service,
        status: s.status,
        task_definition: s.taskDefinition ?? '',
        ...(s.rollsBackFrom ? { rolls_back_from: s.rollsBackFrom } : {}),
        ...changesOf(v.changes?.[s.service]),
      })),
      task_definitions: tds.join(','),
      ref_type: v.ref.type,
      ref: v.ref.name,
      commit: v.commit ?? '',
      started_at: new Date(v.startedAt).toISOString(),
      duration_seconds: Math.round((v.now - v.startedAt) / 1000),
      // When every service reached each phase, in seconds from the start of the watch: a team can
      // chart time to live and time to retire from Slack alone.
      phase_seconds: Object.fromEntries(
        PHASES.flatMap((p) => {
          const at = v.milestones[p];
          return at === undefined ? [] : [[p, Math.round((at - v.startedAt) / 1000)]];
        }),
      ),
      // pipeline_url: what the message's "Pipeline" links to (the deploy's run when known); watch_log_url: the notifier's own.
      ...(pipelineUrlOf(v) ? { pipeline_url: pipelineUrlOf(v) } : {}),
      ...(v.deployBuildUrl && v.buildUrl ? { watch_log_url: v.buildUrl } : {}),
      ...(v.deployedBy ? { deployed_by: v.deployedBy } : {}),
      ...(trafficVerdictOf(v) ? { traffic_verdict: trafficVerdictOf(v) } : {}),
      ...(v.dip ? { availability_dip: { code: v.dip.code, minutes: v.dip.minutes, requests: v.dip.requests } } : {}),
      ...(v.urlCheck
        ? {
            url_check: v.urlCheck.verdict,
            url_expected: v.urlCheck.expected,
            ...(v.urlCheck.seen ? { url_seen: v.urlCheck.seen } : {}),
            ...(v.urlCheck.since !== undefined ? { url_since: new Date(v.urlCheck.since).toISOString() } : {}),
          }
        : {}),
      ...(v.services.some((s) => s.traffic) ? { traffic: v.services.flatMap((s) => (s.traffic ? [trafficOf(s.service, s.traffic)] : [])) } : {}),
      // The hint where the time went, said or not: the next run of these services does not say it again.
      ...(v.timeSpent?.hintKey ? { time_hint: v.timeSpent.hintKey } : {}),
      ...(v.stopped ? { stopped_reason: v.stopped } : {}),
    },
  };
}
