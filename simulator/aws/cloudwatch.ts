// CloudWatch, JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.*; the SDK's protocol since 2025):
// DescribeAlarms from the model's alarms
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html), and
// GetMetricData from the model's target group traffic
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
import { type AccountModel, type FakeElbMinute, type FakeMinute, lbArn } from './model.ts';

export function cloudWatchApi(a: AccountModel, op: string, body: Record<string, unknown>): { status: number; body: unknown } {
  if (op === 'GetMetricData') return getMetricData(a, body);
  if (op !== 'DescribeAlarms') return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
  const names = Array.isArray(body.AlarmNames) ? body.AlarmNames.map(String) : [...a.alarms.keys()];
  const found = names.flatMap((n) => {
    const alarm = a.alarms.get(n);
    return alarm ? [alarm] : [];
  });
  return {
    status: 200,
    body: {
      MetricAlarms: found.map((x) => ({
        AlarmName: x.name,
        AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${x.name}`,
        StateValue: x.state,
        StateReason: `Threshold Crossed: ${x.datapoints.length} out of the last ${x.evaluationPeriods} datapoints [${x.datapoints.join(', ')}] was ${x.comparison === 'GreaterThanOrEqualToThreshold' ? 'greater than or equal to' : 'greater than'} the threshold (${x.threshold}).`,
        // StateReasonData: CloudWatch's JSON document of the datapoints it evaluated.
        StateReasonData: JSON.stringify({
          version: '1.0',
          statistic: x.statistic,
          period: x.periodSeconds,
          recentDatapoints: x.datapoints,
          threshold: x.threshold,
        }),
        StateUpdatedTimestamp: x.updatedAt / 1000,
        MetricName: x.metric,
        Namespace: x.namespace,
        Statistic: x.statistic,
        Period: x.periodSeconds,
        EvaluationPeriods: x.evaluationPeriods,
        Threshold: x.threshold,
        ComparisonOperator: x.comparison,
      })),
      CompositeAlarms: [],
    },
  };
}

/** GetMetricData takes at most 500 queries (MetricDataQueries). */
const MAX_QUERIES = 500;
/** A query's Id: "must start with a lowercase letter", then letters, digits and underscores (API_MetricDataQuery.html). */
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

/** Which number of a minute each of an Application Load Balancer's metrics and statistics reads (load-balancer-cloudwatch-metrics.html). */
function datapointOf(minute: FakeMinute, metric: string, stat: string): number | undefined {
  if (metric === 'RequestCount' && stat === 'Sum') return minute.requests;
  if (metric === 'HTTPCode_Target_5XX_Count' && stat === 'Sum') return minute.target5xx;
  if (metric === 'TargetConnectionErrorCount' && stat === 'Sum') return minute.connectionErrors;
  if (metric === 'TargetResponseTime' && stat === 'p95') return minute.p95Seconds;
  if (metric === 'TargetResponseTime' && stat === 'p99') return minute.p99Seconds;
  return undefined;
}

/** A load balancer's own errors, per load balancer only (HTTPCode_ELB_5XX_Count, _502_, _503_, Sum). */
function elbDatapointOf(minute: FakeElbMinute, metric: string, stat: string): number | undefined {
  if (stat !== 'Sum') return undefined;
  if (metric === 'HTTPCode_ELB_5XX_Count') return minute.elb5xx;
  if (metric === 'HTTPCode_ELB_502_Count') return minute.elb502;
  if (metric === 'HTTPCode_ELB_503_Count') return minute.elb503;
  return undefined;
}

interface Query {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Array<{ Name?: string; Value?: string }> }; Period?: number; Stat?: string };
}

/**
 * The minutes of [StartTime, EndTime) the model has traffic for, per query: a metric of a target
 * group (dimensions LoadBalancer and TargetGroup, the ARNs' suffixes) whose load balancer routes to
 * it. A minute without requests has no datapoint, as an ALB publishes none (the metrics page: "If
 * there are no requests … this metric is not reported"). Timestamps in epoch seconds (JSON 1.0).
 */
function getMetricData(a: AccountModel, body: Record<string, unknown>): { status: number; body: unknown } {
  const queries: Query[] = Array.isArray(body.MetricDataQueries) ? body.MetricDataQueries : [];
  const invalid = (message: string) => ({ status: 400, body: { __type: 'InvalidParameterValueException', message } });
  if (queries.length > MAX_QUERIES) return invalid(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  const bad = queries.find((q) => !QUERY_ID.test(q.Id ?? ''));
  if (bad) return invalid(`The value ${bad.Id ?? ''} for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.`);
  const start = Number(body.StartTime) * 1000;
  const end = Number(body.EndTime) * 1000;
  const descending = body.ScanBy !== 'TimestampAscending';
  const results = queries.map((q) => {
    const stat = q.MetricStat;
    const dims = new Map((stat?.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const periodMs = (stat?.Period ?? 60) * 1000;
    const balancer = lbArn(a.targetGroupSettings.protocol === 'HTTP' ? 'app' : 'net');
    const ours = stat?.Metric?.Namespace === 'AWS/ApplicationELB' && balancer.endsWith(`/${dims.get('LoadBalancer') ?? ''}`);
    const group = dims.has('TargetGroup') ? [...a.targets.keys()].find((arn) => arn.endsWith(`:${dims.get('TargetGroup') ?? ''}`)) : undefined;
    const metric = stat?.Metric?.MetricName ?? '';
    // A metric of a target group (LoadBalancer and TargetGroup), or of the load balancer alone (its own errors).
    const valueAt = (m: number): number | undefined => {
      if (!ours) return undefined;
      if (group !== undefined) {
        const minute = a.traffic(group, m);
        return minute && minute.requests > 0 ? datapointOf(minute, metric, stat?.Stat ?? '') : undefined;
      }
      if (dims.has('TargetGroup')) return undefined;
      const errors = a.elbErrors(balancer, m);
      return errors ? elbDatapointOf(errors, metric, stat?.Stat ?? '') : undefined;
    };
    const points: Array<[number, number]> = [];
    for (let m = Math.ceil(start / periodMs) * periodMs; m < end; m += periodMs) {
      const value = valueAt(m);
      if (value !== undefined) points.push([m / 1000, value]);
    }
    if (descending) points.reverse();
    return { Id: q.Id, Label: stat?.Metric?.MetricName ?? q.Id, Timestamps: points.map((p) => p[0]), Values: points.map((p) => p[1]), StatusCode: 'Complete' };
  });
  return { status: 200, body: { MetricDataResults: results, Messages: [] } };
}
