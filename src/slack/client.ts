// One Slack message per run: posted once, then updated in place; details go in a thread reply.
// A thin layer over @slack/web-api that turns Slack's error codes into instructions.
import { type ChatPostMessageArguments, type ChatUpdateArguments, LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import { SlackError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { nodeFetch } from './node-fetch.ts';
import type { SlackMessage } from './render.ts';

export interface SlackSettings {
  token: string;
  channel: string;
  apiUrl: string;
}

export interface Notifier {
  /** Posts the run's message; every later call edits it or replies under it. */
  post(message: SlackMessage): Promise<void>;
  update(message: SlackMessage): Promise<void>;
  reply(message: SlackMessage): Promise<void>;
}

/** Bounds for Slack's own retries (429 with Retry-After, 5xx, connection errors), and per request. */
export interface SlackRetry {
  retries: number;
  minTimeout: number;
  maxTimeout: number;
  maxRetryTime: number;
  requestTimeout: number;
}

export const DEFAULT_SLACK_RETRY: SlackRetry = { retries: 6, minTimeout: 1000, maxTimeout: 15_000, maxRetryTime: 90_000, requestTimeout: 15_000 };

export class SlackNotifier implements Notifier {
  private readonly client: WebClient;
  /** Posting is not idempotent: only retried when Slack certainly did not receive it. */
  private readonly postClient: WebClient;
  private channelId?: string;
  private ts?: string;

  constructor(
    private readonly settings: SlackSettings,
    log: Logger,
    retry: SlackRetry = DEFAULT_SLACK_RETRY,
  ) {
    const logger = quietLogger(log);
    const { requestTimeout, ...retryConfig } = retry;
    const options = {
      slackApiUrl: settings.apiUrl,
      // The token goes to SLACK_API_URL and nowhere else: no absolute URLs, and the client
      // refuses redirects.
      allowAbsoluteUrls: false,
      logger,
      timeout: requestTimeout,
      fetch: nodeFetch as unknown as typeof fetch,
    };
    this.client = new WebClient(settings.token, { ...options, retryConfig });
    this.postClient = new WebClient(settings.token, {
      ...options,
      retryConfig: {
        ...retryConfig,
        onFailedAttempt: (error: Error) => {
          if (isAmbiguous(error)) throw error;
        },
      } as typeof retryConfig,
    });
  }

  async post(message: SlackMessage): Promise<void> {
    const res = await this.call('chat.postMessage', () =>
      this.postClient.chat.postMessage({
        channel: this.settings.channel,
        ...message,
        unfurl_links: false,
        unfurl_media: false,
      } as ChatPostMessageArguments),
    );
    this.channelId = res.channel;
    this.ts = res.ts;
  }

  async update(message: SlackMessage): Promise<void> {
    const { channel, ts } = this.posted();
    await this.call('chat.update', () => this.client.chat.update({ channel, ts, ...message } as ChatUpdateArguments));
  }

  async reply(message: SlackMessage): Promise<void> {
    const { channel, ts } = this.posted();
    await this.call('chat.postMessage', () =>
      this.postClient.chat.postMessage({ channel, thread_ts: ts, ...message, unfurl_links: false } as ChatPostMessageArguments),
    );
  }

  private posted(): { channel: string; ts: string } {
    if (!this.channelId || !this.ts) throw new Error('Slack message updated before it was posted');
    return { channel: this.channelId, ts: this.ts };
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw explainSlackError(error, method, this.settings);
    }
  }
}

/** A timeout or reset after sending: Slack may have posted it, so posting again could duplicate it. */
function isAmbiguous(error: Error & { code?: string; original?: Error & { code?: string } }): boolean {
  if (error.code !== 'slack_webapi_request_error') return false;
  const original = error.original;
  return Boolean(original && (original.name === 'TimeoutError' || original.name === 'AbortError' || original.code === 'ECONNRESET'));
}

const ADVICE: Record<string, (s: SlackSettings) => string> = {
  invalid_auth: () => 'Slack rejected SLACK_TOKEN (invalid_auth): store the Bot User OAuth Token (xoxb-…) of the installed Slack app.',
  not_authed: () => 'Slack received no token (not_authed): check SLACK_TOKEN.',
  token_revoked: () => 'The Slack token was revoked (token_revoked): reinstall the Slack app and update SLACK_TOKEN.',
  token_expired: () => 'The Slack token has expired (token_expired): update SLACK_TOKEN.',
  account_inactive: () => 'The Slack app or workspace is inactive (account_inactive): reinstall the app and update SLACK_TOKEN.',
  channel_not_found: (s) =>
    `Slack channel ${s.channel} was not found (channel_not_found): check SLACK_CHANNEL/SLACK_CHANNELS; for a private channel, invite the app to it first (/invite @your-app).`,
  not_in_channel: (s) =>
    `The Slack app is not in channel ${s.channel} (not_in_channel): invite it (/invite @your-app) or add the chat:write.public scope and reinstall the app.`,
  is_archived: (s) => `Slack channel ${s.channel} is archived (is_archived): choose another channel.`,
  missing_scope: () => 'The Slack app lacks a scope (missing_scope): add chat:write (and chat:write.public for public channels it is not in) and reinstall it.',
  restricted_action: (s) => `Slack refused to post in ${s.channel} (restricted_action): the channel restricts who may post.`,
  msg_too_long: () => 'Slack rejected the message as too long (msg_too_long): please report this as a bug.',
  invalid_blocks: () => 'Slack rejected the message layout (invalid_blocks): please report this as a bug.',
};

export function explainSlackError(error: unknown, method: string, settings: SlackSettings): SlackError {
  const e = error as Error & { code?: string; data?: { error?: string; response_metadata?: { messages?: string[] } }; statusCode?: number };
  const code = e?.data?.error;
  if (code) {
    const advice = ADVICE[code]?.(settings) ?? `Slack refused ${method} (${code}).`;
    const details = e.data?.response_metadata?.messages?.join('; ');
    return new SlackError(details ? `${advice} Slack said: ${details}` : advice, { cause: error });
  }
  const host = new URL(settings.apiUrl).host;
  if (e?.code === 'slack_webapi_rate_limited_error') return new SlackError(`Slack kept rate-limiting ${method}; the notification was not delivered.`, { cause: error });
  if (e?.code === 'slack_webapi_http_error') {
    return new SlackError(`Slack answered ${method} with HTTP ${e.statusCode} after retries; the notification was not delivered.`, { cause: error });
  }
  return new SlackError(`Could not reach Slack at ${host} for ${method} (${e?.message ?? String(error)}); the notification was not delivered.`, {
    cause: error,
  });
}

/** Slack's client logs through ours (masked), and only what matters. */
function quietLogger(log: Logger): SlackLogger {
  return {
    debug: () => {},
    info: (...m: unknown[]) => log.debug(`slack: ${m.join(' ')}`),
    warn: (...m: unknown[]) => log.debug(`slack: ${m.join(' ')}`),
    error: (...m: unknown[]) => log.warn(`slack: ${m.join(' ')}`),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
