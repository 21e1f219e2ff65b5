// A simulated Slack workspace: an HTTP double of the Web API methods the pipe calls
// (chat.postMessage, chat.update, conversations.history, conversations.replies), as
// @slack/web-api speaks them: form-encoded bodies with JSON-encoded blocks and metadata, the token
// in the Authorization header. Answers follow the shapes of https://docs.slack.dev/reference/methods/
// (conversations.history returns `messages` newest first, with `metadata` when
// include_all_metadata is set; a parent message carries `thread_ts` equal to its `ts`).

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listen, type Tls } from './listen.ts';
import type { Quotas } from './quota.ts';

export interface SlackCall {
  method: string;
  /** When it arrived (epoch ms). */
  at: number;
  /** The port it came from (a proxy test matches it to the proxy's connections). */
  port?: number;
  token?: string;
  channel?: string;
  ts?: string;
  thread_ts?: string;
  text?: string;
  // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON as Slack received it.
  blocks?: any[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface SlackFault {
  method?: string;
  times: number;
  /**
   * A Slack error code (HTTP 200, ok: false), an HTTP status (429 comes with Retry-After:
   * `retryAfter`, default 1), or what happens to a call that Slack carries out:
   * 'slow' answers after 2 s; 'stored-503' answers HTTP 503, 'stored-reset' drops the connection
   * and 'stored-hang' never answers, each after storing the message; 'hang' never answers and
   * stores nothing; 'no-ts' answers ok without channel and ts.
   */
  error: string | 429 | 500 | 503 | 'slow' | 'stored-503' | 'stored-reset' | 'stored-hang' | 'hang' | 'no-ts';
  retryAfter?: number;
  /** Only calls whose message metadata says this (e.g. the outcome: `{ status: 'live', phase: 'retired' }`). */
  when?: Record<string, unknown>;
}

/** A message as the channel holds it. */
export interface StoredMessage {
  ts: string;
  thread_ts?: string;
  text?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export class FakeSlack {
  calls: SlackCall[] = [];
  faults: SlackFault[] = [];
  /** Called for every message accepted (the demo renders it). */
  onCall: (call: SlackCall) => void = () => {};
  /** What people in the workspace do on seeing a call (scenarios' approvers), besides onCall. */
  readonly people: Array<(call: SlackCall) => void> = [];
  readonly channelId = 'C0DEPLOYS01';
  /** Slack's rate limits (quota.ts): a call over its method's limit gets 429 with Retry-After. None: unlimited. */
  quotas?: Quotas;
  /** Every chat.postMessage and chat.update that reached the double, taken or refused: when, and the status it carried. */
  readonly attempts: Array<{ method: string; at: number; payload?: Record<string, unknown>; accepted: boolean }> = [];
  /** conversations.list calls answered (the channel's name looked up). */
  listCalls = 0;
  /** Reactions on the run's message: name → users. */
  readonly reactionsOn = new Map<string, Set<string>>();
  /** reactions.get calls answered. */
  reactionReads = 0;
  /** chat.getPermalink and bookmarks.* calls answered (not in `calls`, which holds the messages). */
  permalinkCalls = 0;
  bookmarkCalls = 0;

  /** Someone reacts to the run's message (e.g. white_check_mark). */
  react(name: string, user: string): void {
    const users = this.reactionsOn.get(name) ?? new Set<string>();
    users.add(user);
    this.reactionsOn.set(name, users);
  }

  /** The bot token's scopes, as Slack sends them in every answer's x-oauth-scopes header. */
  scopes = [
    'chat:write',
    'chat:write.public',
    'channels:history',
    'groups:history',
    'channels:read',
    'groups:read',
    'reactions:read',
    'bookmarks:read',
    'bookmarks:write',
  ];

  /** The channel's bookmarks (bookmarks.list's shape), oldest first. */
  readonly bookmarks: Array<{ id: string; channel_id: string; title: string; link: string; type: 'link'; date_created: number; date_updated: number }> = [];
  /** Whether the app is a member of the channel. */
  member = true;
  /** Messages scheduled (chat.scheduleMessage) and not deleted: none should remain after a preflight. */
  readonly scheduled = new Map<string, { text?: string }>();
  /** Every scheduled message ever, deleted or not. */
  scheduledCount = 0;
  /** The channel's messages, oldest first, as updated. */
  readonly stored: StoredMessage[] = [];
  /**
   * A busy channel (a release day): after each top-level message of the pipe, this many messages of
   * other people land in the channel, so a lookup of ours reads past them.
   */
  busy = 0;
  private server?: Server;
  private seq = 0;
  url = '';

  /** The message as it stands after every update (the thread replies are separate). */
  get message(): SlackCall | undefined {
    const post = this.calls.find((c) => c.method === 'chat.postMessage' && !c.thread_ts);
    if (!post) return undefined;
    const updates = this.calls.filter((c) => c.method === 'chat.update');
    return updates.length ? { ...post, ...updates[updates.length - 1] } : post;
  }

  get replies(): SlackCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage' && c.thread_ts);
  }

  async start(tls?: Tls): Promise<string> {
    const { server, url } = await listen((req, res) => void this.handle(req, res), tls);
    this.server = server;
    this.url = `${url}/api/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const method = (req.url ?? '').replace(/^\/api\//, '');
    const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', 'x-oauth-scopes': this.scopes.join(','), ...headers }).end(JSON.stringify(body));

    const payload = form.metadata ? (JSON.parse(form.metadata) as { event_payload?: Record<string, unknown> }).event_payload : undefined;
    const fault = this.faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && Object.entries(f.when ?? {}).every(([k, v]) => payload?.[k] === v),
    );
    if (fault) fault.times--;
    const wait = this.quotas?.take(method) ?? 0;
    if (method === 'chat.postMessage' || method === 'chat.update')
      this.attempts.push({ method, at: Date.now(), ...(payload ? { payload } : {}), accepted: !wait && !fault });
    // Slack's Retry-After is whole seconds (https://api.slack.com/apis/rate-limits).
    if (wait) return void json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(Math.ceil(wait / 1000)) });
    const after = fault && ['slow', 'stored-503', 'stored-reset', 'stored-hang', 'no-ts'].includes(String(fault.error)) ? fault.error : undefined;
    if (fault && !after) {
      if (fault.error === 'hang') return; // never answered; the socket closes when the double stops
      if (fault.error === 429) return void json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(fault.retryAfter ?? 1) });
      if (typeof fault.error === 'number') return void json({ ok: false }, fault.error);
      return void json({ ok: false, error: fault.error });
    }
    if (after === 'slow') await new Promise((resolve) => setTimeout(resolve, 2000));

    const answer = this.carryOut(method, form, req);
    if (after === 'stored-503') return void json({ ok: false }, 503);
    if (after === 'stored-reset') return void res.socket?.destroy();
    if (after === 'stored-hang') return;
    if (after === 'no-ts') return void json({ ok: true });
    json(answer);
  }

  private carryOut(method: string, form: Record<string, string>, req: IncomingMessage): Record<string, unknown> {
    if (method.startsWith('conversations.')) return this.read(method, form);
    if (method.startsWith('bookmarks.')) {
      this.bookmarkCalls++;
      return this.bookmark(method, form);
    }
    // https://api.slack.com/methods/auth.test
    if (method === 'auth.test')
      return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'ecs-deploys', team_id: 'T0ACME001', user_id: 'U0BOT0001', bot_id: 'B0BOT0001' };
    // https://api.slack.com/methods/chat.scheduleMessage: validated like a post, shown only at post_at.
    if (method === 'chat.scheduleMessage') {
      if (form.channel !== this.channelId && form.channel !== '#deploys') return { ok: false, error: 'channel_not_found' };
      if (!this.member && !this.scopes.includes('chat:write.public')) return { ok: false, error: 'not_in_channel' };
      const blocks: Array<{ type: string; text?: { text: string } }> = form.blocks ? JSON.parse(form.blocks) : [];
      const tooLong = blocks.some(
        (b) => (b.type === 'header' && (b.text?.text.length ?? 0) > 150) || (b.type === 'section' && (b.text?.text.length ?? 0) > 3000),
      );
      if (blocks.length > 50 || tooLong)
        return { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] failed to match all allowed schemas'] } };
      const id = `Q${String(++this.scheduledCount).padStart(8, '0')}`;
      this.scheduled.set(id, { text: form.text });
      return { ok: true, channel: this.channelId, scheduled_message_id: id, post_at: Number(form.post_at) };
    }
    // https://api.slack.com/methods/reactions.get (with full=true: every user who reacted)
    if (method === 'reactions.get') {
      this.reactionReads++;
      const m = this.stored.find((x) => x.ts === form.timestamp);
      if (form.channel !== this.channelId || !m) return { ok: false, error: 'message_not_found' };
      const reactions = [...this.reactionsOn].map(([name, users]) => ({ name, users: [...users], count: users.size }));
      return { ok: true, type: 'message', channel: form.channel, message: { type: 'message', ts: m.ts, text: m.text, reactions } };
    }
    // https://api.slack.com/methods/chat.getPermalink
    if (method === 'chat.getPermalink') {
      this.permalinkCalls++;
      if (form.channel !== this.channelId || !this.stored.some((m) => m.ts === form.message_ts)) return { ok: false, error: 'message_not_found' };
      return { ok: true, channel: form.channel, permalink: `https://acme.slack.com/archives/${form.channel}/p${(form.message_ts ?? '').replace('.', '')}` };
    }
    // https://api.slack.com/methods/chat.deleteScheduledMessage
    if (method === 'chat.deleteScheduledMessage') {
      if (!this.scheduled.delete(form.scheduled_message_id ?? '')) return { ok: false, error: 'invalid_scheduled_message_id' };
      return { ok: true };
    }
    const call: SlackCall = {
      method,
      at: Date.now(),
      port: req.socket.remotePort,
      token: String(req.headers.authorization ?? '').replace(/^Bearer /, ''),
      channel: form.channel,
      ts: form.ts,
      thread_ts: form.thread_ts,
      text: form.text,
      blocks: form.blocks ? JSON.parse(form.blocks) : undefined,
      metadata: form.metadata ? JSON.parse(form.metadata) : undefined,
    };
    this.calls.push(call);
    this.onCall(call);
    for (const person of this.people) person(call);
    if (method === 'chat.postMessage') {
      // Slack's ts: the epoch second it was stored, and a sequence within it.
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
      if (call.thread_ts) {
        const parent = this.stored.find((m) => m.ts === call.thread_ts);
        if (parent) parent.thread_ts = parent.ts;
      }
      this.stored.push({ ts, thread_ts: call.thread_ts, text: call.text, metadata: call.metadata });
      if (!call.thread_ts)
        for (let i = 0; i < this.busy; i++)
          this.stored.push({ ts: `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`, text: `chatter ${i}` });
      return { ok: true, channel: this.channelId, ts };
    }
    if (method === 'chat.update') {
      if (form.channel !== this.channelId) return { ok: false, error: 'channel_not_found' };
      const m = this.stored.find((x) => x.ts === form.ts);
      if (!m) return { ok: false, error: 'message_not_found' };
      Object.assign(m, { text: call.text, metadata: call.metadata ?? m.metadata });
      return { ok: true, channel: form.channel, ts: form.ts };
    }
    return { ok: false, error: 'unknown_method' };
  }

  /** conversations.list (https://api.slack.com/methods/conversations.list), conversations.history (top level, newest first) and conversations.replies (parent first). */
  /**
   * The channel's bookmarks: bookmarks.list (bookmarks:read), bookmarks.add and bookmarks.edit
   * (bookmarks:write), with a link's fields as Slack gives them
   * (https://docs.slack.dev/reference/methods/bookmarks.list, …/bookmarks.add, …/bookmarks.edit);
   * a conversation holds at most 100 ("Conversations are limited to 100 bookmarks").
   */
  private bookmark(method: string, form: Record<string, string>): Record<string, unknown> {
    const needed = method === 'bookmarks.list' ? 'bookmarks:read' : 'bookmarks:write';
    if (!this.scopes.includes(needed)) return { ok: false, error: 'missing_scope', needed, provided: this.scopes.join(',') };
    if (form.channel_id !== this.channelId) return { ok: false, error: 'channel_not_found' };
    const now = Math.floor(Date.now() / 1000);
    if (method === 'bookmarks.list') return { ok: true, bookmarks: this.bookmarks };
    if (method === 'bookmarks.add') {
      if (this.bookmarks.length >= 100) return { ok: false, error: 'too_many_bookmarks' };
      const b = {
        id: `Bk0${this.bookmarks.length + 1}DEPLOY`,
        channel_id: form.channel_id,
        title: form.title ?? '',
        link: form.link ?? '',
        type: 'link' as const,
        date_created: now,
        date_updated: now,
      };
      this.bookmarks.push(b);
      return { ok: true, bookmark: b };
    }
    if (method === 'bookmarks.edit') {
      const b = this.bookmarks.find((x) => x.id === form.bookmark_id);
      if (!b) return { ok: false, error: 'not_found' };
      Object.assign(b, { ...(form.title ? { title: form.title } : {}), ...(form.link ? { link: form.link } : {}), date_updated: now });
      return { ok: true, bookmark: b };
    }
    return { ok: false, error: 'unknown_method' };
  }

  private read(method: string, form: Record<string, string>): Record<string, unknown> {
    const deploys = { id: this.channelId, name: 'deploys', is_channel: true, is_private: false, is_archived: false, is_member: this.member };
    if (method === 'conversations.list') {
      // The workspace's channels, one page: #general, then #deploys (where the pipe posts).
      const channels = [{ id: 'C0GENERAL01', name: 'general', is_channel: true, is_private: false, is_archived: false, is_member: true }, deploys];
      this.listCalls++;
      return { ok: true, channels, response_metadata: { next_cursor: '' } };
    }
    // https://api.slack.com/methods/conversations.info
    if (method === 'conversations.info') return form.channel === this.channelId ? { ok: true, channel: deploys } : { ok: false, error: 'channel_not_found' };
    if (form.channel !== this.channelId) return { ok: false, error: 'channel_not_found' };
    const oldest = Number(form.oldest ?? 0);
    // `latest` ends the range (default now); `inclusive` keeps messages at `oldest` or `latest`
    // themselves (https://docs.slack.dev/reference/methods/conversations.history): latest = oldest
    // = a ts with inclusive reads that one message.
    const latest = form.latest !== undefined ? Number(form.latest) : Number.POSITIVE_INFINITY;
    const inclusive = form.inclusive === 'true';
    const inRange = (ts: string) => (inclusive ? Number(ts) >= oldest && Number(ts) <= latest : Number(ts) > oldest && Number(ts) < latest);
    const limit = Number(form.limit ?? 100);
    const withMeta = form.include_all_metadata === 'true';
    const shown = (m: StoredMessage) => ({
      type: 'message',
      ts: m.ts,
      text: m.text,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
    });
    if (method === 'conversations.history') {
      // Newest first, `limit` a page; a further page is asked with `cursor` = the answer's
      // response_metadata.next_cursor, given while has_more is true
      // (https://api.slack.com/methods/conversations.history; Slack's cursors are opaque, here the
      // position of the page's first message, base64 like Slack's own "next_ts:…").
      const top = this.stored.filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && inRange(m.ts)).reverse();
      const from = form.cursor
        ? Number(
            Buffer.from(form.cursor, 'base64')
              .toString('utf8')
              .replace(/^next:/, ''),
          )
        : 0;
      const page = top.slice(from, from + limit);
      const more = from + limit < top.length;
      return {
        ok: true,
        messages: page.map(shown),
        has_more: more,
        ...(more ? { response_metadata: { next_cursor: Buffer.from(`next:${from + limit}`).toString('base64') } } : {}),
      };
    }
    if (method === 'conversations.replies') {
      const thread = this.stored.filter((m) => m.ts === form.ts || m.thread_ts === form.ts).filter((m) => m.ts === form.ts || Number(m.ts) > oldest);
      if (!thread.length) return { ok: false, error: 'thread_not_found' };
      return { ok: true, messages: thread.slice(0, limit).map(shown), has_more: false };
    }
    return { ok: false, error: 'unknown_method' };
  }
}
