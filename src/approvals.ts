// Approvals from Slack: while a deployment waits at a PAUSE hook and APPROVERS is set, each poll
// reads the reactions on the message; an approver's ✅ continues it and ⏪ rolls it back —
// ContinueServiceDeployment exactly once per hook — and the thread records who acted and when.
// Anyone else's reaction changes nothing, which the thread says once. Nothing is read or called
// without APPROVERS. Each pause needs its own approval: the reactions on the message when the pipe
// last acted (the ✅ that continued an earlier pause) do not act again; removed and added again,
// they do. Slack's reactions carry no time (reactions.get), so what was there is remembered.
// Pauses waiting together are acted on together, as the one message shows them together.
import type { Config } from './config/settings.ts';
import type { MessageView } from './core/view.ts';
import type { Logger } from './logger.ts';
import type { Notifier, Reaction } from './slack/client.ts';
import { actedReply, strangersReply } from './slack/details.ts';
import { approvalOf, pausedServices } from './slack/pause.ts';
import type { SlackMessage } from './slack/text.ts';

export interface ApprovalDeps {
  config: Pick<Config, 'approvers'>;
  notifier: Notifier;
  log: Logger;
  now: () => number;
  /** ContinueServiceDeployment on a paused hook; throws what AWS said. */
  continueDeployment?: (request: { serviceDeploymentArn: string; hookId: string; action: 'CONTINUE' | 'ROLLBACK' }) => Promise<void>;
}

/** One reaction of one user, as a key. */
const keyOf = (name: string, user: string) => `${name}\u0000${user}`;

/** The reactions as keys. */
function keysOf(reactions: readonly Reaction[]): Set<string> {
  return new Set(reactions.flatMap((r) => r.users.map((u) => keyOf(r.name, u))));
}

/** The reactions not in `before`: those added since. */
function addedSince(reactions: readonly Reaction[], before: ReadonlySet<string>): Reaction[] {
  return reactions.map((r) => ({ name: r.name, users: r.users.filter((u) => !before.has(keyOf(r.name, u))) })).filter((r) => r.users.length > 0);
}

/** The approvals of one run: call it with the message's view at each poll. */
export function approvalsFor(deps: ApprovalDeps): (v: MessageView) => Promise<void> {
  const { config, notifier, log } = deps;
  /** The reactions on the message when the pipe last acted, still on it: spent, they act on no later pause. */
  const spent = new Set<string>();
  const acted = new Set<string>();
  const told = new Set<string>();
  /** A thread reply is a record, not the watch: one Slack refuses (rate limited) is logged, and the watch goes on. */
  const reply = async (message: SlackMessage) => {
    try {
      await notifier.reply(message);
    } catch (error) {
      log.warn(`Slack did not take a thread reply about the pause (${error instanceof Error ? error.message : String(error)}); the watch goes on.`);
    }
  };
  return async (v) => {
    const paused = pausedServices(v).flatMap((s) => {
      const hook = s.shift?.hook;
      const arn = s.shift?.serviceDeploymentArn;
      const key = `${arn}#${hook?.id}`;
      return hook && arn && !acted.has(key) ? [{ service: s.service, hook, arn, key }] : [];
    });
    if (!paused.length || !config.approvers.length || !deps.continueDeployment || !notifier.reactions) return;
    const reactions = (await notifier.reactions()) ?? [];
    const now = keysOf(reactions);
    const { strangers } = approvalOf(reactions, config.approvers);
    const newcomers = strangers.filter((u) => !told.has(u));
    if (newcomers.length) {
      for (const u of newcomers) told.add(u);
      await reply(strangersReply(v, config.approvers, newcomers));
    }
    // A reaction removed since no longer counts as spent; added again, it acts.
    for (const k of spent) if (!now.has(k)) spent.delete(k);
    const { action, by } = approvalOf(addedSince(reactions, spent), config.approvers);
    if (!action || !by) return;
    for (const k of now) spent.add(k);
    for (const p of paused) {
      acted.add(p.key);
      const what = action === 'CONTINUE' ? 'continued' : 'rolled back';
      try {
        await deps.continueDeployment({ serviceDeploymentArn: p.arn, hookId: p.hook.id, action });
        log.info(`${p.service}: ${what} at pause hook ${p.hook.id} by Slack user ${by} (${action})`);
        await reply(actedReply(v, { by, service: p.service, hookId: p.hook.id, action, at: deps.now() }));
      } catch (error) {
        const said = error instanceof Error ? error.message : String(error);
        log.warn(`Could not ${action === 'CONTINUE' ? 'continue' : 'roll back'} ${p.service} at pause hook ${p.hook.id}: ${said}`);
        await reply(actedReply(v, { by, service: p.service, hookId: p.hook.id, action, at: deps.now(), failed: said }));
      }
    }
  };
}
