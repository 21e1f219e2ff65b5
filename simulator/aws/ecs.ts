// ECS, JSON 1.1 (X-Amz-Target AmazonEC2ContainerServiceV20141113.*): the operations the pipe calls,
// answered from the model in the shapes of the ECS API reference.
import {
  ACCOUNT_ID,
  type AccountModel,
  CLUSTER,
  type FakeDeployment,
  type FakeRevisionShare,
  type FakeService,
  type FakeServiceDeployment,
  type FakeShift,
  type FakeTask,
  REGION,
  taskArn,
} from './model.ts';

export function ecsApi(a: AccountModel, op: string, body: Record<string, unknown>): { status: number; body: unknown } {
  const cluster = String(body.cluster ?? CLUSTER)
    .split('/')
    .pop();
  if (op !== 'DescribeTaskDefinition' && cluster !== CLUSTER) {
    return { status: 400, body: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' } };
  }
  switch (op) {
    case 'DescribeServices': {
      const names = body.services as string[];
      // One tick per poll: a poll of more than 10 services makes several calls, only the first advances.
      const first = a.services.keys().next().value;
      if (!first || names.some((n) => n.split('/').pop() === first)) a.onPoll(a.ticks++);
      const found = names.map((n) => a.services.get(n.split('/').pop() as string)).filter((s): s is FakeService => Boolean(s));
      return {
        status: 200,
        body: {
          services: found.map((s) => serviceJson(a, s)),
          failures: names
            .filter((n) => !a.services.has(n.split('/').pop() as string))
            .map((n) => ({ arn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${n}`, reason: 'MISSING' })),
        },
      };
    }
    case 'ListTasks': {
      const all = [...a.tasks.values()].filter((t) => t.service === body.serviceName && t.desiredStatus === (body.desiredStatus ?? 'RUNNING'));
      const start = Number(body.nextToken ?? 0);
      const size = Number(body.maxResults ?? 100);
      const page = all.slice(start, start + size);
      return {
        status: 200,
        body: { taskArns: page.map((t) => taskArn(t)), ...(start + size < all.length ? { nextToken: String(start + size) } : {}) },
      };
    }
    case 'DescribeTasks': {
      const arns = body.tasks as string[];
      if (arns.length > 100) return { status: 400, body: { __type: 'InvalidParameterException', message: 'Tasks cannot be longer than 100.' } };
      const ids = arns.map((arn) => arn.split('/').pop() as string);
      return {
        status: 200,
        body: {
          tasks: ids.filter((id) => a.tasks.has(id)).map((id) => taskJson(a, a.tasks.get(id) as FakeTask)),
          failures: arns.filter((_arn, i) => !a.tasks.has(ids[i] as string)).map((arn) => ({ arn, reason: 'MISSING' })),
        },
      };
    }
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
    case 'ContinueServiceDeployment': {
      const arn = String(body.serviceDeploymentArn);
      const action = body.action === 'ROLLBACK' ? 'ROLLBACK' : 'CONTINUE';
      for (const s of a.services.values()) {
        const d = s.shift?.deployments.find((x) => x.arn === arn);
        if (!d) continue;
        const hook = d.hooks.find((h) => h.hookId === body.hookId && h.status === 'AWAITING_ACTION');
        if (!hook) return { status: 400, body: { __type: 'InvalidParameterException', message: `Hook ${String(body.hookId)} is not awaiting action.` } };
        hook.status = 'SUCCEEDED';
        a.onContinue(s.name, action);
        return { status: 200, body: { serviceDeploymentArn: arn } };
      }
      return { status: 400, body: { __type: 'ServiceDeploymentNotFoundException', message: `${arn} was not found.` } };
    }
    case 'DescribeServiceDeployments': {
      const arns = body.serviceDeploymentArns as string[];
      if (arns.length > 20)
        return { status: 400, body: { __type: 'InvalidParameterException', message: 'serviceDeploymentArns cannot have more than 20 entries.' } };
      const all = [...a.services.values()].flatMap((s) => (s.shift ? s.shift.deployments.map((d) => ({ s, d })) : []));
      const found = arns.flatMap((arn) => all.filter((x) => x.d.arn === arn));
      // Rolling deployments have service deployments too; the circuit breaker's count is in them.
      const rolling = arns.flatMap((arn) =>
        [...a.services.values()].flatMap((s) =>
          s.deployments.filter((d) => !s.shift && rollingDeploymentArn(a, s, d) === arn).map((d) => rollingDeploymentJson(a, s, d)),
        ),
      );
      return {
        status: 200,
        body: {
          serviceDeployments: [...found.map(({ s, d }) => serviceDeploymentJson(a, s, d)), ...rolling],
          failures: arns
            .filter((arn) => !found.some((x) => x.d.arn === arn) && !rolling.some((r) => r.serviceDeploymentArn === arn))
            .map((arn) => ({ arn, reason: 'MISSING' })),
        },
      };
    }
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html: the
    // briefs of a service's deployments (the AWS CLI example's shape, list-service-deployments.json),
    // those created after `createdAt.after` when given.
    case 'ListServiceDeployments': {
      const name =
        String(body.service ?? '')
          .split('/')
          .pop() ?? '';
      const s = a.services.get(name);
      if (!s) return { status: 400, body: { __type: 'ServiceNotFoundException', message: 'Service not found.' } };
      const after = (body.createdAt as { after?: number } | undefined)?.after;
      const all = s.shift ? s.shift.deployments.map((d) => serviceDeploymentJson(a, s, d)) : s.deployments.map((d) => rollingDeploymentJson(a, s, d));
      const briefs = all
        .filter((d) => after === undefined || d.createdAt >= after)
        .map((d) => ({
          serviceDeploymentArn: d.serviceDeploymentArn,
          serviceArn: d.serviceArn,
          clusterArn: d.clusterArn,
          createdAt: d.createdAt,
          startedAt: d.startedAt,
          targetServiceRevisionArn: d.targetServiceRevision.arn,
          status: d.status,
        }));
      return { status: 200, body: { serviceDeployments: briefs } };
    }
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html
    case 'DescribeServiceRevisions': {
      const arns = body.serviceRevisionArns as string[];
      if (arns.length > 20)
        return { status: 400, body: { __type: 'InvalidParameterException', message: 'serviceRevisionArns cannot have more than 20 entries.' } };
      const found = arns.flatMap((arn) => {
        const r = a.revisions.get(arn);
        return r ? [r] : [];
      });
      return {
        status: 200,
        body: {
          serviceRevisions: found.map((r) => ({
            serviceRevisionArn: r.arn,
            serviceArn: r.arn.replace(':service-revision/', ':service/').replace(/\/[^/]+$/, ''),
            clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
            taskDefinition: r.td,
            launchType: 'FARGATE',
            loadBalancers: [{ targetGroupArn: r.targetGroup, containerName: 'web', containerPort: 8080 }],
            createdAt: Date.now() / 1000,
            resolvedConfiguration: { loadBalancers: [{ targetGroupArn: r.targetGroup, productionListenerRule: r.listenerRule }] },
          })),
          failures: arns.filter((arn) => !a.revisions.has(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
        },
      };
    }
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeExpressGatewayService.html
    // (ECSExpressGatewayService: activeConfigurations[].ingressPaths[] with accessType and endpoint).
    case 'DescribeExpressGatewayService': {
      const name = String(body.serviceArn).split('/').pop() ?? '';
      const s = a.services.get(name);
      if (!s?.express) return { status: 400, body: { __type: 'InvalidParameterException', message: `${String(body.serviceArn)} is not an Express service.` } };
      return {
        status: 200,
        body: {
          service: {
            cluster: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
            serviceName: s.name,
            serviceArn: String(body.serviceArn),
            status: { statusCode: 'ACTIVE' },
            currentDeployment: s.shift?.current,
            activeConfigurations: [
              {
                serviceRevisionArn: s.shift?.deployments[0]?.target.arn,
                cpu: '256',
                memory: '512',
                healthCheckPath: '/ping',
                ingressPaths: [{ accessType: 'PUBLIC', endpoint: s.express.endpoint }],
                createdAt: Date.now() / 1000,
              },
            ],
            createdAt: Date.now() / 1000 - 86_400,
          },
        },
      };
    }
    case 'DescribeTaskDefinition': {
      const arn = String(body.taskDefinition);
      const [family, revision] = (arn.split('/').pop() as string).split(':');
      return {
        status: 200,
        body: {
          taskDefinition: {
            taskDefinitionArn: arn,
            family,
            revision: Number(revision),
            containerDefinitions: [
              {
                name: 'web',
                // ContainerDefinition.image: `repository-url/image:tag` (API_ContainerDefinition.html); `latest` unless a scenario tags it.
                image: a.images.get(arn) ?? `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${family}:latest`,
                ...(a.healthChecked.has(arn) ? { healthCheck: { command: ['CMD-SHELL', 'curl -f localhost:8080/health'] } } : {}),
                // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
                logConfiguration:
                  (a.logDrivers.get(family ?? '') ?? 'awslogs') === 'awslogs'
                    ? { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' } }
                    : { logDriver: a.logDrivers.get(family ?? ''), options: {} },
              },
            ],
          },
        },
      };
    }
    default:
      return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
  }
}

export function rollingDeploymentArn(_a: AccountModel, s: FakeService, d: FakeDeployment): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service-deployment/${CLUSTER}/${s.name}/${d.id.replace('ecs-svc/', '')}`;
}

/** A rolling deployment's service revision: the real answer names it by the deployment's number (ecs-svc/6216… → service-revision/…/6216…). */
function rollingRevisionArn(s: FakeService, d: FakeDeployment): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service-revision/${CLUSTER}/${s.name}/${d.id.replace('ecs-svc/', '')}`;
}

/** A rolling deployment as DescribeServiceDeployments shows it (the AWS CLI example's shape), its circuit breaker counting failed tasks. */
export function rollingDeploymentJson(a: AccountModel, s: FakeService, d: FakeDeployment) {
  return {
    serviceDeploymentArn: rollingDeploymentArn(a, s, d),
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
    createdAt: d.createdAt / 1000,
    startedAt: d.createdAt / 1000,
    updatedAt: Date.now() / 1000,
    sourceServiceRevisions: [],
    targetServiceRevision: {
      arn: rollingRevisionArn(s, d),
      requestedTaskCount: d.desiredCount,
      runningTaskCount: d.runningCount,
      pendingTaskCount: d.pendingCount,
    },
    status: d.rolloutState === 'COMPLETED' ? 'SUCCESSFUL' : d.rolloutState === 'FAILED' ? 'ROLLBACK_IN_PROGRESS' : 'IN_PROGRESS',
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: 'ROLLING',
    },
    deploymentCircuitBreaker: { status: d.rolloutState === 'FAILED' ? 'TRIGGERED' : 'MONITORING', failureCount: d.failedTasks, threshold: 3 },
    alarms: d.triggeredAlarms?.length ? { status: 'TRIGGERED', alarmNames: d.triggeredAlarms, triggeredAlarmNames: d.triggeredAlarms } : { status: 'DISABLED' },
  };
}

export function serviceDeploymentJson(_a: AccountModel, s: FakeService, d: FakeServiceDeployment) {
  const sh = s.shift as FakeShift;
  const share = (r: FakeRevisionShare) => ({
    arn: r.arn,
    requestedTaskCount: r.requested,
    runningTaskCount: r.running,
    pendingTaskCount: r.pending,
    ...(r.production !== undefined ? { requestedProductionTrafficWeight: r.production } : {}),
    ...(r.test !== undefined ? { requestedTestTrafficWeight: r.test } : {}),
  });
  return {
    serviceDeploymentArn: d.arn,
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
    createdAt: d.createdAt / 1000,
    startedAt: d.createdAt / 1000,
    updatedAt: d.updatedAt / 1000,
    ...(d.status === 'SUCCESSFUL' || d.status.startsWith('ROLLBACK_S') ? { finishedAt: d.updatedAt / 1000 } : {}),
    sourceServiceRevisions: d.sources.map(share),
    targetServiceRevision: share(d.target),
    status: d.status,
    ...(d.statusReason ? { statusReason: d.statusReason } : {}),
    ...(d.lifecycleStage ? { lifecycleStage: d.lifecycleStage } : {}),
    lifecycleHookDetails: d.hooks.map((h) => ({ ...h, ...(h.expiresAt ? { expiresAt: h.expiresAt / 1000 } : {}) })),
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      alarms: { alarmNames: d.alarms.alarmNames, rollback: true, enable: d.alarms.alarmNames.length > 0 },
      strategy: sh.strategy,
      bakeTimeInMinutes: sh.bakeTimeInMinutes,
      ...(sh.linear ? { linearConfiguration: sh.linear } : {}),
      ...(sh.canary ? { canaryConfiguration: sh.canary } : {}),
    },
    ...(d.rollback ? { rollback: { ...d.rollback, startedAt: d.rollback.startedAt / 1000 } } : {}),
    deploymentCircuitBreaker: d.circuitBreaker,
    alarms: d.alarms,
  };
}

export function serviceJson(_a: AccountModel, s: FakeService) {
  return {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html: an Express Mode
    // service says ECS manages its resources; its task definition comes with its revisions.
    ...(s.express ? { resourceManagementType: 'ECS' } : {}),
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
    serviceName: s.name,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
    status: s.status,
    ...(s.omitDesiredCount ? {} : { desiredCount: s.desiredCount }),
    runningCount: s.deployments.reduce((n, d) => n + d.runningCount, 0),
    pendingCount: s.deployments.reduce((n, d) => n + d.pendingCount, 0),
    launchType: 'FARGATE',
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html
    loadBalancers: s.shift
      ? [
          {
            targetGroupArn: s.shift.primaryTargetGroup,
            containerName: 'web',
            containerPort: 8080,
            advancedConfiguration: {
              alternateTargetGroupArn: s.shift.alternateTargetGroup,
              productionListenerRule: s.shift.listenerRule,
              roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/ecsInfrastructureRoleForLoadBalancers`,
            },
          },
        ]
      : s.targetGroups.map((arn) => ({ targetGroupArn: arn, containerName: 'web', containerPort: 8080 })),
    deploymentController: { type: s.controller },
    healthCheckGracePeriodSeconds: 0,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...(s.strategy ? { strategy: s.strategy } : {}),
      // A rolling service's deployment alarms and bake time (API_DeploymentConfiguration.html; the
      // real 2026 answer in test/fixtures/aws/describe-services-forced-redeploy-same-td-2026.json
      // gives bakeTimeInMinutes under ROLLING).
      ...(s.rollingAlarms
        ? {
            alarms: { alarmNames: s.rollingAlarms.names, rollback: true, enable: true },
            strategy: 'ROLLING',
            bakeTimeInMinutes: s.rollingAlarms.bakeTimeInMinutes,
          }
        : {}),
      ...(s.earlySuccess
        ? {
            strategy: 'ROLLING',
            earlySuccessCriteria: {
              enable: true,
              healthyPercent: s.earlySuccess.healthyPercent,
              sourceServiceRevisionCleanup: s.earlySuccess.cleanup,
            },
          }
        : {}),
      ...(s.shift
        ? {
            strategy: s.shift.strategy,
            bakeTimeInMinutes: s.shift.bakeTimeInMinutes,
            // DeploymentAlarms and DeploymentLifecycleHook (API_DeploymentConfiguration.html).
            alarms: { alarmNames: s.shift.alarms, rollback: true, enable: s.shift.alarms.length > 0 },
            lifecycleHooks: s.shift.lambdaHooks.map((hookTargetArn) => ({
              hookTargetArn,
              roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/ecsLambdaHooks`,
              lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            })),
            ...(s.shift.linear ? { linearConfiguration: s.shift.linear } : {}),
            ...(s.shift.canary ? { canaryConfiguration: s.shift.canary } : {}),
          }
        : {}),
    },
    ...(s.shift?.current ? { currentServiceDeployment: s.shift.current } : {}),
    // Rolling services as real 2026 answers give them: their revisions' counts, and no
    // currentServiceDeployment (test/fixtures/aws/describe-services-forced-redeploy-same-td-2026.json);
    // ListServiceDeployments finds the deployment.
    ...(!s.shift && !s.taskSets
      ? {
          currentServiceRevisions: s.deployments.map((d) => ({
            arn: rollingRevisionArn(s, d),
            requestedTaskCount: d.desiredCount,
            runningTaskCount: d.runningCount,
            pendingTaskCount: d.pendingCount,
          })),
        }
      : {}),
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html: CODE_DEPLOY services list task sets, not deployments.
    ...(s.taskSets
      ? {
          taskSets: s.taskSets.map((t) => ({
            id: t.id,
            taskSetArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-set/${CLUSTER}/${s.name}/${t.id}`,
            serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
            clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
            externalId: t.externalId,
            status: t.status,
            taskDefinition: t.td,
            computedDesiredCount: t.desired,
            pendingCount: t.pending,
            runningCount: t.running,
            createdAt: t.createdAt / 1000,
            updatedAt: t.createdAt / 1000,
            launchType: 'FARGATE',
            loadBalancers: [{ targetGroupArn: t.targetGroup, containerName: 'web', containerPort: 8080 }],
            scale: { value: 100, unit: 'PERCENT' },
            stabilityStatus: t.running === t.desired ? 'STEADY_STATE' : 'STABILIZING',
          })),
        }
      : {}),
    deployments: (s.taskSets ? [] : s.deployments).map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.td,
      desiredCount: d.desiredCount,
      pendingCount: d.pendingCount,
      runningCount: d.runningCount,
      failedTasks: d.failedTasks,
      createdAt: d.createdAt / 1000,
      updatedAt: d.createdAt / 1000,
      launchType: 'FARGATE',
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    })),
    events: s.events.slice(0, 100).map((e) => ({ id: e.id, createdAt: e.createdAt / 1000, message: e.message })),
    // Express Mode services may leave the service-level task definition out.
    ...(s.express
      ? {}
      : { taskDefinition: s.taskSets ? s.taskSets.find((t) => t.status === 'PRIMARY')?.td : s.deployments.find((d) => d.status === 'PRIMARY')?.td }),
  };
}

export function taskJson(_a: AccountModel, t: FakeTask) {
  return {
    taskArn: taskArn(t),
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
    taskDefinitionArn: t.td,
    startedBy: t.deploymentId,
    group: `service:${t.service}`,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: t.health ?? 'UNKNOWN',
    // Task.createdAt and capacityProviderName (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html):
    // a task on a capacity provider strategy names its provider and has no launch type.
    createdAt: t.createdAt / 1000,
    ...(t.capacityProvider ? { capacityProviderName: t.capacityProvider } : { launchType: 'FARGATE' }),
    attachments: [
      {
        id: `att-${t.id}`,
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-0d0eab1bb3EXAMPLE' },
          { name: 'privateIPv4Address', value: t.ip },
        ],
      },
    ],
    containers: [
      {
        name: 'web',
        lastStatus: t.lastStatus,
        healthStatus: t.health ?? 'UNKNOWN',
        networkInterfaces: [{ attachmentId: `att-${t.id}`, privateIpv4Address: t.ip }],
        ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
      },
    ],
    ...(t.startedAt ? { startedAt: t.startedAt / 1000 } : {}),
    ...(t.stoppedAt ? { stoppedAt: t.stoppedAt / 1000 } : {}),
    // Task.pullStartedAt / pullStoppedAt (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html).
    ...(t.pullStartedAt ? { pullStartedAt: t.pullStartedAt / 1000 } : {}),
    ...(t.pullStoppedAt ? { pullStoppedAt: t.pullStoppedAt / 1000 } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    version: 3,
  };
}
