// CHECK_ONLY, the Slack half, posting nothing: the token (auth.test) and its scopes, the channel
// (found, and the app in it where it must be), and a sample message that Slack's block validation
// accepts — scheduled a day ahead (chat.scheduleMessage) and deleted at once, never shown.

import type { CheckResult } from '../core/view.ts';
import { findChannel, type SlackCall } from './channels.ts';
import type { SlackMessage } from './text.ts';

/** Scopes a run cannot post without, and those whose absence loses a safety net. */
const REQUIRED_SCOPES = ['chat:write'];
const RECOMMENDED_SCOPES: Array<[scope: string, lost: string]> = [
  [
    'channels:history',
    'a post whose answer is lost (5xx) is looked for in public channels, and a hint where the time went is said once per service; without it, a lost post may show twice and the hint shows every run',
  ],
  ['groups:history', 'the same in private channels'],
  ['channels:read', 'a channel given by name is turned into its ID (which that search needs)'],
  ['groups:read', 'the same for a private channel'],
  ['bookmarks:read', "the channel's bookmark of what is live in each environment is not set"],
  ['bookmarks:write', "the channel's bookmark of what is live in each environment is not set"],
];
/** The sample is scheduled this far ahead and deleted at once: it never reaches the channel. */
const SAMPLE_AHEAD_S = 86_400;

/** `approvers`: APPROVERS, which makes reactions:read a scope the run needs. */
export async function checkSlack(
  call: SlackCall,
  channel: string,
  sample: SlackMessage,
  nowMs: number,
  approvers: readonly string[] = [],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const quiet = { idempotent: true, quiet: true } as const;
  let scopes: string[] = [];
  try {
    const auth = await call('auth.test', (c) => c.auth.test(), {}, quiet);
    scopes = auth.response_metadata?.scopes ?? [];
    results.push({ level: 'ok', what: 'Slack token (auth.test)', detail: `bot ${auth.user ?? '?'} in ${auth.team ?? '?'}` });
  } catch (error) {
    // Nothing else can be asked with a token Slack refuses.
    return [{ level: 'fail', what: 'Slack token (auth.test)', detail: error instanceof Error ? error.message : String(error) }];
  }
  const has = (s: string) => scopes.includes(s);
  // APPROVERS act through reactions, which the pipe reads only with reactions:read.
  for (const s of [...REQUIRED_SCOPES, ...(approvers.length ? ['reactions:read'] : [])])
    results.push(
      has(s) ? { level: 'ok', what: `Slack scope ${s}` } : { level: 'fail', what: `Slack scope ${s}`, detail: 'missing: add it and reinstall the app' },
    );
  for (const [s, lost] of RECOMMENDED_SCOPES) if (!has(s)) results.push({ level: 'warn', what: `Slack scope ${s}`, detail: `missing: ${lost}` });

  let found: Awaited<ReturnType<typeof findChannel>>;
  try {
    found = await findChannel(call, channel);
    if (!found)
      results.push({
        level: 'fail',
        what: `Slack channel ${channel}`,
        detail: 'not found among the channels the app can see: check SLACK_CHANNEL/SLACK_CHANNELS; invite the app to a private channel',
      });
    else if (found.isMember) results.push({ level: 'ok', what: `Slack channel ${channel}`, detail: `${found.id}, the app is a member` });
    else if (found.isPrivate) results.push({ level: 'fail', what: `Slack channel ${channel}`, detail: 'private, and the app is not in it: /invite the app' });
    else if (has('chat:write.public'))
      results.push({
        level: 'ok',
        what: `Slack channel ${channel}`,
        detail: `${found.id}, public (chat:write.public); invite the app so that it can look for its own messages`,
      });
    else
      results.push({
        level: 'fail',
        what: `Slack channel ${channel}`,
        detail: 'the app is not in it and lacks chat:write.public: /invite the app, or add the scope',
      });
  } catch (error) {
    results.push({
      level: 'warn',
      what: `Slack channel ${channel}`,
      detail: `could not be looked up (${error instanceof Error ? error.message : String(error)})`,
    });
  }

  try {
    const scheduled = await call(
      'chat.scheduleMessage',
      (c) =>
        c.chat.scheduleMessage({ channel: found?.id ?? channel, post_at: Math.floor(nowMs / 1000) + SAMPLE_AHEAD_S, text: sample.text, blocks: sample.blocks }),
      {},
      { idempotent: false, quiet: true },
    );
    if (scheduled.scheduled_message_id && scheduled.channel) {
      const { scheduled_message_id, channel: id } = scheduled;
      await call('chat.deleteScheduledMessage', (c) => c.chat.deleteScheduledMessage({ channel: id, scheduled_message_id }), {}, quiet);
    }
    results.push({ level: 'ok', what: 'sample message', detail: "accepted by Slack's block validation (scheduled and deleted, never shown)" });
  } catch (error) {
    results.push({ level: 'fail', what: 'sample message', detail: error instanceof Error ? error.message : String(error) });
  }
  return results;
}
