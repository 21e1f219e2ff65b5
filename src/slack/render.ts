// The Slack message as a pure function of the rollout's state: Block Kit within Slack's limits, a
// plain-text fallback, and machine-readable metadata. Everything that comes from users or AWS is
// escaped, so a branch named `fix/<!channel>` is shown, never obeyed.
import type { MessageMetadata } from '@slack/types';
import { serviceDeploymentsUrl } from '../core/console.ts';
import { PHASES, type Phase, type RolloutStatus, type ServiceLine, type ServiceStatus } from '../core/vocabulary.ts';
import { notFollowed, PHASE_LABELS, serviceStatusText } from './lines.ts';
import { escapeText, fit, formatDuration, LIMITS, link, SLACK_FORMAT } from './text.ts';

export interface MessageView {
  status: RolloutStatus;
  phase: Phase;
  /** The watch has ended (the reducer's word: the message shows a duration, not time elapsed). */
  done: boolean;
  environment: string;
  cluster: string;
  region: string;
  services: ServiceLine[];
  ref: { type: 'branch' | 'tag'; name: string };
  commit?: string;
  repositoryUrl?: string;
  buildUrl?: string;
  startedAt: number;
  now: number;
  /** When every service reached each phase (epoch ms). */
  milestones: Partial<Record<Phase, number>>;
  waitTimeoutMs: number;
  /** Set when the watch ended before an outcome (AWS kept failing, the step was stopped). */
  stopped?: string;
  /** The watch ended at "live" (WAIT_UNTIL=live), before the old version was retired. */
  endedAtLive?: boolean;
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
  /** Slack's documented shape: payload values are strings, numbers, booleans, objects or arrays of objects. */
  metadata: MessageMetadata;
}

type Text = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type Block =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' };

/** Characters of a commit hash shown, as git abbreviates them. */
const SHORT_COMMIT = 7;
/** Room kept under a section's limit for the line that counts the services left out. */
const SUMMARY_ROOM = 200;

const ICON: Record<RolloutStatus, string> = {
  rolling_out: '🚀',
  live: '✅',
  failed: '❌',
  timed_out: '⏱️',
  superseded: '↪️',
  no_tasks: '💤',
};

/** Services named in a headline; more are counted. */
const NAMED_IN_HEADLINE = 3;

function servicesLabel(v: MessageView): string {
  const names = v.services.map((s) => s.service);
  return names.length <= NAMED_IN_HEADLINE ? names.join(', ') : `${names.length} services`;
}

/** The distinct `family:revision` names being deployed, once known. */
function taskDefinitionsOf(v: MessageView): string[] {
  return [...new Set(v.services.map((s) => s.taskDefinition).filter((t): t is string => Boolean(t)))];
}

export function headline(v: MessageView): string {
  const what = servicesLabel(v);
  const env = v.environment;
  const is = v.services.length > 1 ? 'are' : 'is';
  if (v.stopped) return `Stopped watching ${what} in ${env}`;
  switch (v.status) {
    case 'rolling_out':
      return `${what} → ${env}: ${PHASE_LABELS[v.phase]}`;
    case 'live':
      if (v.phase === 'retired') return `${what} ${is} live in ${env}`;
      // Blue/green keeps the old version on standby (for a rollback) rather than draining it.
      return `${what} ${is} live in ${env} (old version ${v.services.some((s) => s.shift) ? 'on standby' : 'draining'})`;
    case 'failed': {
      // Among many services, the ones that failed are what the reader must see first.
      const failed = v.services.filter((s) => s.status === 'failed').map((s) => s.service);
      if (v.services.length > NAMED_IN_HEADLINE && failed.length && failed.length <= NAMED_IN_HEADLINE) {
        return `${failed.join(', ')} failed to deploy to ${env} (${failed.length} of ${v.services.length} services)`;
      }
      return `${what} failed to deploy to ${env}`;
    }
    case 'no_tasks':
      return `${what} ${v.services.length > 1 ? 'have' : 'has'} no tasks to roll out in ${env} (desired count 0)`;
    case 'timed_out':
      return `${what} did not go live in ${env} within ${formatDuration(v.waitTimeoutMs)}`;
    case 'superseded':
      return `${what} deploy to ${env} was superseded by a newer one`;
  }
}

const MILESTONES: Array<[Phase, string]> = [
  ['registering', 'tasks started'],
  ['cutting_over', 'targets healthy'],
  ['live', 'traffic cut over'],
  ['retired', 'old version retired'],
];

function timeline(v: MessageView): string {
  return MILESTONES.flatMap(([p, label]) => {
    const at = v.milestones[p];
    return at === undefined ? [] : [`${label} +${formatDuration(at - v.startedAt)}`];
  }).join(' · ');
}

/** Most telling first: what failed, then what is still on its way, then what is done. */
const STATUS_ORDER: Record<ServiceStatus, number> = {
  failed: 0,
  waiting: 1,
  starting: 1,
  registering: 1,
  cutting_over: 1,
  live: 2,
  no_tasks: 3,
  superseded: 3,
  retired: 4,
};

/**
 * One line per service within one section's limit. Many services are ordered by what needs
 * attention, and those that do not fit are counted by status rather than cut off mid-line.
 */
function statusSection(services: ServiceLine[]): string {
  const ordered = services.length > NAMED_IN_HEADLINE ? [...services].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]) : services;
  const lines: string[] = [];
  let length = 0;
  const room = LIMITS.sectionText - SUMMARY_ROOM;
  for (const [i, s] of ordered.entries()) {
    const line = serviceStatusText(s);
    if (length + line.length + 1 > room && i > 0) {
      const rest = ordered.slice(i);
      const counts = new Map<string, number>();
      for (const r of rest) counts.set(statusWord(r.status), (counts.get(statusWord(r.status)) ?? 0) + 1);
      lines.push(`…and ${rest.length} more: ${[...counts].map(([word, n]) => `${n} ${word}`).join(', ')}`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return fit(lines.join('\n'), LIMITS.sectionText);
}

function statusWord(status: ServiceStatus): string {
  if (status === 'retired' || status === 'live') return 'live';
  if (status === 'no_tasks') return 'without tasks';
  if (status === 'failed' || status === 'superseded') return status;
  return 'rolling out';
}

export function renderMessage(v: MessageView): SlackMessage {
  const refLabel = v.ref.type === 'tag' ? 'Tag' : 'Branch';
  const tds = taskDefinitionsOf(v);
  const shortCommit = v.commit?.slice(0, SHORT_COMMIT);
  const icon = v.stopped ? '⚠️' : ICON[v.status];
  const fields: Array<[string, string]> = [
    ['Environment', escapeText(v.environment)],
    // A few services link their deployments page; a long list stays plain, so that a cut cannot break a link.
    [
      v.services.length > 1 ? 'Services' : 'Service',
      v.services
        .map((s) => (v.services.length <= NAMED_IN_HEADLINE ? link(serviceDeploymentsUrl(v.region, v.cluster, s.service), s.service) : escapeText(s.service)))
        .join(', '),
    ],
    ['Cluster', `${escapeText(v.cluster)} (${escapeText(v.region)})`],
    [tds.length > 1 ? 'Task definitions' : 'Task definition', tds.length ? tds.map(escapeText).join(', ') : '…'],
    [refLabel, escapeText(v.ref.name)],
  ];
  if (shortCommit) fields.push(['Commit', link(v.repositoryUrl && `${v.repositoryUrl}/commits/${v.commit}`, shortCommit)]);
  if (v.buildUrl) fields.push(['Pipeline', link(v.buildUrl, `#${v.buildUrl.split('/').pop()}`)]);
  fields.push([v.done || v.stopped ? 'Duration' : 'Elapsed', formatDuration(v.now - v.startedAt)]);

  const statusLines = statusSection(v.services);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: fit(`${icon} ${headline(v)}`, LIMITS.header), emoji: true } },
    {
      type: 'section',
      fields: fields.slice(0, LIMITS.fields).map(([k, val]) => ({ type: 'mrkdwn' as const, text: fit(`*${k}*\n${val}`, LIMITS.field) })),
    },
    { type: 'section', text: { type: 'mrkdwn', text: statusLines } },
  ];
  const steps = timeline(v);
  if (steps) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(steps, LIMITS.contextElement) }] });
  if (v.stopped) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(`⚠️ ${escapeText(v.stopped)}`, LIMITS.contextElement) }] });
  if (v.endedAtLive) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: fit(`Watch ended at live (WAIT_UNTIL=live); ${notFollowed(v.services, SLACK_FORMAT)}.`, LIMITS.contextElement) }],
    });
  }

  const text = fit(
    `${icon} ${escapeText(headline(v))} (${escapeText(v.ref.name)}${shortCommit ? ` @ ${shortCommit}` : ''}${
      tds.length ? `, ${tds.map(escapeText).join(', ')}` : ''
    }) after ${formatDuration(v.now - v.startedAt)}`,
    LIMITS.fallback,
  );

  return {
    text,
    blocks,
    metadata: metadataOf(v),
  };
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
      services: v.services.map((s) => ({ name: s.service, status: s.status, task_definition: s.taskDefinition ?? '' })),
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
      ...(v.buildUrl ? { pipeline_url: v.buildUrl } : {}),
      ...(v.stopped ? { stopped_reason: v.stopped } : {}),
    },
  };
}
