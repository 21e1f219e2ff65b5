// What only a service deployment tells of a rolling update (DescribeServiceDeployments): the
// alarms that rolled it back and how close the circuit breaker is. Niceties: a policy without the
// permission (written for 1.0) loses them, not the watch; after one refusal they are not asked again.
import { DescribeServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import type { Logger } from '../logger.ts';
import { type Counter, DESCRIBE_SERVICE_DEPLOYMENTS_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { ROLLED_BACK, type ServiceDeployments } from './service-deployments.ts';
import type { ServiceRead } from './to-snapshot.ts';

export class DeploymentNotes {
  /** Set once reading a service deployment failed: not asked again. */
  private denied = false;

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs'>,
    private readonly count: Counter,
    private readonly log: Logger,
    private readonly serviceDeployments: ServiceDeployments,
  ) {}

  /**
   * Which alarms rolled a deployment back: ECS says "rolling back" in the new PRIMARY's reason, the
   * alarm names are only in the service deployment that was rolled back (one seen as current
   * earlier in this run, or, where DescribeServices names none, one ListServiceDeployments says was
   * rolled back). Read once, when the rollback shows; never fatal.
   */
  async rollbackAlarms(st: ServiceRead, cache: { currents: Set<string>; alarms?: string[] }): Promise<void> {
    const current = st.service.currentServiceDeployment;
    const rollingBack = st.service.deployments.some((d) => d.status === 'PRIMARY' && /rolling back/i.test(d.rolloutStateReason ?? ''));
    if (current) cache.currents.add(current);
    if (!rollingBack || cache.alarms !== undefined || this.denied) return;
    cache.alarms = [];
    try {
      // The newest ones, as many as one call takes.
      const earlier = current
        ? [...cache.currents].filter((arn) => arn !== current).slice(-DESCRIBE_SERVICE_DEPLOYMENTS_BATCH)
        : (await this.serviceDeployments.recent(st, true))
            .filter((b) => ROLLED_BACK.has(b.status))
            .slice(0, DESCRIBE_SERVICE_DEPLOYMENTS_BATCH)
            .map((b) => b.arn);
      if (!earlier.length) return;
      const out = await this.count(
        'ecs:DescribeServiceDeployments',
        (abortSignal) => this.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: earlier }), { abortSignal }),
        { optional: true },
      );
      cache.alarms = [...new Set((out.serviceDeployments ?? []).flatMap((d) => d.alarms?.triggeredAlarmNames ?? []))];
    } catch (error) {
      this.denied = true;
      this.log.warn(`The alarms behind the rollback are not named: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * How close ECS's circuit breaker is to tripping (its failure count and threshold are only in the
   * service deployment), read when tasks failed, for the crash-loop warning. A nicety: a policy
   * without ecs:DescribeServiceDeployments (written for 1.0) loses it, not the watch.
   */
  async breaker(st: ServiceRead & { shifting: boolean }, cache: { breaker?: { failureCount?: number; threshold?: number; status?: string } }): Promise<void> {
    if (st.shifting || this.denied) return;
    try {
      const arn = await this.serviceDeployments.current(st, true);
      if (!arn) return;
      const out = await this.count(
        'ecs:DescribeServiceDeployments',
        (abortSignal) => this.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), { abortSignal }),
        { optional: true },
      );
      const cb = out.serviceDeployments?.[0]?.deploymentCircuitBreaker;
      if (cb) cache.breaker = { failureCount: cb.failureCount, threshold: cb.threshold, status: cb.status };
    } catch (error) {
      this.denied = true;
      this.log.warn(`The circuit breaker's failure count is not shown: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
