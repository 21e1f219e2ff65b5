// What a step shows and what leaves the program: the lines of the message and the log, the view the
// watch acts on, the message's whole picture, a failed container's last lines, a preflight check.
// Types only, over the vocabulary.
import type { Changes } from './changes.ts';
import type { UrlCheck } from './url-check.ts';
import type { AvailabilityDip, MetricsQuery, Verification } from './verification.ts';
import type { Eta, FailedHook, Phase, Progress, RollingBake, RolloutStatus, ServiceStatus, ShiftView, StoppedTask } from './vocabulary.ts';

/** Where the time went (timing.ts): the phases between milestones, and a hint when a setting explains the longest. */
export interface TimeSpent {
  phases: Array<{ name: string; ms: number; detail?: string }>;
  /** One hint, when one phase dominates and a setting explains it. */
  hint?: string;
  /** The setting the hint names, with its value (`drain 300 s`): what the channel remembers of it. */
  hintKey?: string;
}

/** One service as the message and the log show it. */
export interface ServiceLine {
  service: string;
  status: ServiceStatus;
  /** `family:revision` being deployed, once known. */
  taskDefinition?: string;
  /** A deploy of an older revision than one that ran before: the newest revision it takes away (`family:revision`). */
  rollsBackFrom?: string;
  /** The task definition that served before ours (its ARN), once known: what changed is against it. */
  replaces?: string;
  /** When what served before was deployed (epoch ms): "live since". */
  replacedSince?: number;
  /** Its full ARN, once known. */
  taskDefinitionArn?: string;
  progress?: Progress;
  reason?: string;
  supersededBy?: string;
  /** Something going wrong that ECS has not decided on yet (a crash loop): shown, not an outcome. */
  warning?: string;
  /** Traffic-shifting deployments: stage, traffic share, bake, hooks. */
  shift?: ShiftView;
  /** A rolling update ECS still bakes (watching its alarms) after the old version is gone. */
  bake?: RollingBake;
  /** When the next step should be reached. */
  eta?: Eta;
  /** The target groups its new tasks register with (ARNs), as last read: linked in the failure thread. */
  targetGroups?: string[];
  /** ECS Express Mode: the endpoint ECS gives the service (a host name or URL, as AWS said it). */
  endpoint?: string;
  /** Its traffic verified on the load balancer's metrics (VERIFY): so far, then the verdict. */
  traffic?: Verification;
  /** New targets the load balancer's anomaly detection flags (`ip:port`), as last read. */
  anomalous?: string[];
}

/** What one step shows: the message's and the log's data, and what the watch must do next. */
export interface RolloutView {
  status: RolloutStatus;
  phase: Phase;
  /** Stop watching: the outcome is final. */
  done: boolean;
  services: ServiceLine[];
  /** When every service still ours reached each phase (epoch ms). */
  milestones: Partial<Record<Phase, number>>;
  /** The distinct causes, freshest first per service. */
  causes: string[];
  /** Read again at once with a fresh task list: "live" is said only once a fresh read shows it. */
  confirm: boolean;
  /** Read the next poll with a fresh task list: "live" may come with it, and is then confirmed at once. */
  freshNext: boolean;
  /** Changes exactly when a reader of the message would see a change (phases, not every count). */
  announcement: string;
  /** The services whose line a reader would see change at this step (for the log). */
  changed: string[];
  /** The services to read at the next poll: those not finished. */
  active: string[];
  /** Services whose "live" is settled: the reader need not check their traffic and targets again. */
  settled: string[];
  /**
   * Services whose targets change only with something DescribeServices shows: new tasks still
   * starting (their targets register once they run), and a confirmed "live" whose old version
   * drains (ECS stops the old tasks when the drain ends). The reader skips their target health
   * while ECS shows no change.
   */
  quiet: string[];
  /** New tasks that stopped, one per service and distinct way of stopping, newest first: whose last log lines the failure thread shows. */
  stoppedTasks: Array<StoppedTask & { service: string }>;
  /** The CloudWatch alarms that rolled a deployment back: their metric and threshold are read for the failure thread. */
  alarms: Array<{ service: string; name: string }>;
  /** Lambda lifecycle hooks that failed or timed out: their function's last log lines are read for the failure thread. */
  failedHooks: Array<FailedHook & { service: string }>;
  /** Set when the watch ends at "live" (WAIT_UNTIL=live) before the old version is retired. */
  endedAtLive?: boolean;
  /** How long to wait before the next poll (ms). */
  nextPollMs: number;
  /** The rollout's outcome is decided, but its traffic is still measured (VERIFY_MINUTES): go on, reading only metrics. */
  measuring: boolean;
  /** The load balancer's metrics to read now (at most once a minute, and once at the end of the window). */
  measure?: MetricsQuery;
  /** Ask VERIFY_URL now. */
  ask?: boolean;
  /** VERIFY_URL's answers so far, once the new version is live. */
  urlCheck?: UrlCheck;
  /** What the rollout cost in availability (the load balancer's own 5xx beyond its usual), when anything. */
  dip?: AvailabilityDip;
  /** Why a service read at the first poll cannot be judged (its deployment controller or strategy). */
  refused?: string;
  /** Once the watch is over: where the time went. */
  timeSpent?: TimeSpent;
}

/** What the Slack message (and the log's last word, and the Code Insights report) are drawn from: a view and the configuration's facts. */
export interface MessageView {
  status: RolloutStatus;
  phase: Phase;
  /** The watch has ended (the reducer's word: the message shows a duration, not time elapsed). */
  done: boolean;
  environment: string;
  cluster: string;
  region: string;
  services: ServiceLine[];
  ref: { type: 'branch' | 'tag'; name: string };
  commit?: string;
  repositoryUrl?: string;
  /** The notifier's own run: its watch log. */
  buildUrl?: string;
  /** The deploy's pipeline run, when the deploy step passed its build number: what "Pipeline" links to. */
  deployBuildUrl?: string;
  /** Who triggered the deploy, by name; never a raw ID. */
  deployedBy?: string;
  /** One line, updated in place, instead of the full card (MESSAGE_FORM: environments that are not production, by default). */
  compact?: boolean;
  startedAt: number;
  now: number;
  /** When every service reached each phase (epoch ms). */
  milestones: Partial<Record<Phase, number>>;
  waitTimeoutMs: number;
  /** APPROVERS: who may continue or roll back a paused deployment with a reaction. */
  approvers?: string[];
  /** Set when the watch ended before an outcome (AWS kept failing, the step was stopped). */
  stopped?: string;
  /** The watch ended at "live" (WAIT_UNTIL=live), before the old version was retired. */
  endedAtLive?: boolean;
  /** Once the watch is over: where the time went. */
  timeSpent?: TimeSpent;
  /** The channel's last message of these services gave the same hint: the message does not say it again (the log does). */
  hintSaidBefore?: boolean;
  /** While rolling out: the AWS calls throttling held up since the last read (e.g. "ecs:DescribeServices retried 3 times"). */
  delayedBy?: string;
  /** VERIFY=fail: a regression of the traffic fails the run. */
  verifyFails?: boolean;
  /** VERIFY_URL's answers so far, once the new version is live. */
  urlCheck?: UrlCheck;
  /** VERIFY_URL as it may be shown: no user, password or query. */
  urlShown?: string;
  /** What the rollout cost in availability, when anything. */
  dip?: AvailabilityDip;
  /** Per service, what its deploy changes against the version that served before, once known. */
  changes?: Readonly<Record<string, Changes>>;
}

/** What the failure thread shows for one failed task: its last lines, or why they are not shown. */
export interface LogExcerpt {
  service: string;
  taskId: string;
  container: string;
  /** How the task stopped, e.g. "exit code 1". */
  what: string;
  /** Oldest first; empty when the container printed nothing. */
  lines?: string[];
  /** Where they came from. */
  group?: string;
  stream?: string;
  region?: string;
  /** Why there are no lines, and how to get them. */
  hint?: string;
}

/** What the failure thread and the log show beside the causes, read once when the watch ends failed or timed out. */
export interface FailureEvidence {
  /** Failed containers' last lines. */
  logs: LogExcerpt[];
  /** Failed Lambda hooks' last lines. */
  hooks: HookExcerpt[];
  /** The alarms behind a rollback, in full. */
  alarms: AlarmDetail[];
}

export const NO_FAILURE_EVIDENCE: FailureEvidence = { logs: [], hooks: [], alarms: [] };

/** A CloudWatch alarm behind a rollback, as DescribeAlarms tells it, or why it could not be read. */
export interface AlarmDetail {
  service: string;
  name: string;
  /** "AWS/ApplicationELB HTTPCode_Target_5XX_Count"; absent for metric math and composite alarms. */
  metric?: string;
  /** Sum, Average, p99 … */
  statistic?: string;
  /** CloudWatch's ComparisonOperator, e.g. GreaterThanOrEqualToThreshold. */
  comparison?: string;
  threshold?: number;
  periodSeconds?: number;
  evaluationPeriods?: number;
  /** A composite alarm's rule. */
  rule?: string;
  /** ALARM, OK or INSUFFICIENT_DATA, now. */
  state?: string;
  stateSince?: number;
  /** The values that breached the threshold, newest last (the state reason's data, while in ALARM). */
  breached?: number[];
  /** Why the alarm could not be read, and how to see it here. */
  hint?: string;
}

/** A failed Lambda hook's last log lines, or why they are not shown. */
export interface HookExcerpt extends FailedHook {
  service: string;
  /** Oldest first; empty when the function printed nothing in the window. */
  lines?: string[];
  group?: string;
  region?: string;
  hint?: string;
}

/** CHECK_ONLY: one check's outcome; `fail` fails the preflight, `warn` does not (a nicety is lost). */
export interface CheckResult {
  level: 'ok' | 'warn' | 'fail';
  /** What was checked, e.g. `ecs:ListTasks` or `Slack channel #deploys`. */
  what: string;
  detail?: string;
}
