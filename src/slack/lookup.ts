// Finding a message of this run after Slack lost the answer to its post: each message carries the
// run's ID in its metadata, so the channel's history (or the thread's replies) tells whether Slack
// stored it. Needs channels:history (groups:history for a private channel) and the channel's ID.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import type { SlackCall } from './channels.ts';

/** How many messages one page of a look at the channel reads (Slack caps non-Marketplace apps at 15). */
const LOOKUP_LIMIT = 15;
/**
 * Pages one look reads at most. `oldest` already bounds it to what was posted since the lost post
 * (a release day's channel: tens of messages in minutes); this only stops a look that would not end.
 */
const LOOKUP_PAGES = 20;
/** Look this far back before the post was sent, for clocks that disagree a little. */
const LOOKUP_SLACK_MS = 10_000;

export interface LookFor {
  channel: string;
  runId: string;
  /** When the lost message was sent (epoch ms). */
  sentAt: number;
  /** A reply in this thread; a top-level message when absent. */
  threadTs?: string;
  /** Replies of this run already known to be in the thread. */
  repliesPosted: number;
  /** Waits before each look: Slack's history may lag the post a little. */
  delays: readonly number[];
  signal?: AbortSignal;
}

/** Found (with a top-level message's ts), certainly absent after every look, or unknown when Slack cannot be asked. */
export type LookupResult = { found: true; ts?: string } | 'absent' | 'unknown';

export async function lookFor(call: SlackCall, log: Logger, q: LookFor): Promise<LookupResult> {
  const { channel, threadTs } = q;
  const oldest = ((q.sentAt - LOOKUP_SLACK_MS) / 1000).toFixed(6);
  const options = q.signal ? { signal: q.signal } : {};
  const ours = (metadata: { event_payload?: Record<string, unknown> } | undefined) => metadata?.event_payload?.run_id === q.runId;
  for (const delay of q.delays) {
    await sleep(delay, undefined, options);
    try {
      if (threadTs) {
        const res = await call(
          'conversations.replies',
          (client) => client.conversations.replies({ channel, ts: threadTs, oldest, limit: LOOKUP_LIMIT, include_all_metadata: true }),
          options,
          { idempotent: true, quiet: true },
        );
        const mine = (res.messages ?? []).filter((m) => m.ts !== threadTs && ours(m.metadata));
        if (mine.length > q.repliesPosted) return { found: true };
      } else {
        // Page through everything posted since (has_more, next_cursor): in a busy channel ours may
        // be far past the first page, and "absent" would post it twice.
        let cursor: string | undefined;
        for (let page = 0; page < LOOKUP_PAGES; page++) {
          const res = await call(
            'conversations.history',
            (client) => client.conversations.history({ channel, oldest, limit: LOOKUP_LIMIT, include_all_metadata: true, ...(cursor ? { cursor } : {}) }),
            options,
            { idempotent: true, quiet: true },
          );
          // A top-level message: no thread, or the parent of one.
          const mine = (res.messages ?? []).find((m) => ours(m.metadata) && (!m.thread_ts || m.thread_ts === m.ts));
          if (mine?.ts) return { found: true, ts: mine.ts };
          cursor = res.has_more ? res.response_metadata?.next_cursor : undefined;
          if (!cursor) break;
        }
        // Pages left unread: neither found nor certainly absent.
        if (cursor) return 'unknown';
      }
    } catch (error) {
      log.warn(`Could not look for the message in Slack: ${error instanceof Error ? error.message : String(error)}`);
      return 'unknown';
    }
  }
  return 'absent';
}
