// ECS-native traffic shifting (blue/green, linear, canary): the service deployments, the revisions
// they name and, while traffic moves, the production listener, read into ShiftSnapshots.
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { atOrAfter, type ListenerTraffic, type ShiftSnapshot } from '../core/snapshot.ts';
import {
  type Counter,
  chunks,
  DESCRIBE_LISTENERS_BATCH,
  DESCRIBE_RULES_BATCH,
  DESCRIBE_SERVICE_DEPLOYMENTS_BATCH,
  DESCRIBE_SERVICE_REVISIONS_BATCH,
} from './batch.ts';
import type { AwsClients } from './clients.ts';
import type { ServiceDeployments } from './service-deployments.ts';
import { listenerTrafficFrom, type RevisionInfo, revisionFrom, ruleTrafficFrom, type ServiceRead, serviceDeploymentFrom } from './to-snapshot.ts';

/** Service deployments that still move (the others only say how they ended). */
const MOVING = new Set(['PENDING', 'IN_PROGRESS']);
/** Rollbacks under way: the new target groups' health is read once more, for the causes. */
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);

export class ShiftReader {
  /** Service revisions never change once created: each is described once. */
  private readonly revisions = new Map<string, RevisionInfo>();
  /** Per service, every service deployment seen as current during this run (ours among them). */
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs' | 'elb'>,
    private readonly count: Counter,
    private readonly serviceDeployments: ServiceDeployments,
  ) {}

  /**
   * Traffic-shifting services: their service deployments (every one seen as current during the run,
   * in one call for up to 20), the revisions they name (once each), and while the new revision is
   * taking traffic and its "live" is not settled, the production listener and the new target
   * groups. In a bake, a poll is DescribeServices and DescribeServiceDeployments.
   */
  async read(states: readonly ServiceRead[], settled: ReadonlySet<string>): Promise<Map<string, { snapshot: ShiftSnapshot; targetGroupArns: string[] }>> {
    const out = new Map<string, { snapshot: ShiftSnapshot; targetGroupArns: string[] }>();
    if (!states.length) return out;
    const currents = await Promise.all(states.map((st) => this.serviceDeployments.current(st, false)));
    states.forEach((st, i) => {
      const seen = this.seen.get(st.id) ?? new Set<string>();
      const current = currents[i];
      if (current) seen.add(current);
      this.seen.set(st.id, seen);
    });
    const raw = await this.describeServiceDeployments(states.flatMap((st) => [...(this.seen.get(st.id) ?? [])]));
    await this.describeRevisions(
      [...raw.values()]
        .flatMap((d) => [d.targetServiceRevision?.arn, ...(d.sourceServiceRevisions ?? []).map((r) => r.arn)])
        .filter((a): a is string => Boolean(a)),
    );

    const plans = states.map((st) => {
      const deployments = [...(this.seen.get(st.id) ?? [])]
        .flatMap((arn) => {
          const d = raw.get(arn);
          return d ? [serviceDeploymentFrom(d, this.revisions)] : [];
        })
        .sort((a, b) => b.createdAt - a.createdAt);
      // The deployment taking traffic now: the moving one that has started its new tasks; or one
      // rolling back, whose new targets say why.
      const moving = deployments.find((d) => MOVING.has(d.status) && atOrAfter(d.lifecycleStage, 'POST_SCALE_UP'));
      const failing = deployments.find((d) => ROLLING_BACK.has(d.status));
      const watched = settled.has(st.id) ? undefined : (moving ?? failing);
      const targetGroupArns = watched?.target.targetGroupArns ?? [];
      const listeners =
        moving && moving === watched && atOrAfter(moving.lifecycleStage, 'PRE_PRODUCTION_TRAFFIC_SHIFT')
          ? [...new Set([...moving.target.listeners, ...st.service.productionListeners])]
          : [];
      return { st, deployments, targetGroupArns, listeners };
    });
    const production = await this.productionTraffic([...new Set(plans.flatMap((p) => p.listeners))]);
    for (const { st, deployments, targetGroupArns, listeners } of plans) {
      out.set(st.id, {
        snapshot: { current: currents[states.indexOf(st)], deployments, production: listeners.flatMap((arn) => production.get(arn) ?? []) },
        targetGroupArns,
      });
    }
    return out;
  }

  private async describeServiceDeployments(arns: string[]): Promise<Map<string, ServiceDeployment>> {
    const out = new Map<string, ServiceDeployment>();
    await Promise.all(
      chunks([...new Set(arns)], DESCRIBE_SERVICE_DEPLOYMENTS_BATCH).map(async (batch) => {
        const page = await this.count('ecs:DescribeServiceDeployments', (abortSignal) =>
          this.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }), { abortSignal }),
        );
        for (const d of page.serviceDeployments ?? []) if (d.serviceDeploymentArn) out.set(d.serviceDeploymentArn, d);
      }),
    );
    return out;
  }

  private async describeRevisions(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.revisions.has(arn));
    await Promise.all(
      chunks(unknown, DESCRIBE_SERVICE_REVISIONS_BATCH).map(async (batch) => {
        const page = await this.count('ecs:DescribeServiceRevisions', (abortSignal) =>
          this.clients.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }), { abortSignal }),
        );
        for (const r of page.serviceRevisions ?? []) if (r.serviceRevisionArn) this.revisions.set(r.serviceRevisionArn, revisionFrom(r));
      }),
    );
  }

  /** ALB production listener rules (DescribeRules) and NLB listeners (DescribeListeners), side by side. */
  private async productionTraffic(arns: string[]): Promise<Map<string, ListenerTraffic>> {
    const out = new Map<string, ListenerTraffic>();
    const rules = arns.filter((arn) => arn.includes(':listener-rule/'));
    const listeners = arns.filter((arn) => !arn.includes(':listener-rule/'));
    await Promise.all([
      ...chunks(rules, DESCRIBE_RULES_BATCH).map(async (batch) => {
        const page = await this.count('elbv2:DescribeRules', (abortSignal) =>
          this.clients.elb.send(new DescribeRulesCommand({ RuleArns: batch }), { abortSignal }),
        );
        for (const r of page.Rules ?? []) out.set(r.RuleArn ?? '', ruleTrafficFrom(r));
      }),
      ...chunks(listeners, DESCRIBE_LISTENERS_BATCH).map(async (batch) => {
        const page = await this.count('elbv2:DescribeListeners', (abortSignal) =>
          this.clients.elb.send(new DescribeListenersCommand({ ListenerArns: batch }), { abortSignal }),
        );
        for (const l of page.Listeners ?? []) out.set(l.ListenerArn ?? '', listenerTrafficFrom(l));
      }),
    ]);
    return out;
  }
}
