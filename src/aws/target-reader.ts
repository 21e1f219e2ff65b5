// The load balancer's side of a service: its target groups' health (every poll) and their health
// check and deregistration settings (once per run, for the estimates; never fatal).
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetGroup,
  type TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupSettings, TargetGroupSnapshot } from '../core/snapshot.ts';
import type { Logger } from '../logger.ts';
import { type Counter, chunks, DESCRIBE_TARGET_GROUPS_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { targetFrom, targetGroupSettingsFrom } from './to-snapshot.ts';

export class TargetReader {
  /** Target group settings (health check, deregistration delay), read once per run. */
  readonly settings = new Map<string, TargetGroupSettings>();

  constructor(
    private readonly clients: Pick<AwsClients, 'elb'>,
    private readonly count: Counter,
    private readonly log: Logger,
  ) {}

  async health(arn: string): Promise<TargetGroupSnapshot> {
    const out = await this.count('elbv2:DescribeTargetHealth', (abortSignal) =>
      // With the load balancer's anomaly detection (API_DescribeTargetHealth.html, Include): free, on the read made anyway.
      this.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Include: ['AnomalyDetection'] }), { abortSignal }),
    );
    return { arn, targets: (out.TargetHealthDescriptions ?? []).map(targetFrom) };
  }

  /** Target group ARNs by name (CodeDeploy names a task set's group), read once each: one DescribeTargetGroups by Names. */
  private readonly named = new Map<string, string>();

  /** Each group's ARN: an ARN as it is, a name looked up (optional: unknown when the read fails). */
  async arnsOf(groups: string[]): Promise<ReadonlyMap<string, string>> {
    const names = [...new Set(groups.filter((g) => !g.startsWith('arn:') && !this.named.has(g)))];
    try {
      for (const batch of chunks(names, DESCRIBE_TARGET_GROUPS_BATCH)) {
        const out = await this.count(
          'elbv2:DescribeTargetGroups',
          (abortSignal) => this.clients.elb.send(new DescribeTargetGroupsCommand({ Names: batch }), { abortSignal }),
          { optional: true },
        );
        for (const g of out.TargetGroups ?? []) if (g.TargetGroupName && g.TargetGroupArn) this.named.set(g.TargetGroupName, g.TargetGroupArn);
      }
    } catch (error) {
      this.log.warn(`Target groups named by CodeDeploy could not be found: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new Map(
      groups.flatMap((g) => {
        const arn = g.startsWith('arn:') ? g : this.named.get(g);
        return arn ? [[g, arn]] : [];
      }),
    );
  }

  /**
   * How long targets take to turn healthy and to drain, for the estimates: one DescribeTargetGroups
   * (up to 20 groups) and one DescribeTargetGroupAttributes per group, once per run.
   */
  async resolveSettings(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.settings.has(arn));
    if (!unknown.length) return;
    const groups = new Map<string, TargetGroup>();
    const attributes = new Map<string, TargetGroupAttribute[]>();
    // Estimates are a nicety: a policy without these reads (written for an earlier 1.x) loses them, not the watch.
    const settled = Promise.all([
      ...chunks(unknown, DESCRIBE_TARGET_GROUPS_BATCH).map(async (batch) => {
        const out = await this.count(
          'elbv2:DescribeTargetGroups',
          (abortSignal) => this.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: batch }), { abortSignal }),
          { optional: true },
        );
        for (const g of out.TargetGroups ?? []) if (g.TargetGroupArn) groups.set(g.TargetGroupArn, g);
      }),
      ...unknown.map(async (arn) => {
        const out = await this.count(
          'elbv2:DescribeTargetGroupAttributes',
          (abortSignal) => this.clients.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }), { abortSignal }),
          { optional: true },
        );
        attributes.set(arn, out.Attributes ?? []);
      }),
    ]);
    try {
      await settled;
    } catch (error) {
      this.log.warn(`No estimates of when targets turn healthy or the old version retires: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const arn of unknown) this.settings.set(arn, targetGroupSettingsFrom(groups.get(arn), attributes.get(arn) ?? []));
  }
}
