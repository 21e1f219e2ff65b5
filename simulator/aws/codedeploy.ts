// CodeDeploy, JSON 1.1 (X-Amz-Target CodeDeploy_20141006.*): GetDeployment and GetDeploymentTarget
// for ECS deployments, from the model.
import { ACCOUNT_ID, type AccountModel, CLUSTER, type FakeCodeDeploy, REGION } from './model.ts';

/**
 * CodeDeploy, JSON 1.1 (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeployment.html,
 * https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeploymentTarget.html, API_ECSTarget.html).
 */
export function codeDeployApi(a: AccountModel, op: string, body: Record<string, unknown>): { status: number; body: unknown } {
  const id = String(body.deploymentId ?? '');
  const found = [...a.services.values()]
    .flatMap((s) => (s.codeDeploy ? s.codeDeploy.deployments.map((d) => ({ s, cd: s.codeDeploy as FakeCodeDeploy, d })) : []))
    .find((x) => x.d.id === id);
  if (!found) return { status: 400, body: { __type: 'DeploymentDoesNotExistException', message: `The deployment ${id} could not be found.` } };
  const { s, cd, d } = found;
  if (op === 'GetDeployment') {
    return {
      status: 200,
      body: {
        deploymentInfo: {
          applicationName: cd.application,
          deploymentGroupName: cd.group,
          deploymentConfigName: cd.configName,
          deploymentId: d.id,
          status: d.status,
          ...(d.error ? { errorInformation: d.error } : {}),
          createTime: d.createdAt / 1000,
          ...(d.completedAt ? { completeTime: d.completedAt / 1000 } : {}),
          creator: 'user',
          ...(d.rollback ? { rollbackInfo: d.rollback } : {}),
          deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
          blueGreenDeploymentConfiguration: {
            terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: cd.terminationWaitMinutes },
            deploymentReadyOption: { actionOnTimeout: cd.readyAction, waitTimeInMinutes: cd.readyWaitMinutes },
          },
          computePlatform: 'ECS',
          // RevisionLocation (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_RevisionLocation.html).
          ...(d.appSpec ? { revision: { revisionType: 'AppSpecContent', appSpecContent: { content: d.appSpec } } } : {}),
          ...(d.appSpecS3 ? { revision: { revisionType: 'S3', s3Location: { ...d.appSpecS3, bundleType: 'YAML' } } } : {}),
        },
      },
    };
  }
  if (op === 'GetDeploymentTarget') {
    const targetId = `${CLUSTER}:${s.name}`;
    if (body.targetId !== targetId)
      return { status: 400, body: { __type: 'DeploymentTargetDoesNotExistException', message: `The target ${String(body.targetId)} could not be found.` } };
    const sets = (s.taskSets ?? []).filter((t) => t.externalId === d.id || t.status === 'PRIMARY' || t.status === 'ACTIVE');
    return {
      status: 200,
      body: {
        deploymentTarget: {
          deploymentTargetType: 'ECSTarget',
          ecsTarget: {
            deploymentId: d.id,
            targetId,
            targetArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
            lastUpdatedAt: Date.now() / 1000,
            lifecycleEvents: d.events.map((e) => ({
              lifecycleEventName: e.name,
              status: e.status,
              ...(e.start ? { startTime: e.start / 1000 } : {}),
              ...(e.end ? { endTime: e.end / 1000 } : {}),
              ...(e.diagnostics ? { diagnostics: e.diagnostics } : {}),
            })),
            status: d.status === 'Baking' || d.status === 'Ready' ? 'InProgress' : d.status,
            taskSetsInfo: sets.map((t) => {
              const label = t.externalId === d.id ? 'Green' : 'Blue';
              return {
                identifer: t.id,
                desiredCount: t.desired,
                pendingCount: t.pending,
                runningCount: t.running,
                status: t.status,
                trafficWeight: d.weights[label],
                targetGroup: { name: t.targetGroup.split('/')[1] },
                taskSetLabel: label,
              };
            }),
          },
        },
      },
    };
  }
  return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
}
