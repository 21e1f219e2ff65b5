// Slack's Web API as the pipe calls it: one client (loaded at the first call, off the start-up
// path), every call within its budget and retried by our rules (retry.ts) — 429 after its
// Retry-After, 5xx only when repeating is safe — and every failure turned into advice (errors.ts).
import type { Logger as SlackLogger, WebClient } from '@slack/web-api';
import { SLACK_CALL_BUDGET_MS } from '../core/budget.ts';
import type { Logger } from '../logger.ts';
import type { Agents } from '../net.ts';
import { backoff, retry } from '../retry.ts';
import { asSlackError, classify, explainSlackError, LostAnswer, type SlackSettings, whatHappened } from './errors.ts';
import { nodeFetchWith } from './node-fetch.ts';

/** Bounds of the waiting; tests shorten them. */
export interface SlackTiming {
  /** One request, answer included. */
  requestTimeout: number;
  /** All attempts of one call, Retry-After waits included: Slack documents 90 s as the longest sensible wait. */
  budget: number;
  /** First wait after a 5xx or a dropped connection; each further one doubles. */
  firstRetryDelay: number;
  maxRetryDelay: number;
  /** Waits before looking for a post whose answer was lost (Slack may store it a moment later). */
  lookupDelays: number[];
}

export const DEFAULT_SLACK_TIMING: SlackTiming = {
  requestTimeout: 15_000,
  budget: SLACK_CALL_BUDGET_MS,
  firstRetryDelay: 1000,
  maxRetryDelay: 15_000,
  lookupDelays: [2000, 5000],
};

export interface CallOptions {
  /** Ends the call (and its retries) when it aborts. */
  signal?: AbortSignal;
  /** All attempts of this call, Retry-After waits included; default: the timing's budget. */
  budgetMs?: number;
}

export class SlackApi {
  private client?: Promise<WebClient>;
  readonly timing: SlackTiming;

  constructor(
    private readonly settings: SlackSettings,
    private readonly log: Logger,
    private readonly options: { timing?: Partial<SlackTiming>; agents?: Agents; now?: () => number; signal?: AbortSignal } = {},
  ) {
    this.timing = { ...DEFAULT_SLACK_TIMING, ...options.timing };
  }

  /** The Web API client, made at the first call. */
  private api(): Promise<WebClient> {
    this.client ??= import('@slack/web-api').then(
      ({ WebClient, LogLevel }) =>
        new WebClient(this.settings.token, {
          slackApiUrl: this.settings.apiUrl,
          // The token goes to SLACK_API_URL and nowhere else: no absolute URLs, and the client
          // refuses redirects.
          allowAbsoluteUrls: false,
          logger: quietLogger(this.log, LogLevel.INFO),
          timeout: this.timing.requestTimeout,
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          fetch: nodeFetchWith(this.options.agents),
        }),
    );
    return this.client;
  }

  /**
   * One Web API call with its retries. `idempotent`: repeating it is safe, so an answer lost to a
   * 5xx or a reset is retried; otherwise that is a LostAnswer, for the caller to look before repeating.
   */
  async call<T>(method: string, fn: (client: WebClient) => Promise<T>, options: CallOptions, how: { idempotent: boolean; quiet?: boolean }): Promise<T> {
    const client = await this.api();
    const now = this.options.now ?? Date.now;
    const budget = options.budgetMs ?? this.timing.budget;
    try {
      return await retry(() => fn(client), {
        deadline: now() + budget,
        now,
        signal: options.signal ?? this.options.signal,
        delayFor: (error, attempt) => {
          const kind = classify(error);
          if (kind === 'final' || (kind === 'unsure' && !how.idempotent)) return undefined;
          const retryAfter = asSlackError(error)?.retryAfter;
          return retryAfter !== undefined
            ? rateLimitDelay(retryAfter, attempt, this.timing)
            : backoff(attempt, this.timing.firstRetryDelay, this.timing.maxRetryDelay);
        },
        onRetry: (error, attempt, delay) => {
          if (!how.quiet) this.log.warn(`Slack ${method} failed (${whatHappened(error)}); retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
        },
      });
    } catch (error) {
      if (!how.idempotent && classify(error) === 'unsure')
        throw new LostAnswer(whatHappened(error), method, explainSlackError(error, method, this.settings, budget));
      throw explainSlackError(error, method, this.settings, budget);
    }
  }
}

/**
 * How long to wait after a 429: Slack's Retry-After the first time; from the second time in a row,
 * a jittered wait on top that doubles up to maxRetryDelay. Many pipes on one app's quota (a
 * pipeline deploying many services) then spread their retries out instead of all asking again
 * the second the quota refills, where one gets through and the rest are refused again.
 */
export function rateLimitDelay(
  retryAfterS: number,
  attempt: number,
  timing: Pick<SlackTiming, 'firstRetryDelay' | 'maxRetryDelay'>,
  random?: () => number,
): number {
  const asked = retryAfterS * 1000;
  return attempt < 2 ? asked : asked + backoff(attempt - 1, timing.firstRetryDelay, timing.maxRetryDelay, random);
}

/** Slack's client logs through ours (masked), and only what matters. */
function quietLogger(log: Logger, level: ReturnType<SlackLogger['getLevel']>): SlackLogger {
  return {
    debug: () => {},
    info: (...m: unknown[]) => log.debug(`slack: ${m.join(' ')}`),
    warn: (...m: unknown[]) => log.debug(`slack: ${m.join(' ')}`),
    error: (...m: unknown[]) => log.warn(`slack: ${m.join(' ')}`),
    setLevel: () => {},
    getLevel: () => level,
    setName: () => {},
  };
}
