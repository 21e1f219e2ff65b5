// One Slack message per run: posted once, then updated in place; details go in a thread reply.
// @slack/web-api makes single requests; the waiting is ours (retry.ts), because a notifier must
// stop at once when the step is stopped, wait for a rate limit no longer than the send's budget
// (the caller's: brief for progress, long for the outcome), and never post twice. What leaves for
// Slack is masked for secrets first.
import { randomUUID } from 'node:crypto';
// Types only here: the module itself is loaded at the first call, off the start-up path.
import type { WebClient } from '@slack/web-api';
import { MS_PER_SECOND } from '../core/vocabulary.ts';
import { SlackError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Agents } from '../net.ts';
import { Secrets } from '../secrets.ts';
import { SlackApi, type SlackTiming } from './api.ts';
import { type Bookmark, type BookmarkPlan, SLACK_BOOKMARKS_PER_CHANNEL } from './bookmark.ts';
import { findChannel, isChannelId } from './channels.ts';
import { LostAnswer, type SlackSettings } from './errors.ts';
import { lookFor } from './lookup.ts';
import type { SlackMessage } from './text.ts';

export type { SlackSettings, SlackTiming };

/** A reaction on the run's message: its name (e.g. white_check_mark) and who added it. */
export interface Reaction {
  name: string;
  users: string[];
}

export interface SendOptions {
  /**
   * Ends the call (and its retries) when it aborts. Default: the notifier's own signal, which the
   * stop of the step aborts; the update that says the watch stopped passes a short budget instead.
   */
  signal?: AbortSignal;
  /** All attempts of the send, Slack's Retry-After waits included (core/budget.ts); default: Slack's 90 s. */
  budgetMs?: number;
  /**
   * The stop's last word: a post whose fate is unknown is looked for once, at once (the stop budget
   * leaves no time for the usual waits while Slack's history catches up).
   */
  urgent?: boolean;
}

export interface Notifier {
  /** Posts the run's message; every later call edits it or replies under it. */
  post(message: SlackMessage, options?: SendOptions): Promise<void>;
  update(message: SlackMessage, options?: SendOptions): Promise<void>;
  reply(message: SlackMessage, options?: SendOptions): Promise<void>;
  /** A link to the run's message (chat.getPermalink), when it can be had; never throws. */
  permalink?(): Promise<string | undefined>;
  /** The reactions on the run's message (reactions.get), when they can be read; never throws. */
  reactions?(): Promise<Reaction[] | undefined>;
  /**
   * Sets the channel's bookmarks of what is live (bookmarks.list, then .edit or .add): `plan` says
   * which, given those there are. Needs bookmarks:read and bookmarks:write; never throws.
   */
  bookmark?(plan: (existing: readonly Bookmark[]) => BookmarkPlan[]): Promise<void>;
  /** The channel's bookmarks (bookmarks.list), once the message is posted; undefined when they cannot be read. Never throws. */
  bookmarks?(): Promise<Bookmark[] | undefined>;
  /**
   * The metadata payload of one earlier message of the channel (conversations.history of exactly its
   * ts; channels:history), once the run's message is posted; undefined when it cannot be read. Never throws.
   */
  payloadOf?(ts: string): Promise<Record<string, unknown> | undefined>;
}

export class SlackNotifier implements Notifier {
  private readonly slack: SlackApi;
  private readonly timing: SlackTiming;
  private readonly secrets: Secrets;
  private readonly signal?: AbortSignal;
  private readonly now: () => number;
  /** Marks every message of this run, so that a post whose answer was lost can be found. */
  readonly runId: string;
  private channelId?: string;
  /** The channel name has been looked up (once a run, found or not). */
  private resolved = false;
  private ts?: string;
  /** A post whose answer was lost and that could not be found yet: posted again only at the end. */
  private lost?: { sentAt: number };
  private repliesPosted = 0;

  constructor(
    private readonly settings: SlackSettings,
    private readonly log: Logger,
    options: { timing?: Partial<SlackTiming>; secrets?: Secrets; signal?: AbortSignal; now?: () => number; runId?: string; agents?: Agents } = {},
  ) {
    this.slack = new SlackApi(settings, log, { ...options, ...(options.signal ? { signal: options.signal } : {}) });
    this.timing = this.slack.timing;
    this.secrets = options.secrets ?? new Secrets([settings.token]);
    this.signal = options.signal;
    this.now = options.now ?? Date.now;
    this.runId = options.runId ?? randomUUID();
    // A channel given by ID can be searched at once; a name only once Slack has told us its ID.
    if (isChannelId(settings.channel)) this.channelId = settings.channel;
  }

  private call<T>(method: string, fn: (client: WebClient) => Promise<T>, options: SendOptions, how: { idempotent: boolean; quiet?: boolean }): Promise<T> {
    return this.slack.call(method, fn, options, how);
  }

  /** A top-level post: the run's message, to the channel's ID once it is known. */
  private postTop(message: SlackMessage, options: SendOptions) {
    return this.call(
      'chat.postMessage',
      (client) =>
        client.chat.postMessage({ channel: this.channelId ?? this.settings.channel, ...this.prepare(message), unfurl_links: false, unfurl_media: false }),
      options,
      { idempotent: false },
    );
  }

  async post(message: SlackMessage, options: SendOptions = {}): Promise<void> {
    // Posted, or a post whose fate is unknown: never a second top-level message without a look.
    if (this.ts || this.lost) return this.update(message, options);
    await this.resolveChannel(options);
    const sentAt = this.now();
    try {
      const res = await this.postTop(message, options);
      this.adopt(res.channel, res.ts, 'chat.postMessage');
    } catch (error) {
      // Cut short (the step stopped) or answered too late to know: Slack may have stored it.
      const cut = options.signal?.aborted === true || this.signal?.aborted === true;
      if (error instanceof LostAnswer || cut) this.lost = { sentAt };
      if (!(error instanceof LostAnswer)) throw error;
      await this.recover(message, sentAt, error, options);
    }
  }

  async update(message: SlackMessage, options: SendOptions = {}): Promise<void> {
    if (this.lost) {
      // The first post's fate is unknown: look again; post the final word only if it is still lost.
      await this.recover(message, this.lost.sentAt, undefined, options);
      return;
    }
    const { channel, ts } = this.posted();
    await this.call('chat.update', (client) => client.chat.update({ channel, ts, ...this.prepare(message) }), options, { idempotent: true });
  }

  async reply(message: SlackMessage, options: SendOptions = {}): Promise<void> {
    if (this.lost) {
      this.log.warn('Slack thread reply skipped: the message it belongs to could not be confirmed (see above).');
      return;
    }
    const { channel, ts } = this.posted();
    const sentAt = this.now();
    try {
      await this.call(
        'chat.postMessage',
        (client) => client.chat.postMessage({ channel, thread_ts: ts, ...this.prepare(message), unfurl_links: false, unfurl_media: false }),
        options,
        {
          idempotent: false,
        },
      );
      this.repliesPosted++;
    } catch (error) {
      if (!(error instanceof LostAnswer)) throw error;
      const found = await this.lookup(sentAt, ts, options);
      if (found === 'found') {
        this.repliesPosted++;
        this.log.warn(`Slack answered a thread reply with ${error.what}, but had stored it: not posting it again.`);
      } else if (found === 'absent') {
        await this.reply(message, options);
      } else {
        this.log.warn(`Slack answered a thread reply with ${error.what}; it may not have been delivered, and it is not posted again to avoid a duplicate.`);
      }
    }
  }

  /**
   * A channel given by name is looked up once, before the first post (conversations.list, which
   * needs channels:read, and groups:read for a private channel): with its ID the pipe can look for
   * a post whose answer was lost. Never fatal: without it, a lost post is posted again.
   */
  private async resolveChannel(options: SendOptions): Promise<void> {
    if (this.channelId || this.resolved) return;
    this.resolved = true;
    const name = this.settings.channel.replace(/^#/, '');
    try {
      const found = await findChannel((m, fn, o, how) => this.slack.call(m, fn, o, how), this.settings.channel, options);
      if (found) {
        this.channelId = found.id;
        this.log.debug(`Slack channel #${name} is ${found.id}`);
        return;
      }
      this.log.warn(`Slack channel #${name} was not found among the channels the app can see; posting by name.`);
    } catch (error) {
      if (error instanceof SlackError && error.fatal) throw error;
      this.log.warn(
        `Could not look up Slack channel #${name} (${error instanceof Error ? error.message : String(error)}): the channels:read scope (groups:read for a private channel) or SLACK_CHANNEL as a channel ID lets the pipe find a post whose answer is lost; without them such a post is sent again, and may show twice.`,
      );
    }
  }

  /** The channel's bookmarks (bookmarks.list): id, title and when it was last set; throws what Slack said. */
  private async listBookmarks(channel_id: string): Promise<Bookmark[]> {
    const listed = await this.call('bookmarks.list', (client) => client.bookmarks.list({ channel_id }), {}, { idempotent: true, quiet: true });
    return (listed.bookmarks ?? []).flatMap((b) =>
      b.id && b.title !== undefined
        ? [
            {
              id: b.id,
              title: b.title,
              ...(b.date_updated !== undefined ? { updatedAt: b.date_updated * MS_PER_SECOND } : {}),
              ...(b.link ? { link: b.link } : {}),
            },
          ]
        : [],
    );
  }

  async bookmarks(): Promise<Bookmark[] | undefined> {
    if (!this.channelId) return undefined;
    return this.listBookmarks(this.channelId).catch(() => undefined);
  }

  async payloadOf(ts: string): Promise<Record<string, unknown> | undefined> {
    const channel = this.channelId;
    if (!channel) return undefined;
    try {
      const res = await this.call(
        'conversations.history',
        (client) => client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1, include_all_metadata: true }),
        {},
        { idempotent: true, quiet: true },
      );
      return res.messages?.find((m) => m.ts === ts)?.metadata?.event_payload;
    } catch (error) {
      this.log.debug(`An earlier message of the channel could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  async bookmark(plan: (existing: readonly Bookmark[]) => BookmarkPlan[]): Promise<void> {
    const channel_id = this.channelId;
    if (!channel_id) return;
    const quiet = { idempotent: true, quiet: true } as const;
    try {
      const existing = await this.listBookmarks(channel_id);
      let count = existing.length;
      for (const p of plan(existing)) {
        const found = existing.find((b) => b.title.startsWith(p.key));
        if (found) {
          await this.call(
            'bookmarks.edit',
            (client) => client.bookmarks.edit({ channel_id, bookmark_id: found.id, title: p.title, ...(p.link ? { link: p.link } : {}) }),
            {},
            quiet,
          );
        } else if (!p.link) {
          this.log.debug(`No channel bookmark for ${p.key}: there is no link to give it.`);
        } else if (count >= SLACK_BOOKMARKS_PER_CHANNEL) {
          this.log.warn(
            `The channel has ${SLACK_BOOKMARKS_PER_CHANNEL} bookmarks, Slack's limit: no bookmark of what is live for "${p.title}" (remove one to have it).`,
          );
        } else {
          await this.call(
            'bookmarks.add',
            (client) => client.bookmarks.add({ channel_id, title: p.title, type: 'link', link: p.link ?? '' }),
            {},
            { idempotent: false, quiet: true },
          );
          count++;
        }
      }
    } catch (error) {
      this.log.warn(
        `The channel bookmark of what is live was not set (${error instanceof Error ? error.message : String(error)}): it needs the bookmarks:read and bookmarks:write scopes (examples/slack-app-manifest.yml); the run is not affected.`,
      );
    }
  }

  async reactions(): Promise<Reaction[] | undefined> {
    const { channelId: channel, ts } = this;
    if (!channel || !ts) return undefined;
    try {
      const res = await this.call(
        'reactions.get',
        (client) => client.reactions.get({ channel, timestamp: ts, full: true }),
        {},
        { idempotent: true, quiet: true },
      );
      return (res.message?.reactions ?? []).map((r) => ({ name: r.name ?? '', users: r.users ?? [] }));
    } catch (error) {
      this.log.warn(
        `Could not read the reactions on the Slack message (it needs the reactions:read scope): ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  async permalink(): Promise<string | undefined> {
    const { channelId: channel, ts } = this;
    if (!channel || !ts) return undefined;
    try {
      const res = await this.call(
        'chat.getPermalink',
        (client) => client.chat.getPermalink({ channel, message_ts: ts }),
        {},
        { idempotent: true, quiet: true },
      );
      return res.permalink;
    } catch (error) {
      this.log.debug(`No link to the Slack message: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Adds the run's mark to the metadata and masks every string that could carry a secret. */
  private prepare(message: SlackMessage): SlackMessage {
    const marked = { ...message, metadata: { ...message.metadata, event_payload: { ...message.metadata.event_payload, run_id: this.runId } } };
    return this.secrets.maskDeep(marked);
  }

  private adopt(channel: string | undefined, ts: string | undefined, method: string): void {
    if (!channel || !ts) {
      throw new SlackError(
        `Slack answered ${method} with ok but without the message's channel and ts, so it cannot be updated; the notification is incomplete. Check SLACK_API_URL points at Slack's Web API.`,
        // Not Slack's Web API as documented: trying again would not help.
        { refused: true },
      );
    }
    this.channelId = channel;
    this.ts = ts;
    this.lost = undefined;
  }

  /** After a post whose answer was lost: adopt the stored message, post again if certainly absent, or carry on without it. */
  private async recover(message: SlackMessage, sentAt: number, error: LostAnswer | undefined, options: SendOptions): Promise<void> {
    const found = await this.lookup(sentAt, undefined, options);
    if (found === 'found') {
      if (error) this.log.warn(`Slack answered the post with ${error.what}, but had stored the message: carrying on with it.`);
      // The message found is the first version; bring it up to date.
      if (!error) await this.update(message, options);
      return;
    }
    if (found === 'absent') {
      if (error) this.log.warn(`Slack answered the post with ${error.what} and did not store it: posting it again.`);
      await this.postAnew(message, options);
      return;
    }
    if (error) {
      // The pipe cannot look: a message twice is better than none. Posted again at once; if that
      // fails too, looked for (or posted anew) at each later update.
      this.log.warn(
        `Slack answered the post with ${error.what}, and the pipe cannot look whether it stored the message (that needs the channels:history or groups:history scope, and the channel's ID); posting it again, so it may show twice.`,
      );
      try {
        await this.postAnew(message, options);
      } catch (again) {
        if (again instanceof SlackError && again.fatal) throw again;
        this.lost = { sentAt };
        this.log.warn(`Posting it again failed too (${again instanceof Error ? again.message : String(again)}); trying again at the next update.`);
      }
      return;
    }
    // Still unknown at a later update. Interim updates are skipped; the outcome is what must arrive.
    if (isFinal(message)) {
      this.log.warn('The first Slack message could not be confirmed; posting the outcome as a new message (an earlier copy may still read "rolling out").');
      await this.postAnew(message, options);
    }
  }

  /**
   * Posts the run's message once more. A lost answer this time is a failure like any other; until
   * a post succeeds, an earlier lost one stays lost (and looked for at the next update).
   */
  private async postAnew(message: SlackMessage, options: SendOptions): Promise<void> {
    const res = await this.postTop(message, options).catch((e: unknown) => {
      throw e instanceof LostAnswer ? e.asSlackError() : e;
    });
    this.adopt(res.channel, res.ts, 'chat.postMessage');
  }

  /**
   * Looks for a message of this run sent since `sentAt`: top level (adopted when found), or in the
   * thread of `threadTs` beyond the replies already counted. 'unknown' when Slack cannot be asked.
   */
  private async lookup(sentAt: number, threadTs: string | undefined, options: SendOptions): Promise<'found' | 'absent' | 'unknown'> {
    const channel = this.channelId;
    if (!channel) return 'unknown';
    const signal = options.signal ?? this.signal;
    const result = await lookFor((m, fn, o, how) => this.slack.call(m, fn, o, how), this.log, {
      channel,
      runId: this.runId,
      sentAt,
      ...(threadTs ? { threadTs } : {}),
      repliesPosted: this.repliesPosted,
      delays: options.urgent ? [0] : this.timing.lookupDelays,
      ...(signal ? { signal } : {}),
    });
    if (typeof result === 'string') return result;
    if (result.ts) this.adopt(channel, result.ts, 'conversations.history');
    return 'found';
  }

  private posted(): { channel: string; ts: string } {
    if (!this.channelId || !this.ts) throw new Error('Slack message updated before it was posted');
    return { channel: this.channelId, ts: this.ts };
  }
}

function isFinal(message: SlackMessage): boolean {
  return message.metadata.event_payload.status !== 'rolling_out';
}
