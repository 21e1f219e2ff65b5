// A failed poll must not end the watch: throttling (the describe APIs share one account-wide
// bucket with every pipeline), 5xx, dropped or hung connections and garbled answers are retried
// until WAIT_TIMEOUT. The SDK's own retries are off (clients.ts), so these are the only waits, and
// they are capped by the poll interval: once AWS answers again, the watch hears it within about
// one poll. Anything else ends the watch.
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { Logger } from '../logger.ts';
import { backoff, retry } from '../retry.ts';

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

/** How long to wait before trying again after `error`, or undefined when retrying cannot help. */
export function awsDelay(error: unknown, attempt: number, pollIntervalMs: number, random?: () => number): number | undefined {
  if (isThrottling(error)) return backoff(attempt, FIRST_RETRY_DELAY_MS * 2, pollIntervalMs * THROTTLE_BACKOFF_POLLS, random);
  if (isRetryable(error)) return backoff(attempt, FIRST_RETRY_DELAY_MS, pollIntervalMs, random);
  return undefined;
}

export interface RetryOptions {
  what: string;
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
  return retry(fn, {
    deadline: options.deadline,
    now: options.now ?? Date.now,
    signal: options.signal,
    delayFor: (error, attempt) => awsDelay(error, attempt, options.pollIntervalMs, options.random),
    onRetry: (error, attempt, delay) => {
      options.log.warn(`${options.what} failed (${describe(error)}); retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
      options.onRetry?.(error);
    },
  });
}

export function describe(error: unknown): string {
  if (!isSdkLike(error)) return String(error);
  const status = error.$metadata?.httpStatusCode;
  const message = error.message.split('\n')[0];
  return [error.name !== 'Error' ? error.name : error.code, status ? `HTTP ${status}` : undefined, message].filter(Boolean).join(': ');
}

const DENIED = /AccessDenied|not authorized/i;

/** AWS refused the call for want of a permission (its error name or message says so). */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && (DENIED.test(error.name) || DENIED.test(error.message));
}
