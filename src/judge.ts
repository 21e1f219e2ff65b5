// One pure judge per kind of deployment, behind one small interface: from the last watch and a
// fresh snapshot, the next watch, its progress and its causes. The reducer (step.ts) asks the
// judge that fits each service; a new kind of deployment is a new judge here.
import { assessService, type Clock, type ServiceAssessment, type ServiceWatch } from './rollout.ts';
import type { ServiceSnapshot } from './snapshot.ts';
import { assessCodeDeploy } from './codedeploy.ts';
import { assessShift } from './traffic.ts';

export interface Judge {
  assess(prev: ServiceWatch, snap: ServiceSnapshot, clock: Clock): ServiceAssessment;
}

/** Rolling updates (deployment controller ECS, strategy ROLLING): rollout.ts. */
export const ROLLING: Judge = { assess: assessService };

/** ECS-native blue/green, linear and canary deployments (controller ECS): traffic.ts. */
export const TRAFFIC_SHIFT: Judge = { assess: assessShift };

/** Blue/green through AWS CodeDeploy (controller CODE_DEPLOY): codedeploy.ts. */
export const CODE_DEPLOY: Judge = { assess: assessCodeDeploy };

/** The ECS-native strategies that shift traffic between two target groups. */
export const SHIFTING_STRATEGIES: ReadonlySet<string> = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);

/** The judge for a service's deployments, or why there is none (yet). */
export function judgeFor(snap: ServiceSnapshot): Judge | { unsupported: string } {
  const strategy = snap.deploymentStrategy ?? 'ROLLING';
  if (snap.deploymentController === 'ECS' && strategy === 'ROLLING') return ROLLING;
  if (snap.deploymentController === 'ECS' && SHIFTING_STRATEGIES.has(strategy)) return TRAFFIC_SHIFT;
  if (snap.deploymentController === 'CODE_DEPLOY') return CODE_DEPLOY;
  const how = snap.deploymentController !== 'ECS' ? `the ${snap.deploymentController} deployment controller` : `the ${strategy} deployment strategy`;
  return {
    unsupported: `Service ${snap.name} deploys with ${how}; the pipe judges deployments of the ECS and CODE_DEPLOY controllers (ECS strategies ROLLING, BLUE_GREEN, LINEAR and CANARY), so this rollout is not judged.`,
  };
}
