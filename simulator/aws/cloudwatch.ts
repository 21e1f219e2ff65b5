// CloudWatch, JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.*; the SDK's protocol since 2025):
// DescribeAlarms from the model's alarms
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
import type { AccountModel } from './model.ts';

export function cloudWatchApi(a: AccountModel, op: string, body: Record<string, unknown>): { status: number; body: unknown } {
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
