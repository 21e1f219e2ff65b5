// The CloudWatch alarms behind a rollback, in full: ECS names them (DescribeServiceDeployments);
// DescribeAlarms says what each watches, its threshold, and the values that breached it. Read once,
// when the watch ends failed, within the same budget as the logs; never fails the run: a missing
// permission or an unknown alarm becomes one line saying so.
import type { CompositeAlarm, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { AlarmDetail } from '../core/view.ts';
import type { AwsClients } from './clients.ts';
import { describe as describeAwsError, isAccessDenied } from './retry.ts';

/** DescribeAlarms takes at most this many names at once (API_DescribeAlarms.html, AlarmNames). */
export const DESCRIBE_ALARMS_BATCH = 100;
/** Alarms detailed in a failure thread; more are named in the reason already. */
export const ALARMS_SHOWN = 5;

/** Each alarm in detail, in the order given (at most ALARMS_SHOWN), never an error. */
export async function describeAlarms(
  clients: Pick<AwsClients, 'cloudWatch'>,
  alarms: ReadonlyArray<{ service: string; name: string }>,
  signal: AbortSignal,
): Promise<AlarmDetail[]> {
  const wanted = alarms.slice(0, Math.min(ALARMS_SHOWN, DESCRIBE_ALARMS_BATCH));
  if (!wanted.length) return [];
  try {
    const client = await clients.cloudWatch();
    const { DescribeAlarmsCommand } = await import('./cloudwatch-client.ts');
    const out = await client.send(
      new DescribeAlarmsCommand({ AlarmNames: [...new Set(wanted.map((a) => a.name))], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
      { abortSignal: signal },
    );
    const metric = new Map((out.MetricAlarms ?? []).map((a) => [a.AlarmName ?? '', a]));
    const composite = new Map((out.CompositeAlarms ?? []).map((a) => [a.AlarmName ?? '', a]));
    return wanted.map((w) => {
      const m = metric.get(w.name);
      if (m) return metricAlarmDetail(w, m);
      const c = composite.get(w.name);
      if (c) return compositeAlarmDetail(w, c);
      return { ...w, hint: 'not found in this account and region (deleted since?)' };
    });
  } catch (error) {
    const hint = isAccessDenied(error)
      ? 'allow cloudwatch:DescribeAlarms to see its metric, threshold and the value that breached it here'
      : `it could not be read (${describeAwsError(error)})`;
    return wanted.map((w) => ({ ...w, hint }));
  }
}

function metricAlarmDetail(w: { service: string; name: string }, a: MetricAlarm): AlarmDetail {
  const breached = a.StateValue === 'ALARM' ? recentDatapoints(a.StateReasonData) : undefined;
  return {
    ...w,
    ...(a.MetricName ? { metric: `${a.Namespace ? `${a.Namespace} ` : ''}${a.MetricName}` } : {}),
    ...((a.ExtendedStatistic ?? a.Statistic) ? { statistic: a.ExtendedStatistic ?? a.Statistic } : {}),
    ...(a.ComparisonOperator ? { comparison: a.ComparisonOperator } : {}),
    ...(a.Threshold !== undefined ? { threshold: a.Threshold } : {}),
    ...(a.Period !== undefined ? { periodSeconds: a.Period } : {}),
    ...(a.EvaluationPeriods !== undefined ? { evaluationPeriods: a.EvaluationPeriods } : {}),
    ...(a.StateValue ? { state: a.StateValue } : {}),
    ...(a.StateUpdatedTimestamp ? { stateSince: a.StateUpdatedTimestamp.getTime() } : {}),
    ...(breached?.length ? { breached } : {}),
  };
}

function compositeAlarmDetail(w: { service: string; name: string }, a: CompositeAlarm): AlarmDetail {
  return {
    ...w,
    ...(a.AlarmRule ? { rule: a.AlarmRule } : {}),
    ...(a.StateValue ? { state: a.StateValue } : {}),
    ...(a.StateUpdatedTimestamp ? { stateSince: a.StateUpdatedTimestamp.getTime() } : {}),
  };
}

/**
 * The datapoints that moved the alarm to its state: StateReasonData is a JSON document whose
 * `recentDatapoints` lists them (its shape is CloudWatch's, not a documented contract: read loosely).
 */
export function recentDatapoints(stateReasonData: string | undefined): number[] | undefined {
  if (!stateReasonData) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(stateReasonData);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || !('recentDatapoints' in data) || !Array.isArray(data.recentDatapoints)) return undefined;
  return data.recentDatapoints.filter((v): v is number => typeof v === 'number');
}
