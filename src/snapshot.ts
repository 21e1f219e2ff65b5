// Plain, SDK-free pictures of what AWS said at one poll. The AWS reader produces them; the pure
// rollout logic consumes them; tests build them by hand from the samples in shared/aws-samples.

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
  startedAt?: number;
  stoppedAt?: number;
}

export interface TargetSnapshot {
  id: string;
  port?: number;
  /** initial, healthy, unhealthy, unused, draining, unavailable, unhealthy.draining */
  state: string;
  reason?: string;
  description?: string;
}

export interface TargetGroupSnapshot {
  arn: string;
  targets: TargetSnapshot[];
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
  /** ECS (rolling update, the one we support), CODE_DEPLOY or EXTERNAL. */
  deploymentController: string;
  /** ROLLING, BLUE_GREEN, LINEAR, CANARY (ECS-native strategies); absent means ROLLING. */
  deploymentStrategy?: string;
  /** The deployment circuit breaker, when the answer says (it stops a crash loop by failing the deployment). */
  circuitBreaker?: { enable: boolean; rollback: boolean };
  desiredCount: number;
  deployments: DeploymentSnapshot[];
  /** Newest first, as ECS returns them. */
  events: ServiceEvent[];
  /** Every task the reader knows: those with desired status RUNNING, and stopped ones it followed. */
  tasks: TaskSnapshot[];
  targetGroups: TargetGroupSnapshot[];
  /** Task definition ARN → whether any of its containers has a health check. */
  healthChecks: Record<string, boolean>;
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
