// Retrying with the three bounds a watch needs: a deadline after which no attempt starts, a signal
// that ends everything at once (the step was stopped), and a wait chosen per error, so that
// throttling can back off further than a dropped connection and Slack's Retry-After is honoured.
// p-retry has the first two but one backoff curve for every error, hence this small loop.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** The wait before attempt `attempt + 1` after `error`, or undefined when `error` is final. */
  delayFor(error: unknown, attempt: number): number | undefined;
  /** Epoch ms: an attempt that would start later is not made (DeadlineError instead). */
  deadline: number;
  now: () => number;
  /** Aborts the current attempt and any wait at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Retryable failures went on until the deadline: `last` is the last of them. */
export class DeadlineError extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${last instanceof Error ? last.message : String(last)}`, { cause: last });
    this.name = 'DeadlineError';
  }
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await abortable(fn(attempt), policy.signal);
    } catch (error) {
      if (policy.signal?.aborted) throw policy.signal.reason;
      const delay = policy.delayFor(error, attempt);
      if (delay === undefined) throw error;
      if (policy.now() + delay > policy.deadline) throw new DeadlineError(error, attempt);
      policy.onRetry?.(error, attempt, delay);
      await sleep(delay, undefined, { signal: policy.signal }).catch((e: unknown) => {
        throw policy.signal?.aborted ? policy.signal.reason : e;
      });
    }
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the work itself may go on, unheard). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Exponential backoff with "equal jitter": half the wait is fixed, half random, so retries of many
 * pipelines spread out but none retries at once.
 */
export function backoff(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const full = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}
