// The simulated account's model: the shapes the scenarios mutate and the HTTP doubles answer from,
// and the names every double shares.

export const REGION = 'eu-west-1';
export const ACCOUNT_ID = '123456789012';
export const CLUSTER = 'prod';
export const tdArn = (family: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/${family}:${revision}`;
export const tgArn = (name: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:targetgroup/${name}/73e2d6bc24d8a067`;
/** The account's load balancer: an Application Load Balancer (`app/`), or a Network one (`net/`) for TCP target groups (API_LoadBalancer.html, LoadBalancerArn). */
export const lbArn = (kind: 'app' | 'net') =>
  `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:loadbalancer/${kind}/shop-${kind === 'app' ? 'alb' : 'nlb'}/50dc6c495c0c9188`;

/**
 * One minute of a target group's traffic, as an Application Load Balancer publishes it to
 * CloudWatch (load-balancer-cloudwatch-metrics.html): RequestCount, HTTPCode_Target_5XX_Count,
 * TargetConnectionErrorCount (Sum), TargetResponseTime in seconds (p95, p99). A scenario's numbers.
 */
export interface FakeMinute {
  requests: number;
  target5xx: number;
  connectionErrors: number;
  p95Seconds: number;
  p99Seconds: number;
}

/** One minute of the load balancer's own 5xx (HTTPCode_ELB_5XX_Count, _502_, _503_; per load balancer only). */
export interface FakeElbMinute {
  elb5xx: number;
  elb502: number;
  elb503: number;
}

/** The traffic every target group serves unless a scenario says otherwise: 20 requests a second, one 5xx a minute, p95 120 ms. */
export const STEADY_MINUTE: FakeMinute = { requests: 1200, target5xx: 1, connectionErrors: 0, p95Seconds: 0.12, p99Seconds: 0.3 };

export interface FakeTask {
  id: string;
  service: string;
  td: string;
  ip: string;
  deploymentId: string;
  lastStatus: string;
  desiredStatus: string;
  health?: string;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  /** When ECS created it (Task.createdAt): PROVISIONING starts here. */
  createdAt: number;
  /** Task.capacityProviderName, when the service uses a capacity provider strategy. */
  capacityProvider?: string;
  startedAt?: number;
  stoppedAt?: number;
  /** When its image pull began and ended (Task.pullStartedAt / pullStoppedAt). */
  pullStartedAt?: number;
  pullStoppedAt?: number;
}

export interface FakeTarget {
  id: string;
  port: number;
  state: string;
  reason?: string;
  description?: string;
  /** Flagged by the ALB's anomaly detection (API_AnomalyDetection.html: Result anomalous). */
  anomalous?: boolean;
}

export interface FakeDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  td: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  /** CloudWatch alarms that rolled this deployment back (shown by DescribeServiceDeployments). */
  triggeredAlarms?: string[];
}

/** A service revision (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevision.html). */
export interface FakeRevision {
  arn: string;
  td: string;
  /** The target group its tasks register with, and the production listener rule that routes to it (resolvedConfiguration). */
  targetGroup: string;
  listenerRule: string;
}

/** A revision's share of a service deployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevisionSummary.html). */
export interface FakeRevisionShare {
  arn: string;
  requested: number;
  running: number;
  pending: number;
  production?: number;
  test?: number;
}

/** A service deployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html). */
export interface FakeServiceDeployment {
  arn: string;
  status: string;
  statusReason?: string;
  lifecycleStage?: string;
  createdAt: number;
  updatedAt: number;
  target: FakeRevisionShare;
  sources: FakeRevisionShare[];
  /** lifecycleHookDetails; `targetArn`: an AWS_LAMBDA hook's function. */
  hooks: Array<{ hookId: string; targetType: string; status: string; expiresAt?: number; timeoutAction?: string; targetArn?: string }>;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  circuitBreaker: { status: string; failureCount: number; threshold: number };
  alarms: { status: string; alarmNames: string[]; triggeredAlarmNames: string[] };
}

/** ECS-native blue/green, linear or canary: two target groups behind one production listener rule. */
export interface FakeShift {
  strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
  bakeTimeInMinutes: number;
  linear?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canary?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  /** The service's configured target group and its alternate (advancedConfiguration). */
  primaryTargetGroup: string;
  alternateTargetGroup: string;
  listenerRule: string;
  /** deploymentConfiguration.alarms.alarmNames: the alarms that roll a deployment back. */
  alarms: string[];
  /** deploymentConfiguration.lifecycleHooks: the Lambda functions (ARNs) run as hooks. */
  lambdaHooks: string[];
  /** The rule's forward weights per target group. */
  weights: Map<string, number>;
  deployments: FakeServiceDeployment[];
  current?: string;
}

/** An ECS task set (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html). */
export interface FakeTaskSet {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  td: string;
  externalId: string;
  desired: number;
  running: number;
  pending: number;
  createdAt: number;
  targetGroup: string;
}

/** A CodeDeploy ECS lifecycle event (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_LifecycleEvent.html). */
export interface FakeLifecycleEvent {
  name: string;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';
  start?: number;
  end?: number;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
}

/** A CodeDeploy deployment of an ECS service (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html). */
export interface FakeCodeDeployment {
  id: string;
  status: string;
  createdAt: number;
  completedAt?: number;
  error?: { code: string; message: string };
  rollback?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  /** The AppSpec given inline (revisionType AppSpecContent), when the deployment was created with one. */
  appSpec?: string;
  /** Or where it is kept in S3 (revisionType S3, API_S3Location.html). */
  appSpecS3?: { bucket: string; key: string };
  events: FakeLifecycleEvent[];
  /** Production traffic weight per task set label (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ECSTaskSet.html). */
  weights: { Blue: number; Green: number };
}

/** The CodeDeploy application and deployment group of a CODE_DEPLOY service. */
/** A CloudWatch metric alarm (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html). */
export interface FakeAlarm {
  name: string;
  namespace: string;
  metric: string;
  statistic: string;
  comparison: string;
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** The values that moved it to its state. */
  datapoints: number[];
  updatedAt: number;
}

export interface FakeCodeDeploy {
  application: string;
  group: string;
  configName: string;
  terminationWaitMinutes: number;
  readyAction: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT';
  readyWaitMinutes: number;
  deployments: FakeCodeDeployment[];
}

export interface FakeService {
  name: string;
  status: string;
  desiredCount: number;
  /** Leave the service-level desiredCount out of DescribeServices answers (some shapes lack it). */
  omitDesiredCount?: boolean;
  controller: string;
  strategy?: string;
  deployments: FakeDeployment[];
  events: Array<{ id: string; createdAt: number; message: string }>;
  targetGroups: string[];
  shift?: FakeShift;
  /** CODE_DEPLOY controller: the task sets DescribeServices lists (and no deployments). */
  taskSets?: FakeTaskSet[];
  codeDeploy?: FakeCodeDeploy;
  /** ECS Express Mode: ECS manages the service's resources; its public endpoint. */
  express?: { endpoint: string };
  /** The deployment the last scale-in removed: what a rollback after it goes back to. */
  scaledIn?: string;
  /** A rolling service's deployment alarms (deploymentConfiguration.alarms) and bake time. */
  rollingAlarms?: { names: string[]; bakeTimeInMinutes: number };
  /**
   * deploymentConfiguration.earlySuccessCriteria of a rolling service (API_DeploymentConfiguration.html,
   * EarlySuccessCriteria): ECS calls the deployment COMPLETED once this share of its tasks is healthy.
   */
  earlySuccess?: { healthyPercent: number; cleanup: 'BLOCKING' | 'DEFERRED' };
}

export interface Fault {
  /** Operation name, e.g. DescribeServices; undefined: any. */
  op?: string;
  times: number;
  /**
   * throttle, unavailable (503), reset (connection dropped), access_denied; hang (never answers);
   * garbage (200 with a body that is not JSON/XML); truncated (200 cut short); empty (a
   * DescribeServices answer without the service and without a failure entry); signature (the
   * signature error that quotes the canonical request, session token included).
   */
  kind: 'throttle' | 'unavailable' | 'reset' | 'access_denied' | 'hang' | 'garbage' | 'truncated' | 'empty' | 'signature';
}

export interface Call {
  op: string;
  at: number;
  /** The access key ID the request was signed with. */
  accessKeyId?: string;
  /** The port the request came from (a proxy test matches it to the proxy's connections). */
  port?: number;
  body: Record<string, unknown>;
}

/** The ARN ECS gives a task of the simulated cluster. */
export function taskArn(t: FakeTask): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/${CLUSTER}/${t.id}`;
}

/** Escapes text for an XML answer (the Query protocol's replies). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The account's state that the API doubles answer from (FakeAccount holds it): each double takes
 * this, not the account, so that the doubles and the router do not import each other.
 */
export interface AccountModel {
  services: Map<string, FakeService>;
  tasks: Map<string, FakeTask>;
  targets: Map<string, FakeTarget[]>;
  healthChecked: Set<string>;
  revisions: Map<string, FakeRevision>;
  logStreams: Map<string, Map<string, Array<{ timestamp: number; message: string }>>>;
  /** CloudWatch metric alarms by name. */
  alarms: Map<string, FakeAlarm>;
  /** `protocol`: HTTP for an Application Load Balancer's groups, TCP (TLS, UDP…) for a Network Load Balancer's. */
  targetGroupSettings: { intervalSeconds: number; healthyThreshold: number; deregistrationDelaySeconds: number; protocol: 'HTTP' | 'TCP' };
  logDrivers: Map<string, string>;
  /** Called before each DescribeServices answer: poll-driven scenarios advance the model here. */
  onPoll: (tick: number) => void;
  /** DescribeServices polls answered so far. */
  ticks: number;
  /** Web identity tokens STS accepted. */
  webIdentityTokens: string[];
  /** Called when ContinueServiceDeployment acts on a paused hook: a scenario carries on (or rolls back) here. */
  onContinue: (service: string, action: 'CONTINUE' | 'ROLLBACK') => void;
  /** Each task definition's image (by ARN), where a scenario tags it with a commit. */
  images: Map<string, string>;
  /** ECR's images by `repository:tag`: their config labels and manifest annotations, one platform or several (an index). */
  ecrImages: Map<string, { labels?: Record<string, string>; annotations?: Record<string, string>; multiPlatform?: boolean }>;
  /** What a target group served in the minute starting at `minute` (epoch ms); undefined: no requests, so no datapoint. */
  traffic: (targetGroupArn: string, minute: number) => FakeMinute | undefined;
  /** The load balancer's own 5xx in a minute; undefined: none (an ALB reports no datapoint for a count of 0). */
  elbErrors: (loadBalancerArn: string, minute: number) => FakeElbMinute | undefined;
}
