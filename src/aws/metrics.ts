// The load balancer's own numbers for the traffic verification (core/verification.ts): one
// CloudWatch GetMetricData for every target group's minutes
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html), in the
// namespace and dimensions an Application Load Balancer publishes them under
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
// `LoadBalancer` = app/<name>/<id> and `TargetGroup` = targetgroup/<name>/<id>, the ARNs' suffixes.
// Never fails the run: a denied read is `refused` (said once, never asked again), any other
// failure `failed` (the next minute asks again).
import type { GetMetricDataOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { TargetGroupSettings } from '../core/snapshot.ts';
import { isNetworkLoadBalanced } from '../core/snapshot.ts';
import { METRIC_PERIOD_MS, type MetricsQuery, type MetricsRead, type MinuteElb, type MinuteTraffic } from '../core/verification.ts';
import { MS_PER_SECOND } from '../core/vocabulary.ts';
import type { Counter } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { describe as describeAwsError, isAccessDenied } from './retry.ts';

/** GetMetricData takes at most this many queries a call (API_GetMetricData.html, MetricDataQueries). */
export const METRIC_QUERIES_PER_CALL = 500;
/** An Application Load Balancer's namespace. */
const NAMESPACE = 'AWS/ApplicationELB';

/** What each query reads, and where its values go in a minute. */
const METRICS: ReadonlyArray<{ field: Exclude<keyof MinuteTraffic, 'at'>; metric: string; stat: string; scale: number }> = [
  { field: 'requests', metric: 'RequestCount', stat: 'Sum', scale: 1 },
  { field: 'errors5xx', metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum', scale: 1 },
  { field: 'connectionErrors', metric: 'TargetConnectionErrorCount', stat: 'Sum', scale: 1 },
  // TargetResponseTime is in seconds.
  { field: 'p95Ms', metric: 'TargetResponseTime', stat: 'p95', scale: MS_PER_SECOND },
  { field: 'p99Ms', metric: 'TargetResponseTime', stat: 'p99', scale: MS_PER_SECOND },
];

/** The load balancer's own errors, per load balancer only (no TargetGroup dimension): what a rollout cost in availability. */
const BALANCER_METRICS: ReadonlyArray<{ field: Exclude<keyof MinuteElb, 'at'>; metric: string }> = [
  { field: 'elb5xx', metric: 'HTTPCode_ELB_5XX_Count' },
  { field: 'elb502', metric: 'HTTPCode_ELB_502_Count' },
  { field: 'elb503', metric: 'HTTPCode_ELB_503_Count' },
];

/** The part of an ARN CloudWatch names it by: `app/shop/50dc…` of a load balancer, `targetgroup/shop-api/73e2…` of a group. */
export function dimensionOf(arn: string): string {
  return /:(?:loadbalancer\/)?((?:app|net|gwy)\/[^/]+\/[^/]+|targetgroup\/[^/]+\/[^/]+)$/.exec(arn)?.[1] ?? arn;
}

export class MetricsReader {
  /** GetMetricData calls made and metrics requested (CloudWatch prices the metrics: bench/RESULTS.md). */
  calls = 0;
  metricsRequested = 0;

  constructor(
    private readonly clients: Pick<AwsClients, 'cloudWatch'>,
    /** The target groups' ARNs and settings (their load balancers and protocol), read once per run by the target reader; by ARN or by name. */
    private readonly settingsOf: (groups: string[]) => Promise<ReadonlyMap<string, { arn: string; settings?: TargetGroupSettings }>>,
    private readonly count: Counter,
  ) {}

  async read(query: MetricsQuery): Promise<MetricsRead> {
    const settings = await this.settingsOf(query.targetGroups);
    const unreadable = new Map<string, string>();
    // Each pair reads the group by its ARN; its minutes are kept under the key the core gave (an ARN, or CodeDeploy's name).
    const pairs = query.targetGroups.flatMap((key) => {
      const group = settings.get(key);
      const s = group?.settings;
      if (s && isNetworkLoadBalanced(s)) {
        unreadable.set(key, 'a Network Load Balancer reports no HTTP status codes or response times');
        return [];
      }
      if (!group || !s?.loadBalancerArns?.length) {
        unreadable.set(
          key,
          `target group ${dimensionOf(group?.arn ?? key)} is in no load balancer, or elasticloadbalancing:DescribeTargetGroups was not answered`,
        );
        return [];
      }
      return s.loadBalancerArns.map((loadBalancerArn) => ({ loadBalancerArn, targetGroupArn: group.arn, key }));
    });
    const queries = pairs.flatMap((p, i) =>
      METRICS.map((m, j) => ({
        target: p.key,
        field: m.field,
        scale: m.scale,
        query: {
          Id: `q${i}_${j}`,
          MetricStat: {
            Metric: {
              Namespace: NAMESPACE,
              MetricName: m.metric,
              Dimensions: [
                { Name: 'LoadBalancer', Value: dimensionOf(p.loadBalancerArn) },
                { Name: 'TargetGroup', Value: dimensionOf(p.targetGroupArn) },
              ],
            },
            Period: METRIC_PERIOD_MS / MS_PER_SECOND,
            Stat: m.stat,
          },
          ReturnData: true,
        } satisfies MetricDataQuery,
      })),
    );
    const balancers = [...new Set(pairs.map((p) => dimensionOf(p.loadBalancerArn)))];
    const balancerQueries = balancers.flatMap((lb, i) =>
      BALANCER_METRICS.map((m, j) => ({
        balancer: lb,
        field: m.field,
        query: {
          Id: `b${i}_${j}`,
          MetricStat: {
            Metric: { Namespace: NAMESPACE, MetricName: m.metric, Dimensions: [{ Name: 'LoadBalancer', Value: lb }] },
            Period: METRIC_PERIOD_MS / MS_PER_SECOND,
            Stat: 'Sum',
          },
          ReturnData: true,
        } satisfies MetricDataQuery,
      })),
    );
    const byId = new Map(queries.map((q) => [q.query.Id, q]));
    const byBalancerId = new Map(balancerQueries.map((q) => [q.query.Id, q]));
    const minutes = new Map<string, Map<number, MinuteTraffic>>();
    const elb = new Map<string, Map<number, MinuteElb>>();
    const all = [...queries.map((q) => q.query), ...balancerQueries.map((q) => q.query)];
    try {
      for (let i = 0; i < all.length; i += METRIC_QUERIES_PER_CALL) {
        const batch = all.slice(i, i + METRIC_QUERIES_PER_CALL);
        let next: string | undefined;
        do {
          const out = await this.getMetricData(batch, query, next);
          for (const r of out.MetricDataResults ?? []) {
            const b = byBalancerId.get(r.Id ?? '');
            if (b) {
              const rows = elb.get(b.balancer) ?? new Map<number, MinuteElb>();
              elb.set(b.balancer, rows);
              (r.Timestamps ?? []).forEach((t, k) => {
                const at = t.getTime();
                rows.set(at, { ...(rows.get(at) ?? { at }), [b.field]: r.Values?.[k] ?? 0 });
              });
              continue;
            }
            const q = byId.get(r.Id ?? '');
            if (!q) continue;
            const group = minutes.get(q.target) ?? new Map<number, MinuteTraffic>();
            minutes.set(q.target, group);
            (r.Timestamps ?? []).forEach((t, k) => {
              const value = r.Values?.[k];
              if (value === undefined) return;
              const at = t.getTime();
              const minute = group.get(at) ?? { at };
              // Over several load balancers: counts add up; a percentile keeps the highest (never hides a slow one).
              const scaled = value * q.scale;
              const before = minute[q.field];
              minute[q.field] = before === undefined ? scaled : q.scale === 1 ? before + scaled : Math.max(before, scaled);
              group.set(at, minute);
            });
          }
          next = out.NextToken;
        } while (next);
      }
    } catch (error) {
      if (isAccessDenied(error)) return { refused: 'cloudwatch:GetMetricData is not allowed for the role (examples/iam-policy.json grants it)' };
      return { failed: `CloudWatch GetMetricData failed: ${describeAwsError(error)}` };
    }
    const sorted = <T extends { at: number }>(m: Map<number, T>) => [...m.values()].sort((a, b) => a.at - b.at);
    return {
      minutes: new Map([...minutes].map(([g, m]) => [g, sorted(m)])),
      unreadable,
      balancers: new Map([...elb].map(([lb, m]) => [lb, sorted(m)])),
    };
  }

  private async getMetricData(queries: MetricDataQuery[], query: MetricsQuery, next: string | undefined): Promise<GetMetricDataOutput> {
    const client = await this.clients.cloudWatch();
    const { GetMetricDataCommand } = await import('./cloudwatch-client.ts');
    this.calls++;
    this.metricsRequested += queries.length;
    return this.count(
      'cloudwatch:GetMetricData',
      (abortSignal) =>
        client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(query.from),
            EndTime: new Date(query.to),
            ScanBy: 'TimestampAscending',
            ...(next ? { NextToken: next } : {}),
          }),
          { abortSignal },
        ),
      // One attempt: a minute later the next read asks again; a read never holds up a poll.
      { optional: true },
    );
  }
}
