// A deployment paused at a PAUSE lifecycle hook, as the message says it: where it waits, what ECS
// does at the hook's expiry and when, the exact commands that continue it or roll it back, and
// who may act from Slack with a reaction (APPROVERS). Pure.
import { serviceDeploymentsUrl } from '../core/console.ts';
import type { MessageView, ServiceLine } from '../core/view.ts';
import { escapeText, formatDuration, link, SLACK_FORMAT } from './text.ts';

/** The reactions that act on a paused deployment (Slack's names): ✅ continues, ⏪ rolls back. */
export const CONTINUE_REACTION = 'white_check_mark';
export const ROLLBACK_REACTION = 'rewind';

/** The services of `v` waiting at a PAUSE hook of an ECS-native deployment. */
export function pausedServices(v: Pick<MessageView, 'services'>): ServiceLine[] {
  return v.services.filter(
    (s) =>
      s.shift?.hook?.status === 'AWAITING_ACTION' && s.shift.hook.targetType === 'PAUSE' && s.shift.controller === undefined && s.shift.serviceDeploymentArn,
  );
}

/** The mrkdwn that tells how to act on each paused service; undefined when none is paused. */
export function pauseText(v: MessageView): string | undefined {
  const paused = pausedServices(v);
  if (!paused.length) return undefined;
  const watchEnds = v.startedAt + v.waitTimeoutMs;
  const parts = paused.map((s) => {
    const hook = s.shift?.hook;
    const arn = s.shift?.serviceDeploymentArn ?? '';
    if (!hook) return '';
    const does = hook.timeoutAction === 'CONTINUE' ? 'continues by itself' : 'rolls back by itself';
    const when =
      hook.expiresAt !== undefined
        ? ` at ${SLACK_FORMAT.time(hook.expiresAt)}, in ${formatDuration(Math.max(0, hook.expiresAt - v.now))},`
        : ' when the hook expires';
    const command = (action: string) =>
      `\`aws ecs continue-service-deployment --region ${escapeText(v.region)} --service-deployment-arn ${escapeText(arn)} --hook-id ${escapeText(hook.id)} --action ${action}\``;
    const lines = [
      `⏸️ *${escapeText(s.service)} is paused*${s.shift?.stage ? ` at ${escapeText(s.shift.stage)}` : ''} (pause hook ${escapeText(hook.id)}): it ${does}${when} unless someone acts.`,
      `Continue: ${command('CONTINUE')}`,
      `Roll back: ${command('ROLLBACK')}`,
      link(serviceDeploymentsUrl(v.region, v.cluster, s.service), 'Its deployments in the ECS console'),
    ];
    if (hook.expiresAt !== undefined && watchEnds < hook.expiresAt) {
      lines.push(`This watch ends at ${SLACK_FORMAT.time(watchEnds)} (WAIT_TIMEOUT), before the hook expires: it will not say what happens then.`);
    }
    return lines.join('\n');
  });
  const approvers = v.approvers ?? [];
  const act = approvers.length
    ? `React :${CONTINUE_REACTION}: to continue or :${ROLLBACK_REACTION}: to roll back (${approvers.map((id) => `<@${id}>`).join(', ')} may). A reaction that acted on an earlier pause does not count again: remove it, then add it again.`
    : 'Nobody can act from Slack: APPROVERS is not set.';
  return [...parts, act].join('\n\n');
}

/** What the approvers' reactions ask for: ⏪ wins over ✅ (the safer one); others' reactions count for nothing. */
export function approvalOf(
  reactions: ReadonlyArray<{ name: string; users: readonly string[] }>,
  approvers: readonly string[],
): { action?: 'CONTINUE' | 'ROLLBACK'; by?: string; strangers: string[] } {
  const by = (name: string) => reactions.find((r) => r.name === name)?.users.find((u) => approvers.includes(u));
  const acting = [...new Set(reactions.filter((r) => r.name === CONTINUE_REACTION || r.name === ROLLBACK_REACTION).flatMap((r) => r.users))];
  const strangers = acting.filter((u) => !approvers.includes(u));
  const rollback = by(ROLLBACK_REACTION);
  if (rollback) return { action: 'ROLLBACK', by: rollback, strangers };
  const go = by(CONTINUE_REACTION);
  return go ? { action: 'CONTINUE', by: go, strangers } : { strangers };
}
