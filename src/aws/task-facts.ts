// What never changes once created, read once per run: a task definition (whether it has container
// health checks, which is what "ready" means; its images, for what changed), and each container
// instance's EC2 ID (bridge and host networking register targets as instance:port).
import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { type Counter, chunks, DESCRIBE_CONTAINER_INSTANCES_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { hasHealthChecks } from './to-snapshot.ts';

export class TaskFacts {
  /** Task definition ARN → whether any of its containers has a health check. */
  readonly healthChecks = new Map<string, boolean>();
  /** Container instance ARN → EC2 instance ID. */
  readonly instances = new Map<string, string>();
  /** Task definition ARN → its read, shared by whoever asks (a failed read is asked again next time). */
  private readonly definitions = new Map<string, Promise<TaskDefinition | undefined>>();

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

  /** A task definition, read once a run however many ask; `optional`: one attempt (what changed), else retried as a poll's reads are. */
  definition(arn: string, optional = false): Promise<TaskDefinition | undefined> {
    let read = this.definitions.get(arn);
    if (!read) {
      read = this.count(
        'ecs:DescribeTaskDefinition',
        (abortSignal) => this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal }),
        optional ? { optional } : undefined,
      ).then((out) => out.taskDefinition);
      this.definitions.set(arn, read);
      read.catch(() => this.definitions.delete(arn));
    }
    return read;
  }

  /** Whether a task definition has container health checks decides what "ready" means; read once. */
  async resolveHealthChecks(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.healthChecks.has(arn));
    await Promise.all(
      unknown.map(async (arn) => {
        const definition = await this.definition(arn);
        this.healthChecks.set(arn, definition ? hasHealthChecks(definition) : false);
      }),
    );
  }
}
