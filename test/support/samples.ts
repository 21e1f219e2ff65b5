// Builders for realistic snapshots: they start from the real API shapes in test/fixtures/aws (copied
// from shared/aws-samples, see its sources.md) and go through the same mapping the reader uses.
import { readFileSync } from 'node:fs';
import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { deploymentFrom, serviceFrom, targetFrom, taskFrom } from '../../src/aws/to-snapshot.ts';
import type { DeploymentSnapshot, ServiceSnapshot, TargetGroupSnapshot, TaskSnapshot } from '../../src/snapshot.ts';

// biome-ignore lint: samples are untyped JSON
export function sample(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));
}

export const ACCOUNT = '123456789012';
export const OLD_TD = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/shop-api:41`;
export const NEW_TD = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/shop-api:42`;
export const NEWER_TD = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/shop-api:43`;
export const TG = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/shop-api/c60a6bb13d7053cd`;
export const T0 = Date.parse('2026-11-27T10:00:00Z');

/** A deployment shaped like the AWS CLI's update-service example, with our task definitions. */
export function deployment(kind: 'new' | 'old', fields: Partial<Deployment> = {}): DeploymentSnapshot {
  const [primary, active] = sample('describe-services-rolling-in-progress').describeServicesShape.services[0].deployments;
  const base = kind === 'new' ? { ...primary, taskDefinition: NEW_TD, createdAt: new Date(T0) } : { ...active, taskDefinition: OLD_TD };
  return deploymentFrom({ ...base, ...fields });
}

/** A Fargate awsvpc task from the describe-tasks example, re-addressed to `ip`. */
/** `port`: the container port the service registers with its target groups. */
export function task(ip: string, td: string, fields: Partial<Task> = {}, port = 8080): TaskSnapshot {
  const base = structuredClone(sample('describe-tasks-running-fargate-awsvpc').tasks[0]) as Task;
  base.taskArn = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/prod/${ip.replaceAll('.', '')}abcdef`;
  base.taskDefinitionArn = td;
  base.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value = ip;
  base.containers![0]!.networkInterfaces![0]!.privateIpv4Address = ip;
  return taskFrom({ ...base, ...fields }, new Map(), [port]);
}

/** The stopped task from the real "failed ELB health checks" event, moved onto our task definition. */
export function stoppedByElb(td = NEW_TD): TaskSnapshot {
  const detail = sample('task-stopped-elb-health-check').detail as Task;
  return taskFrom({ ...detail, taskDefinitionArn: td }, new Map(), [8080]);
}

export function targets(...entries: Array<[ip: string, state: string, reason?: string, description?: string]>): TargetGroupSnapshot {
  return {
    arn: TG,
    targets: entries.map(([ip, state, reason, description]) =>
      targetFrom({ Target: { Id: ip, Port: 8080 }, TargetHealth: { State: state as never, Reason: reason as never, Description: description } } as TargetHealthDescription),
    ),
  };
}

export function service(fields: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  const s = serviceFrom(sample('describe-services-rolling-in-progress').describeServicesShape.services[0] as Service);
  const { targetGroupArns: _unused, ...rest } = s;
  return {
    ...rest,
    name: 'shop-api',
    desiredCount: 2,
    deployments: [deployment('new'), deployment('old')],
    events: [],
    tasks: [],
    targetGroups: [],
    healthChecks: { [NEW_TD]: false, [OLD_TD]: false },
    ...fields,
  };
}
