// The words every layer shares: phases and statuses, a service's watch and what a poll makes of it,
// the run's verdict, and the view the message and the log are drawn from. Types and a few total
// functions over them; this module imports nothing, so any module may import it.

/** Time units: AWS gives seconds and minutes, the program counts epoch milliseconds. */
export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;

/** Characters of a commit hash shown, as git abbreviates them. */
export const SHORT_COMMIT = 7;

/** A task definition as the user names it: a full ARN, or `family:revision` (task-definition.ts parses them). */
export interface TaskDefinitionRef {
  family: string;
  revision: number;
  /** Present when the user gave a full ARN. */
  arn?: string;
}

/** Progress of one service's rollout, in the order it happens. */
export const PHASES = ['waiting', 'starting', 'registering', 'cutting_over', 'live', 'retired'] as const;
export type Phase = (typeof PHASES)[number];
/** `no_tasks`: the service wants no tasks (desired count 0), so the new revision runs nowhere yet. */
export type ServiceStatus = Phase | 'failed' | 'superseded' | 'no_tasks';

export function isFinal(status: ServiceStatus): boolean {
  return status === 'failed' || status === 'superseded' || status === 'retired' || status === 'no_tasks';
}

/** Whether phase `a` comes before phase `b`. */
export function isBefore(a: Phase, b: Phase): boolean {
  return PHASES.indexOf(a) < PHASES.indexOf(b);
}

/** WAIT_UNTIL: follow the rollout until the old version is retired, or end once the new one is live. */
export type WaitUntil = 'retired' | 'live';

/** VERIFY: a regression fails the run (exit 1), is only said, or nothing is measured. */
export type VerifyMode = 'fail' | 'warn' | 'off';

/** What a verdict needs (VERIFY_* variables). */
export interface VerifySettings {
  mode: VerifyMode;
  /** VERIFY_MINUTES: how long to go on measuring after "live", past the end of the rollout when it ends sooner. */
  afterLiveMs: number;
  /** VERIFY_MIN_REQUESTS: fewer requests on either side is "not measured". */
  minRequests: number;
  /** VERIFY_MAX_5XX_INCREASE: percentage points the new version's 5xx rate may exceed the baseline's. */
  max5xxIncrease: number;
  /** VERIFY_MAX_LATENCY_INCREASE: percent the new version's p95 may exceed the baseline's. */
  maxLatencyIncrease: number;
}

/** How one kind of deployment is followed between polls: what pins "ours" from one poll to the next. */
export type Track =
  /**
   * Rolling update: the ECS deployment (`ecs-svc/…`), and when its old version was first seen gone
   * (epoch ms): ECS may still bake then, watching its alarms, before it calls the deployment done.
   */
  | { kind: 'rolling'; deploymentId: string; scaledInAt?: number }
  /** ECS-native blue/green, linear or canary: the service deployment, and what the load balancer was seen to do. */
  | {
      kind: 'traffic';
      serviceDeploymentArn: string;
      /** The load balancer has been seen sending all production traffic to the new revision. */
      productionOnNew?: boolean;
      /** The new revision's target groups have been seen with every task healthy. */
      newTargetsHealthy?: boolean;
      /** When the bake began (epoch ms), for "rollback possible until". */
      bakeStartedAt?: number;
      /** When this track was last read (epoch ms): a step seen now was taken after it. */
      readAt?: number;
      /**
       * The production share last seen (percent), taken between `since` (the read before, or the
       * deployment's creation) and `seen` (the read that first saw it), epoch ms.
       */
      step?: { share: number; since: number; seen: number };
    }
  /** CodeDeploy blue/green: our (replacement) task set, and the CodeDeploy deployment that created it. */
  | { kind: 'codedeploy'; taskSetId: string; codeDeployId?: string };

/** What the watch remembers about one service between polls. */
export interface ServiceWatch {
  service: string;
  /** What the user asked to watch; undefined: the current deployment at the first poll. */
  requested?: TaskDefinitionRef;
  /** Ours, once found, in the terms of its kind. */
  track?: Track;
  deploymentCreatedAt?: number;
  taskDefinitionArn?: string;
  status: ServiceStatus;
  /** When each phase was first reached (epoch ms). */
  reachedAt: Partial<Record<Phase, number>>;
  /** Why it failed, when it did. */
  reason?: string;
  /** `family:revision` of the deployment that took over. */
  supersededBy?: string;
  /** Task definitions of the deployments ours replaces: going back to one of them is a rollback. */
  previousTaskDefinitions?: string[];
  /** The task definition that served before ours (the newest deployment it replaces): what changed is against it. */
  replaces?: string;
  /** When the deployment (or task set) that served before was created (epoch ms): what changed says "live since" then. */
  replacedSince?: number;
}

export function newWatch(service: string, requested?: TaskDefinitionRef): ServiceWatch {
  return { service, requested, status: 'waiting', reachedAt: {} };
}

export interface Progress {
  desired: number;
  /** New tasks whose last status is RUNNING. */
  running: number;
  /** New tasks RUNNING and, where the task definition has container health checks, HEALTHY. */
  ready: number;
  /** Per target group, the fewest new tasks with a healthy target; equals `ready` without target groups. */
  healthyTargets: number;
  targetGroups: number;
  /** Tasks of another task definition whose desired status is still RUNNING. */
  oldTasks: number;
  /** Targets that are not draining but not (yet) healthy targets of ready new tasks: block live. */
  otherTargets: number;
  /** Of those, the targets of old tasks: they still get new requests. */
  oldTargets: number;
  /**
   * Of those, targets no task of the service explains (a target group shared with another service,
   * a target registered by hand): they take requests, so "live" waits for them, but nothing the
   * rollout does removes them.
   */
  strangers: number;
  draining: number;
  /** Old tasks told to stop that have not stopped yet. */
  oldTasksStopping: number;
}

export const EMPTY_PROGRESS: Progress = {
  desired: 0,
  running: 0,
  ready: 0,
  healthyTargets: 0,
  targetGroups: 0,
  oldTasks: 0,
  otherTargets: 0,
  oldTargets: 0,
  strangers: 0,
  draining: 0,
  oldTasksStopping: 0,
};

/** An estimate: when targets should turn healthy, a traffic step come, or the old version retire, and from what. */
export interface Eta {
  /** The new targets healthy, a linear or canary shift's next step, the old version retired. */
  what: 'healthy' | 'step' | 'retired';
  /** Epoch ms. */
  at: number;
  /**
   * Epoch ms: when the wait for it began (the registration, "live"). Until `at` it may come any
   * moment: a newly registered target is healthy after its first passing check.
   */
  since: number;
  /** What it is estimated from, e.g. "deregistration delay 300 s". */
  basis: string;
}

/**
 * A rolling update whose old version is gone while ECS still calls it IN_PROGRESS: with deployment
 * alarms ECS bakes, "a period of time after a new service version has scaled out and the old service
 * version has scaled in, during which Amazon ECS continues to monitor the alarm" (developer guide,
 * deployment-alarm-failure), and an alarm then still rolls it back.
 */
export interface RollingBake {
  /** The alarms ECS watches, when the answer names them. */
  alarms: string[];
  /** When it should end (epoch ms): the scale-in plus the service's bake time, when the answer gives one. */
  until?: number;
}

/** How a traffic-shifting deployment stands (ECS-native or CodeDeploy), for the message and the log. */
/**
 * Whose traffic goes through which target groups: the new version's apart from the old one's
 * (traffic shifting, CodeDeploy: compared over the same minutes), or one set both versions share
 * (a rolling update: compared with the span before the deployment). Target group ARNs.
 */
export type TrafficGroups = { kind: 'split'; fresh: string[]; old: string[] } | { kind: 'shared'; groups: string[] };

export interface ShiftView {
  /** BLUE_GREEN, LINEAR or CANARY. */
  strategy: string;
  /** CODE_DEPLOY for CodeDeploy blue/green (ECS-native otherwise). */
  controller?: 'CODE_DEPLOY';
  /** The CodeDeploy deployment ID and its console page. */
  deploymentId?: string;
  consoleUrl?: string;
  /** CodeDeploy: until when it keeps the original task set (its termination wait), epoch ms. */
  keptUntil?: number;
  /** ECS's lifecycle stage, e.g. PRODUCTION_TRAFFIC_SHIFT (CodeDeploy: the lifecycle event running). */
  stage?: string;
  /** Percent of production traffic on the new revision: the load balancer's when read, else the plan. */
  production?: number;
  /** Percent of test traffic on the new revision, while there is some. */
  test?: number;
  /** The production shares the strategy moves through, e.g. [25, 50, 75, 100]; [100] for blue/green. */
  steps: number[];
  /** Until when ECS may still roll back (the end of the bake), epoch ms. */
  bakeUntil?: number;
  /** A lifecycle hook still deciding: a Lambda running, or a PAUSE awaiting someone's go-ahead. */
  hook?: {
    id: string;
    targetType: string;
    status: string;
    expiresAt?: number;
    /** A PAUSE hook that expires: CONTINUE or ROLLBACK (ECS's default). */
    timeoutAction?: string;
  };
  /** ECS-native: the service deployment (what `aws ecs continue-service-deployment` names). */
  serviceDeploymentArn?: string;
  requested: number;
  running: number;
  /** Healthy targets of the new revision, when read this poll. */
  healthy?: number;
}

const FULL = 100;

/**
 * The production shares a traffic-shifting strategy moves through: LINEAR by `percent` steps,
 * CANARY `percent` then all, anything else all at once.
 */
export function trafficSteps(strategy: string | undefined, percent: number | undefined): number[] {
  if (strategy === 'LINEAR' && percent) {
    const steps: number[] = [];
    for (let p = percent; p < FULL; p += percent) steps.push(Math.round(p * 10) / 10);
    return [...steps, FULL];
  }
  if (strategy === 'CANARY' && percent) return [percent, FULL];
  return [FULL];
}

/**
 * How a task stopped, broadly: what tells an application that crashes (or fails its health checks)
 * from a task that could not start or lost its capacity (Spot), which is not the application's fault.
 */
export type StopKind = 'crashed' | 'failed_health_checks' | 'failed_to_start' | 'lost_capacity' | 'stopped';

/** The sub-phases a new task passes before it serves, in order. */
export type StuckWhere = 'provisioning' | 'placing' | 'initializing' | 'pulling' | 'starting' | 'activating' | 'health_checks';

/** New tasks stuck in one sub-phase. */
export interface StuckTasks {
  where: StuckWhere;
  count: number;
  /** How long the longest-stuck of them has been there (ms). */
  forMs: number;
  /** What holds them, in ECS's or the load balancer's words where they say. */
  detail?: string;
}

/** A Lambda lifecycle hook that failed or timed out: whose log the failure thread shows. */
export interface FailedHook {
  /** The function's ARN or name. */
  function: string;
  /** The lifecycle stage (ECS) or event (CodeDeploy) it ran at. */
  stage?: string;
  /** FAILED or TIMED_OUT (ECS), Failed (CodeDeploy). */
  status: string;
  /** When it may have run (epoch ms), as far as AWS says: its log is read in this window. */
  from?: number;
  to?: number;
}

/** What a deployment names that is worth a closer look once it failed: the alarms that rolled it back, the Lambda hooks that failed. */
export interface Evidence {
  alarms: string[];
  hooks: FailedHook[];
}

export const NO_EVIDENCE: Evidence = { alarms: [], hooks: [] };

/** New tasks that stopped the same way, before the rollout went live. */
export interface CrashLoop {
  /** How they stopped, briefly: an exit code, or the stop reason. */
  what: string;
  /** How they stopped, broadly. */
  kind: StopKind;
  times: number;
  /** The tasks of the deployment ECS counts as failed (what its circuit breaker counts). */
  failedTasks: number;
  /** Whether the service's deployment circuit breaker is on; undefined when the answer does not say. */
  circuitBreaker?: boolean;
  /** Its failure count and the threshold at which it trips, when known. */
  breaker?: { failureCount: number; threshold: number };
  /**
   * The healthy percent at which ECS already called the deployment done (early success criteria):
   * from then on neither its circuit breaker nor its alarms act, and ECS keeps replacing the tasks.
   */
  doneEarlyAt?: number;
}

/** A new task that stopped: where to read what its container printed last. */
export interface StoppedTask {
  taskArn: string;
  taskDefinitionArn: string;
  /** The container that exited non-zero (or with a reason); else the first one. */
  container: string;
  /** How it stopped, briefly: "exit code 1", or the stop reason. */
  what: string;
  stoppedAt?: number;
}

/** The time and the settings one poll's judgement uses. */
export interface Clock {
  now: number;
  /** When the watch started. */
  startedAt: number;
  /** How long a requested deployment may take to show up. */
  graceMs: number;
  /** CRASH_LOOP_LIMIT: after this many same stops of new tasks, fail without waiting for ECS. */
  crashLoopLimit?: number;
  /**
   * The read listed the tasks and read the targets afresh (no cached task data): a "live" it shows
   * is said; one a cached read shows waits for a fresh read, which may say no.
   */
  fresh?: boolean;
}

/** What one poll makes of one service. */
export interface ServiceAssessment {
  watch: ServiceWatch;
  progress: Progress;
  /** The freshest, distinct reasons why the rollout is not (yet) live. */
  causes: string[];
  /** New tasks keep stopping the same way before ECS has decided: a warning, not an outcome. */
  crashLoop?: CrashLoop;
  /** New tasks stuck in one sub-phase longer than it usually takes (stuck.ts): a warning, not an outcome. */
  stuck?: StuckTasks;
  /** Traffic-shifting deployments: their stage, traffic share, bake and hooks. */
  shift?: ShiftView;
  /** A rolling update ECS still bakes after its old version is gone. */
  bake?: RollingBake;
  /** When the next step should be reached, from the target groups' settings. */
  eta?: Eta;
  /** Its new tasks that stopped, one per distinct way of stopping, newest first. */
  stops: StoppedTask[];
  /** The alarms and failed Lambda hooks its deployment names (read closer at the end of a failed run). */
  evidence?: Evidence;
  /** What its kind warns of that is neither a crash loop nor stuck tasks (a target no task explains). */
  warning?: string;
  /** This read (not a fresh one) shows it live: a fresh read must say so before it is said. */
  unconfirmedLive?: boolean;
  /** Which target groups carry the new version's requests and which the old's. */
  groups?: TrafficGroups;
  /** New targets the load balancer's anomaly detection flags (`ip:port`). */
  anomalous?: string[];
}

export type RolloutStatus = 'rolling_out' | 'live' | 'failed' | 'timed_out' | 'superseded' | 'no_tasks';

/** Whether a run that ended so ends well (exit 0): live, or nothing of ours left to roll out. */
export function endsWell(status: RolloutStatus): boolean {
  return status === 'live' || status === 'superseded' || status === 'no_tasks';
}

export interface RolloutVerdict {
  status: RolloutStatus;
  /** The least advanced phase among the services still ours; for a failed run, the furthest all of them reached. */
  phase: Phase;
  /** Stop watching: the outcome is final (for live: the old version is retired or time is up). */
  done: boolean;
}
