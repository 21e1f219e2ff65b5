// Reads ECS and the load balancer into snapshots, frugally: the describe APIs share one refill rate
// per account and region with every other pipeline, so a poll re-describes only what may have
// changed. While nothing moves, a poll is DescribeServices (≤ 10 services a call) plus one
// DescribeTargetHealth per target group, made side by side; for a service the core calls quiet
// (ReadOptions), DescribeServices alone.
import { DescribeTasksCommand, ListTasksCommand, type Service, type Task } from '@aws-sdk/client-ecs';
import {
  isDraining,
  type ReadOptions,
  type ServiceSnapshot,
  SHIFTING_STRATEGIES,
  type TargetGroupSettings,
  type TargetGroupSnapshot,
  type TaskSnapshot,
  targetKey,
} from '../core/snapshot.ts';
import type { Logger } from '../logger.ts';
import { type CallOptions, type Counter, chunks, DESCRIBE_TASKS_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { CodeDeployReader } from './codedeploy-reader.ts';
import { DeploymentNotes } from './deployment-notes.ts';
import { describeServices } from './describe-services.ts';
import { ExpressReader } from './express-reader.ts';
import { ServiceDeployments } from './service-deployments.ts';
import { ShiftReader } from './shift-reader.ts';
import { TargetReader } from './target-reader.ts';
import { TaskFacts } from './task-facts.ts';
import { type ServiceRead, serviceFrom, taskFrom } from './to-snapshot.ts';

/** Runs one AWS call; the watch passes a function that retries and explains errors. */
export type CallRunner = Counter;

interface ServiceCache {
  fingerprint?: string;
  /** What of DescribeServices' answer can move target health (see ServiceState.targetsMayHaveMoved). */
  runningFingerprint?: string;
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
  /**
   * A rolling service as the last poll read it: its name for ListTasks and its target groups, so
   * that the next poll can ask for them beside DescribeServices instead of after it.
   */
  rolling?: { serviceName: string; targetGroupArns: string[] };
}

/** ECS's and Elastic Load Balancing's limits per call. */
/** Stopped tasks are described for their stop reasons; the newest this many are enough. */
const STOPPED_TASKS_TO_DESCRIBE = 100;

/** One service during one poll: what DescribeServices said, and what the listings found. */
interface ServiceState extends ServiceRead {
  raw: Service;
  changed: boolean;
  /**
   * Whether the change can have moved target health: a task began or stopped running, a
   * deployment's state changed. Not a task provisioned or pending: ECS registers a task's targets
   * only once it runs.
   */
  targetsMayHaveMoved: boolean;
  /** Set when this poll listed the RUNNING tasks. */
  running?: Set<string>;
  /** Set when this poll listed recently STOPPED tasks. */
  stopped?: string[];
  /** ECS-native traffic shifting (blue/green, linear, canary): judged from service deployments, not task lists. */
  shifting: boolean;
  /** The CODE_DEPLOY controller: judged from task sets and CodeDeploy, not task lists. */
  codeDeploy: boolean;
}

export class RolloutReader {
  /** AWS calls made, by operation: the bench and the tests read it. */
  readonly calls = new Map<string, number>();
  private readonly caches = new Map<string, ServiceCache>();
  /** Each target group's health as last read: what a quiet service's snapshot shows while ECS shows no change. */
  private readonly lastHealth = new Map<string, TargetGroupSnapshot>();

  private readonly shifts: ShiftReader;
  private readonly codeDeploys: CodeDeployReader;
  private readonly targets: TargetReader;
  private readonly facts: TaskFacts;
  private readonly notes: DeploymentNotes;
  private readonly express: ExpressReader;

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs' | 'elb' | 'codeDeploy'>,
    private readonly cluster: string,
    private readonly run: CallRunner,
    private readonly log: Logger,
  ) {
    const count: Counter = (operation, call, options) => this.count(operation, call, options);
    const serviceDeployments = new ServiceDeployments(clients, cluster, count);
    this.shifts = new ShiftReader(clients, count, serviceDeployments);
    this.codeDeploys = new CodeDeployReader(clients, cluster, count);
    this.targets = new TargetReader(clients, count, log);
    this.facts = new TaskFacts(clients, cluster, count);
    this.notes = new DeploymentNotes(clients, count, log, serviceDeployments);
    this.express = new ExpressReader(clients, count, log);
  }

  /**
   * The target groups' settings (health checks, deregistration delay, load balancers, protocol),
   * read once per run: the traffic verification asks for the groups of every kind of deployment,
   * by ARN, or by name where CodeDeploy names them (ECSTaskSet.targetGroup), each with its ARN.
   */
  /** A task definition's container images, read once a run (shared with the poll's own read); undefined when it cannot be read. */
  async imagesOf(taskDefinition: string): Promise<string[] | undefined> {
    try {
      const definition = await this.facts.definition(taskDefinition, true);
      return (definition?.containerDefinitions ?? []).flatMap((c) => (c.image ? [c.image] : []));
    } catch {
      return undefined;
    }
  }

  async groupSettings(groups: string[]): Promise<ReadonlyMap<string, { arn: string; settings?: TargetGroupSettings }>> {
    const arns = await this.targets.arnsOf(groups);
    await this.targets.resolveSettings([...arns.values()]);
    return new Map(
      groups.flatMap((g) => {
        const arn = arns.get(g);
        const settings = arn ? this.targets.settings.get(arn) : undefined;
        return arn ? [[g, { arn, ...(settings ? { settings } : {}) }]] : [];
      }),
    );
  }

  /**
   * One snapshot per service. `force` lists tasks even when DescribeServices shows no change, to
   * confirm a verdict on fresh task data. Reads that do not depend on each other run together, so
   * a poll costs two round trips: DescribeServices beside the target health and (forced) task lists
   * of the rolling services the last poll read, then whatever the answer showed to be new.
   */
  async read(services: string[], options: ReadOptions = {}): Promise<Map<string, ServiceSnapshot>> {
    const force = options.force ?? false;
    const quiet = new Set(force ? [] : (options.quiet ?? []));
    const early = this.readAhead(
      services.filter((id) => !quiet.has(id)),
      force,
    );
    const described = await describeServices(services, this.clients.ecs, this.cluster, (operation, call) => this.count(operation, call));
    const states = services.flatMap((id) => {
      const raw = described.get(id);
      return raw ? [this.changeOf(id, raw)] : [];
    });
    const rolling = states.filter((st) => !st.shifting && !st.codeDeploy);
    for (const st of states) {
      const cache = this.cacheFor(st.id);
      if (st.shifting || st.codeDeploy) delete cache.rolling;
      else cache.rolling = { serviceName: st.raw.serviceName ?? st.id, targetGroupArns: st.service.targetGroupArns };
    }
    const [shifts, codeDeploys, express] = await Promise.all([
      this.shifts.read(
        states.filter((st) => st.shifting),
        new Set(options.settled ?? []),
      ),
      this.codeDeploys.read(states.filter((st) => st.codeDeploy)),
      this.express.read(states),
    ]);

    // A quiet service (see ReadOptions) keeps its last target health while ECS shows no change
    // that can move it (a task provisioned or pending has no target yet).
    const kept = rolling.filter((st) => quiet.has(st.id) && !st.targetsMayHaveMoved && st.service.targetGroupArns.every((arn) => this.lastHealth.has(arn)));
    const keptArns = kept.flatMap((st) => st.service.targetGroupArns);
    const groupArns = [
      ...new Set([
        ...rolling.filter((st) => !kept.includes(st)).flatMap((st) => st.service.targetGroupArns),
        ...[...shifts.values()].flatMap((sh) => sh.targetGroupArns),
      ]),
    ];
    const [groups] = await Promise.all([
      Promise.all(groupArns.map((arn) => early.groups.get(arn) ?? this.targets.health(arn))).then((fresh) => {
        for (const g of fresh) this.lastHealth.set(g.arn, g);
        return new Map([...new Set([...groupArns, ...keptArns])].flatMap((arn) => this.lastHealth.get(arn) ?? []).map((g) => [g.arn, g]));
      }),
      this.targets.resolveSettings(rolling.flatMap((st) => st.service.targetGroupArns)),
      Promise.all(rolling.filter((st) => force || st.changed).map((st) => this.listRunning(st, early.running.get(st.id)))),
      Promise.all(states.filter((st) => st.changed).map((st) => this.listStopped(st))),
      Promise.all(rolling.map((st) => this.notes.rollbackAlarms(st, this.cacheFor(st.id)))),
      // Readiness by container health checks is the rolling rule; traffic shifting asks the load balancer.
      this.facts.resolveHealthChecks(rolling.flatMap((st) => st.service.deployments.filter((d) => d.status === 'PRIMARY').map((d) => d.taskDefinitionArn))),
    ]);
    // A target no known task explains usually belongs to a task started since the last listing.
    const strangers = rolling.filter((st) => this.hasNewStrangers(st, groups));
    await Promise.all(strangers.filter((st) => !st.running).map((st) => this.listRunning(st)));

    const plans = states.map((st) => ({ st, describe: this.toDescribe(st, groups) }));
    const tasks = await this.describeTasks([...new Set(plans.flatMap((p) => p.describe))]);
    await this.facts.resolveInstances(tasks);

    const result = new Map<string, ServiceSnapshot>();
    for (const { st, describe } of plans) {
      const cache = this.cacheFor(st.id);
      for (const arn of describe) {
        const task = tasks.get(arn);
        if (task) cache.tasks.set(arn, { snapshot: taskFrom(task, this.facts.instances, st.service.containerPorts) });
        else cache.tasks.delete(arn); // described as MISSING: stopped long ago
      }
      const {
        targetGroupArns,
        containerPorts: _ports,
        currentServiceDeployment: _current,
        productionListeners: _listeners,
        expressMode: _express,
        ...service
      } = st.service;
      // CodeDeploy says how the traffic moves; the load balancer is not asked for these services.
      const shift = shifts.get(st.id);
      const codeDeploy = codeDeploys.get(st.id);
      result.set(st.id, {
        ...service,
        tasks: [...cache.tasks.values()].map((t) => t.snapshot),
        targetGroups: (shift ? shift.targetGroupArns : st.codeDeploy ? [] : targetGroupArns).flatMap((arn) => {
          const group = groups.get(arn);
          const settings = this.targets.settings.get(arn);
          return group ? [settings ? { ...group, settings } : group] : [];
        }),
        healthChecks: Object.fromEntries(this.facts.healthChecks),
        ...(shift ? { shift: shift.snapshot } : {}),
        ...(codeDeploy ? { codeDeploy } : {}),
        ...(express.has(st.id) ? { express: express.get(st.id) } : {}),
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

  private async count<T>(operation: string, call: (abortSignal: AbortSignal | undefined) => Promise<T>, options?: CallOptions): Promise<T> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    this.log.debug(`AWS ${operation}`);
    return this.run(operation, call, options);
  }

  /** Whether DescribeServices shows a change since the last poll (counts, states, deployments). */
  private changeOf(id: string, raw: Service): ServiceState {
    const service = serviceFrom(raw);
    const cache = this.cacheFor(id);
    // The newest event too: ECS logs every task it starts ("has started 1 tasks", see
    // service-events-real-timelines.json), so a task that started and stopped between two polls
    // shows even when every count reads as before (its replacement pending in its place, and
    // failedTasks reset by a task that ran healthy meanwhile). Only the event's id is compared,
    // never its text.
    const fingerprint = JSON.stringify([
      service.status,
      service.desiredCount,
      service.deployments.map((d) => [d.id, d.status, d.desiredCount, d.runningCount, d.pendingCount, d.failedTasks, d.rolloutState]),
      service.events[0]?.id,
    ]);
    const changed = fingerprint !== cache.fingerprint;
    cache.fingerprint = fingerprint;
    const runningFingerprint = JSON.stringify([service.status, service.deployments.map((d) => [d.id, d.status, d.runningCount, d.rolloutState])]);
    const targetsMayHaveMoved = runningFingerprint !== cache.runningFingerprint;
    cache.runningFingerprint = runningFingerprint;
    const shifting = service.deploymentController === 'ECS' && SHIFTING_STRATEGIES.has(service.deploymentStrategy ?? 'ROLLING');
    return { id, raw, service, changed, targetsMayHaveMoved, shifting, codeDeploy: service.deploymentController === 'CODE_DEPLOY' };
  }

  /**
   * What a poll can ask before DescribeServices answers: the health of the target groups of the
   * rolling services the last poll read and, when the task lists are forced, those lists. Each
   * promise is marked handled at once: when DescribeServices fails, the poll's error is that one.
   * (Traffic-shifting and CodeDeploy services learn their groups from later reads of the same poll.)
   */
  private readAhead(services: string[], force: boolean): { groups: Map<string, Promise<TargetGroupSnapshot>>; running: Map<string, Promise<string[]>> } {
    const known = services.flatMap((id) => {
      const rolling = this.caches.get(id)?.rolling;
      return rolling ? [{ id, ...rolling }] : [];
    });
    const handled = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => undefined);
      return p;
    };
    const groups = new Map([...new Set(known.flatMap((k) => k.targetGroupArns))].map((arn) => [arn, handled(this.targets.health(arn))]));
    const running = new Map(force ? known.map((k) => [k.id, handled(this.listTasks(k.serviceName, 'RUNNING'))]) : []);
    return { groups, running };
  }

  private async listRunning(st: ServiceState, early?: Promise<string[]>): Promise<void> {
    st.running = new Set(await (early ?? this.listTasks(st.raw.serviceName ?? st.id, 'RUNNING')));
  }

  /**
   * Tasks that failed between two polls never showed up as RUNNING; their stop reasons are the
   * causes. ECS's count alone does not tell when: it resets to 0 once a task of the deployment runs
   * healthy (deploymentCircuitBreaker, resetOnHealthyTask, on by default), so between two polls it
   * can fall, or fall and climb back to the same number. Any move of the count lists them, and so
   * does any change of a service whose tasks have failed.
   */
  private async listStopped(st: ServiceState): Promise<void> {
    const cache = this.cacheFor(st.id);
    const failed = st.service.deployments.reduce((n, d) => n + d.failedTasks, 0);
    if (failed !== cache.failedTasks || failed > 0) {
      const [stopped] = await Promise.all([this.listTasks(st.raw.serviceName ?? st.id, 'STOPPED'), this.notes.breaker(st, cache)]);
      st.stopped = stopped.slice(0, STOPPED_TASKS_TO_DESCRIBE);
    }
    cache.failedTasks = failed;
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
      const awaitingHealth = t.lastStatus === 'RUNNING' && t.healthStatus === 'UNKNOWN' && this.facts.healthChecks.get(t.taskDefinitionArn);
      const stopping = t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' && !t.targetKeys.some((k) => draining.has(k));
      if (awaitingHealth || stopping) describe.add(arn);
    }
    return [...describe];
  }

  private async listTasks(serviceName: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.count('ecs:ListTasks', (abortSignal) =>
        this.clients.ecs.send(new ListTasksCommand({ cluster: this.cluster, serviceName, desiredStatus, maxResults: 100, nextToken }), {
          abortSignal,
        }),
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
        const page = await this.count('ecs:DescribeTasks', (abortSignal) =>
          this.clients.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: batch }), { abortSignal }),
        );
        for (const t of page.tasks ?? []) if (t.taskArn) out.set(t.taskArn, t);
      }),
    );
    return out;
  }
}
