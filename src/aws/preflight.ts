// CHECK_ONLY, the AWS half: every read a run would make for each service's kind of deployment,
// made once against what exists now, each reported as allowed or denied (naming `service:Action`).
// Reads that only feed a nicety (estimates, the circuit breaker's count, an Express endpoint, the
// failed containers' logs) are warnings when denied: a run works without them.
import {
  DescribeExpressGatewayServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsCommandOutput,
  ListTasksCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { lambdaFunctionOf } from '../core/arn.ts';
import { type EcrImage, ecrImageOf, isCommit } from '../core/changes.ts';
import { SHIFTING_STRATEGIES } from '../core/snapshot.ts';
import { METRIC_PERIOD_MS } from '../core/verification.ts';
import type { CheckResult } from '../core/view.ts';
import { MS_PER_SECOND } from '../core/vocabulary.ts';
import { DESCRIBE_ALARMS_BATCH } from './alarms.ts';
import { awslogsOf } from './awslogs.ts';
import { DESCRIBE_TARGET_GROUPS_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { iamAction } from './errors.ts';
import { dimensionOf } from './metrics.ts';
import { type Ask, describe as describeAwsError } from './retry.ts';

const ACCESS_DENIED = /AccessDenied|not authorized|UnauthorizedOperation/i;
/** A stream no task writes to: GetLogEvents on it answers ResourceNotFoundException when the read is allowed. */
const PROBE_STREAM = 'ecs-deploy-notifier/preflight/check';
/** A layer no repository has: ECR answers LayersNotFoundException to a role allowed to ask. */
const PROBE_LAYER = `sha256:${'0'.repeat(64)}`;

interface Check {
  operation: string;
  /** Not needed for the outcome: denied is a warning, with what is lost. */
  optional?: string;
  /** An answer that proves the permission although the call failed (e.g. a missing log stream). */
  allowedWhen?: RegExp;
  call: (abortSignal: AbortSignal | undefined) => Promise<unknown>;
}

/**
 * `ask` makes a call with the run's retries; `explain` turns the first call's failure (credentials,
 * cluster, region) into the run's own advice.
 */
export async function checkAws(
  clients: Pick<AwsClients, 'ecs' | 'elb' | 'codeDeploy' | 'logs' | 'cloudWatch' | 'ecr'> & { region: string },
  cluster: string,
  services: string[],
  ask: Ask,
  explain: (error: unknown, operation: string) => string,
  logLines: number,
  /** VERIFY is not off: the load balancer's metrics are read. */
  verify = false,
): Promise<CheckResult[]> {
  let described: Service[];
  try {
    const out = await ask('ecs:DescribeServices', (abortSignal) =>
      clients.ecs.send(new DescribeServicesCommand({ cluster, services: services.slice(0, 10) }), { abortSignal }),
    );
    described = out.services ?? [];
    const missing = services.slice(0, 10).filter((s) => !described.some((d) => d.serviceName === s || d.serviceArn === s));
    const results: CheckResult[] = [{ level: 'ok', what: 'ecs:DescribeServices' }];
    for (const m of missing)
      results.push({ level: 'fail', what: `service ${m}`, detail: `not found in cluster ${cluster}: check SERVICE_NAME, CLUSTER_NAME and the region` });
    const found: { groups: LogGroup[]; images: EcrImage[] } = { groups: [], images: [] };
    const checks = described.flatMap((s) => checksFor(s, clients, cluster, logLines, found, verify));
    const reads = await run(checks, ask);
    // The log groups are known once the task definitions were read.
    return [
      ...results,
      ...reads,
      ...(await checkLogs(clients, found.groups, ask)),
      ...(await checkImages(clients, found.images, ask)),
      ...(await checkFailureEvidence(clients, described, logLines, ask)),
      ...(verify ? await checkMetrics(clients, described, ask) : []),
    ];
  } catch (error) {
    return [{ level: 'fail', what: 'ecs:DescribeServices', detail: explain(error, 'ecs:DescribeServices') }];
  }
}

/** Each distinct operation once: allowed if every call of it was. */
async function run(checks: Check[], ask: Ask): Promise<CheckResult[]> {
  const outcomes = await Promise.all(
    checks.map(async (c): Promise<CheckResult> => {
      try {
        await ask(c.operation, c.call);
        return { level: 'ok', what: iamAction(c.operation) };
      } catch (error) {
        const said = describeAwsError(error);
        if (c.allowedWhen?.test(said)) return { level: 'ok', what: iamAction(c.operation) };
        const denied = ACCESS_DENIED.test(said);
        const level = c.optional ? 'warn' : 'fail';
        const detail = denied
          ? `denied: add ${iamAction(c.operation)} to the policy (examples/iam-policy.json)${c.optional ? `; without it ${c.optional}` : ''}`
          : said;
        return { level, what: iamAction(c.operation), detail };
      }
    }),
  );
  const worst = new Map<string, CheckResult>();
  const rank = { ok: 0, warn: 1, fail: 2 };
  for (const o of outcomes) if (rank[o.level] >= rank[worst.get(o.what)?.level ?? 'ok']) worst.set(o.what, o);
  return [...worst.values()];
}

/** Where a container logs (awslogs), found on its task definition. */
interface LogGroup {
  group: string;
  region?: string;
}

function checksFor(
  s: Service,
  clients: Pick<AwsClients, 'ecs' | 'elb' | 'codeDeploy' | 'logs'>,
  cluster: string,
  logLines: number,
  /** What the task definitions' reads find for the checks after them: log groups, and ECR images tagged otherwise than by commit. */
  found: { groups: LogGroup[]; images: EcrImage[] },
  verify: boolean,
): Check[] {
  const { ecs, elb } = clients;
  const controller = s.deploymentController?.type ?? 'ECS';
  const strategy = s.deploymentConfiguration?.strategy ?? 'ROLLING';
  const groups = (s.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : []));
  const primaryTd = s.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? s.taskDefinition;
  // Real answers for rolling services may name no currentServiceDeployment: a run lists them then
  // (service-deployments.ts). Listed once for every check that needs it (a failed list is asked
  // again); a denied list is its own check's finding, not the next one's.
  let listing: Promise<ListServiceDeploymentsCommandOutput> | undefined;
  const listDeployments = (a: AbortSignal | undefined) =>
    (listing ??= ecs.send(new ListServiceDeploymentsCommand({ cluster, service: s.serviceName, maxResults: 1 }), { abortSignal: a }).catch((error: unknown) => {
      listing = undefined;
      throw error;
    }));
  const currentDeployment = async (a: AbortSignal | undefined): Promise<string | undefined> => {
    if (s.currentServiceDeployment) return s.currentServiceDeployment;
    const listed = await listDeployments(a).catch(() => undefined);
    return listed?.serviceDeployments?.[0]?.serviceDeploymentArn;
  };
  const checks: Check[] = [
    ...groups.map((arn) => ({
      operation: 'elbv2:DescribeTargetHealth',
      call: (a: AbortSignal | undefined) => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), { abortSignal: a }),
    })),
  ];
  if (controller === 'ECS' && strategy === 'ROLLING') {
    checks.push(
      { operation: 'ecs:ListTasks', call: (a) => ecs.send(new ListTasksCommand({ cluster, serviceName: s.serviceName, maxResults: 1 }), { abortSignal: a }) },
      // A task that does not exist: allowed when ECS answers with a MISSING failure rather than a denial.
      {
        operation: 'ecs:DescribeTasks',
        call: (a) => ecs.send(new DescribeTasksCommand({ cluster, tasks: ['00000000000000000000000000000000'] }), { abortSignal: a }),
      },
      {
        operation: 'elbv2:DescribeTargetGroups',
        optional: `the message gives no estimates, and no hint where the time went${verify ? `; and ${UNVERIFIED}` : ''}`,
        call: (a) =>
          groups.length ? elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: groups.slice(0, 20) }), { abortSignal: a }) : Promise.resolve(),
      },
      ...groups.slice(0, 1).map((arn) => ({
        operation: 'elbv2:DescribeTargetGroupAttributes',
        optional: 'the message gives no estimates, and no hint where the time went',
        call: (a: AbortSignal | undefined) => elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }), { abortSignal: a }),
      })),
    );
    const lacking = "the crash-loop warning lacks the circuit breaker's count and rollbacks do not name their alarms";
    if (!s.currentServiceDeployment) checks.push({ operation: 'ecs:ListServiceDeployments', optional: lacking, call: listDeployments });
    checks.push({
      operation: 'ecs:DescribeServiceDeployments',
      optional: lacking,
      call: async (a) => {
        const arn = await currentDeployment(a);
        if (arn) await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), { abortSignal: a });
      },
    });
  }
  if (primaryTd) checks.push(taskDefinitionCheck(clients, primaryTd, logLines, found));
  if (controller === 'ECS' && SHIFTING_STRATEGIES.has(strategy)) {
    if (!s.currentServiceDeployment) checks.push({ operation: 'ecs:ListServiceDeployments', call: listDeployments });
    checks.push(
      {
        operation: 'ecs:DescribeServiceDeployments',
        call: async (a) => {
          const arn = await currentDeployment(a);
          if (arn) await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), { abortSignal: a });
        },
      },
      {
        operation: 'ecs:DescribeServiceRevisions',
        call: async (a) => {
          const arn = await currentDeployment(a);
          if (!arn) return;
          const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), { abortSignal: a });
          const revision = out.serviceDeployments?.[0]?.targetServiceRevision?.arn;
          if (revision) await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revision] }), { abortSignal: a });
        },
      },
    );
    for (const lb of s.loadBalancers ?? []) {
      const rule = lb.advancedConfiguration?.productionListenerRule;
      if (!rule) continue;
      checks.push(
        rule.includes(':listener-rule/')
          ? { operation: 'elbv2:DescribeRules', call: (a) => elb.send(new DescribeRulesCommand({ RuleArns: [rule] }), { abortSignal: a }) }
          : { operation: 'elbv2:DescribeListeners', call: (a) => elb.send(new DescribeListenersCommand({ ListenerArns: [rule] }), { abortSignal: a }) },
      );
    }
  }
  if (controller === 'CODE_DEPLOY') {
    const id = [...(s.taskSets ?? [])].reverse().find((t) => t.externalId)?.externalId;
    if (id) {
      const target = `${cluster.split('/').pop()}:${s.serviceName}`;
      checks.push(
        {
          operation: 'codedeploy:GetDeployment',
          call: async (a) =>
            (await clients.codeDeploy()).send(new (await import('./extra-clients.ts')).GetDeploymentCommand({ deploymentId: id }), { abortSignal: a }),
        },
        {
          operation: 'codedeploy:GetDeploymentTarget',
          call: async (a) =>
            (await clients.codeDeploy()).send(new (await import('./extra-clients.ts')).GetDeploymentTargetCommand({ deploymentId: id, targetId: target }), {
              abortSignal: a,
            }),
        },
      );
    }
  }
  if (s.resourceManagementType === 'ECS' && s.serviceArn) {
    const arn = s.serviceArn;
    checks.push({
      operation: 'ecs:DescribeExpressGatewayService',
      optional: "the message does not show the service's endpoint",
      call: (a) => ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: arn }), { abortSignal: a }),
    });
  }
  return checks;
}

/**
 * The task definition (what "ready" means), with LOG_LINES its containers' log group, and its ECR
 * images whose tag is no commit (what changed would read their revision label).
 */
function taskDefinitionCheck(clients: Pick<AwsClients, 'ecs'>, td: string, logLines: number, found: { groups: LogGroup[]; images: EcrImage[] }): Check {
  return {
    operation: 'ecs:DescribeTaskDefinition',
    call: async (a) => {
      const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td }), { abortSignal: a });
      const container = out.taskDefinition?.containerDefinitions?.[0]?.name;
      const settings = out.taskDefinition && container ? awslogsOf(out.taskDefinition, container) : undefined;
      if (logLines > 0 && settings?.driver === 'awslogs' && settings.group)
        found.groups.push({ group: settings.group, ...(settings.region ? { region: settings.region } : {}) });
      for (const c of out.taskDefinition?.containerDefinitions ?? []) {
        const image = c.image ? ecrImageOf(c.image) : undefined;
        if (image && !isCommit(image.tag)) found.images.push(image);
      }
    },
  };
}

/** What a run without the ECR reads loses (what changed's image label). */
const UNLABELLED =
  "what changed does not read an image's revision label (the image tag when it is a commit, or the channel's bookmark, still name the version before)";

/**
 * ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on each repository whose images are tagged
 * otherwise than by commit: an image or layer that is not there proves the read is allowed.
 */
async function checkImages(clients: Pick<AwsClients, 'ecr'>, images: readonly EcrImage[], ask: Ask): Promise<CheckResult[]> {
  const repositories = [...new Map(images.map((i) => [`${i.region}/${i.registryId}/${i.repository}`, i])).values()];
  if (!repositories.length) return [];
  const { BatchGetImageCommand, GetDownloadUrlForLayerCommand } = await import('./extra-clients.ts');
  return run(
    repositories.flatMap((i) => {
      const at = { registryId: i.registryId, repositoryName: i.repository };
      return [
        {
          operation: 'ecr:BatchGetImage',
          optional: UNLABELLED,
          call: async (a: AbortSignal | undefined) =>
            (await clients.ecr(i.region)).send(
              new BatchGetImageCommand({ ...at, imageIds: [i.digest ? { imageDigest: i.digest } : { imageTag: i.tag ?? 'latest' }] }),
              {
                abortSignal: a,
              },
            ),
        },
        {
          operation: 'ecr:GetDownloadUrlForLayer',
          optional: UNLABELLED,
          allowedWhen: /LayersNotFound|LayerInaccessible/,
          call: async (a: AbortSignal | undefined) =>
            (await clients.ecr(i.region)).send(new GetDownloadUrlForLayerCommand({ ...at, layerDigest: PROBE_LAYER }), { abortSignal: a }),
        },
      ];
    }),
    ask,
  );
}

/**
 * What a failed run reads at the end, for the services that would need it: the alarms their
 * deployments watch (cloudwatch:DescribeAlarms) and, with LOG_LINES, their Lambda hooks' log groups
 * (logs:FilterLogEvents, where a missing group proves the read is allowed).
 */
async function checkFailureEvidence(
  clients: Pick<AwsClients, 'logs' | 'cloudWatch'> & { region: string },
  described: readonly Service[],
  logLines: number,
  ask: Ask,
): Promise<CheckResult[]> {
  const alarms = [...new Set(described.flatMap((s) => (s.deploymentConfiguration?.alarms?.enable ? (s.deploymentConfiguration.alarms.alarmNames ?? []) : [])))];
  const functions = [
    ...new Set(described.flatMap((s) => (s.deploymentConfiguration?.lifecycleHooks ?? []).flatMap((h) => (h.hookTargetArn ? [h.hookTargetArn] : [])))),
  ];
  if (!alarms.length && !(logLines > 0 && functions.length)) return [];
  const checks: Check[] = [];
  if (alarms.length) {
    checks.push({
      operation: 'cloudwatch:DescribeAlarms',
      optional: "a rollback's alarms are named without their metric, threshold and the value that breached them",
      call: async (a) => {
        const { DescribeAlarmsCommand } = await import('./cloudwatch-client.ts');
        return (await clients.cloudWatch()).send(new DescribeAlarmsCommand({ AlarmNames: alarms.slice(0, DESCRIBE_ALARMS_BATCH) }), { abortSignal: a });
      },
    });
  }
  for (const fn of logLines > 0 ? functions : []) {
    const { name, region } = lambdaFunctionOf(fn, clients.region);
    checks.push({
      operation: 'logs:FilterLogEvents',
      optional: "the failure thread shows no failed Lambda hook's log lines (it says how to get them)",
      allowedWhen: /ResourceNotFound|does not exist/,
      call: async (a) => {
        const { FilterLogEventsCommand } = await import('./extra-clients.ts');
        return (await clients.logs(region)).send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, limit: 1, startTime: Date.now() }), {
          abortSignal: a,
        });
      },
    });
  }
  return run(checks, ask);
}

/** What a run without the reads the traffic verification makes loses (VERIFY). */
const UNVERIFIED = 'the traffic is not verified (the message says "not measured" and why)';

/**
 * The traffic verification's reads, for the services behind a load balancer: each group's load
 * balancer (elasticloadbalancing:DescribeTargetGroups, which rolling services' checks read already)
 * and its metrics (cloudwatch:GetMetricData, one minute of one group's requests). Warnings when
 * denied: a run goes on without them.
 */
async function checkMetrics(clients: Pick<AwsClients, 'elb' | 'cloudWatch'>, described: readonly Service[], ask: Ask): Promise<CheckResult[]> {
  const groupsOf = (list: readonly Service[]) => [
    ...new Set(list.flatMap((s) => (s.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])))),
  ];
  const groups = groupsOf(described);
  if (!groups.length) return [];
  const unread = groupsOf(
    described.filter((s) => (s.deploymentController?.type ?? 'ECS') !== 'ECS' || (s.deploymentConfiguration?.strategy ?? 'ROLLING') !== 'ROLLING'),
  );
  const { GetMetricDataCommand } = await import('./cloudwatch-client.ts');
  const now = Date.now();
  return run(
    [
      ...(unread.length
        ? [
            {
              operation: 'elbv2:DescribeTargetGroups',
              optional: UNVERIFIED,
              call: (a: AbortSignal | undefined) =>
                clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: unread.slice(0, DESCRIBE_TARGET_GROUPS_BATCH) }), { abortSignal: a }),
            },
          ]
        : []),
      {
        operation: 'cloudwatch:GetMetricData',
        optional: UNVERIFIED,
        call: async (a) =>
          (await clients.cloudWatch()).send(
            new GetMetricDataCommand({
              MetricDataQueries: [
                {
                  Id: 'requests',
                  MetricStat: {
                    Metric: {
                      Namespace: 'AWS/ApplicationELB',
                      MetricName: 'RequestCount',
                      Dimensions: [{ Name: 'TargetGroup', Value: dimensionOf(groups[0] ?? '') }],
                    },
                    Period: METRIC_PERIOD_MS / MS_PER_SECOND,
                    Stat: 'Sum',
                  },
                },
              ],
              StartTime: new Date(now - METRIC_PERIOD_MS),
              EndTime: new Date(now),
            }),
            { abortSignal: a },
          ),
      },
    ],
    ask,
  );
}

/** logs:GetLogEvents on each log group found: a missing stream proves the read is allowed. */
async function checkLogs(clients: Pick<AwsClients, 'logs'> & { region: string }, probes: readonly LogGroup[], ask: Ask): Promise<CheckResult[]> {
  if (!probes.length) return [];
  const { GetLogEventsCommand } = await import('./extra-clients.ts');
  return run(
    probes.map((p) => ({
      operation: 'logs:GetLogEvents',
      optional: 'the failure thread shows no container log lines (it says how to get them)',
      allowedWhen: /ResourceNotFound|does not exist/,
      call: async (a) =>
        (await clients.logs(p.region ?? clients.region)).send(new GetLogEventsCommand({ logGroupName: p.group, logStreamName: PROBE_STREAM, limit: 1 }), {
          abortSignal: a,
        }),
    })),
    ask,
  );
}
