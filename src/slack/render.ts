// The Slack message as a pure function of the rollout's state: Block Kit within Slack's limits, a
// plain-text fallback, and machine-readable metadata. Everything that comes from users or AWS is
// escaped, so a branch named `fix/<!channel>` is shown, never obeyed.
import type { MessageMetadata } from '@slack/types';
import { type Eta, PHASE_LABELS, PHASES, type Phase, targetGroupName, type Progress, type RolloutStatus, type ServiceStatus, type ShiftView } from '../rollout.ts';
import type { LogExcerpt } from '../aws/logs.ts';
import { logStreamUrl, serviceDeploymentsUrl, targetGroupUrl, taskUrl } from '../console.ts';
import type { ServiceLine } from '../step.ts';

export type { ServiceLine };

export interface MessageView {
  status: RolloutStatus;
  phase: Phase;
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

/** Causes listed in a failure thread; the rest are counted (the log has them all). */
const CAUSES_SHOWN = 20;
/** Target groups linked in a failure thread; more are in the service's console page. */
const TARGET_GROUPS_LINKED = 5;
/** Characters of a commit hash shown, as git abbreviates them. */
const SHORT_COMMIT = 7;
/** A code block's fence in mrkdwn, and the room for two of them and their line breaks under a section's limit. */
const FENCE = '```';
const CODE_FENCE_ROOM = 16;
/** Room kept under a section's limit for the line that counts the services left out. */
const SUMMARY_ROOM = 200;

// Slack's documented limits.
export const LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, contextElement: 2000, blocks: 50, fallback: 3000 };

/** How user and AWS text is written: escaped with bold names for Slack, as it is for the log. */
export interface TextFormat {
  text(s: string): string;
  bold(s: string): string;
  /** A clock time: in the reader's time zone in Slack, in UTC in the log. */
  time(ms: number): string;
  /** A link to one of our own URLs (built from validated names), with a label. */
  link(url: string, label: string): string;
}
/** `10:42 UTC`: the log's clock times, and Slack's fallback where it cannot localise one. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}
export const SLACK_FORMAT: TextFormat = {
  text: (s) => escapeText(s),
  bold: (s) => `*${escapeText(s)}*`,
  // Slack's date formatting shows each reader their own time zone (https://api.slack.com/reference/surfaces/formatting#date-formatting).
  time: (ms) => `<!date^${Math.floor(ms / 1000)}^{time}|${utcTime(ms)}>`,
  link: (url, label) => link(url, label),
};
export const PLAIN_FORMAT: TextFormat = { text: (s) => s, bold: (s) => s, time: utcTime, link: (url, label) => `${label} (${url})` };

/** Escapes the three characters Slack's mrkdwn treats as control: &, <, >. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts already-escaped text to `max` characters without splitting an entity like &amp;. */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

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

function link(url: string | undefined, label: string): string {
  // Our URLs are built from validated names; only the label can carry user text.
  return url ? `<${url}|${escapeText(label)}>` : escapeText(label);
}

function progressText(p: Progress): string {
  const parts = [`${p.ready}/${p.desired} new tasks ready`];
  if (p.targetGroups) parts.push(`${Math.min(p.healthyTargets, p.desired)}/${p.desired} healthy targets`);
  if (p.oldTasks) parts.push(`${p.oldTasks} old task${p.oldTasks > 1 ? 's' : ''} running`);
  if (p.oldTargets) parts.push(`${p.oldTargets} old target${p.oldTargets > 1 ? 's' : ''} serving`);
  if (p.draining) parts.push(`${p.draining} draining`);
  return parts.join(' · ');
}

const STRATEGY_NAMES: Record<string, string> = { BLUE_GREEN: 'blue/green', LINEAR: 'linear', CANARY: 'canary' };

/** `production traffic 50% (steps 25% → 50% → 75% → 100%)`; blue/green moves in one step. */
function trafficText(shift: ShiftView): string {
  const share = shift.production === undefined ? '' : ` ${Math.round(shift.production)}%`;
  const steps = shift.steps.length > 1 ? ` (${STRATEGY_NAMES[shift.strategy] ?? shift.strategy} steps ${shift.steps.map((p) => `${p}%`).join(' → ')})` : '';
  return `production traffic${share}${steps}`;
}

function hookText(hook: NonNullable<ShiftView['hook']>, shift: ShiftView, f: TextFormat): string {
  const expires = hook.expiresAt !== undefined ? `, expires ${f.time(hook.expiresAt)}` : '';
  if (shift.controller === 'CODE_DEPLOY') {
    // CodeDeploy's hooks are its lifecycle events; Ready with STOP_DEPLOYMENT waits for someone to reroute.
    if (hook.status === 'AWAITING_ACTION') return `waiting for approval: reroute traffic in CodeDeploy${expires}`;
    return `${f.text(hook.id)} hook running`;
  }
  const at = shift.stage ? ` at ${shift.stage}` : '';
  if (hook.status === 'AWAITING_ACTION') return `waiting for approval: pause hook ${f.text(hook.id)}${at}${expires}`;
  return `${hook.targetType === 'PAUSE' ? 'pause' : 'Lambda'} hook ${f.text(hook.id)} running${at}${expires}`;
}

/** What a traffic-shifting deployment is doing, by ECS's lifecycle stage and what we confirmed. */
function shiftText(s: ServiceLine, shift: ShiftView, f: TextFormat): string {
  const where = shift.consoleUrl && shift.deploymentId ? ` · ${f.link(shift.consoleUrl, `CodeDeploy ${shift.deploymentId}`)}` : '';
  return `${shiftStage(s, shift, f)}${where}`;
}

function shiftStage(s: ServiceLine, shift: ShiftView, f: TextFormat): string {
  const tasks = `${shift.running}/${shift.requested} new tasks running${shift.healthy !== undefined ? ` · ${Math.min(shift.healthy, shift.requested)}/${shift.requested} healthy targets` : ''}`;
  const hook = shift.hook ? ` — ${hookText(shift.hook, shift, f)}` : '';
  switch (s.status) {
    case 'starting':
      return `new version starting — ${tasks}${hook}`;
    case 'registering':
      return `${shift.test ? `test traffic ${Math.round(shift.test)}% on the new version` : 'new version started, production still on the old one'} — ${tasks}${hook}`;
    case 'cutting_over':
      return `shifting production traffic — ${trafficText(shift)} · ${tasks}${hook}`;
    case 'live':
      if (shift.bakeUntil !== undefined) return `live, baking until ${f.time(shift.bakeUntil)} (ECS may roll back until then)${hook}`;
      if (shift.keptUntil !== undefined) return `live, original task set kept until ${f.time(shift.keptUntil)} (CodeDeploy's termination wait)${hook}`;
      if (shift.stage === 'CLEAN_UP') return 'live, old version being removed';
      return `live, ${trafficText(shift)}${hook}`;
    default:
      return PHASE_LABELS[s.status === 'retired' ? 'retired' : 'waiting'];
  }
}

/** "old version retires by ~10:42 (deregistration delay 300 s)" */
function etaText(eta: Eta, f: TextFormat): string {
  return `${eta.what === 'healthy' ? 'targets healthy by' : 'old version retires by'} ~${f.time(eta.at)} (${eta.basis})`;
}

/** What a watch that ended at "live" (WAIT_UNTIL=live) no longer follows. */
export function notFollowed(services: ServiceLine[], f: TextFormat = PLAIN_FORMAT): string {
  const live = services.filter((s) => s.status === 'live');
  const latest = (times: number[]) => (times.length ? Math.max(...times) : undefined);
  const bake = latest(live.flatMap((s) => (s.shift?.bakeUntil !== undefined ? [s.shift.bakeUntil] : [])));
  const wait = latest(live.flatMap((s) => (s.shift?.keptUntil !== undefined ? [s.shift.keptUntil] : [])));
  const windows = [
    ...(bake !== undefined ? [`the bake until ${f.time(bake)}`] : []),
    ...(wait !== undefined ? [`CodeDeploy's termination wait until ${f.time(wait)}`] : []),
  ];
  const rollback = windows.length ? `${windows.join(' and ')} (a rollback during ${windows.length > 1 ? 'them' : 'it'} is not reported here) and ` : '';
  return `not followed further: ${rollback}the old version's retirement`;
}

export function serviceStatusText(s: ServiceLine, f: TextFormat = SLACK_FORMAT): string {
  const name = f.bold(s.service);
  switch (s.status) {
    case 'failed': {
      const where = s.shift?.consoleUrl && s.shift.deploymentId ? ` (${f.link(s.shift.consoleUrl, `CodeDeploy ${s.shift.deploymentId}`)})` : '';
      return `${name}: failed — ${f.text(s.reason ?? 'no reason given')}${where}`;
    }
    case 'superseded':
      return `${name}: superseded by ${f.text(s.supersededBy ?? 'a newer deployment')}`;
    case 'retired':
      return `${name}: live, old version retired`;
    case 'no_tasks':
      return `${name}: no tasks to roll out (desired count 0); ${f.text(s.taskDefinition ?? 'the new revision')} runs when the service is scaled up`;
    default: {
      const eta = s.eta ? ` · ${etaText(s.eta, f)}` : '';
      const doing = s.shift && s.status !== 'waiting' ? shiftText(s, s.shift, f) : `${PHASE_LABELS[s.status]}${s.progress && s.status !== 'waiting' ? ` — ${progressText(s.progress)}` : ''}${eta}`;
      return `${name}: ${doing}${s.warning ? `\n⚠️ ${f.text(s.warning)}` : ''}`;
    }
  }
}

const MILESTONES: Array<[Phase, string]> = [
  ['registering', 'tasks started'],
  ['cutting_over', 'targets healthy'],
  ['live', 'traffic cut over'],
  ['retired', 'old version retired'],
];

function timeline(v: MessageView): string {
  const steps = MILESTONES.filter(([p]) => v.milestones[p] !== undefined).map(
    ([p, label]) => `${label} +${formatDuration((v.milestones[p] as number) - v.startedAt)}`,
  );
  return steps.join(' · ');
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
  const finished = Boolean(v.stopped) || Boolean(v.endedAtLive) || (v.status !== 'rolling_out' && !(v.status === 'live' && v.phase !== 'retired'));
  const icon = v.stopped ? '⚠️' : ICON[v.status];
  const fields: Array<[string, string]> = [
    ['Environment', escapeText(v.environment)],
    // A few services link their deployments page; a long list stays plain, so that a cut cannot break a link.
    [
      v.services.length > 1 ? 'Services' : 'Service',
      v.services.map((s) => (v.services.length <= NAMED_IN_HEADLINE ? link(serviceDeploymentsUrl(v.region, v.cluster, s.service), s.service) : escapeText(s.service))).join(', '),
    ],
    ['Cluster', `${escapeText(v.cluster)} (${escapeText(v.region)})`],
    [tds.length > 1 ? 'Task definitions' : 'Task definition', tds.length ? tds.map(escapeText).join(', ') : '…'],
    [refLabel, escapeText(v.ref.name)],
  ];
  if (shortCommit) fields.push(['Commit', link(v.repositoryUrl && `${v.repositoryUrl}/commits/${v.commit}`, shortCommit)]);
  if (v.buildUrl) fields.push(['Pipeline', link(v.buildUrl, `#${v.buildUrl.split('/').pop()}`)]);
  fields.push([finished ? 'Duration' : 'Elapsed', formatDuration(v.now - v.startedAt)]);

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
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(`Watch ended at live (WAIT_UNTIL=live); ${notFollowed(v.services, SLACK_FORMAT)}.`, LIMITS.contextElement) }] });
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

/** The thread reply when the watch ended without an outcome. */
export function renderStopped(v: MessageView): SlackMessage {
  const text = `⚠️ Stopped watching: ${escapeText(v.stopped ?? 'unknown reason')}`;
  return { text: fit(text, LIMITS.fallback), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: fit(text, LIMITS.sectionText) } }], metadata: metadataOf(v) };
}

/** "Last 20 lines of web in task 3f2a… (exit code 1), shop-api · log stream", the task and the stream linked. */
export function excerptTitle(e: LogExcerpt, f: TextFormat, at: { region: string; cluster: string }): string {
  const lines = e.lines ? (e.lines.length ? `Last ${e.lines.length} line${e.lines.length > 1 ? 's' : ''} of` : 'Nothing printed by') : 'Logs of';
  const stream = e.group && e.stream ? ` · ${f.link(logStreamUrl(e.region ?? at.region, e.group, e.stream), 'log stream')}` : '';
  return `${lines} ${f.bold(e.container)} in task ${f.link(taskUrl(at.region, at.cluster, e.taskId), e.taskId)} (${f.text(e.what)}), ${f.text(e.service)}${stream}`;
}

/** A code block of the lines that fit in one section, newest kept: the end of a log says why. */
function excerptBlock(e: LogExcerpt, at: { region: string; cluster: string }): Block {
  const title = excerptTitle(e, SLACK_FORMAT, at);
  if (!e.lines?.length) return { type: 'section', text: { type: 'mrkdwn', text: fit(`${title}${e.hint ? `: ${escapeText(e.hint)}` : ''}`, LIMITS.sectionText) } };
  const room = LIMITS.sectionText - title.length - CODE_FENCE_ROOM;
  const kept: string[] = [];
  let used = 0;
  for (const line of [...e.lines].reverse()) {
    // A fence inside the log would end the code block early.
    const escaped = escapeText(line).replaceAll(FENCE, "'''");
    if (used + escaped.length + 1 > room) break;
    kept.unshift(escaped);
    used += escaped.length + 1;
  }
  return { type: 'section', text: { type: 'mrkdwn', text: `${title}\n${FENCE}\n${kept.join('\n')}\n${FENCE}` } };
}

/** The thread reply for a failure or a time-out: why, in detail, with the optional mentions and the failed containers' last lines. */
export function renderDetails(v: MessageView, causes: string[], mentionIds: string[], excerpts: LogExcerpt[] = []): SlackMessage {
  const mentions = mentionIds.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(' ');
  const title = v.status === 'failed' ? 'Why it failed' : `How far it got in ${formatDuration(v.now - v.startedAt)}`;
  const lines = [
    ...v.services.filter((s) => s.status !== 'retired' && s.status !== 'superseded').map((s) => `• ${serviceStatusText(s)}`),
    ...(causes.length ? ['', '*Freshest causes*', ...causes.slice(0, CAUSES_SHOWN).map((c) => `• ${escapeText(c)}`)] : []),
  ];
  if (causes.length > CAUSES_SHOWN) lines.push(`• …and ${causes.length - CAUSES_SHOWN} more (see the pipeline log)`);
  // The target groups of the services that did not make it, where their targets' health can be read.
  const groups = [...new Set(v.services.filter((s) => s.status !== 'retired' && s.status !== 'superseded').flatMap((s) => s.targetGroups ?? []))].slice(0, TARGET_GROUPS_LINKED);
  if (groups.length) lines.push('', `*Target groups* ${groups.map((arn) => link(targetGroupUrl(v.region, arn), targetGroupName(arn))).join(', ')}`);
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: fit(`${mentions ? `${mentions} ` : ''}*${title}*`, LIMITS.sectionText) } },
  ];
  // Long cause lists are split over several sections, at line ends, rather than cut off.
  let chunk = '';
  const flush = () => {
    if (chunk && blocks.length < LIMITS.blocks) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(chunk, LIMITS.sectionText) } });
    chunk = '';
  };
  for (const line of lines) {
    if (chunk.length + line.length + 1 > LIMITS.sectionText) flush();
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  flush();
  for (const e of excerpts) if (blocks.length < LIMITS.blocks) blocks.push(excerptBlock(e, v));
  const body = lines.join(' ').replace(/\s+/g, ' ');
  return { text: fit(`${mentions ? `${mentions} ` : ''}${title}: ${body}`, LIMITS.fallback), blocks, metadata: metadataOf(v) };
}
