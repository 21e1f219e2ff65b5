// Reads ECS and the load balancer into snapshots, frugally: the describe APIs share one refill rate
// per account and region with every other pipeline, so a poll re-describes only what may have
// changed. While nothing moves, a poll is DescribeServices (≤ 10 services a call) plus one
// DescribeTargetHealth per target group, made side by side.
import {
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type ServiceDeployment,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetGroup,
  type TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { SHIFTING_STRATEGIES } from '../judge.ts';
import type { CodeDeploySnapshot, ListenerTraffic, ServiceSnapshot, ShiftSnapshot, TargetGroupSettings, TargetGroupSnapshot, TaskSnapshot } from '../snapshot.ts';
import { isDraining, targetKey } from '../snapshot.ts';
import { atOrAfter } from '../traffic.ts';
import type { AwsClients } from './clients.ts';
import {
  codeDeployFrom,
  hasHealthChecks,
  listenerTrafficFrom,
  type RevisionInfo,
  revisionFrom,
  ruleTrafficFrom,
  serviceDeploymentFrom,
  serviceFrom,
  targetFrom,
  targetGroupSettingsFrom,
  taskFrom,
} from './to-snapshot.ts';

/** Runs one AWS call; the watch passes a function that retries and explains errors. */
export type CallRunner = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

interface ServiceCache {
  fingerprint?: string;
  failedTasks: number;
  /** Target keys no task of the service explained even after a listing (e.g. a shared target group). */
  strangers: Set<string>;
  /** Only the snapshot is kept per task: the SDK's Task objects are large and not needed again. */
  tasks: Map<string, { snapshot: TaskSnapshot }>;
  /** The circuit breaker's count, as last read (when tasks failed). */
  breaker?: { failureCount?: number; threshold?: number; status?: string };
  /** Rolling services: every service deployment seen as current this run (ours among them). */
  currents: Set<string>;
  /** The alarms that rolled one of them back, once read. */
  alarms?: string[];
}

/** ECS's and Elastic Load Balancing's limits per call. */
const DESCRIBE_SERVICES_BATCH = 10;
const DESCRIBE_SERVICE_DEPLOYMENTS_BATCH = 20;
const DESCRIBE_SERVICE_REVISIONS_BATCH = 20;
const DESCRIBE_RULES_BATCH = 20;
const DESCRIBE_LISTENERS_BATCH = 20;
const DESCRIBE_TARGET_GROUPS_BATCH = 20;
/** Service deployments that still move (the others only say how they ended). */
const MOVING = new Set(['PENDING', 'IN_PROGRESS']);
/** Rollbacks under way: the new target groups' health is read once more, for the causes. */
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
const DESCRIBE_TASKS_BATCH = 100;
/** Stopped tasks are described for their stop reasons; the newest this many are enough. */
const STOPPED_TASKS_TO_DESCRIBE = 100;

/** One service during one poll: what DescribeServices said, and what the listings found. */
interface ServiceState {
  id: string;
  raw: Service;
  service: ReturnType<typeof serviceFrom>;
  changed: boolean;
  /** Set when this poll listed the RUNNING tasks. */
  running?: Set<string>;
  /** Set when this poll listed recently STOPPED tasks. */
  stopped?: string[];
  /** ECS-native traffic shifting (blue/green, linear, canary): judged from service deployments, not task lists. */
  shifting: boolean;
  /** The CODE_DEPLOY controller: judged from task sets and CodeDeploy, not task lists. */
  codeDeploy: boolean;
}

/** The cluster's name, also when CLUSTER_NAME is an ARN (CodeDeploy names an ECS target `cluster:service`). */
function clusterName(cluster: string): string {
  return cluster.split('/').pop() ?? cluster;
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export class RolloutReader {
  /** AWS calls made, by operation: the bench and the tests read it. */
  readonly calls = new Map<string, number>();
  private readonly caches = new Map<string, ServiceCache>();
  private readonly healthChecks = new Map<string, boolean>();
  private readonly instances = new Map<string, string>();
  /** Service revisions never change once created: each is described once. */
  private readonly revisions = new Map<string, RevisionInfo>();
  /** Per service, every service deployment seen as current during this run (ours among them). */
  private readonly seenDeployments = new Map<string, Set<string>>();
  /** Set once reading a service deployment (breaker count, rollback alarms) failed: not asked again. */
  private deploymentsDenied = false;
  /** Target group settings (health check, deregistration delay), read once per run for the estimates. */
  private readonly groupSettings = new Map<string, TargetGroupSettings>();
  /** Per CODE_DEPLOY service, every CodeDeploy deployment seen behind a replacement task set during this run. */
  private readonly codeDeployments = new Map<string, Set<string>>();

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs' | 'elb' | 'codeDeploy'>,
    private readonly cluster: string,
    private readonly run: CallRunner,
    private readonly log: Logger,
  ) {}

  /**
   * One snapshot per service. `force` lists tasks even when DescribeServices shows no change, to
   * confirm a verdict on fresh task data. Reads that do not depend on each other run together, so
   * a poll costs about two round trips: DescribeServices, then target health beside any listing.
   */
  async read(services: string[], options: { force?: boolean; settled?: readonly string[] } = {}): Promise<Map<string, ServiceSnapshot>> {
    const described = await this.describeServices(services);
    const states = services.flatMap((id) => {
      const raw = described.get(id);
      return raw ? [this.changeOf(id, raw)] : [];
    });
    const force = options.force ?? false;
    const rolling = states.filter((st) => !st.shifting && !st.codeDeploy);
    const [shifts, codeDeploys] = await Promise.all([
      this.readShifts(
        states.filter((st) => st.shifting),
        new Set(options.settled ?? []),
      ),
      this.readCodeDeploys(states.filter((st) => st.codeDeploy)),
    ]);

    const groupArns = [...new Set([...rolling.flatMap((st) => st.service.targetGroupArns), ...[...shifts.values()].flatMap((sh) => sh.targetGroupArns)])];
    const [groups] = await Promise.all([
      Promise.all(groupArns.map((arn) => this.targetHealth(arn))).then((all) => new Map(all.map((g) => [g.arn, g]))),
      this.resolveGroupSettings(rolling.flatMap((st) => st.service.targetGroupArns)),
      Promise.all(rolling.filter((st) => force || st.changed).map((st) => this.listRunning(st))),
      Promise.all(states.filter((st) => st.changed).map((st) => this.listStopped(st))),
      Promise.all(rolling.map((st) => this.readRollbackAlarms(st))),
      // Readiness by container health checks is the rolling rule; traffic shifting asks the load balancer.
      this.resolveHealthChecks(rolling.flatMap((st) => st.service.deployments.filter((d) => d.status === 'PRIMARY').map((d) => d.taskDefinitionArn))),
    ]);
    // A target no known task explains usually belongs to a task started since the last listing.
    const strangers = rolling.filter((st) => this.hasNewStrangers(st, groups));
    await Promise.all(strangers.filter((st) => !st.running).map((st) => this.listRunning(st)));

    const plans = states.map((st) => ({ st, describe: this.toDescribe(st, groups) }));
    const tasks = await this.describeTasks([...new Set(plans.flatMap((p) => p.describe))]);
    await this.resolveInstances(tasks);

    const result = new Map<string, ServiceSnapshot>();
    for (const { st, describe } of plans) {
      const cache = this.cacheFor(st.id);
      for (const arn of describe) {
        const task = tasks.get(arn);
        if (task) cache.tasks.set(arn, { snapshot: taskFrom(task, this.instances, st.service.containerPorts) });
        else cache.tasks.delete(arn); // described as MISSING: stopped long ago
      }
      const { targetGroupArns, containerPorts: _ports, currentServiceDeployment: _current, productionListeners: _listeners, ...service } = st.service;
      // CodeDeploy says how the traffic moves; the load balancer is not asked for these services.
      const shift = shifts.get(st.id);
      const codeDeploy = codeDeploys.get(st.id);
      result.set(st.id, {
        ...service,
        tasks: [...cache.tasks.values()].map((t) => t.snapshot),
        targetGroups: (shift ? shift.targetGroupArns : st.codeDeploy ? [] : targetGroupArns).flatMap((arn) => {
          const group = groups.get(arn);
          const settings = this.groupSettings.get(arn);
          return group ? [settings ? { ...group, settings } : group] : [];
        }),
        healthChecks: Object.fromEntries(this.healthChecks),
        ...(shift ? { shift: shift.snapshot } : {}),
        ...(codeDeploy ? { codeDeploy } : {}),
        ...(cache.breaker ? { breakerCount: cache.breaker } : {}),
        ...(cache.alarms?.length ? { triggeredAlarms: cache.alarms } : {}),
      });
    }
    return result;
  }

  private cacheFor(id: string): ServiceCache {
    let cache = this.caches.get(id);
    if (!cache) {
      cache = { failedTasks: 0, strangers: new Set(), tasks: new Map(), currents: new Set() };
      this.caches.set(id, cache);
    }
    return cache;
  }

  private async count<T>(operation: string, call: () => Promise<T>): Promise<T> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    this.log.debug(`AWS ${operation}`);
    return this.run(operation, call);
  }

  private async describeServices(ids: string[]): Promise<Map<string, Service>> {
    const found = new Map<string, Service>();
    await Promise.all(chunks(ids, DESCRIBE_SERVICES_BATCH).map((batch) => this.describeBatch(batch, found, true)));
    return found;
  }

  private async describeBatch(batch: string[], found: Map<string, Service>, again: boolean): Promise<void> {
    const out = await this.count('ecs:DescribeServices', () =>
      this.clients.ecs.send(new DescribeServicesCommand({ cluster: this.cluster, services: batch })),
    );
    for (const id of batch) {
      const s = out.services?.find((x) => x.serviceName === id || x.serviceArn === id);
      if (s) found.set(id, s);
    }
    const missing = batch.filter((id) => !found.has(id));
    if (!missing.length) return;
    const failureOf = (id: string) => out.failures?.find((f) => f.arn?.endsWith(`/${id}`) || f.arn === id);
    // A service neither described nor reported as a failure is a glitch of the answer: ask once more.
    const unexplained = missing.filter((id) => !failureOf(id));
    if (unexplained.length && again) return this.describeBatch(unexplained, found, false).then(() => this.failMissing(batch, found, failureOf));
    this.failMissing(batch, found, failureOf);
  }

  private failMissing(batch: string[], found: Map<string, Service>, failureOf: (id: string) => { reason?: string } | undefined): void {
    const missing = batch.filter((id) => !found.has(id));
    if (!missing.length) return;
    const reasons = missing.map((id) => failureOf(id)?.reason ?? 'not in the answer');
    throw new AwsError(
      `ECS service${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found in cluster "${this.cluster}" (${[...new Set(reasons)].join(', ')}): check SERVICE_NAME, CLUSTER_NAME and the region.`,
    );
  }

  /** Whether DescribeServices shows a change since the last poll (counts, states, deployments). */
  private changeOf(id: string, raw: Service): ServiceState {
    const service = serviceFrom(raw);
    const cache = this.cacheFor(id);
    const fingerprint = JSON.stringify([
      service.status,
      service.desiredCount,
      service.deployments.map((d) => [d.id, d.status, d.desiredCount, d.runningCount, d.pendingCount, d.failedTasks, d.rolloutState]),
    ]);
    const changed = fingerprint !== cache.fingerprint;
    cache.fingerprint = fingerprint;
    const shifting = service.deploymentController === 'ECS' && SHIFTING_STRATEGIES.has(service.deploymentStrategy ?? 'ROLLING');
    return { id, raw, service, changed, shifting, codeDeploy: service.deploymentController === 'CODE_DEPLOY' };
  }

  /**
   * CODE_DEPLOY services: the CodeDeploy deployment behind each replacement task set (every task set
   * but the oldest), followed until the watch ends, with its ECS target (lifecycle events, traffic
   * weights). A service at rest (one task set) costs nothing here; one deployment costs
   * GetDeployment and GetDeploymentTarget a poll.
   */
  private async readCodeDeploys(states: ServiceState[]): Promise<Map<string, CodeDeploySnapshot[]>> {
    const out = new Map<string, CodeDeploySnapshot[]>();
    await Promise.all(
      states.map(async (st) => {
        const sets = [...(st.service.taskSets ?? [])].sort((a, b) => a.createdAt - b.createdAt);
        const followed = this.codeDeployments.get(st.id) ?? new Set<string>();
        for (const t of sets.slice(1)) if (t.externalId) followed.add(t.externalId);
        this.codeDeployments.set(st.id, followed);
        const targetId = `${clusterName(this.cluster)}:${st.service.name}`;
        const read = await Promise.all([...followed].map((id) => this.codeDeployment(id, targetId)));
        out.set(st.id, read);
      }),
    );
    return out;
  }

  private async codeDeployment(deploymentId: string, targetId: string): Promise<CodeDeploySnapshot> {
    const client = await this.clients.codeDeploy();
    const { GetDeploymentCommand, GetDeploymentTargetCommand } = await import('./extra-clients.ts');
    const [deployment, target] = await Promise.all([
      this.count('codedeploy:GetDeployment', () => client.send(new GetDeploymentCommand({ deploymentId }))),
      this.count('codedeploy:GetDeploymentTarget', () => client.send(new GetDeploymentTargetCommand({ deploymentId, targetId }))),
    ]);
    return codeDeployFrom(deployment.deploymentInfo ?? { deploymentId }, target.deploymentTarget?.ecsTarget);
  }

  /**
   * Traffic-shifting services: their service deployments (every one seen as current during the run,
   * in one call for up to 20), the revisions they name (once each), and while the new revision is
   * taking traffic and its "live" is not settled, the production listener and the new target
   * groups. In a bake, a poll is DescribeServices and DescribeServiceDeployments.
   */
  private async readShifts(states: ServiceState[], settled: ReadonlySet<string>): Promise<Map<string, { snapshot: ShiftSnapshot; targetGroupArns: string[] }>> {
    const out = new Map<string, { snapshot: ShiftSnapshot; targetGroupArns: string[] }>();
    if (!states.length) return out;
    for (const st of states) {
      const seen = this.seenDeployments.get(st.id) ?? new Set<string>();
      if (st.service.currentServiceDeployment) seen.add(st.service.currentServiceDeployment);
      this.seenDeployments.set(st.id, seen);
    }
    const raw = await this.describeServiceDeployments(states.flatMap((st) => [...(this.seenDeployments.get(st.id) ?? [])]));
    await this.describeRevisions(
      [...raw.values()].flatMap((d) => [d.targetServiceRevision?.arn, ...(d.sourceServiceRevisions ?? []).map((r) => r.arn)]).filter((a): a is string => Boolean(a)),
    );

    const plans = states.map((st) => {
      const deployments = [...(this.seenDeployments.get(st.id) ?? [])]
        .flatMap((arn) => {
          const d = raw.get(arn);
          return d ? [serviceDeploymentFrom(d, this.revisions)] : [];
        })
        .sort((a, b) => b.createdAt - a.createdAt);
      // The deployment taking traffic now: the moving one that has started its new tasks; or one
      // rolling back, whose new targets say why.
      const moving = deployments.find((d) => MOVING.has(d.status) && atOrAfter(d.lifecycleStage, 'POST_SCALE_UP'));
      const failing = deployments.find((d) => ROLLING_BACK.has(d.status));
      const watched = settled.has(st.id) ? undefined : (moving ?? failing);
      const targetGroupArns = watched?.target.targetGroupArns ?? [];
      const listeners =
        moving && moving === watched && atOrAfter(moving.lifecycleStage, 'PRE_PRODUCTION_TRAFFIC_SHIFT')
          ? [...new Set([...moving.target.listeners, ...st.service.productionListeners])]
          : [];
      return { st, deployments, targetGroupArns, listeners };
    });
    const production = await this.productionTraffic([...new Set(plans.flatMap((p) => p.listeners))]);
    for (const { st, deployments, targetGroupArns, listeners } of plans) {
      out.set(st.id, {
        snapshot: { current: st.service.currentServiceDeployment, deployments, production: listeners.flatMap((arn) => production.get(arn) ?? []) },
        targetGroupArns,
      });
    }
    return out;
  }

  private async describeServiceDeployments(arns: string[]): Promise<Map<string, ServiceDeployment>> {
    const out = new Map<string, ServiceDeployment>();
    await Promise.all(
      chunks([...new Set(arns)], DESCRIBE_SERVICE_DEPLOYMENTS_BATCH).map(async (batch) => {
        const page = await this.count('ecs:DescribeServiceDeployments', () =>
          this.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch })),
        );
        for (const d of page.serviceDeployments ?? []) if (d.serviceDeploymentArn) out.set(d.serviceDeploymentArn, d);
      }),
    );
    return out;
  }

  private async describeRevisions(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.revisions.has(arn));
    await Promise.all(
      chunks(unknown, DESCRIBE_SERVICE_REVISIONS_BATCH).map(async (batch) => {
        const page = await this.count('ecs:DescribeServiceRevisions', () =>
          this.clients.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch })),
        );
        for (const r of page.serviceRevisions ?? []) if (r.serviceRevisionArn) this.revisions.set(r.serviceRevisionArn, revisionFrom(r));
      }),
    );
  }

  /** ALB production listener rules (DescribeRules) and NLB listeners (DescribeListeners), side by side. */
  private async productionTraffic(arns: string[]): Promise<Map<string, ListenerTraffic>> {
    const out = new Map<string, ListenerTraffic>();
    const rules = arns.filter((arn) => arn.includes(':listener-rule/'));
    const listeners = arns.filter((arn) => !arn.includes(':listener-rule/'));
    await Promise.all([
      ...chunks(rules, DESCRIBE_RULES_BATCH).map(async (batch) => {
        const page = await this.count('elbv2:DescribeRules', () => this.clients.elb.send(new DescribeRulesCommand({ RuleArns: batch })));
        for (const r of page.Rules ?? []) out.set(r.RuleArn ?? '', ruleTrafficFrom(r));
      }),
      ...chunks(listeners, DESCRIBE_LISTENERS_BATCH).map(async (batch) => {
        const page = await this.count('elbv2:DescribeListeners', () => this.clients.elb.send(new DescribeListenersCommand({ ListenerArns: batch })));
        for (const l of page.Listeners ?? []) out.set(l.ListenerArn ?? '', listenerTrafficFrom(l));
      }),
    ]);
    return out;
  }

  private async listRunning(st: ServiceState): Promise<void> {
    st.running = new Set(await this.listTasks(st.raw, 'RUNNING'));
  }

  /** Tasks that failed between two polls never showed up as RUNNING; their stop reasons are the causes. */
  private async listStopped(st: ServiceState): Promise<void> {
    const cache = this.cacheFor(st.id);
    const failed = st.service.deployments.reduce((n, d) => n + d.failedTasks, 0);
    if (failed > cache.failedTasks) {
      const [stopped] = await Promise.all([this.listTasks(st.raw, 'STOPPED'), this.readBreaker(st)]);
      st.stopped = stopped.slice(0, STOPPED_TASKS_TO_DESCRIBE);
    }
    cache.failedTasks = failed;
  }

  /**
   * Which alarms rolled a deployment back: ECS says "rolling back" in the new PRIMARY's reason, the
   * alarm names are only in the service deployment that was rolled back (one seen as current
   * earlier in this run). Read once, when the rollback shows; never fatal.
   */
  private async readRollbackAlarms(st: ServiceState): Promise<void> {
    const cache = this.cacheFor(st.id);
    const current = st.service.currentServiceDeployment;
    const rollingBack = st.service.deployments.some((d) => d.status === 'PRIMARY' && /rolling back/i.test(d.rolloutStateReason ?? ''));
    const earlier = [...cache.currents].filter((arn) => arn !== current);
    if (current) cache.currents.add(current);
    if (!rollingBack || cache.alarms !== undefined || !earlier.length || this.deploymentsDenied) return;
    cache.alarms = [];
    try {
      const out = await this.count('ecs:DescribeServiceDeployments', () =>
        this.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: earlier.slice(-DESCRIBE_SERVICE_DEPLOYMENTS_BATCH) })),
      );
      cache.alarms = [...new Set((out.serviceDeployments ?? []).flatMap((d) => d.alarms?.triggeredAlarmNames ?? []))];
    } catch (error) {
      this.deploymentsDenied = true;
      this.log.warn(`The alarms behind the rollback are not named: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * How close ECS's circuit breaker is to tripping (its failure count and threshold are only in the
   * service deployment), read when tasks failed, for the crash-loop warning. A nicety: a policy
   * without ecs:DescribeServiceDeployments (written for 1.0) loses it, not the watch.
   */
  private async readBreaker(st: ServiceState): Promise<void> {
    const arn = st.service.currentServiceDeployment;
    if (!arn || st.shifting || this.deploymentsDenied) return;
    try {
      const out = await this.count('ecs:DescribeServiceDeployments', () => this.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })));
      const cb = out.serviceDeployments?.[0]?.deploymentCircuitBreaker;
      if (cb) this.cacheFor(st.id).breaker = { failureCount: cb.failureCount, threshold: cb.threshold, status: cb.status };
    } catch (error) {
      this.deploymentsDenied = true;
      this.log.warn(`The circuit breaker's failure count is not shown: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private hasNewStrangers(st: ServiceState, groups: Map<string, TargetGroupSnapshot>): boolean {
    const cache = this.cacheFor(st.id);
    const known = new Set([...cache.tasks.values()].flatMap((t) => t.snapshot.targetKeys));
    const unknown = this.liveTargets(st, groups).filter((k) => !known.has(k));
    const fresh = unknown.some((k) => !cache.strangers.has(k));
    cache.strangers = new Set(unknown);
    return fresh;
  }

  /** Keys of the service's targets that can receive requests: not draining, attached to a listener. */
  private liveTargets(st: ServiceState, groups: Map<string, TargetGroupSnapshot>): string[] {
    return st.service.targetGroupArns.flatMap((arn) => (groups.get(arn)?.targets ?? []).filter((t) => !isDraining(t) && t.state !== 'unused').map(targetKey));
  }

  /** Which tasks this poll must (re-)describe for one service. */
  private toDescribe(st: ServiceState, groups: Map<string, TargetGroupSnapshot>): string[] {
    const cache = this.cacheFor(st.id);
    const describe = new Set<string>();
    if (st.running) {
      for (const arn of st.running) if (!cache.tasks.has(arn)) describe.add(arn);
      for (const [arn, { snapshot: t }] of cache.tasks) {
        if (t.lastStatus === 'STOPPED') continue;
        // Left the list: its desired status is STOPPED now, which ListTasks hides, so follow it by
        // ARN until it has stopped. Still starting: it turns RUNNING without any other sign.
        // A task listed and RUNNING changes only by leaving the list: no need to ask again.
        if (!st.running.has(arn) || t.lastStatus !== 'RUNNING') describe.add(arn);
      }
    }
    for (const arn of st.stopped ?? []) if (!cache.tasks.has(arn)) describe.add(arn);
    const draining = new Set(st.service.targetGroupArns.flatMap((arn) => (groups.get(arn)?.targets ?? []).filter((t) => isDraining(t)).map(targetKey)));
    for (const [arn, { snapshot: t }] of cache.tasks) {
      // Changes that DescribeServices does not reveal: container health turning HEALTHY, and an old
      // task stopping once its targets have drained.
      const awaitingHealth = t.lastStatus === 'RUNNING' && t.healthStatus === 'UNKNOWN' && this.healthChecks.get(t.taskDefinitionArn);
      const stopping = t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' && !t.targetKeys.some((k) => draining.has(k));
      if (awaitingHealth || stopping) describe.add(arn);
    }
    return [...describe];
  }

  private async listTasks(service: Service, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.count('ecs:ListTasks', () =>
        this.clients.ecs.send(
          new ListTasksCommand({ cluster: this.cluster, serviceName: service.serviceName, desiredStatus, maxResults: 100, nextToken }),
        ),
      );
      arns.push(...(out.taskArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return arns;
  }

  private async describeTasks(arns: string[]): Promise<Map<string, Task>> {
    const out = new Map<string, Task>();
    await Promise.all(
      chunks(arns, DESCRIBE_TASKS_BATCH).map(async (batch) => {
        const page = await this.count('ecs:DescribeTasks', () => this.clients.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: batch })));
        for (const t of page.tasks ?? []) if (t.taskArn) out.set(t.taskArn, t);
      }),
    );
    return out;
  }

  private async targetHealth(arn: string): Promise<TargetGroupSnapshot> {
    const out = await this.count('elbv2:DescribeTargetHealth', () =>
      this.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
    );
    return { arn, targets: (out.TargetHealthDescriptions ?? []).map(targetFrom) };
  }

  /**
   * How long targets take to turn healthy and to drain, for the estimates: one DescribeTargetGroups
   * (up to 20 groups) and one DescribeTargetGroupAttributes per group, once per run.
   */
  private async resolveGroupSettings(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.groupSettings.has(arn));
    if (!unknown.length) return;
    const groups = new Map<string, TargetGroup>();
    const attributes = new Map<string, TargetGroupAttribute[]>();
    // Estimates are a nicety: a policy without these reads (written for an earlier 1.x) loses them, not the watch.
    const settled = Promise.all([
      ...chunks(unknown, DESCRIBE_TARGET_GROUPS_BATCH).map(async (batch) => {
        const out = await this.count('elbv2:DescribeTargetGroups', () => this.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: batch })));
        for (const g of out.TargetGroups ?? []) if (g.TargetGroupArn) groups.set(g.TargetGroupArn, g);
      }),
      ...unknown.map(async (arn) => {
        const out = await this.count('elbv2:DescribeTargetGroupAttributes', () =>
          this.clients.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
        );
        attributes.set(arn, out.Attributes ?? []);
      }),
    ]);
    try {
      await settled;
    } catch (error) {
      this.log.warn(`No estimates of when targets turn healthy or the old version retires: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const arn of unknown) this.groupSettings.set(arn, targetGroupSettingsFrom(groups.get(arn), attributes.get(arn) ?? []));
  }

  /** Bridge and host networking: targets are instance:port, so learn each container instance's EC2 ID once. */
  private async resolveInstances(tasks: Map<string, Task>): Promise<void> {
    const unknown = [
      ...new Set(
        [...tasks.values()]
          .flatMap((t) => (t.containerInstanceArn && t.containers?.some((c) => c.networkBindings?.length) ? [t.containerInstanceArn] : []))
          .filter((arn) => !this.instances.has(arn)),
      ),
    ];
    for (const batch of chunks(unknown, DESCRIBE_TASKS_BATCH)) {
      const out = await this.count('ecs:DescribeContainerInstances', () =>
        this.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: batch })),
      );
      for (const ci of out.containerInstances ?? []) {
        if (ci.containerInstanceArn && ci.ec2InstanceId) this.instances.set(ci.containerInstanceArn, ci.ec2InstanceId);
      }
    }
  }

  /** Whether a task definition has container health checks decides what "ready" means; read once. */
  private async resolveHealthChecks(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((arn) => !this.healthChecks.has(arn));
    await Promise.all(
      unknown.map(async (arn) => {
        const out = await this.count('ecs:DescribeTaskDefinition', () =>
          this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
        );
        this.healthChecks.set(arn, out.taskDefinition ? hasHealthChecks(out.taskDefinition) : false);
      }),
    );
  }
}
