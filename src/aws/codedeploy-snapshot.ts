// Turns CodeDeploy's answers (GetDeployment, GetDeploymentTarget) into the plain snapshot type. Pure.
import type { DeploymentInfo, ECSTarget } from '@aws-sdk/client-codedeploy';
import type { CodeDeploySnapshot } from '../core/snapshot.ts';
import { epochMs } from './to-snapshot.ts';

/** A CodeDeploy deployment (GetDeployment) with its ECS target (GetDeploymentTarget), when read. */
export function codeDeployFrom(info: DeploymentInfo, target: ECSTarget | undefined): CodeDeploySnapshot {
  const blueGreen = info.blueGreenDeploymentConfiguration;
  return {
    id: info.deploymentId ?? '',
    status: info.status ?? 'Created',
    ...(info.errorInformation ? { error: { code: info.errorInformation.code, message: info.errorInformation.message } } : {}),
    ...(info.rollbackInfo
      ? {
          rollback: {
            deploymentId: info.rollbackInfo.rollbackDeploymentId,
            triggeredBy: info.rollbackInfo.rollbackTriggeringDeploymentId,
            message: info.rollbackInfo.rollbackMessage,
          },
        }
      : {}),
    configName: info.deploymentConfigName,
    createdAt: epochMs(info.createTime),
    terminationWaitMinutes: blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes,
    readyAction: blueGreen?.deploymentReadyOption?.actionOnTimeout,
    readyWaitMinutes: blueGreen?.deploymentReadyOption?.waitTimeInMinutes,
    events: (target?.lifecycleEvents ?? []).map((e) => ({
      name: e.lifecycleEventName ?? '',
      status: e.status ?? 'Unknown',
      startedAt: epochMs(e.startTime),
      endedAt: epochMs(e.endTime),
      ...(e.diagnostics
        ? {
            diagnostics: {
              errorCode: e.diagnostics.errorCode,
              script: e.diagnostics.scriptName,
              message: e.diagnostics.message,
              logTail: e.diagnostics.logTail,
            },
          }
        : {}),
    })),
    taskSets: (target?.taskSetsInfo ?? []).map((t) => ({
      label: t.taskSetLabel ?? '',
      weight: t.trafficWeight,
      desired: t.desiredCount ?? 0,
      running: t.runningCount ?? 0,
      pending: t.pendingCount ?? 0,
      targetGroup: t.targetGroup?.name,
    })),
  };
}
