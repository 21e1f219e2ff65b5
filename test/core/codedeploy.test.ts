// The judge of CodeDeploy blue/green services, table-tested on snapshots built from the CodeDeploy
// and ECS API shapes (GetDeployment's DeploymentInfo, GetDeploymentTarget's ECSTarget, TaskSet)
// through the reader's own mapping.
import type { DeploymentInfo, ECSTarget, LifecycleEvent } from '@aws-sdk/client-codedeploy';
import type { TaskSet } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { codeDeployFrom } from '../../src/aws/codedeploy-snapshot.ts';
import { taskSetFrom } from '../../src/aws/to-snapshot.ts';
import { SPARSE_POLL_FACTOR } from '../../src/core/budget.ts';
import { configSteps, LIFECYCLE_EVENTS } from '../../src/core/codedeploy.ts';
import { codeDeployUrl } from '../../src/core/console.ts';
import type { CodeDeploySnapshot, ServiceSnapshot } from '../../src/core/snapshot.ts';
import { JUDGES, start, step } from '../../src/core/step.ts';
import { type Clock, newWatch, type ServiceWatch } from '../../src/core/vocabulary.ts';

const assessCodeDeploy = JUDGES.codeDeploy;

import { NEW_TD, NEWER_TD, OLD_TD, service, T0 } from '../support/samples.ts';

const ID = 'd-A1B2C3D4E';
const blueSet: TaskSet = {
  id: 'ecs-svc/1111',
  status: 'PRIMARY',
  taskDefinition: OLD_TD,
  externalId: 'd-OLD000001',
  computedDesiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  createdAt: new Date(T0 - 86_400_000),
};
const greenSet: TaskSet = {
  id: 'ecs-svc/2222',
  status: 'ACTIVE',
  taskDefinition: NEW_TD,
  externalId: ID,
  computedDesiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  createdAt: new Date(T0 + 5000),
};

/** The lifecycle events with the first `done` succeeded and the next one in `next` status. */
function events(done: number, next?: LifecycleEvent['status'], at = T0 + 10_000): LifecycleEvent[] {
  return LIFECYCLE_EVENTS.map((name, i) => ({
    lifecycleEventName: name,
    status: i < done ? 'Succeeded' : i === done && next ? next : 'Pending',
    ...(i < done ? { startTime: new Date(at), endTime: new Date(at + i * 1000) } : {}),
  }));
}

function deployment(info: Partial<DeploymentInfo> = {}, target: Partial<ECSTarget> = {}, green = 0): CodeDeploySnapshot {
  return codeDeployFrom(
    {
      deploymentId: ID,
      applicationName: 'AppECS-prod-shop-api',
      deploymentGroupName: 'DgpECS-prod-shop-api',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      status: 'InProgress',
      createTime: new Date(T0),
      computePlatform: 'ECS',
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
      },
      ...info,
    },
    {
      deploymentId: ID,
      targetId: 'prod:shop-api',
      lifecycleEvents: events(1, 'InProgress'),
      taskSetsInfo: [
        { identifer: 'ecs-svc/1111', taskSetLabel: 'Blue', trafficWeight: 100 - green, desiredCount: 2, runningCount: 2 },
        { identifer: 'ecs-svc/2222', taskSetLabel: 'Green', trafficWeight: green, desiredCount: 2, runningCount: 2 },
      ],
      ...target,
    },
  );
}

function snap(d: CodeDeploySnapshot | undefined, sets: TaskSet[] = [blueSet, greenSet], fields: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return service({ deploymentController: 'CODE_DEPLOY', deployments: [], taskSets: sets.map(taskSetFrom), ...(d ? { codeDeploy: [d] } : {}), ...fields });
}

// Each poll is judged as a fresh read (a "live" it shows is said; judge.ts).
const clock = (now = T0 + 30_000): Clock => ({ now, startedAt: T0, graceMs: 60_000, fresh: true });
const watch = (): ServiceWatch => newWatch('shop-api', { family: 'shop-api', revision: 42 });
const judge = (s: ServiceSnapshot, prev = watch(), now?: number) => assessCodeDeploy(prev, s, clock(now));

describe('CodeDeploy: the judge of CODE_DEPLOY blue/green services', () => {
  describe('lifecycle events, in the order CodeDeploy runs them', () => {
    const cases: Array<[string, CodeDeploySnapshot, string, (a: ReturnType<typeof judge>) => void]> = [
      ['Created', deployment({ status: 'Created' }, { lifecycleEvents: [] }), 'starting', () => {}],
      ['Queued', deployment({ status: 'Queued' }, { lifecycleEvents: [] }), 'starting', () => {}],
      [
        'BeforeInstall running',
        deployment({}, { lifecycleEvents: events(0, 'InProgress') }),
        'starting',
        (a) => expect(a.shift?.hook?.id).to.equal('BeforeInstall'),
      ],
      ['Install running', deployment(), 'starting', (a) => expect(a.shift?.hook).to.equal(undefined)],
      [
        'AfterInstall running',
        deployment({}, { lifecycleEvents: events(2, 'InProgress') }),
        'registering',
        (a) => expect(a.shift?.hook).to.include({ id: 'AfterInstall', status: 'IN_PROGRESS' }),
      ],
      ['AllowTestTraffic done', deployment({}, { lifecycleEvents: events(4) }), 'registering', (a) => expect(a.shift?.test).to.equal(100)],
      [
        'AfterAllowTestTraffic running',
        deployment({}, { lifecycleEvents: events(4, 'InProgress') }),
        'registering',
        (a) => expect(a.shift?.hook?.id).to.equal('AfterAllowTestTraffic'),
      ],
      ['BeforeAllowTraffic running', deployment({}, { lifecycleEvents: events(5, 'InProgress') }), 'registering', () => {}],
      [
        'AllowTraffic running',
        deployment({}, { lifecycleEvents: events(6, 'InProgress') }, 40),
        'cutting_over',
        (a) => expect(a.shift?.production).to.equal(40),
      ],
      ['AllowTraffic done, green still 90 %', deployment({}, { lifecycleEvents: events(7) }, 90), 'cutting_over', () => {}],
      ['AllowTraffic done, green 100 %', deployment({}, { lifecycleEvents: events(7) }, 100), 'live', () => {}],
      [
        'AfterAllowTraffic running',
        deployment({}, { lifecycleEvents: events(7, 'InProgress') }, 100),
        'live',
        (a) => expect(a.shift?.hook?.id).to.equal('AfterAllowTraffic'),
      ],
      [
        'all events done: the termination wait',
        deployment({}, { lifecycleEvents: events(8) }, 100),
        'live',
        (a) => expect(a.shift?.keptUntil).to.equal(T0 + 10_000 + 7000 + 60 * 60_000),
      ],
      ['Baking, all events done', deployment({ status: 'Baking' }, { lifecycleEvents: events(8) }, 100), 'live', () => {}],
      ['Succeeded', deployment({ status: 'Succeeded' }, { lifecycleEvents: events(8) }, 100), 'retired', (a) => expect(a.shift?.keptUntil).to.equal(undefined)],
    ];
    for (const [name, d, status, more] of cases) {
      it(`${name} → ${status}`, () => {
        const a = judge(snap(d));
        expect(a.watch.status).to.equal(status);
        expect(a.watch.taskDefinitionArn).to.equal(NEW_TD);
        expect(a.shift).to.include({ controller: 'CODE_DEPLOY', deploymentId: ID });
        more(a);
      });
    }

    it('knows what served before and since when: the newest original task set, from its creation', () => {
      const a = judge(snap(deployment({ status: 'Baking' }, { lifecycleEvents: events(8) }, 100)));
      expect(a.watch).to.deep.include({ replaces: OLD_TD, replacedSince: T0 - 86_400_000 });
    });

    it('Ready, waiting for someone to reroute traffic (STOP_DEPLOYMENT): waiting for approval, with its expiry', () => {
      const d = deployment(
        { status: 'Ready', blueGreenDeploymentConfiguration: { deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 } } },
        { lifecycleEvents: events(5) },
      );
      const a = judge(snap(d));
      expect(a.watch.status).to.equal('registering');
      expect(a.shift?.hook).to.deep.equal({
        id: 'traffic reroute',
        targetType: 'PAUSE',
        status: 'AWAITING_ACTION',
        expiresAt: T0 + 10_000 + 4000 + 30 * 60_000,
      });
    });
  });

  describe('failures', () => {
    const failedHook = {
      lifecycleEvents: [
        ...events(4).slice(0, 4),
        {
          lifecycleEventName: 'AfterAllowTestTraffic',
          status: 'Failed' as const,
          diagnostics: {
            errorCode: 'ScriptFailed' as const,
            scriptName: 'CodeDeployHook_Smoke',
            message: 'The lambda function returned Failed.',
            logTail: 'a\nb\nc\nd\ne\nf\nGET /health -> 500',
          },
        },
      ],
    };

    it('Failed: the error, the failed lifecycle event with its hook and log tail, and the rollback', () => {
      const d = deployment(
        {
          status: 'Failed',
          errorInformation: { code: 'HOOK_EXECUTION_FAILURE', message: 'A lifecycle hook failed.' },
          rollbackInfo: { rollbackDeploymentId: 'd-ROLLBACK1', rollbackMessage: 'Automatic rollback.' },
        },
        failedHook,
      );
      const a = judge(snap(d));
      expect(a.watch).to.include({
        status: 'failed',
        reason: `CodeDeploy deployment ${ID} failed: HOOK_EXECUTION_FAILURE: A lifecycle hook failed. (lifecycle event AfterAllowTestTraffic failed: The lambda function returned Failed.); rolled back by deployment d-ROLLBACK1`,
      });
      expect(a.causes).to.include(
        'lifecycle event AfterAllowTestTraffic failed: ScriptFailed: hook CodeDeployHook_Smoke: The lambda function returned Failed.',
      );
      expect(a.causes).to.include('AfterAllowTestTraffic log: c | d | e | f | GET /health -> 500');
      expect(a.causes).to.include('rollback: Automatic rollback.');
      // The failed hook's function, from CodeDeploy's diagnostics here (no inline AppSpec), in the event's window.
      expect(a.evidence?.hooks).to.deep.equal([{ function: 'CodeDeployHook_Smoke', stage: 'AfterAllowTestTraffic', status: 'Failed' }]);
    });

    it("CodeDeploy's real error names no function: the failed event is named, and where the function is (an AppSpec in S3)", () => {
      // errorInformation as a 2026 capture of a failed hook gives it (and the CodeDeploy troubleshooting page words it).
      const info: DeploymentInfo = {
        deploymentId: ID,
        status: 'Failed',
        computePlatform: 'ECS',
        errorInformation: {
          code: 'HOOK_EXECUTION_FAILURE',
          message: 'The deployment failed because one or more of the lifecycle event validation functions failed.',
        },
        revision: { revisionType: 'S3', s3Location: { bucket: 'shop-deploys', key: 'shop-api/appspec.yaml', bundleType: 'YAML' } },
      };
      const bare = [...events(4).slice(0, 4), { lifecycleEventName: 'AfterAllowTestTraffic', status: 'Failed' as const }];
      const a = judge(snap(codeDeployFrom(info, { deploymentId: ID, lifecycleEvents: bare }, parse)));
      expect(a.watch.reason).to.equal(
        `CodeDeploy deployment ${ID} failed: HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event validation functions failed. (lifecycle event AfterAllowTestTraffic failed)`,
      );
      expect(a.causes).to.include(
        'the Lambda function behind AfterAllowTestTraffic is the one the AppSpec at s3://shop-deploys/shop-api/appspec.yaml names under Hooks for AfterAllowTestTraffic; its logs are in /aws/lambda/<function>, or in the log group its logging configuration names',
      );
      expect(a.evidence?.hooks).to.deep.equal([]);
      // Named by an inline AppSpec: no such hint.
      const inline = judge(
        snap(
          codeDeployFrom(
            { ...info, revision: { revisionType: 'AppSpecContent', appSpecContent: { content: 'Hooks:\n  - AfterAllowTestTraffic: "smoke-fn"\n' } } },
            { deploymentId: ID, lifecycleEvents: bare },
            parse,
          ),
        ),
      );
      expect(inline.causes.some((c) => c.startsWith('the Lambda function behind'))).to.equal(false);
    });

    it("a failed hook's function is the one the inline AppSpec names for the event, before CodeDeploy's diagnostics", () => {
      const info: DeploymentInfo = {
        deploymentId: ID,
        status: 'Failed',
        computePlatform: 'ECS',
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content: 'Hooks:\n  - AfterAllowTestTraffic: "smoke-fn"\n' } },
      };
      const a = judge(snap(codeDeployFrom(info, { deploymentId: ID, lifecycleEvents: failedHook.lifecycleEvents }, parse)));
      expect(a.evidence?.hooks.map((h) => h.function)).to.deep.equal(['smoke-fn']);
    });

    it('Stopped during the termination wait, after "live": rolled back after going live', () => {
      const live = judge(snap(deployment({}, { lifecycleEvents: events(8) }, 100)));
      expect(live.watch.status).to.equal('live');
      const stopped = deployment(
        { status: 'Stopped', errorInformation: { code: 'MANUAL_STOP', message: 'Stopped by a user.' } },
        { lifecycleEvents: events(8) },
        0,
      );
      const a = judge(snap(stopped, [{ ...blueSet }]), live.watch, T0 + 90_000);
      expect(a.watch.status).to.equal('failed');
      expect(a.watch.reason).to.equal(`rolled back after going live: CodeDeploy deployment ${ID} was stopped: MANUAL_STOP: Stopped by a user.`);
    });
  });

  it('Failed after "live" with the green task set still listed: rolled back after going live', () => {
    const live = judge(snap(deployment({}, { lifecycleEvents: events(8) }, 100)));
    expect(live.watch.status).to.equal('live');
    const failed = deployment(
      { status: 'Failed', errorInformation: { code: 'ALARM_ACTIVE', message: 'Alarm shop-api-5xx fired.' } },
      { lifecycleEvents: events(8) },
      0,
    );
    const a = judge(snap(failed), live.watch, T0 + 90_000);
    expect(a.watch).to.include({
      status: 'failed',
      reason: `rolled back after going live: CodeDeploy deployment ${ID} failed: ALARM_ACTIVE: Alarm shop-api-5xx fired.`,
    });
  });

  describe('which task set is ours', () => {
    it('waits for the task set of TASK_DEFINITION within the grace period (it may appear a few seconds late), then says it never came', () => {
      expect(judge(snap(undefined, [blueSet]), watch(), T0 + 10_000).watch.status).to.equal('waiting');
      const late = judge(snap(undefined, [blueSet]), watch(), T0 + 61_000);
      expect(late.watch.reason).to.match(/no deployment of shop-api:42 appeared .* its primary deployment runs shop-api:41/);
    });

    it('without TASK_DEFINITION: the newest task set when a replacement exists, else it waits', () => {
      expect(judge(snap(deployment()), newWatch('shop-api')).watch.track).to.deep.include({ kind: 'codedeploy', taskSetId: 'ecs-svc/2222' });
      expect(judge(snap(undefined, [blueSet]), newWatch('shop-api'), T0 + 10_000).watch.status).to.equal('waiting');
    });

    it('our task set gone: retired when CodeDeploy succeeded, superseded by a newer task set of other code', () => {
      const first = judge(snap(deployment()));
      expect(judge(snap(deployment({ status: 'Succeeded' }), [{ ...blueSet, taskDefinition: NEW_TD }]), first.watch).watch.status).to.equal('retired');
      const newer: TaskSet = { ...greenSet, id: 'ecs-svc/3333', taskDefinition: NEWER_TD, externalId: 'd-NEWER0003', createdAt: new Date(T0 + 50_000) };
      expect(judge(snap(undefined, [blueSet, newer]), first.watch).watch).to.include({ status: 'superseded', supersededBy: 'shop-api:43' });
    });
  });

  it('reads the steps of the predefined configurations, and links the console', () => {
    expect(configSteps('CodeDeployDefault.ECSAllAtOnce')).to.deep.equal({ strategy: 'BLUE_GREEN', steps: [100] });
    expect(configSteps('CodeDeployDefault.ECSLinear10PercentEvery1Minutes').steps).to.deep.equal([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(configSteps('CodeDeployDefault.ECSCanary10Percent5Minutes')).to.deep.equal({ strategy: 'CANARY', steps: [10, 100] });
    expect(configSteps('my-own-config')).to.deep.equal({ strategy: 'BLUE_GREEN', steps: [] });
    expect(codeDeployUrl('eu-west-1', 'd-A1B2C3D4E')).to.equal(
      'https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=eu-west-1',
    );
    // The region comes from the service's ARN (the CLI example's service is in us-west-2).
    expect(judge(snap(deployment())).shift?.consoleUrl).to.equal(codeDeployUrl('us-west-2', ID));
  });
});

describe('codedeploy: the schedule through the termination wait', () => {
  it('once live, polls sparsely until the original task set goes, the last poll landing on it', () => {
    const state = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
      startedAt: T0,
      deadline: T0 + 2 * 3_600_000,
      graceMs: 60_000,
      pollIntervalMs: 10_000,
    });
    // All events done at T0 + 17 s; the original task set is kept for 60 minutes after.
    const waiting = snap(deployment({}, { lifecycleEvents: events(8) }, 100));
    const keptUntil = T0 + 10_000 + 7000 + 60 * 60_000;
    const live = step(state, new Map([['shop-api', waiting]]), T0 + 30_000, { fresh: true });
    expect(live.view).to.include({ status: 'live', nextPollMs: 10_000 * SPARSE_POLL_FACTOR });
    expect(step(live.state, new Map([['shop-api', waiting]]), keptUntil - 25_000).view.nextPollMs).to.equal(25_000);
  });
});
