// Turns AWS SDK response objects into the plain snapshot types. Pure; accepts timestamps as the SDK
// gives them (Date) and as JSON samples and events carry them (ISO strings, epoch numbers).
import type { Deployment, Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeploymentSnapshot, ServiceEvent, TargetSnapshot, TaskSnapshot } from '../snapshot.ts';
import { targetKey } from '../snapshot.ts';

type Time = Date | string | number | undefined;

export function epochMs(t: Time): number | undefined {
  if (t === undefined || t === null) return undefined;
  if (t instanceof Date) return t.getTime();
  // Epoch numbers in AWS JSON are seconds; EventBridge/Step Functions samples use milliseconds.
  if (typeof t === 'number') return t < 1e11 ? Math.round(t * 1000) : t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function deploymentFrom(d: Deployment): DeploymentSnapshot {
  return {
    id: d.id ?? '',
    status: d.status ?? 'UNKNOWN',
    taskDefinitionArn: d.taskDefinition ?? '',
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    createdAt: epochMs(d.createdAt as Time) ?? 0,
  };
}

export function eventsFrom(s: Service): ServiceEvent[] {
  return (s.events ?? []).map((e) => ({ id: e.id ?? '', createdAt: epochMs(e.createdAt as Time) ?? 0, message: e.message ?? '' }));
}

/** The parts of a DescribeServices entry that the snapshot keeps (tasks and targets come separately). */
export function serviceFrom(s: Service) {
  const deployments = (s.deployments ?? []).map(deploymentFrom);
  return {
    name: s.serviceName ?? '',
    arn: s.serviceArn ?? '',
    status: s.status ?? 'ACTIVE',
    deploymentController: s.deploymentController?.type ?? 'ECS',
    deploymentStrategy: s.deploymentConfiguration?.strategy,
    circuitBreaker: s.deploymentConfiguration?.deploymentCircuitBreaker
      ? { enable: s.deploymentConfiguration.deploymentCircuitBreaker.enable ?? false, rollback: s.deploymentConfiguration.deploymentCircuitBreaker.rollback ?? false }
      : undefined,
    // Absent from some answers (and from EventBridge events), where "0 tasks wanted" would read as
    // already done: the PRIMARY deployment's count is what ECS drives towards, but right after
    // update-service it is still 0 while the old deployment holds the count.
    desiredCount: s.desiredCount ?? (deployments.find((d) => d.status === 'PRIMARY')?.desiredCount || Math.max(0, ...deployments.map((d) => d.desiredCount))),
    deployments,
    events: eventsFrom(s),
    targetGroupArns: [...new Set((s.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => Boolean(a)))],
    /** The ports the service registers its tasks' addresses with, for `ip` targets. */
    containerPorts: [...new Set((s.loadBalancers ?? []).map((lb) => lb.containerPort).filter((p): p is number => typeof p === 'number'))],
  };
}

/**
 * @param instanceIds container instance ARN → EC2 instance ID, for tasks on EC2 with bridge or
 * host networking, whose targets are `instanceId:hostPort`.
 * @param containerPorts the service's load balancer container ports: awsvpc tasks are `ip:port`
 * targets, and an address alone could match another port's target (or a reused address).
 */
export function taskFrom(t: Task, instanceIds: ReadonlyMap<string, string> = new Map(), containerPorts: readonly number[] = []): TaskSnapshot {
  const keys = new Set<string>();
  const addresses = new Set<string>();
  for (const a of t.attachments ?? []) {
    if (a.type !== 'ElasticNetworkInterface' && a.type !== 'eni') continue;
    const ip = a.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) addresses.add(ip);
  }
  for (const c of t.containers ?? []) for (const ni of c.networkInterfaces ?? []) if (ni.privateIpv4Address) addresses.add(ni.privateIpv4Address);
  for (const ip of addresses) for (const port of containerPorts) keys.add(targetKey({ id: ip, port }));
  for (const c of t.containers ?? []) {
    const instance = t.containerInstanceArn ? instanceIds.get(t.containerInstanceArn) : undefined;
    if (instance) {
      for (const b of c.networkBindings ?? []) if (b.hostPort) keys.add(targetKey({ id: instance, port: b.hostPort }));
    }
  }
  return {
    arn: t.taskArn ?? '',
    taskDefinitionArn: t.taskDefinitionArn ?? '',
    startedBy: t.startedBy,
    lastStatus: t.lastStatus ?? 'UNKNOWN',
    desiredStatus: t.desiredStatus ?? 'UNKNOWN',
    healthStatus: t.healthStatus,
    targetKeys: [...keys],
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    containers: (t.containers ?? []).map((c) => ({
      name: c.name ?? '',
      lastStatus: c.lastStatus,
      exitCode: c.exitCode ?? undefined,
      reason: c.reason,
      healthStatus: c.healthStatus,
    })),
    startedAt: epochMs(t.startedAt as Time),
    stoppedAt: epochMs(t.stoppedAt as Time),
  };
}

export function targetFrom(d: TargetHealthDescription): TargetSnapshot {
  return {
    id: d.Target?.Id ?? '',
    port: d.Target?.Port,
    state: d.TargetHealth?.State ?? 'unknown',
    reason: d.TargetHealth?.Reason,
    description: d.TargetHealth?.Description,
  };
}

export function hasHealthChecks(td: TaskDefinition): boolean {
  return (td.containerDefinitions ?? []).some((c) => (c.healthCheck?.command ?? []).length > 0);
}
