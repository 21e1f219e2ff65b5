// A failed poll must not end the watch: throttling (the describe APIs share one account-wide
// bucket with every pipeline), 5xx and dropped connections are retried with backoff on top of the
// SDK's own few quick retries, until the watch's deadline. Anything else ends the watch.
import pRetry from 'p-retry';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { Logger } from '../logger.ts';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  // SDK errors carry the HTTP status; check the classifications the SDK itself uses.
  const sdkLike = { name: e.name, message: e.message, $metadata: e.$metadata ?? {}, code: e.code } as never;
  if (isThrottlingError(sdkLike) || isTransientError(sdkLike) || isServerError(sdkLike)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500 || /socket hang up|network|timed? ?out/i.test(e.message);
}

export interface RetryOptions {
  what: string;
  /** Epoch ms after which no further attempt starts. */
  deadline: number;
  log: Logger;
  now?: () => number;
  /** Backoff bounds; tests shorten them. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  return pRetry(fn, {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: Math.max(0, options.deadline - now()),
    minTimeout: options.minDelayMs ?? 1000,
    maxTimeout: options.maxDelayMs ?? 30_000,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: ({ error, attemptNumber, retryDelay }) => {
      if (isRetryable(error) && retryDelay > 0) {
        options.log.warn(`${options.what} failed (${describe(error)}); retry ${attemptNumber} in ${(retryDelay / 1000).toFixed(1)} s`);
      }
    },
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return [e.name !== 'Error' ? e.name : e.code, status ? `HTTP ${status}` : undefined, e.message].filter(Boolean).join(': ');
}
