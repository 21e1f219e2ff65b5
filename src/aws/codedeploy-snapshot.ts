// Turns CodeDeploy's answers (GetDeployment, GetDeploymentTarget) into the plain snapshot type. Pure.
import type { DeploymentInfo, ECSTarget, RevisionLocation } from '@aws-sdk/client-codedeploy';
import type { CodeDeploySnapshot } from '../core/snapshot.ts';
import { epochMs } from './to-snapshot.ts';

/** A CodeDeploy deployment (GetDeployment) with its ECS target (GetDeploymentTarget), when read. */
export function codeDeployFrom(info: DeploymentInfo, target: ECSTarget | undefined, parse?: (text: string) => unknown): CodeDeploySnapshot {
  const blueGreen = info.blueGreenDeploymentConfiguration;
  const hookFunctions = parse ? hookFunctionsOf(info.revision, parse) : undefined;
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
    ...(hookFunctions ? { hookFunctions } : {}),
    ...(info.revision?.s3Location?.bucket && info.revision.s3Location.key
      ? { appSpecAt: `s3://${info.revision.s3Location.bucket}/${info.revision.s3Location.key}` }
      : {}),
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

/**
 * Lifecycle event → Lambda function, from an AppSpec given inline (revisionType AppSpecContent, or
 * the older String): its `Hooks` list of one-entry maps, e.g. `- AfterAllowTestTraffic: "smoke-test"`
 * (https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs).
 * `parse` reads YAML, which JSON AppSpecs are too. An AppSpec in S3 is not read: undefined.
 */
export function hookFunctionsOf(revision: RevisionLocation | undefined, parse: (text: string) => unknown): Record<string, string> | undefined {
  const content = revision?.appSpecContent?.content ?? revision?.string?.content;
  if (!content) return undefined;
  let doc: unknown;
  try {
    doc = parse(content);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || !('Hooks' in doc) || !Array.isArray(doc.Hooks)) return undefined;
  const functions: Record<string, string> = {};
  for (const entry of doc.Hooks) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const [event, fn] of Object.entries(entry)) if (typeof fn === 'string') functions[event] = fn;
  }
  return functions;
}
