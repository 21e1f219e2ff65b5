// The Slack message as a pure function of the rollout's state: Block Kit within Slack's limits, a
// plain-text fallback, and machine-readable metadata. Everything that comes from users or AWS is
// escaped, so a branch named `fix/<!channel>` is shown, never obeyed.
import { serviceDeploymentsUrl } from '../core/console.ts';
import { timeSpentText } from '../core/timing.ts';
import type { MessageView, ServiceLine } from '../core/view.ts';
import { type Phase, type RolloutStatus, type ServiceStatus, SHORT_COMMIT } from '../core/vocabulary.ts';
import { changesSection } from './changes.ts';
import { headline, NAMED_IN_HEADLINE, notFollowed, pipelineUrlOf, serviceStatusText } from './lines.ts';
import { metadataOf, taskDefinitionsOf } from './metadata.ts';
import { pauseText } from './pause.ts';
import { type Block, escapeText, fit, formatDuration, LIMITS, link, SLACK_FORMAT, type SlackMessage } from './text.ts';
import { regressedServices, verifiedBrief, verifyLines } from './traffic.ts';

export type { Block, MessageView, SlackMessage };

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

/** The distinct `family:revision` names being deployed, once known. */

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
  // Services that say the same (a dozen gone live together) read as one line naming them, not a dozen.
  const same = sameLines(ordered);
  for (const [i, s] of ordered.entries()) {
    const group = same.get(s.service);
    if (group === null) continue;
    const line = group ? `${namesText(group)}: ${sharedText(s)}` : serviceStatusText(s);
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

/** Services named in one grouped line; more are counted. */
const GROUP_NAMED = 12;

/** `*a*, *b*, *c*`, or the first GROUP_NAMED and how many more. */
function namesText(names: readonly string[]): string {
  const named = names
    .slice(0, GROUP_NAMED)
    .map((name) => `*${escapeText(name)}*`)
    .join(', ');
  return names.length > GROUP_NAMED ? `${named} and ${names.length - GROUP_NAMED} more` : named;
}

/** What a line says after the service's name. */
function sharedText(s: ServiceLine): string {
  return serviceStatusText({ ...s, service: '' }).replace(/^\*\*: /, '');
}

/**
 * Services whose lines say the same thing but for the name: the first of each such group maps to
 * every name in it, the others to null (said with the first); a line of its own maps to nothing.
 * Only finished lines are grouped (live or retired, without warning or endpoint): what is still
 * moving says its own progress.
 */
function sameLines(services: readonly ServiceLine[]): Map<string, string[] | null> {
  const groups = new Map<string, string[]>();
  for (const s of services) {
    if ((s.status !== 'retired' && s.status !== 'live') || s.warning || s.endpoint || s.bake || s.shift) continue;
    const text = sharedText(s);
    groups.set(text, [...(groups.get(text) ?? []), s.service]);
  }
  const out = new Map<string, string[] | null>();
  for (const names of groups.values()) {
    if (names.length < 2) continue;
    names.forEach((name, i) => {
      out.set(name, i === 0 ? names : null);
    });
  }
  return out;
}

function statusWord(status: ServiceStatus): string {
  if (status === 'retired' || status === 'live') return 'live';
  if (status === 'no_tasks') return 'without tasks';
  if (status === 'failed' || status === 'superseded') return status;
  return 'rolling out';
}

export function renderMessage(v: MessageView): SlackMessage {
  return v.compact ? renderCompact(v) : renderCard(v);
}

/**
 * The compact form (MESSAGE_FORM), for a channel of many deploys that are not production: the
 * headline and one line of what and where, updated in place; what needs a reader — a warning, a
 * paused hook, a stop — is added below it, and a failure's thread says why as in the full card.
 */
/** The message's icon: its outcome's, a warning for a stop or a live version whose traffic regressed. */
function iconOf(v: MessageView): string {
  return v.stopped || (v.status === 'live' && (regressedServices(v).length || v.urlCheck?.verdict === 'failed')) ? '⚠️' : ICON[v.status];
}

function renderCompact(v: MessageView): SlackMessage {
  const icon = iconOf(v);
  const tds = taskDefinitionsOf(v);
  const shortCommit = v.commit?.slice(0, SHORT_COMMIT);
  const pipeline = pipelineUrlOf(v);
  const facts = [
    tds.length ? tds.map(escapeText).join(', ') : undefined,
    `${escapeText(v.ref.name)}${shortCommit ? ` @ ${link(v.repositoryUrl && `${v.repositoryUrl}/commits/${v.commit}`, shortCommit)}` : ''}`,
    v.deployedBy ? `by ${escapeText(v.deployedBy)}` : undefined,
    `${formatDuration(v.now - v.startedAt)}${pipeline ? ` · ${link(pipeline, `pipeline #${pipeline.split('/').pop()}`)}` : ''}`,
    escapeText(verifiedBrief(v) ?? ''),
    // What changed, in brief: the compact line's reader opens the compare link for the rest.
    changesSection({ services: v.services.slice(0, 1), changes: v.changes }, SLACK_FORMAT)[0] ?? '',
  ].filter((f): f is string => Boolean(f));
  const warnings = v.services.filter((s) => s.warning && !v.done).map((s) => `⚠️ ${escapeText(s.service)}: ${escapeText(s.warning ?? '')}`);
  const paused = pauseText(v);
  const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(text, LIMITS.contextElement) }] });
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: fit(`${icon} *${escapeText(headline(v))}*`, LIMITS.sectionText) } },
    context(facts.join(' · ')),
  ];
  if (warnings.length) blocks.push(context(warnings.join('\n')));
  // Only what needs a reader gets a line of its own: a regression, a dip, a URL that does not answer with it.
  const traffic = verifyLines(v, SLACK_FORMAT, { needsReader: true });
  if (traffic.length) blocks.push(context(traffic.join('\n')));
  if (paused) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(paused, LIMITS.sectionText) } });
  if (v.stopped) blocks.push(context(`⚠️ ${escapeText(v.stopped)}`));
  return { text: fallbackText(v, icon, tds, shortCommit), blocks, metadata: metadataOf(v) };
}

/** The notification's plain text (what a phone or a screen reader shows). */
function fallbackText(v: MessageView, icon: string, tds: readonly string[], shortCommit: string | undefined): string {
  return fit(
    `${icon} ${escapeText(headline(v))} (${escapeText(v.ref.name)}${shortCommit ? ` @ ${shortCommit}` : ''}${
      tds.length ? `, ${tds.map(escapeText).join(', ')}` : ''
    }) after ${formatDuration(v.now - v.startedAt)}`,
    LIMITS.fallback,
  );
}

function renderCard(v: MessageView): SlackMessage {
  const refLabel = v.ref.type === 'tag' ? 'Tag' : 'Branch';
  const tds = taskDefinitionsOf(v);
  const shortCommit = v.commit?.slice(0, SHORT_COMMIT);
  const icon = iconOf(v);
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
  if (v.deployedBy) fields.push(['Deployed by', escapeText(v.deployedBy)]);
  // "Pipeline" is the deploy's run when the deploy step said which; the notifier's own is its watch log.
  const pipeline = pipelineUrlOf(v);
  if (pipeline) fields.push(['Pipeline', link(pipeline, `#${pipeline.split('/').pop()}`)]);
  const watchLog = v.deployBuildUrl && v.buildUrl ? ` · ${link(v.buildUrl, 'watch log')}` : '';
  fields.push([v.done || v.stopped ? 'Duration' : 'Elapsed', `${formatDuration(v.now - v.startedAt)}${watchLog}`]);

  const statusLines = statusSection(v.services);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: fit(`${icon} ${headline(v)}`, LIMITS.header), emoji: true } },
    {
      type: 'section',
      fields: fields.slice(0, LIMITS.fields).map(([k, val]) => ({ type: 'mrkdwn' as const, text: fit(`*${k}*\n${val}`, LIMITS.field) })),
    },
    { type: 'section', text: { type: 'mrkdwn', text: statusLines } },
  ];
  const changed = changesSection(v, SLACK_FORMAT);
  if (changed.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(`*What changed*: ${changed.join('\n')}`, LIMITS.sectionText) } });
  const traffic = verifyLines(v, SLACK_FORMAT);
  if (traffic.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(traffic.join('\n'), LIMITS.sectionText) } });
  const paused = pauseText(v);
  if (paused) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(paused, LIMITS.sectionText) } });
  const steps = timeline(v);
  if (steps) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(steps, LIMITS.contextElement) }] });
  if (v.timeSpent) {
    // At the end, where the time went (the phases, and one hint when a setting explains the longest).
    // The hint once per service: not again when the channel's last message of it gave the same one.
    const hint = v.timeSpent.hint && !v.hintSaidBefore ? [`💡 ${v.timeSpent.hint}`] : [];
    const spent = [`Where the time went: ${timeSpentText(v.timeSpent)}`, ...hint].join('\n');
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(escapeText(spent), LIMITS.contextElement) }] });
  }
  if (v.stopped) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(`⚠️ ${escapeText(v.stopped)}`, LIMITS.contextElement) }] });
  if (v.delayedBy && !v.done) {
    // Said, not judged: throttling slows the watch; it never makes the outcome.
    const note = `⏳ Delayed by AWS throttling (${v.delayedBy}): updates may come late; the status is as AWS last answered.`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(escapeText(note), LIMITS.contextElement) }] });
  }
  if (v.endedAtLive) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: fit(`Watch ended at live (WAIT_UNTIL=live); ${notFollowed(v.services, SLACK_FORMAT)}.`, LIMITS.contextElement) }],
    });
  }

  return { text: fallbackText(v, icon, tds, shortCommit), blocks, metadata: metadataOf(v) };
}
