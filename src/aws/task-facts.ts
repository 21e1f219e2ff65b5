// What never changes once created, read once per run: whether a task definition has container
// health checks (what "ready" means), and each container instance's EC2 ID (bridge and host
// networking register targets as instance:port).
import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, type Task } from '@aws-sdk/client-ecs';
import { type Counter, chunks, DESCRIBE_CONTAINER_INSTANCES_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { hasHealthChecks } from './to-snapshot.ts';

export class TaskFacts {
  /** Task definition ARN → whether any of its containers has a health check. */
  readonly healthChecks = new Map<string, boolean>();
  /** Container instance ARN → EC2 instance ID. */
  readonly instances = new Map<string, string>();

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs'>,
    private readonly cluster: string,
    private readonly count: Counter,
  ) {}

  /** Bridge and host networking: targets are instance:port, so learn each container instance's EC2 ID once. */
  async resolveInstances(tasks: Map<string, Task>): Promise<void> {
    const unknown = [
      ...new Set(
        [...tasks.values()]
          .flatMap((t) => (t.containerInstanceArn && t.containers?.some((c) => c.networkBindings?.length) ? [t.containerInstanceArn] : []))
          .filter((arn) => !this.instances.has(arn)),
      ),
    ];
    for (const batch of chunks(unknown, DESCRIBE_CONTAINER_INSTANCES_BATCH)) {
      const out = await this.count('ecs:DescribeContainerInstances', (abortSignal) =>
        this.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: batch }), { abortSignal }),
      );
      for (const ci of out.containerInstances ?? []) {
        if (ci.containerInstanceArn && ci.ec2InstanceId) this.instances.set(ci.containerInstanceArn, ci.ec2InstanceId);
      }
    }
  }

  /** Whether a task definition has container health checks decides what "ready" means; read once. */
  async resolveHealthChecks(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.healthChecks.has(arn));
    await Promise.all(
      unknown.map(async (arn) => {
        const out = await this.count('ecs:DescribeTaskDefinition', (abortSignal) =>
          this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal }),
        );
        this.healthChecks.set(arn, out.taskDefinition ? hasHealthChecks(out.taskDefinition) : false);
      }),
    );
  }
}
