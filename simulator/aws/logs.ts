// CloudWatch Logs, JSON 1.1 (X-Amz-Target Logs_20140328.*): GetLogEvents and FilterLogEvents from the model's streams.
import type { AccountModel } from './model.ts';

/** CloudWatch Logs, JSON 1.1 (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html). */
export function logsApi(a: AccountModel, op: string, body: Record<string, unknown>): { status: number; body: unknown } {
  if (op === 'FilterLogEvents') return filterLogEvents(a, body);
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

/**
 * FilterLogEvents (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html):
 * the group's events of every stream within [startTime, endTime], oldest first, in pages of `limit`.
 */
function filterLogEvents(a: AccountModel, body: Record<string, unknown>): { status: number; body: unknown } {
  const streams = a.logStreams.get(String(body.logGroupName));
  if (!streams) return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'The specified log group does not exist.' } };
  const from = Number(body.startTime ?? 0);
  const to = Number(body.endTime ?? Number.MAX_SAFE_INTEGER);
  const events = [...streams]
    .flatMap(([logStreamName, list]) => list.map((e) => ({ ...e, logStreamName })))
    .filter((e) => e.timestamp >= from && e.timestamp <= to)
    .sort((x, y) => x.timestamp - y.timestamp);
  const limit = Number(body.limit ?? 10_000);
  const start = Number(body.nextToken ?? 0);
  const page = events.slice(start, start + limit);
  return {
    status: 200,
    body: {
      events: page.map((e, i) => ({ ...e, eventId: String(start + i), ingestionTime: e.timestamp + 5 })),
      ...(start + limit < events.length ? { nextToken: String(start + limit) } : {}),
    },
  };
}
