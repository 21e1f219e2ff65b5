// Turns AWS SDK response objects into the plain snapshot types. Pure; accepts timestamps as the SDK
// gives them (Date) and as JSON samples and events carry them (ISO strings, epoch numbers).
import type {
  Deployment,
  DeploymentConfiguration,
  Service,
  ServiceDeployment,
  ServiceRevision,
  ServiceRevisionSummary,
  Task,
  TaskDefinition,
  TaskSet,
} from '@aws-sdk/client-ecs';
import type { Action, Listener, Rule, TargetGroup, TargetGroupAttribute, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  DeploymentSnapshot,
  ListenerTraffic,
  RevisionShare,
  ServiceDeploymentSnapshot,
  ServiceEvent,
  TargetGroupSettings,
  TargetSnapshot,
  TaskSetSnapshot,
  TaskSnapshot,
} from '../core/snapshot.ts';
import { targetKey } from '../core/snapshot.ts';

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
    createdAt: epochMs(d.createdAt) ?? 0,
  };
}

export function eventsFrom(s: Service): ServiceEvent[] {
  return (s.events ?? []).map((e) => ({ id: e.id ?? '', createdAt: epochMs(e.createdAt) ?? 0, message: e.message ?? '' }));
}

/** What of deploymentConfiguration says how long ECS watches a deployment and what may still roll it back. */
function deploymentSettingsFrom(c: DeploymentConfiguration | undefined) {
  const alarms = c?.alarms;
  const early = c?.earlySuccessCriteria;
  return {
    ...(alarms?.enable && alarms.alarmNames?.length ? { deploymentAlarms: { names: alarms.alarmNames, rollback: alarms.rollback ?? false } } : {}),
    ...(c?.bakeTimeInMinutes !== undefined ? { bakeTimeMinutes: c.bakeTimeInMinutes } : {}),
    ...(early?.enable && early.healthyPercent !== undefined
      ? {
          earlySuccess: {
            healthyPercent: early.healthyPercent,
            ...(early.sourceServiceRevisionCleanup ? { cleanup: early.sourceServiceRevisionCleanup } : {}),
          },
        }
      : {}),
  };
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
    /** ECS Express Mode: ECS manages the service's resources (its endpoint is read apart). */
    expressMode: s.resourceManagementType === 'ECS',
    ...(s.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds } : {}),
    circuitBreaker: s.deploymentConfiguration?.deploymentCircuitBreaker
      ? {
          enable: s.deploymentConfiguration.deploymentCircuitBreaker.enable ?? false,
          rollback: s.deploymentConfiguration.deploymentCircuitBreaker.rollback ?? false,
        }
      : undefined,
    // Absent from some answers (and from EventBridge events), where "0 tasks wanted" would read as
    // already done: the PRIMARY deployment's count is what ECS drives towards, but right after
    // update-service it is still 0 while the old deployment holds the count.
    ...deploymentSettingsFrom(s.deploymentConfiguration),
    desiredCount: s.desiredCount ?? (deployments.find((d) => d.status === 'PRIMARY')?.desiredCount || Math.max(0, ...deployments.map((d) => d.desiredCount))),
    deployments,
    events: eventsFrom(s),
    targetGroupArns: [...new Set((s.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => Boolean(a)))],
    /** CODE_DEPLOY controller: the task sets (these services list no deployments). */
    ...(s.taskSets ? { taskSets: s.taskSets.map(taskSetFrom) } : {}),
    /** The current service deployment (ECS-native deployments since 2024). */
    currentServiceDeployment: s.currentServiceDeployment,
    /** Blue/green: the production listener rules (or listeners) that the service's deployments shift. */
    productionListeners: [
      ...new Set((s.loadBalancers ?? []).map((lb) => lb.advancedConfiguration?.productionListenerRule).filter((a): a is string => Boolean(a))),
    ],
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
    createdAt: epochMs(t.createdAt),
    startedAt: epochMs(t.startedAt),
    stoppedAt: epochMs(t.stoppedAt),
    capacityProvider: t.capacityProviderName,
    launchType: t.launchType,
    pullStartedAt: epochMs(t.pullStartedAt),
    pullStoppedAt: epochMs(t.pullStoppedAt),
  };
}

export function targetFrom(d: TargetHealthDescription): TargetSnapshot {
  return {
    id: d.Target?.Id ?? '',
    port: d.Target?.Port,
    state: d.TargetHealth?.State ?? 'unknown',
    reason: d.TargetHealth?.Reason,
    description: d.TargetHealth?.Description,
    ...(d.AnomalyDetection?.Result === 'anomalous' ? { anomalous: true } : {}),
  };
}

export function hasHealthChecks(td: TaskDefinition): boolean {
  return (td.containerDefinitions ?? []).some((c) => (c.healthCheck?.command ?? []).length > 0);
}

export function taskSetFrom(t: TaskSet): TaskSetSnapshot {
  return {
    id: t.id ?? '',
    status: t.status ?? 'ACTIVE',
    taskDefinitionArn: t.taskDefinition ?? '',
    externalId: t.externalId,
    desired: t.computedDesiredCount ?? 0,
    running: t.runningCount ?? 0,
    pending: t.pendingCount ?? 0,
    createdAt: epochMs(t.createdAt) ?? 0,
  };
}

/** What a service revision resolved to: its task definition, target groups and production listeners. Immutable. */
export interface RevisionInfo {
  taskDefinitionArn?: string;
  targetGroupArns: string[];
  listeners: string[];
}

export function revisionFrom(r: ServiceRevision): RevisionInfo {
  const resolved = r.resolvedConfiguration?.loadBalancers ?? [];
  return {
    taskDefinitionArn: r.taskDefinition,
    targetGroupArns: [...new Set(resolved.map((lb) => lb.targetGroupArn).filter((a): a is string => Boolean(a)))],
    listeners: [...new Set(resolved.map((lb) => lb.productionListenerRule).filter((a): a is string => Boolean(a)))],
  };
}

function shareFrom(r: ServiceRevisionSummary | undefined, revisions: ReadonlyMap<string, RevisionInfo>): RevisionShare {
  const info = revisions.get(r?.arn ?? '');
  return {
    arn: r?.arn ?? '',
    taskDefinitionArn: info?.taskDefinitionArn,
    requested: r?.requestedTaskCount ?? 0,
    running: r?.runningTaskCount ?? 0,
    pending: r?.pendingTaskCount ?? 0,
    productionWeight: r?.requestedProductionTrafficWeight,
    testWeight: r?.requestedTestTrafficWeight,
    targetGroupArns: info?.targetGroupArns ?? [],
    listeners: info?.listeners ?? [],
  };
}

/** A DescribeServiceDeployments entry, with what its revisions resolved to (from DescribeServiceRevisions). */
export function serviceDeploymentFrom(d: ServiceDeployment, revisions: ReadonlyMap<string, RevisionInfo>): ServiceDeploymentSnapshot {
  const config = d.deploymentConfiguration;
  return {
    arn: d.serviceDeploymentArn ?? '',
    status: d.status ?? 'PENDING',
    statusReason: d.statusReason,
    lifecycleStage: d.lifecycleStage,
    createdAt: epochMs(d.createdAt) ?? 0,
    updatedAt: epochMs(d.updatedAt),
    target: shareFrom(d.targetServiceRevision, revisions),
    sources: (d.sourceServiceRevisions ?? []).map((r) => shareFrom(r, revisions)),
    hooks: (d.lifecycleHookDetails ?? []).map((h) => ({
      id: h.hookId ?? h.targetArn ?? 'hook',
      targetType: h.targetType ?? 'AWS_LAMBDA',
      status: h.status ?? 'IN_PROGRESS',
      expiresAt: epochMs(h.expiresAt),
      timeoutAction: h.timeoutAction,
      ...(h.targetArn ? { targetArn: h.targetArn } : {}),
    })),
    strategy: config?.strategy,
    bakeTimeMinutes: config?.bakeTimeInMinutes,
    ...(config?.linearConfiguration
      ? { linear: { stepPercent: config.linearConfiguration.stepPercent, stepBakeMinutes: config.linearConfiguration.stepBakeTimeInMinutes } }
      : {}),
    ...(config?.canaryConfiguration
      ? { canary: { percent: config.canaryConfiguration.canaryPercent, bakeMinutes: config.canaryConfiguration.canaryBakeTimeInMinutes } }
      : {}),
    ...(d.rollback ? { rollback: { reason: d.rollback.reason, startedAt: epochMs(d.rollback.startedAt), revisionArn: d.rollback.serviceRevisionArn } } : {}),
    ...(d.deploymentCircuitBreaker
      ? {
          circuitBreaker: {
            status: d.deploymentCircuitBreaker.status,
            failureCount: d.deploymentCircuitBreaker.failureCount,
            threshold: d.deploymentCircuitBreaker.threshold,
          },
        }
      : {}),
    ...(d.alarms ? { alarms: { status: d.alarms.status, triggered: d.alarms.triggeredAlarmNames ?? [] } } : {}),
  };
}

/**
 * The forward action's weights. A plain `TargetGroupArn` forwards everything to one group; a
 * `ForwardConfig` weighs several (a weight left out counts as 1, as for a single group).
 */
function weightsOf(actions: Action[] | undefined): ListenerTraffic['weights'] {
  const forward = (actions ?? []).find((a) => a.Type === 'forward');
  if (!forward) return [];
  const tuples = forward.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length) return tuples.flatMap((t) => (t.TargetGroupArn ? [{ targetGroupArn: t.TargetGroupArn, weight: t.Weight ?? 1 }] : []));
  return forward.TargetGroupArn ? [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }] : [];
}

/** An ALB listener rule (DescribeRules). */
export function ruleTrafficFrom(r: Rule): ListenerTraffic {
  return { arn: r.RuleArn ?? '', weights: weightsOf(r.Actions) };
}

/** An NLB listener (DescribeListeners): its default action is the production route. */
export function listenerTrafficFrom(l: Listener): ListenerTraffic {
  return { arn: l.ListenerArn ?? '', weights: weightsOf(l.DefaultActions) };
}

/** How long a target group takes: its health check (DescribeTargetGroups) and deregistration delay (DescribeTargetGroupAttributes). */
export function targetGroupSettingsFrom(group: TargetGroup | undefined, attributes: TargetGroupAttribute[]): TargetGroupSettings {
  const delay = Number(attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value);
  return {
    healthCheckIntervalSeconds: group?.HealthCheckIntervalSeconds,
    healthyThresholdCount: group?.HealthyThresholdCount,
    ...(Number.isFinite(delay) ? { deregistrationDelaySeconds: delay } : {}),
    ...(group?.Protocol ? { protocol: group.Protocol } : {}),
    ...(group?.LoadBalancerArns?.length ? { loadBalancerArns: group.LoadBalancerArns } : {}),
  };
}

/** One service as this poll's DescribeServices described it. */
export interface ServiceRead {
  id: string;
  service: ReturnType<typeof serviceFrom>;
}
