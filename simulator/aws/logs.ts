// CloudWatch Logs, JSON 1.1 (X-Amz-Target Logs_20140328.*): GetLogEvents from the model's streams.
import type { AccountModel } from './model.ts';

/** CloudWatch Logs, JSON 1.1 (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html). */
export function logsApi(a: AccountModel, op: string, body: Record<string, unknown>): { status: number; body: unknown } {
  if (op !== 'GetLogEvents') return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
  const events = a.logStreams.get(String(body.logGroupName))?.get(String(body.logStreamName));
  if (!events) return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' } };
  const limit = Number(body.limit ?? 10_000);
  const page = body.startFromHead ? events.slice(0, limit) : events.slice(-limit);
  return {
    status: 200,
    body: { events: page.map((e) => ({ ...e, ingestionTime: e.timestamp + 5 })), nextForwardToken: 'f/1', nextBackwardToken: 'b/1' },
  };
}
