// What the readers share: how one AWS call is made (counted, retried, explained by the caller),
// and batching by each API's per-call limit.

/**
 * Makes one AWS call named `operation` (e.g. `ecs:DescribeServices`). `call` hands `abortSignal`
 * to the SDK, so that a stop of the step or WAIT_TIMEOUT ends the request itself, not only the wait.
 */
export type Counter = <T>(operation: string, call: (abortSignal: AbortSignal | undefined) => Promise<T>, options?: CallOptions) => Promise<T>;

export interface CallOptions {
  /**
   * The read only feeds a nicety (estimates, the circuit breaker's count, alarm names, an Express
   * endpoint): one attempt, never retried, so that it never holds up a poll (under throttling a
   * retried one could take minutes); its caller carries on without it.
   */
  optional?: boolean;
}

/** ECS's and Elastic Load Balancing's limits per call (their API references), in one place. */
export const DESCRIBE_SERVICES_BATCH = 10;
export const DESCRIBE_TASKS_BATCH = 100;
export const DESCRIBE_CONTAINER_INSTANCES_BATCH = 100;
export const DESCRIBE_SERVICE_DEPLOYMENTS_BATCH = 20;
export const DESCRIBE_SERVICE_REVISIONS_BATCH = 20;
export const DESCRIBE_TARGET_GROUPS_BATCH = 20;
export const DESCRIBE_RULES_BATCH = 20;
export const DESCRIBE_LISTENERS_BATCH = 20;

/** `items` in batches of at most `size` (an API's limit per call). */
export const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
