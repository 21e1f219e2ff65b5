// The thread replies under the run's message: why it failed or how far it got (causes, target
// groups, the failed containers' last lines), and that the watch stopped. Pure.
import { targetGroupName } from '../core/arn.ts';
import { targetGroupUrl } from '../core/console.ts';
import { type FailureEvidence, type MessageView, NO_FAILURE_EVIDENCE } from '../core/view.ts';
import { alarmText, excerptTitle, hookTitle } from './evidence.ts';
import { serviceStatusText } from './lines.ts';
import { metadataOf } from './metadata.ts';
import type { Block, SlackMessage } from './text.ts';
import { escapeText, fit, formatDuration, LIMITS, link, SLACK_FORMAT } from './text.ts';
import { regressedServices, regressionTable, verificationText } from './traffic.ts';

/** Causes listed in a failure thread; the rest are counted (the log has them all). */
const CAUSES_SHOWN = 20;
/** Target groups linked in a failure thread; more are in the service's console page. */
const TARGET_GROUPS_LINKED = 5;
/** A code block's fence in mrkdwn, and the room for two of them and their line breaks under a section's limit. */
const FENCE = '```';
const CODE_FENCE_ROOM = 16;

/** The thread reply when the watch ended without an outcome. */
export function renderStopped(v: MessageView): SlackMessage {
  const text = `⚠️ Stopped watching: ${escapeText(v.stopped ?? 'unknown reason')}`;
  return {
    text: fit(text, LIMITS.fallback),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: fit(text, LIMITS.sectionText) } }],
    metadata: metadataOf(v),
  };
}

/** A code block of the lines that fit in one section under `title`, newest kept: the end of a log says why. */
function excerptBlock(title: string, e: { lines?: string[]; hint?: string }): Block {
  if (!e.lines?.length)
    return { type: 'section', text: { type: 'mrkdwn', text: fit(`${title}${e.hint ? `: ${escapeText(e.hint)}` : ''}`, LIMITS.sectionText) } };
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
export function renderDetails(v: MessageView, causes: string[], mentionIds: string[], evidence: FailureEvidence = NO_FAILURE_EVIDENCE): SlackMessage {
  const mentions = mentionIds.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(' ');
  const title = v.status === 'failed' ? 'Why it failed' : `How far it got in ${formatDuration(v.now - v.startedAt)}`;
  const lines = [
    ...v.services.filter((s) => s.status !== 'retired' && s.status !== 'superseded').map((s) => `• ${serviceStatusText(s)}`),
    ...(causes.length ? ['', '*Freshest causes*', ...causes.slice(0, CAUSES_SHOWN).map((c) => `• ${escapeText(c)}`)] : []),
  ];
  if (causes.length > CAUSES_SHOWN) lines.push(`• …and ${causes.length - CAUSES_SHOWN} more (see the pipeline log)`);
  if (evidence.alarms.length) lines.push('', '*Alarms behind the rollback*', ...evidence.alarms.map((a) => `• ${alarmText(a, SLACK_FORMAT, v)}`));
  // The target groups of the services that did not make it, where their targets' health can be read.
  const groups = [...new Set(v.services.filter((s) => s.status !== 'retired' && s.status !== 'superseded').flatMap((s) => s.targetGroups ?? []))].slice(
    0,
    TARGET_GROUPS_LINKED,
  );
  if (groups.length) lines.push('', `*Target groups* ${groups.map((arn) => link(targetGroupUrl(v.region, arn), targetGroupName(arn))).join(', ')}`);
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: fit(`${mentions ? `${mentions} ` : ''}*${title}*`, LIMITS.sectionText) } }];
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
  for (const e of evidence.hooks) if (blocks.length < LIMITS.blocks) blocks.push(excerptBlock(hookTitle(e, SLACK_FORMAT, v), e));
  for (const e of evidence.logs) if (blocks.length < LIMITS.blocks) blocks.push(excerptBlock(excerptTitle(e, SLACK_FORMAT, v), e));
  const body = lines.join(' ').replace(/\s+/g, ' ');
  return { text: fit(`${mentions ? `${mentions} ` : ''}${title}: ${body}`, LIMITS.fallback), blocks, metadata: metadataOf(v) };
}

/**
 * The thread reply when the new version is live but its traffic regressed: per service, the
 * verdict and every number of both sides in a table, with the mentions when the run fails on it.
 */
export function renderRegression(v: MessageView, mentionIds: string[]): SlackMessage {
  const mentions = mentionIds.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(' ');
  const title = `${mentions ? `${mentions} ` : ''}*Traffic regressed*`;
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: fit(title, LIMITS.sectionText) } }];
  const services = regressedServices(v);
  for (const s of services) {
    if (blocks.length >= LIMITS.blocks) break;
    const head = `*${escapeText(s.service)}*: ${verificationText(s.traffic ?? { verdict: 'regressed', regressions: [] }, SLACK_FORMAT)}`;
    const table = regressionTable(s).map(escapeText).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(`${head}\n${FENCE}\n${table}\n${FENCE}`, LIMITS.sectionText) } });
  }
  const text = `${mentions ? `${mentions} ` : ''}Traffic regressed: ${services.map((s) => (s.traffic ? `${s.service}: ${verificationText(s.traffic)}` : s.service)).join('; ')}`;
  return { text: fit(text, LIMITS.fallback), blocks, metadata: metadataOf(v) };
}

/** The thread's record of an approver's reaction acted on (or of the call that failed). */
export function actedReply(
  v: MessageView,
  act: { by: string; service: string; hookId: string; action: 'CONTINUE' | 'ROLLBACK'; at: number; failed?: string },
): SlackMessage {
  const verb = act.action === 'CONTINUE' ? 'continue' : 'roll back';
  const text = act.failed
    ? `<@${act.by}> asked to ${verb} ${escapeText(act.service)} (pause hook ${escapeText(act.hookId)}), but the call failed: ${escapeText(act.failed)}`
    : `${act.action === 'CONTINUE' ? '✅' : '⏪'} <@${act.by}> ${act.action === 'CONTINUE' ? 'continued' : 'rolled back'} the deployment of ${escapeText(act.service)} at ${SLACK_FORMAT.time(act.at)} (pause hook ${escapeText(act.hookId)}).`;
  return reply(v, text);
}

/** Said once: reactions of people who are not APPROVERS change nothing. */
export function strangersReply(v: MessageView, approvers: readonly string[], strangers: readonly string[]): SlackMessage {
  return reply(
    v,
    `Only ${approvers.map((id) => `<@${id}>`).join(', ')} may continue or roll back this deployment from Slack (APPROVERS); the reaction of ${strangers.map((u) => `<@${u}>`).join(', ')} changed nothing.`,
  );
}

/** A one-section thread reply with the message's metadata. */
function reply(v: MessageView, mrkdwn: string): SlackMessage {
  return { text: mrkdwn, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }], metadata: metadataOf(v) };
}
