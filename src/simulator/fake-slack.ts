// A simulated Slack workspace: an HTTP double of the Web API methods the pipe calls
// (chat.postMessage, chat.update), as @slack/web-api speaks them: form-encoded bodies with
// JSON-encoded blocks and metadata, the token in the Authorization header.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** When it arrived (epoch ms). */
  at: number;
  token?: string;
  channel?: string;
  ts?: string;
  thread_ts?: string;
  text?: string;
  // biome-ignore lint: Block Kit JSON
  blocks?: any[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface SlackFault {
  method?: string;
  times: number;
  /**
   * A Slack error code (HTTP 200, ok: false), an HTTP status (429 comes with Retry-After: 1), or
   * 'slow': the call is carried out but answered only after 2 s (a timeout after Slack posted).
   */
  error: string | 429 | 500 | 503 | 'slow';
}

export class FakeSlack {
  calls: SlackCall[] = [];
  faults: SlackFault[] = [];
  /** Called for every message accepted (the demo renders it). */
  onCall: (call: SlackCall) => void = () => {};
  readonly channelId = 'C0DEPLOYS01';
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

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
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
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

    const fault = this.faults.find((f) => f.times > 0 && (!f.method || f.method === method));
    const slow = fault?.error === 'slow';
    if (slow) {
      fault.times--;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    } else if (fault) {
      fault.times--;
      if (fault.error === 429) return void json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': '1' });
      if (typeof fault.error === 'number') return void json({ ok: false }, fault.error);
      return void json({ ok: false, error: fault.error });
    }

    const call: SlackCall = {
      method,
      at: Date.now(),
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
    if (method === 'chat.postMessage') {
      return void json({ ok: true, channel: this.channelId, ts: `1764237600.${String(++this.seq).padStart(6, '0')}` });
    }
    if (method === 'chat.update') {
      if (form.channel !== this.channelId) return void json({ ok: false, error: 'channel_not_found' });
      return void json({ ok: true, channel: form.channel, ts: form.ts });
    }
    json({ ok: false, error: 'unknown_method' });
  }
}
