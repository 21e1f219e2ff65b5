// Builders for realistic snapshots: they start from the real API shapes in test/fixtures/aws (where
// each came from: test/fixtures/aws/sources.md) and go through the same mapping the reader uses.
import { readFileSync } from 'node:fs';
import type { Deployment, Service, ServiceDeployment, Task } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { deploymentFrom, type RevisionInfo, ruleTrafficFrom, serviceDeploymentFrom, serviceFrom, targetFrom, taskFrom } from '../../src/aws/to-snapshot.ts';
import type {
  DeploymentSnapshot,
  ListenerTraffic,
  ServiceDeploymentSnapshot,
  ServiceSnapshot,
  TargetGroupSettings,
  TargetGroupSnapshot,
  TaskSnapshot,
} from '../../src/core/snapshot.ts';

// biome-ignore lint/suspicious/noExplicitAny: the samples are untyped JSON.
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

/** The deployments of the update-service example (deployment()): ECS starts each one's tasks with its ID as `startedBy`. */
export const NEW_ID = 'ecs-svc/7419115625193919142';
export const OLD_ID = 'ecs-svc/1709597507655421668';
/** The deployment that started a task of `td`, as ECS says it in `startedBy` (API_Task.html). */
export function startedByOf(td: string): string | undefined {
  return td === NEW_TD ? NEW_ID : td === OLD_TD ? OLD_ID : undefined;
}

/**
 * A Fargate awsvpc task from the describe-tasks example, re-addressed to `ip`, started by the
 * deployment of `td` (deployment()). `port`: the container port the service registers with its
 * target groups.
 */
export function task(ip: string, td: string, fields: Partial<Task> = {}, port = 8080): TaskSnapshot {
  const base = structuredClone(sample('describe-tasks-running-fargate-awsvpc').tasks[0]) as Task;
  base.taskArn = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/prod/${ip.replaceAll('.', '')}abcdef`;
  base.taskDefinitionArn = td;
  base.startedBy = startedByOf(td) ?? base.startedBy;
  base.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value = ip;
  base.containers![0]!.networkInterfaces![0]!.privateIpv4Address = ip;
  // The example's timestamps (2021), moved to T0 with their spacing kept: a task created with the rollout.
  const shift = T0 - new Date(base.createdAt!).getTime();
  for (const key of ['createdAt', 'connectivityAt', 'pullStartedAt', 'pullStoppedAt', 'startedAt'] as const) {
    if (base[key]) base[key] = new Date(new Date(base[key]).getTime() + shift);
  }
  return taskFrom({ ...base, ...fields }, new Map(), [port]);
}

/** The stopped task from the real "failed ELB health checks" event, moved onto our task definition. */
export function stoppedByElb(td = NEW_TD): TaskSnapshot {
  const detail = sample('task-stopped-elb-health-check').detail as Task;
  return taskFrom({ ...detail, taskDefinitionArn: td, startedBy: startedByOf(td) ?? detail.startedBy }, new Map(), [8080]);
}

export function targets(...entries: Array<[ip: string, state: string, reason?: string, description?: string]>): TargetGroupSnapshot {
  return {
    arn: TG,
    targets: entries.map(([ip, state, reason, description]) =>
      targetFrom({
        Target: { Id: ip, Port: 8080 },
        TargetHealth: { State: state as never, Reason: reason as never, Description: description },
      } as TargetHealthDescription),
    ),
  };
}

export function service(fields: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  const s = serviceFrom(sample('describe-services-rolling-in-progress').describeServicesShape.services[0] as Service);
  const { targetGroupArns: _unused, currentServiceDeployment: _current, productionListeners: _listeners, ...rest } = s;
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

// Traffic shifting (BLUE_GREEN, LINEAR, CANARY). The base is the AWS CLI's describe-service-deployments
// example; the blue/green fields are those of the ServiceDeployment reference
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html).
export const BLUE_TG = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/shop-api-blue/c60a6bb13d7053cd`;
export const GREEN_TG = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/shop-api-green/9d0e3c3f1a2b4c5d`;
export const RULE = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:listener-rule/app/shop-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
export const OLD_REVISION = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/prod/shop-api/4980306466373577095`;
export const NEW_REVISION = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/prod/shop-api/1485800978477494678`;
export const NEW_DEPLOYMENT = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/prod/shop-api/ejGvqq2ilnbKT9qj0vLJe`;
export const OLD_DEPLOYMENT = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/prod/shop-api/r9Lhv3TqGqY0d4oS1n0Xa`;

/** What DescribeServiceRevisions resolved: the old revision on blue, the new one on green, one production rule. */
export const REVISIONS = new Map<string, RevisionInfo>([
  [OLD_REVISION, { taskDefinitionArn: OLD_TD, targetGroupArns: [BLUE_TG], listeners: [RULE] }],
  [NEW_REVISION, { taskDefinitionArn: NEW_TD, targetGroupArns: [GREEN_TG], listeners: [RULE] }],
]);

/** A service deployment of shop-api:42 over shop-api:41, at `lifecycleStage`. */
export function serviceDeployment(fields: Partial<ServiceDeployment> = {}, revisions = REVISIONS): ServiceDeploymentSnapshot {
  const base = structuredClone(sample('describe-service-deployments-successful').serviceDeployments[0]) as ServiceDeployment;
  const d: ServiceDeployment = {
    ...base,
    serviceDeploymentArn: NEW_DEPLOYMENT,
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    status: 'IN_PROGRESS',
    lifecycleStage: 'SCALE_UP',
    sourceServiceRevisions: [{ arn: OLD_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0, requestedProductionTrafficWeight: 100 }],
    targetServiceRevision: { arn: NEW_REVISION, requestedTaskCount: 2, runningTaskCount: 0, pendingTaskCount: 2, requestedProductionTrafficWeight: 0 },
    deploymentConfiguration: { ...base.deploymentConfiguration, strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 },
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    lifecycleHookDetails: [],
    ...fields,
  };
  return serviceDeploymentFrom(d, revisions);
}

/** The previous deployment, which put shop-api:41 on blue a day ago. */
export function previousDeployment(): ServiceDeploymentSnapshot {
  return serviceDeployment({
    serviceDeploymentArn: OLD_DEPLOYMENT,
    createdAt: new Date(T0 - 86_400_000),
    status: 'SUCCESSFUL',
    lifecycleStage: 'CLEAN_UP',
    sourceServiceRevisions: [],
    targetServiceRevision: { arn: OLD_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0, requestedProductionTrafficWeight: 100 },
  });
}

/** The production rule as DescribeRules returns it: a forward action weighing blue and green. */
export function rule(blue: number, green: number): ListenerTraffic {
  return ruleTrafficFrom({
    RuleArn: RULE,
    Priority: '10',
    Actions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE_TG, Weight: blue },
            { TargetGroupArn: GREEN_TG, Weight: green },
          ],
        },
      },
    ],
  });
}

export function greenTargets(...entries: Parameters<typeof targets>): TargetGroupSnapshot {
  return { ...targets(...entries), arn: GREEN_TG };
}

/** A blue/green service snapshot: the deployments ECS describes, the rule as read, green's targets. */
export function shiftService(
  ours: ServiceDeploymentSnapshot | undefined,
  fields: {
    production?: ListenerTraffic[];
    green?: TargetGroupSnapshot;
    current?: string;
    others?: ServiceDeploymentSnapshot[];
  } & Partial<ServiceSnapshot> = {},
): ServiceSnapshot {
  const { production = [], green, current, others = [previousDeployment()], ...rest } = fields;
  const deployments = [...(ours ? [ours] : []), ...others].sort((a, b) => b.createdAt - a.createdAt);
  return service({
    deploymentStrategy: 'BLUE_GREEN',
    targetGroups: green ? [green] : [],
    shift: { current: current ?? (ours ?? others[0])?.arn, deployments, production },
    ...rest,
  });
}

/** Two old tasks (shop-api:41) and two new ones (shop-api:42) as ECS lists them, with their targets' addresses. */
const OLD_TASKS = [task('10.0.1.10', OLD_TD), task('10.0.1.11', OLD_TD)];
const NEW_TASKS = [task('10.0.2.20', NEW_TD), task('10.0.2.21', NEW_TD)];

/** A target group's settings as DescribeTargetGroups and its attributes give them: 5 × 10 s health checks, the default 300 s drain. */
export const TG_SETTINGS = { healthCheckIntervalSeconds: 10, healthyThresholdCount: 5, deregistrationDelaySeconds: 300 };

/** A snapshot whose target groups' settings have been read (the reader reads them once per run). */
export function withSettings(snap: ServiceSnapshot, settings: TargetGroupSettings = TG_SETTINGS): ServiceSnapshot {
  return { ...snap, targetGroups: snap.targetGroups.map((g) => ({ ...g, settings })) };
}

/** One rolling update of shop-api from :41 to :42 with two tasks, as successive polls see it. */
/**
 * The rollout's new targets under health checks of `intervalS` × `threshold`, registered at T0 + 5 s
 * as ECS's service event says: the core predicts them healthy at T0 + 5 s + threshold × interval.
 */
export function checkedTargets(intervalS: number, threshold: number): ServiceSnapshot {
  return {
    ...ROLLOUT.registering,
    targetGroups: ROLLOUT.registering.targetGroups.map((g) => ({
      ...g,
      settings: { healthCheckIntervalSeconds: intervalS, healthyThresholdCount: threshold },
    })),
    events: [
      {
        id: 'e1',
        createdAt: T0 + 5000,
        message:
          '(service shop-api) registered 2 targets in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-api/c60a6bb13d7053cd)',
      },
    ],
  };
}

export const ROLLOUT = {
  oldTasks: OLD_TASKS,
  newTasks: NEW_TASKS,
  starting: service({ tasks: OLD_TASKS, targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'])] }),
  registering: service({
    tasks: [...OLD_TASKS, ...NEW_TASKS],
    targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'], ['10.0.2.20', 'initial'], ['10.0.2.21', 'initial'])],
  }),
  cutover: service({
    tasks: [...OLD_TASKS, ...NEW_TASKS],
    targetGroups: [targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
  }),
  draining: service({
    tasks: [...OLD_TASKS.map((t) => ({ ...t, desiredStatus: 'STOPPED' })), ...NEW_TASKS],
    targetGroups: [targets(['10.0.1.10', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
  }),
  retired: service({
    deployments: [deployment('new', { rolloutState: 'COMPLETED' })],
    tasks: [...OLD_TASKS.map((t) => ({ ...t, desiredStatus: 'STOPPED', lastStatus: 'STOPPED' })), ...NEW_TASKS],
    targetGroups: [targets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy'])],
  }),
  failed: service({
    deployments: [
      deployment('new', { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }),
      deployment('old'),
    ],
    tasks: OLD_TASKS,
  }),
} satisfies Record<string, ServiceSnapshot | TaskSnapshot[]>;
