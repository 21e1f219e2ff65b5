// What a failed Slack call means: safe to send again, maybe already done, or final; and the error
// the pipeline shows, with advice that names the variable or scope to fix.
import { SlackError } from '../errors.ts';
import { DeadlineError } from '../retry.ts';

/** Where the token goes and which channel: what the advice names. */
export interface SlackSettings {
  token: string;
  channel: string;
  apiUrl: string;
}

/** Slack codes that no retry and no later call can fix: the watch ends at once (exit 4). */
const FATAL_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission', 'ekm_access_denied']);
/** Slack's own codes for a failure on its side; the message may have been stored anyway. */
const SERVER_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
interface SlackApiError extends Error {
  code?: string;
  data?: { error?: string; needed?: string; response_metadata?: { messages?: string[] } };
  statusCode?: number;
  retryAfter?: number;
  original?: Error & { code?: string };
}

export const asSlackError = (error: unknown): SlackApiError | undefined => (error instanceof Error ? error : undefined);

/**
 * What a failed call tells: `retry` (Slack certainly did not act: safe to send again), `unsure`
 * (Slack may have acted: for a post, look before posting again), or `final`.
 */
export function classify(error: unknown): 'retry' | 'unsure' | 'final' {
  const e = asSlackError(error);
  if (!e) return 'final';
  if (e.code === 'slack_webapi_rate_limited_error') return 'retry';
  if (e.code === 'slack_webapi_http_error') return (e.statusCode ?? 0) >= 500 ? 'unsure' : 'final';
  if (e.code === 'slack_webapi_platform_error') return e.data?.error && SERVER_CODES.has(e.data.error) ? 'unsure' : 'final';
  if (e.code === 'slack_webapi_request_error') {
    // Refused or unresolvable: the request never reached Slack.
    const code = e.original?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') return 'retry';
    return 'unsure';
  }
  return 'final';
}

/** A post Slack may or may not have stored: its answer was lost (5xx, reset, time-out). */
export class LostAnswer extends Error {
  constructor(
    readonly what: string,
    readonly method: string,
    private readonly explained: SlackError,
  ) {
    super(`Slack answered ${method} with ${what}`);
  }
  asSlackError(): SlackError {
    return this.explained;
  }
}

export function whatHappened(error: unknown): string {
  const e = asSlackError(error);
  if (!e) return String(error);
  if (e.code === 'slack_webapi_http_error') return `HTTP ${e.statusCode}`;
  if (e.code === 'slack_webapi_rate_limited_error') return `rate limited, Retry-After ${e.retryAfter} s`;
  if (e.code === 'slack_webapi_platform_error') return e.data?.error ?? 'an error';
  if (e.code === 'slack_webapi_request_error')
    return e.original?.name === 'TimeoutError' ? 'no answer in time' : (e.original?.code ?? e.original?.message ?? 'a network error');
  return e.message;
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

export function explainSlackError(error: unknown, method: string, settings: SlackSettings, budgetMs?: number): SlackError {
  if (error instanceof SlackError) return error;
  if (error instanceof DeadlineError) {
    const last = asSlackError(error.last);
    if (last?.retryAfter !== undefined) {
      const waits = budgetMs === undefined ? '' : ` (${Math.round(budgetMs / 1000)} s for this call)`;
      return new SlackError(
        `Slack asked to wait ${last.retryAfter} s before ${method} (rate limited), longer than the pipe waits${waits}; the notification was not delivered.`,
        { cause: error },
      );
    }
    return explainSlackError(error.last, method, settings);
  }
  const e = asSlackError(error);
  const code = e?.data?.error;
  if (code) {
    const needed = e?.data?.needed;
    const advice =
      code === 'missing_scope' && needed
        ? `The Slack app lacks the ${needed} scope for ${method} (missing_scope): add it in the app's OAuth settings and reinstall the app.`
        : (ADVICE[code]?.(settings) ?? `Slack refused ${method} (${code}).`);
    const details = e?.data?.response_metadata?.messages?.join('; ');
    return new SlackError(details ? `${advice} Slack said: ${details}` : advice, {
      cause: error,
      fatal: FATAL_CODES.has(code),
      refused: !SERVER_CODES.has(code),
    });
  }
  const host = new URL(settings.apiUrl).host;
  if (e?.code === 'slack_webapi_rate_limited_error')
    return new SlackError(`Slack kept rate-limiting ${method}; the notification was not delivered.`, { cause: error });
  if (e?.code === 'slack_webapi_http_error') {
    return new SlackError(`Slack answered ${method} with HTTP ${e.statusCode} after retries; the notification was not delivered.`, {
      cause: error,
      refused: (e.statusCode ?? 0) < 500,
    });
  }
  return new SlackError(`Could not reach Slack at ${host} for ${method} (${e ? whatHappened(e) : String(error)}); the notification was not delivered.`, {
    cause: error,
  });
}
