// Reads ECS and the load balancer into snapshots, frugally: the describe APIs share one refill rate
// per account and region with every other pipeline, so a poll re-describes only what may have
// changed. While nothing moves, a poll is DescribeServices (≤ 10 services a call) plus one
// DescribeTargetHealth per target group.
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServiceSnapshot, TargetGroupSnapshot, TaskSnapshot } from '../snapshot.ts';
import { isDraining, targetKey } from '../snapshot.ts';
import type { AwsClients } from './clients.ts';
import { hasHealthChecks, serviceFrom, targetFrom, taskFrom } from './to-snapshot.ts';

/** Runs one AWS call; the watch passes a function that retries and explains errors. */
export type CallRunner = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

interface ServiceCache {
  fingerprint?: string;
  failedTasks: number;
  /** Target keys no task of the service explained even after a listing (e.g. a shared target group). */
  strangers: Set<string>;
  /** Only the snapshot is kept per task: the SDK's Task objects are large and not needed again. */
  tasks: Map<string, { snapshot: TaskSnapshot }>;
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export class RolloutReader {
  /** AWS calls made, by operation: the bench and the tests read it. */
  readonly calls = new Map<string, number>();
  private readonly caches = new Map<string, ServiceCache>();
  private readonly healthChecks = new Map<string, boolean>();
  private readonly instances = new Map<string, string>();

  constructor(
    private readonly clients: AwsClients,
    private readonly cluster: string,
    private readonly run: CallRunner,
    private readonly log: Logger,
  ) {}

  /**
   * One snapshot per service. `force` lists tasks even when DescribeServices shows no change, to
   * confirm a verdict on fresh task data.
   */
  async read(services: string[], options: { force?: boolean } = {}): Promise<Map<string, ServiceSnapshot>> {
    const described = await this.describeServices(services);
    const plans = await Promise.all(services.map((id) => this.plan(id, described.get(id) as Service, options.force ?? false)));

    const wanted = [...new Set(plans.flatMap((p) => p.describe))];
    const tasks = await this.describeTasks(wanted);
    await this.resolveInstances(tasks);
    await this.resolveHealthChecks(plans.flatMap((p) => p.service.deployments.filter((d) => d.status === 'PRIMARY').map((d) => d.taskDefinitionArn)));

    const result = new Map<string, ServiceSnapshot>();
    for (const plan of plans) {
      const cache = this.cacheFor(plan.id);
      for (const arn of plan.describe) {
        const task = tasks.get(arn);
        if (task) cache.tasks.set(arn, { snapshot: taskFrom(task, this.instances) });
        else cache.tasks.delete(arn); // described as MISSING: stopped long ago
      }
      const { targetGroupArns: _arns, ...service } = plan.service;
      result.set(plan.id, {
        ...service,
        tasks: [...cache.tasks.values()].map((t) => t.snapshot),
        targetGroups: plan.groups,
        healthChecks: Object.fromEntries(this.healthChecks),
      });
    }
    return result;
  }

  private cacheFor(id: string): ServiceCache {
    let cache = this.caches.get(id);
    if (!cache) {
      cache = { failedTasks: 0, strangers: new Set(), tasks: new Map() };
      this.caches.set(id, cache);
    }
    return cache;
  }

  private async count<T>(operation: string, call: () => Promise<T>): Promise<T> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    this.log.debug(`AWS ${operation}`);
    return this.run(operation, call);
  }

  private async describeServices(ids: string[]): Promise<Map<string, Service>> {
    const found = new Map<string, Service>();
    for (const batch of chunks(ids, 10)) {
      const out = await this.count('ecs:DescribeServices', () =>
        this.clients.ecs.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch })),
      );
      for (const id of batch) {
        const s = out.services?.find((x) => x.serviceName === id || x.serviceArn === id);
        if (s) found.set(id, s);
      }
      const missing = batch.filter((id) => !found.has(id));
      if (missing.length) {
        const reasons = missing.map((id) => out.failures?.find((f) => f.arn?.endsWith(`/${id}`) || f.arn === id)?.reason ?? 'MISSING');
        throw new AwsError(
          `ECS service${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found in cluster "${this.cluster}" (${[...new Set(reasons)].join(', ')}): check SERVICE_NAME, CLUSTER_NAME and the region.`,
        );
      }
    }
    return found;
  }

  /** Decides which tasks this poll must (re-)describe for one service. */
  private async plan(id: string, raw: Service, force: boolean) {
    const service = serviceFrom(raw);
    const cache = this.cacheFor(id);
    const fingerprint = JSON.stringify([
      service.status,
      service.desiredCount,
      service.deployments.map((d) => [d.id, d.status, d.desiredCount, d.runningCount, d.pendingCount, d.failedTasks, d.rolloutState]),
    ]);
    const changed = fingerprint !== cache.fingerprint;
    cache.fingerprint = fingerprint;

    const groups = await Promise.all(service.targetGroupArns.map((arn) => this.targetHealth(arn)));
    const known = new Set([...cache.tasks.values()].flatMap((t) => t.snapshot.targetKeys));
    const draining = new Set(groups.flatMap((g) => g.targets.filter((t) => isDraining(t)).map(targetKey)));
    const unknown = groups.flatMap((g) => g.targets.filter((t) => !isDraining(t) && t.state !== 'unused').map(targetKey)).filter((k) => !known.has(k));
    // A target no known task explains usually belongs to a task started since the last listing.
    const strangers = unknown.some((k) => !cache.strangers.has(k));
    cache.strangers = new Set(unknown);

    const describe = new Set<string>();
    if (force || changed || strangers) {
      const running = new Set(await this.listTasks(raw, 'RUNNING'));
      for (const arn of running) if (!cache.tasks.has(arn)) describe.add(arn);
      for (const [arn, { snapshot: t }] of cache.tasks) {
        if (t.lastStatus === 'STOPPED') continue;
        // Left the list: its desired status is STOPPED now, which ListTasks hides, so follow it by
        // ARN until it has stopped. Still starting: it turns RUNNING without any other sign.
        // A task listed and RUNNING changes only by leaving the list: no need to ask again.
        if (!running.has(arn) || t.lastStatus !== 'RUNNING') describe.add(arn);
      }
    }
    if (changed) {
      const failed = service.deployments.reduce((n, d) => n + d.failedTasks, 0);
      if (failed > cache.failedTasks) {
        // Tasks that failed between two polls never showed up as RUNNING; their stop reasons are the causes.
        const stopped = await this.listTasks(raw, 'STOPPED');
        for (const arn of stopped.slice(0, 100)) if (!cache.tasks.has(arn)) describe.add(arn);
      }
      cache.failedTasks = failed;
    }
    for (const [arn, { snapshot: t }] of cache.tasks) {
      // Changes that DescribeServices does not reveal: container health turning HEALTHY, and an old
      // task stopping once its targets have drained.
      const awaitingHealth = t.lastStatus === 'RUNNING' && t.healthStatus === 'UNKNOWN' && this.healthChecks.get(t.taskDefinitionArn);
      const stopping = t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' && !t.targetKeys.some((k) => draining.has(k));
      if (awaitingHealth || stopping) describe.add(arn);
    }
    return { id, service, groups, describe: [...describe] };
  }

  private async listTasks(service: Service, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.count('ecs:ListTasks', () =>
        this.clients.ecs.send(
          new ListTasksCommand({ cluster: this.cluster, serviceName: service.serviceName, desiredStatus, maxResults: 100, nextToken }),
        ),
      );
      arns.push(...(out.taskArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return arns;
  }

  private async describeTasks(arns: string[]): Promise<Map<string, Task>> {
    const out = new Map<string, Task>();
    // One batch at a time: a 100-task answer is the largest thing the pipe ever holds in memory.
    for (const batch of chunks(arns, 100)) {
      const page = await this.count('ecs:DescribeTasks', () => this.clients.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: batch })));
      for (const t of page.tasks ?? []) if (t.taskArn) out.set(t.taskArn, t);
    }
    return out;
  }

  private async targetHealth(arn: string): Promise<TargetGroupSnapshot> {
    const out = await this.count('elbv2:DescribeTargetHealth', () =>
      this.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
    );
    return { arn, targets: (out.TargetHealthDescriptions ?? []).map(targetFrom) };
  }

  /** Bridge and host networking: targets are instance:port, so learn each container instance's EC2 ID once. */
  private async resolveInstances(tasks: Map<string, Task>): Promise<void> {
    const unknown = [
      ...new Set(
        [...tasks.values()]
          .filter((t) => t.containerInstanceArn && t.containers?.some((c) => c.networkBindings?.length))
          .map((t) => t.containerInstanceArn as string)
          .filter((arn) => !this.instances.has(arn)),
      ),
    ];
    for (const batch of chunks(unknown, 100)) {
      const out = await this.count('ecs:DescribeContainerInstances', () =>
        this.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: batch })),
      );
      for (const ci of out.containerInstances ?? []) {
        if (ci.containerInstanceArn && ci.ec2InstanceId) this.instances.set(ci.containerInstanceArn, ci.ec2InstanceId);
      }
    }
  }

  /** Whether a task definition has container health checks decides what "ready" means; read once. */
  private async resolveHealthChecks(arns: string[]): Promise<void> {
    for (const arn of new Set(arns)) {
      if (this.healthChecks.has(arn)) continue;
      const out = await this.count('ecs:DescribeTaskDefinition', () =>
        this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
      );
      this.healthChecks.set(arn, out.taskDefinition ? hasHealthChecks(out.taskDefinition) : false);
    }
  }
}
