// What the readers share: how one AWS call is made (counted, retried, explained by the caller),
// one service as DescribeServices described it, and batching by an API's per-call limit.
import type { serviceFrom } from './to-snapshot.ts';

/**
 * Makes one AWS call named `operation` (e.g. `ecs:DescribeServices`). `call` hands `abortSignal`
 * to the SDK, so that a stop of the step or WAIT_TIMEOUT ends the request itself, not only the wait.
 */
export type Counter = <T>(operation: string, call: (abortSignal: AbortSignal | undefined) => Promise<T>) => Promise<T>;

/** One service as this poll's DescribeServices described it. */
export interface ServiceRead {
  id: string;
  service: ReturnType<typeof serviceFrom>;
}

/** `items` in batches of at most `size` (an API's limit per call). */
export const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
