// A Slack channel as the app sees it, found by ID (conversations.info) or by name
// (conversations.list, paged): what the notifier needs to look for its own messages, and what the
// preflight reports. Needs channels:read (groups:read for a private channel).
import type { WebClient } from '@slack/web-api';

/** One Web API call with the run's retries (api.ts's SlackApi.call). */
export type SlackCall = <T>(
  method: string,
  fn: (client: WebClient) => Promise<T>,
  options: { signal?: AbortSignal },
  how: { idempotent: boolean; quiet?: boolean },
) => Promise<T>;

/** conversations.list: channels a page (Slack's maximum) and pages read at most (a very large workspace is not searched to the end). */
const CHANNEL_PAGE_SIZE = 1000;
const CHANNEL_PAGES = 10;

export interface Channel {
  id: string;
  name?: string;
  isMember: boolean;
  isPrivate: boolean;
}

/** A channel ID as Slack writes one (public C…, private G…). */
export function isChannelId(channel: string): boolean {
  return /^[CG][A-Z0-9]{6,}$/.test(channel);
}

/** The channel by ID (conversations.info) or by name (conversations.list); undefined when Slack does not know it. */
export async function findChannel(call: SlackCall, channel: string, options: { signal?: AbortSignal } = {}): Promise<Channel | undefined> {
  const quiet = { idempotent: true, quiet: true } as const;
  if (isChannelId(channel)) {
    const info = await call('conversations.info', (c) => c.conversations.info({ channel }), options, quiet);
    const ch = info.channel;
    return ch?.id ? { id: ch.id, ...(ch.name ? { name: ch.name } : {}), isMember: ch.is_member === true, isPrivate: ch.is_private === true } : undefined;
  }
  const name = channel.replace(/^#/, '');
  let cursor: string | undefined;
  for (let page = 0; page < CHANNEL_PAGES; page++) {
    const res = await call(
      'conversations.list',
      (c) => c.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: CHANNEL_PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
      options,
      quiet,
    );
    const ch = (res.channels ?? []).find((c) => c.name === name);
    if (ch?.id) return { id: ch.id, name, isMember: ch.is_member === true, isPrivate: ch.is_private === true };
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
