// Where a container's awslogs driver writes (group, region, stream prefix), from its task definition.
import type { TaskDefinition } from '@aws-sdk/client-ecs';

interface AwslogsSettings {
  driver: string;
  group?: string;
  region?: string;
  prefix?: string;
}

/** A container's log settings from its task definition. */
export function awslogsOf(td: TaskDefinition, container: string): AwslogsSettings | undefined {
  const def = td.containerDefinitions?.find((c) => c.name === container);
  if (!def) return undefined;
  const config = def.logConfiguration;
  if (!config) return { driver: 'none' };
  const options = config.options ?? {};
  return { driver: config.logDriver ?? 'none', group: options['awslogs-group'], region: options['awslogs-region'], prefix: options['awslogs-stream-prefix'] };
}
