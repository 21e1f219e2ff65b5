// A failed poll must not end the watch: throttling (the describe APIs share one account-wide
// bucket with every pipeline), 5xx, dropped or hung connections and garbled answers are retried
// until WAIT_TIMEOUT. The SDK's own retries are off (clients.ts), so these are the only waits, and
// they are capped by the poll interval: once AWS answers again, the watch hears it within about
// one poll. Throttling backs off per quota (QuotaBackoff), as AWS counts it. Anything else ends the watch.

import { setTimeout as sleep } from 'node:timers/promises';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { Logger } from '../logger.ts';
import { abortable, backoff, retry } from '../retry.ts';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

/** The first wait after a transient error; each further one doubles, up to the cap. */
export const FIRST_RETRY_DELAY_MS = 500;
/** Throttling may back off this many poll intervals; anything else at most one. */
export const THROTTLE_BACKOFF_POLLS = 3;

interface SdkLikeError extends Error {
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function isSdkLike(error: unknown): error is SdkLikeError {
  return error instanceof Error;
}

export function isThrottling(error: unknown): boolean {
  if (!isSdkLike(error)) return false;
  return isThrottlingError({ name: error.name, message: error.message, $metadata: error.$metadata ?? {} });
}

export function isRetryable(error: unknown): boolean {
  if (!isSdkLike(error)) return false;
  const classified = { name: error.name, message: error.message, $metadata: error.$metadata ?? {}, code: error.code };
  if (isThrottlingError(classified) || isTransientError(classified) || isServerError(classified)) return true;
  if (error.code && NETWORK_CODES.has(error.code)) return true;
  const status = error.$metadata?.httpStatusCode ?? 0;
  // A 2xx answer the SDK could not parse (cut short, not JSON/XML) is a glitch, not an answer.
  if (status >= 200 && status < 300 && /Deserialization error/.test(error.message)) return true;
  return status >= 500 || /socket hang up|network|timed? ?out/i.test(error.message);
}

/**
 * The quota ("API class") an operation draws on: AWS throttles per class and account, not per call.
 * ECS: DescribeServices with ListServices, ListTasks with DescribeTasks, each its own bucket; every
 * Elastic Load Balancing read one bucket; anything else by its service.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 */
export function quotaOf(operation: string): string {
  if (/^ecs:(DescribeServices|ListServices)$/.test(operation)) return 'ecs:services';
  if (/^ecs:(ListTasks|DescribeTasks)$/.test(operation)) return 'ecs:tasks';
  return operation.split(':')[0] ?? operation;
}

/**
 * Throttling backs off per quota: once a call of one class is throttled, every call of that class
 * (the other services' task lists, the other target groups) waits out the same backoff instead of
 * each asking again on its own, while calls of other classes go ahead. The backoff grows with each
 * throttle that comes after the class's last wait ended, and starts over once a call succeeds.
 */
export class QuotaBackoff {
  private readonly classes = new Map<string, { until: number; throttles: number }>();

  constructor(
    private readonly pollIntervalMs: number,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** How long a call of `operation` must still wait before it is made. */
  waitFor(operation: string): number {
    return Math.max(0, (this.classes.get(quotaOf(operation))?.until ?? 0) - this.now());
  }

  /** `operation` was throttled: the wait before its class is asked again. */
  throttled(operation: string): number {
    const name = quotaOf(operation);
    const now = this.now();
    const c = this.classes.get(name) ?? { until: 0, throttles: 0 };
    // Calls sent before the class began waiting come back throttled too: the same episode, so the
    // same wait, each a little apart so that they do not all ask again at once.
    if (now < c.until) return c.until - now + Math.round(this.random() * FIRST_RETRY_DELAY_MS);
    c.throttles += 1;
    c.until = now + throttleBackoff(c.throttles, this.pollIntervalMs, this.random);
    this.classes.set(name, c);
    return c.until - now;
  }

  succeeded(operation: string): void {
    const c = this.classes.get(quotaOf(operation));
    if (c) c.throttles = 0;
  }
}

/** The wait after the `n`th throttle in a row: twice a transient error's, up to THROTTLE_BACKOFF_POLLS intervals. */
function throttleBackoff(n: number, pollIntervalMs: number, random?: () => number): number {
  return backoff(n, FIRST_RETRY_DELAY_MS * 2, pollIntervalMs * THROTTLE_BACKOFF_POLLS, random);
}

/** How long to wait before trying again after `error`, or undefined when retrying cannot help. */
export function awsDelay(error: unknown, attempt: number, pollIntervalMs: number, random?: () => number): number | undefined {
  if (isThrottling(error)) return throttleBackoff(attempt, pollIntervalMs, random);
  if (isRetryable(error)) return backoff(attempt, FIRST_RETRY_DELAY_MS, pollIntervalMs, random);
  return undefined;
}

export interface RetryOptions {
  what: string;
  /** The operation's quota backs off as one (shared by every call of the run); without it, each call on its own. */
  quota?: { operation: string; backoff: QuotaBackoff };
  /** Epoch ms after which no further attempt starts. */
  deadline: number;
  pollIntervalMs: number;
  log: Logger;
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
  /** Told of every retry, after the log line: what held the call up. */
  onRetry?: (error: unknown) => void;
}

export function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const quota = options.quota;
  const attempt = !quota
    ? fn
    : async () => {
        // Its class is backing off: wait that out first (never past the deadline).
        const wait = Math.min(quota.backoff.waitFor(quota.operation), Math.max(0, options.deadline - now()));
        if (wait > 0) await sleep(wait, undefined, { signal: options.signal });
        const result = await fn();
        quota.backoff.succeeded(quota.operation);
        return result;
      };
  return retry(attempt, {
    deadline: options.deadline,
    now,
    signal: options.signal,
    delayFor: (error, n) =>
      quota && isThrottling(error) ? quota.backoff.throttled(quota.operation) : awsDelay(error, n, options.pollIntervalMs, options.random),
    onRetry: (error, attempt, delay) => {
      options.log.warn(`${options.what} failed (${describe(error)}); retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
      options.onRetry?.(error);
    },
  });
}

/** One call to AWS: `call` gets the signal that ends the request when the run stops. */
export type Ask = <T>(operation: string, call: (abortSignal: AbortSignal | undefined) => Promise<T>) => Promise<T>;

/**
 * The run's one way to call AWS: retried until the deadline, every quota's backoff shared by all
 * of the run's calls, throttling told to `onThrottled`. `stop` ends waits; `hardStop` (the stop, or
 * WAIT_TIMEOUT's end) also ends the request itself, so an abandoned one is not left open.
 */
export function createAsk(options: {
  deadline: number;
  pollIntervalMs: number;
  log: Logger;
  stop: AbortSignal;
  hardStop: AbortSignal;
  onThrottled: (operation: string) => void;
}): Ask {
  const quotas = new QuotaBackoff(options.pollIntervalMs);
  return (operation, call) =>
    abortable(
      withRetry(() => call(options.hardStop), {
        what: `AWS ${operation}`,
        quota: { operation, backoff: quotas },
        deadline: options.deadline,
        pollIntervalMs: options.pollIntervalMs,
        log: options.log,
        signal: options.stop,
        onRetry: (error) => {
          if (isThrottling(error)) options.onThrottled(operation);
        },
      }),
      options.hardStop,
    );
}

export function describe(error: unknown): string {
  if (!isSdkLike(error)) return String(error);
  const status = error.$metadata?.httpStatusCode;
  const message = error.message.split('\n')[0];
  return [error.name !== 'Error' ? error.name : error.code, status ? `HTTP ${status}` : undefined, message].filter(Boolean).join(': ');
}

const DENIED = /AccessDenied|not authorized/i;

/** AWS refused the call for want of a permission (its error name or message says so, or the error it was explained from). */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && (DENIED.test(error.name) || DENIED.test(error.message) || (error.cause !== undefined && isAccessDenied(error.cause)));
}
