// Plain, SDK-free pictures of what AWS said at one poll. The AWS reader produces them; the pure
// core consumes them; tests build them from the real API shapes in test/fixtures/aws.

/** The newest of several deployments or task sets (by `createdAt`); undefined for none. */
export function newestOf<T extends { createdAt: number }>(items: readonly T[]): T | undefined {
  return items.reduce<T | undefined>((a, x) => (!a || x.createdAt > a.createdAt ? x : a), undefined);
}

/** What the watch asks of one read, from the core's view (core/view.ts). */
export interface ReadOptions {
  /** List and describe tasks even when DescribeServices shows no change: a verdict from this read needs fresh task data. */
  force?: boolean;
  /** Services whose "live" is settled: their traffic and targets need not be read again. */
  settled?: readonly string[];
  /**
   * Services whose targets change only with something DescribeServices shows (tasks started or
   * stopped): while it shows no change, their target health is not read again.
   */
  quiet?: readonly string[];
}

export interface DeploymentSnapshot {
  id: string;
  /** PRIMARY (the one ECS drives towards), ACTIVE (older, being drained), INACTIVE. */
  status: string;
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  /** IN_PROGRESS, COMPLETED or FAILED; absent on old API shapes. */
  rolloutState?: string;
  rolloutStateReason?: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ContainerSnapshot {
  name: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: string;
}

export interface TaskSnapshot {
  arn: string;
  taskDefinitionArn: string;
  /** `ecs-svc/<deployment id>` for service tasks. */
  startedBy?: string;
  lastStatus: string;
  desiredStatus: string;
  /** HEALTHY, UNHEALTHY or UNKNOWN (UNKNOWN also when no container has a health check). */
  healthStatus?: string;
  /** How this task appears as a load balancer target; see `targetKey`. */
  targetKeys: string[];
  stopCode?: string;
  stoppedReason?: string;
  containers: ContainerSnapshot[];
  /** When ECS created it (epoch ms): the start of PROVISIONING. */
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  /** The capacity provider it runs on (FARGATE, FARGATE_SPOT or an Auto Scaling group's), when it uses one. */
  capacityProvider?: string;
  /** EC2, FARGATE, EXTERNAL… (Task.launchType), when ECS says. */
  launchType?: string;
  /** When its image pull began and ended (epoch ms), when ECS says. */
  pullStartedAt?: number;
  pullStoppedAt?: number;
}

export interface TargetSnapshot {
  id: string;
  port?: number;
  /** initial, healthy, unhealthy, unused, draining, unavailable, unhealthy.draining */
  state: string;
  reason?: string;
  description?: string;
  /** The load balancer's anomaly detection flags it (automatic target weights: it routes less traffic to it). */
  anomalous?: boolean;
}

export interface TargetGroupSnapshot {
  arn: string;
  targets: TargetSnapshot[];
  /** Its health check and deregistration delay, read once per run (for estimates). */
  settings?: TargetGroupSettings;
}

/** DescribeTargetGroups and DescribeTargetGroupAttributes, the parts that say how long things take and where its metrics are. */
export interface TargetGroupSettings {
  healthCheckIntervalSeconds?: number;
  healthyThresholdCount?: number;
  /** deregistration_delay.timeout_seconds: how long old targets drain. */
  deregistrationDelaySeconds?: number;
  /** Its protocol (TargetGroup.Protocol): TCP, UDP, TLS… are a Network Load Balancer's, which registers slowly. */
  protocol?: string;
  /** The load balancers that route to it (TargetGroup.LoadBalancerArns): its metrics are per load balancer. */
  loadBalancerArns?: string[];
}

/**
 * The slowest of several target groups' settings: the health checks that take longest to pass,
 * the longest deregistration delay, and a Network Load Balancer's protocol when any group has one
 * (a rollout waits for its slowest group).
 */
export function slowestSettings(settings: readonly TargetGroupSettings[]): TargetGroupSettings | undefined {
  if (!settings.length) return undefined;
  const checks = (g: TargetGroupSettings) => (g.healthCheckIntervalSeconds ?? 0) * (g.healthyThresholdCount ?? 0);
  const slowest = settings.reduce((a, g) => (checks(g) > checks(a) ? g : a));
  const delays = settings.flatMap((g) => (g.deregistrationDelaySeconds === undefined ? [] : [g.deregistrationDelaySeconds]));
  const { deregistrationDelaySeconds: _, protocol: _protocol, loadBalancerArns: _balancers, ...healthChecks } = slowest;
  const protocol = (settings.find(isNetworkLoadBalanced) ?? slowest).protocol;
  return { ...healthChecks, ...(delays.length ? { deregistrationDelaySeconds: Math.max(...delays) } : {}), ...(protocol ? { protocol } : {}) };
}

/** A Network Load Balancer's target group protocols (API_TargetGroup.html, Protocol). */
const NETWORK_PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'TLS', 'TCP_UDP', 'QUIC', 'TCP_QUIC']);

export function isNetworkLoadBalanced(settings: Pick<TargetGroupSettings, 'protocol'>): boolean {
  return settings.protocol !== undefined && NETWORK_PROTOCOLS.has(settings.protocol);
}

/**
 * A Network Load Balancer leaves a newly registered target in `initial` for minutes before its
 * first health check: "it is expected to take between 3-5 minutes (180 and 300 seconds)" (AWS
 * Support, quoted in kubernetes-sigs/aws-load-balancer-controller#1834); the first check seen after
 * 70–120 s at the earliest (aws/containers-roadmap#469, ECS on Fargate behind an NLB). An
 * Application Load Balancer checks within an interval of the registration.
 */
export const NLB_FIRST_CHECK_EARLIEST_S = 70;
export const NLB_REGISTRATION_UP_TO_S = 300;

/** From when to when after its registration a target's first health check may come (seconds), beyond the interval itself. */
export function registrationWindowS(settings: Pick<TargetGroupSettings, 'protocol'>): { fromS: number; toS: number } {
  return isNetworkLoadBalanced(settings) ? { fromS: NLB_FIRST_CHECK_EARLIEST_S, toS: NLB_REGISTRATION_UP_TO_S } : { fromS: 0, toS: 0 };
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceSnapshot {
  name: string;
  arn: string;
  /** ACTIVE, DRAINING (being deleted) or INACTIVE (deleted). */
  status: string;
  /** ECS, CODE_DEPLOY or EXTERNAL. */
  deploymentController: string;
  /** ROLLING, BLUE_GREEN, LINEAR, CANARY (ECS-native strategies); absent means ROLLING. */
  deploymentStrategy?: string;
  /** Seconds ECS ignores failing load balancer health checks of a new task. */
  healthCheckGracePeriodSeconds?: number;
  /** The deployment circuit breaker, when the answer says (it stops a crash loop by failing the deployment). */
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** Deployment alarms (deploymentConfiguration.alarms), when enabled: ECS fails the deployment, and with `rollback` rolls it back, when one goes into ALARM. */
  deploymentAlarms?: { names: string[]; rollback: boolean };
  /** deploymentConfiguration.bakeTimeInMinutes, when the answer gives it. */
  bakeTimeMinutes?: number;
  /**
   * Early success criteria (rolling, deploymentConfiguration.earlySuccessCriteria), when enabled: ECS
   * calls the deployment successful once `healthyPercent` of the tasks are healthy, and from then on
   * neither the circuit breaker nor the alarms roll it back; with DEFERRED cleanup the old revision
   * is removed after that.
   */
  earlySuccess?: { healthyPercent: number; cleanup?: string };
  /** The CloudWatch alarms that rolled a deployment of this run back (DescribeServiceDeployments), when read. */
  triggeredAlarms?: string[];
  /** How close the circuit breaker is to tripping (DescribeServiceDeployments), when read. */
  breakerCount?: { failureCount?: number; threshold?: number; status?: string };
  desiredCount: number;
  deployments: DeploymentSnapshot[];
  /** Newest first, as ECS returns them. */
  events: ServiceEvent[];
  /** Every task the reader knows: those with desired status RUNNING, and stopped ones it followed. */
  tasks: TaskSnapshot[];
  targetGroups: TargetGroupSnapshot[];
  /** Task definition ARN → whether any of its containers has a health check. */
  healthChecks: Record<string, boolean>;
  /** ECS-native traffic shifting (BLUE_GREEN, LINEAR, CANARY): the service deployments and the production listener. */
  shift?: ShiftSnapshot;
  /** The CODE_DEPLOY controller: ECS task sets (`deployments` is empty for these services). */
  taskSets?: TaskSetSnapshot[];
  /** The CODE_DEPLOY controller: the CodeDeploy deployments of the replacement task sets seen this run. */
  codeDeploy?: CodeDeploySnapshot[];
  /** ECS Express Mode (resourceManagementType ECS): the endpoint ECS gives the service, when read. */
  express?: { endpoint?: string };
}

/** An ECS task set (DescribeServices, CODE_DEPLOY controller). */
export interface TaskSetSnapshot {
  id: string;
  /** PRIMARY (serving production), ACTIVE (the replacement, or the original after a flip) or DRAINING. */
  status: string;
  taskDefinitionArn: string;
  /** The CodeDeploy deployment ID that created it. */
  externalId?: string;
  desired: number;
  running: number;
  pending: number;
  createdAt: number;
}

/** A lifecycle event of a CodeDeploy ECS deployment target (GetDeploymentTarget). */
export interface LifecycleEventSnapshot {
  /** BeforeInstall, Install, AfterInstall, AllowTestTraffic, AfterAllowTestTraffic, BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic. */
  name: string;
  /** Pending, InProgress, Succeeded, Failed, Skipped, Unknown. */
  status: string;
  startedAt?: number;
  endedAt?: number;
  diagnostics?: { errorCode?: string; script?: string; message?: string; logTail?: string };
}

/** CodeDeploy's account of one deployment (GetDeployment and GetDeploymentTarget). */
export interface CodeDeploySnapshot {
  id: string;
  /** Created, Queued, InProgress, Baking, Ready, Succeeded, Failed, Stopped. */
  status: string;
  error?: { code?: string; message?: string };
  rollback?: { deploymentId?: string; triggeredBy?: string; message?: string };
  configName?: string;
  createdAt?: number;
  /** Minutes CodeDeploy keeps the original task set after the traffic moved. */
  terminationWaitMinutes?: number;
  /** While Ready: CONTINUE_DEPLOYMENT (reroutes by itself after the wait) or STOP_DEPLOYMENT (someone must reroute). */
  readyAction?: string;
  readyWaitMinutes?: number;
  events: LifecycleEventSnapshot[];
  /** Lifecycle event → the Lambda function its AppSpec names for it, when the AppSpec was given inline. */
  hookFunctions?: Record<string, string>;
  /** Where the AppSpec is kept when it is not inline (`s3://bucket/key`): the pipe does not read it, a person can. */
  appSpecAt?: string;
  taskSets: Array<{ label: string; weight?: number; desired: number; running: number; pending: number; targetGroup?: string }>;
}

/**
 * What a traffic-shifting deployment looks like at one poll. ECS's own account of it
 * (DescribeServiceDeployments) is documented to lag, so the production listener's weights are read
 * from the load balancer itself while they matter.
 */
export interface ShiftSnapshot {
  /** The service's `currentServiceDeployment` (DescribeServices). */
  current?: string;
  /** The current service deployment and every other one this run saw as current, newest first. */
  deployments: ServiceDeploymentSnapshot[];
  /** Production listener rules (ALB) or listeners (NLB) as read this poll; empty when not read. */
  production: ListenerTraffic[];
}

/** One service revision of a service deployment, with what DescribeServiceRevisions resolved. */
export interface RevisionShare {
  arn: string;
  /** Undefined until the revision has been described. */
  taskDefinitionArn?: string;
  requested: number;
  running: number;
  pending: number;
  /** The weights ECS intends (percent); the listener's are the truth. */
  productionWeight?: number;
  testWeight?: number;
  /** The target groups this revision's tasks register with (resolvedConfiguration). */
  targetGroupArns: string[];
  /** The production listener rules (or listeners) that send its traffic. */
  listeners: string[];
}

export interface LifecycleHookSnapshot {
  id: string;
  /** AWS_LAMBDA or PAUSE. */
  targetType: string;
  /** IN_PROGRESS, AWAITING_ACTION, SUCCEEDED, FAILED, TIMED_OUT. */
  status: string;
  expiresAt?: number;
  /** CONTINUE or ROLLBACK when the hook times out. */
  timeoutAction?: string;
  /** AWS_LAMBDA hooks: the function's ARN. */
  targetArn?: string;
}

/** DescribeServiceDeployments, for one deployment. */
export interface ServiceDeploymentSnapshot {
  arn: string;
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOP_REQUESTED, STOPPED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED. */
  status: string;
  statusReason?: string;
  /** RECONCILE_SERVICE … CLEAN_UP (see LIFECYCLE_STAGES). */
  lifecycleStage?: string;
  createdAt: number;
  updatedAt?: number;
  target: RevisionShare;
  sources: RevisionShare[];
  hooks: LifecycleHookSnapshot[];
  /** BLUE_GREEN, LINEAR or CANARY (ROLLING deployments are judged from DescribeServices). */
  strategy?: string;
  bakeTimeMinutes?: number;
  linear?: { stepPercent?: number; stepBakeMinutes?: number };
  canary?: { percent?: number; bakeMinutes?: number };
  rollback?: { reason?: string; startedAt?: number; revisionArn?: string };
  /** MONITORING, MONITORING_COMPLETE, TRIGGERED or DISABLED, with ECS's counts. */
  circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
  alarms?: { status?: string; triggered: string[] };
}

/** A production listener rule's (or listener's) forward action: the share of each target group. */
export interface ListenerTraffic {
  arn: string;
  weights: Array<{ targetGroupArn: string; weight: number }>;
}

/**
 * The tasks of one deployment. ECS starts a service's tasks with `startedBy` set to the deployment's
 * ID ("If an Amazon ECS service started the task, the startedBy parameter contains the deployment ID
 * of that service", API_Task.html): two deployments of one task definition, which is what
 * `update-service --force-new-deployment` makes (a new image behind the same tag, a rotated
 * secret), differ only there. A cohort without a deployment ID (traffic shifting and CodeDeploy are
 * followed by revision and task set) is its task definition's tasks.
 */
export interface Cohort {
  taskDefinitionArn: string;
  /** `ecs-svc/…`: the rolling deployment whose tasks these are. */
  deploymentId?: string;
}

/** The cohort of a watch's task definition and, for a rolling update, its deployment; none before ours is known. */
export function cohortOf(taskDefinitionArn: string | undefined, deploymentId?: string): Cohort | undefined {
  if (taskDefinitionArn === undefined) return undefined;
  return deploymentId ? { taskDefinitionArn, deploymentId } : { taskDefinitionArn };
}

/** What ECS puts in a task's `startedBy` when a service deployment started it. */
const SERVICE_STARTED_BY = 'ecs-svc/';

/** Whether `task` belongs to `cohort`: by the deployment that started it when both say, else by task definition. */
export function inCohort(task: Pick<TaskSnapshot, 'taskDefinitionArn' | 'startedBy'>, cohort: Cohort): boolean {
  if (cohort.deploymentId && task.startedBy?.startsWith(SERVICE_STARTED_BY)) return task.startedBy === cohort.deploymentId;
  return task.taskDefinitionArn === cohort.taskDefinitionArn;
}

/**
 * The key under which a task and its load balancer target meet: `ip:port` for `ip` targets
 * (awsvpc networking: the task's address and the service's container port), `instanceId:hostPort`
 * for `instance` targets (bridge and host networking).
 */
export function targetKey(target: { id: string; port?: number }): string {
  return `${target.id}:${target.port ?? ''}`;
}

/** `draining` and `unhealthy.draining`: deregistering, no new requests. */
export function isDraining(target: { state: string }): boolean {
  return target.state.includes('draining');
}

/** The ECS-native strategies that shift traffic between two target groups (deployment controller ECS). */
export const SHIFTING_STRATEGIES: ReadonlySet<string> = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);

/**
 * ECS's lifecycle stages in the order a deployment passes them (ServiceDeployment.lifecycleStage in
 * the API reference; the SDK's enum lacks PRE_PRODUCTION_TRAFFIC_SHIFT, which the field's own
 * documentation lists). Polls may skip stages, so compare order, never equality.
 */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Whether `stage` is `ref` or later; an unknown or absent stage is before every known one. */
export function atOrAfter(stage: string | undefined, ref: LifecycleStage): boolean {
  return (STAGE_ORDER.get(stage ?? '') ?? -1) >= LIFECYCLE_STAGES.indexOf(ref);
}

const STAGE_ORDER = new Map<string, number>(LIFECYCLE_STAGES.map((s, i) => [s, i]));
