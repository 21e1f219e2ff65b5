// Real, published AWS answers (test/fixtures/aws/sources.md says where each came from) replayed
// through the same mapping the reader uses and the judges, with the verdict a person would give.

import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import type { Service, TaskStopCode } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from 'chai';
import { codeDeployFrom } from '../../src/aws/codedeploy-snapshot.ts';
import { eventsFrom, serviceFrom, targetFrom, taskFrom } from '../../src/aws/to-snapshot.ts';
import { stopKindOf, stopsOf } from '../../src/core/evidence.ts';
import type { ServiceSnapshot, TaskSnapshot } from '../../src/core/snapshot.ts';
import { JUDGES } from '../../src/core/step.ts';
import { type Clock, newWatch, type ServiceWatch } from '../../src/core/vocabulary.ts';
import { deployment, NEW_TD, OLD_TD, sample, service, T0, TG, task } from '../support/samples.ts';

const judge = JUDGES.rolling;

describe('fidelity: a forced redeploy (real answer, 2026: two deployments of retail-store-ecs-ui:4)', () => {
  const raw = sample('describe-services-forced-redeploy-same-td-2026').services[0] as Service;
  const { targetGroupArns, containerPorts: _p, currentServiceDeployment, productionListeners: _l, expressMode: _e, ...parsed } = serviceFrom(raw);
  const [group] = targetGroupArns;
  const TD = 'arn:aws:ecs:ap-northeast-3:802104112480:task-definition/retail-store-ecs-ui:4';
  const NEW = 'ecs-svc/6216346761948112104';
  const OLD = 'ecs-svc/5678755162203410295';
  const created = Date.parse('2026-04-30T03:00:42.816Z');
  const clock = (after: number): Clock => ({ now: created + after, startedAt: created, graceMs: 60_000, fresh: true });
  /** A task of the answer's task definition that `deployment` started (its startedBy), at `ip`. */
  const ofDeployment = (ip: string, deployment: string, fields = {}): TaskSnapshot => ({ ...task(ip, TD, {}, 8080), startedBy: deployment, ...fields });
  const targets = (...entries: Array<[string, string]>) => [
    { arn: group ?? '', targets: entries.map(([ip, state]) => targetFrom({ Target: { Id: ip, Port: 8080 }, TargetHealth: { State: state as never } })) },
  ];
  const snap = (fields: Partial<ServiceSnapshot>): ServiceSnapshot => ({ ...parsed, tasks: [], targetGroups: [], healthChecks: { [TD]: false }, ...fields });
  const oldServing = [ofDeployment('10.0.1.10', OLD), ofDeployment('10.0.1.11', OLD)];

  it('the answer as AWS gave it: one task definition, the PRIMARY the newer deployment, no currentServiceDeployment', () => {
    expect(currentServiceDeployment).to.equal(undefined);
    expect(new Set(parsed.deployments.map((d) => d.taskDefinitionArn)).size).to.equal(1);
    expect(parsed.deployments.map((d) => [d.id, d.status])).to.deep.equal([
      [NEW, 'PRIMARY'],
      [OLD, 'ACTIVE'],
    ]);
    expect(parsed.bakeTimeMinutes).to.equal(0);
  });

  it('right after the call, the old tasks on the same task definition are not the new version: starting, not live', () => {
    const a = judge(newWatch('ui'), snap({ tasks: oldServing, targetGroups: targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy']) }), clock(5_000));
    expect(a.watch.status).to.equal('starting');
    expect(a.watch.track).to.deep.equal({ kind: 'rolling', deploymentId: NEW });
    expect(a.progress).to.include({ ready: 0, oldTasks: 2, oldTargets: 2 });
  });

  it('live once the tasks it started serve and the old ones drain', () => {
    const first = judge(newWatch('ui'), snap({ tasks: oldServing }), clock(5_000));
    const fresh = [ofDeployment('10.0.2.20', NEW), ofDeployment('10.0.2.21', NEW)];
    const a = judge(
      first.watch,
      snap({
        tasks: [...oldServing.map((t) => ({ ...t, desiredStatus: 'STOPPED' })), ...fresh],
        targetGroups: targets(['10.0.1.10', 'draining'], ['10.0.1.11', 'draining'], ['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy']),
      }),
      clock(60_000),
    );
    expect(a.watch.status).to.equal('live');
    expect(a.progress).to.include({ ready: 2, healthyTargets: 2, oldTasks: 0, draining: 2, oldTasksStopping: 2 });
  });

  it('a new image that crashes is a crash loop of the new tasks, never live, while the old ones still serve', () => {
    const first = judge(newWatch('ui'), snap({ tasks: oldServing }), clock(5_000));
    const crashed = (ip: string, at: number) =>
      ofDeployment(ip, NEW, {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        stoppedAt: created + at,
        containers: [{ name: 'application', exitCode: 1, lastStatus: 'STOPPED' }],
      });
    const a = judge(
      first.watch,
      snap({
        tasks: [...oldServing, crashed('10.0.2.20', 30_000), crashed('10.0.2.21', 50_000)],
        targetGroups: targets(['10.0.1.10', 'healthy'], ['10.0.1.11', 'healthy']),
      }),
      { ...clock(60_000), crashLoopLimit: 2 },
    );
    expect(a.watch.status).to.equal('failed');
    expect(a.watch.reason).to.match(/^new tasks kept crashing \(exit code 1, 2 times, CRASH_LOOP_LIMIT reached\)/);
  });
});

describe('fidelity: service events as real answers word them', () => {
  const timelines = sample('service-events-real-timelines');
  /** The write-up's lines: the time ECS gave, then the message as ECS worded it. */
  const eventsOf = (lines: string[]) =>
    lines.map((line, i) => {
      const at = line.search(/\(service /);
      return { id: `e${i}`, createdAt: Date.parse(line.slice(0, at).trim()), message: line.slice(at) };
    });

  it('"deployment failed" without a deployment ID (authn, 2026-03-18) ends ours as failed, in ECS\'s words', () => {
    const lines: string[] = timelines.placement_failure_then_rollback_2026_03_18.events;
    const since = Date.parse('2026-03-18T06:55:00Z');
    const watch: ServiceWatch = {
      ...newWatch('authn'),
      status: 'starting',
      track: { kind: 'rolling', deploymentId: 'ecs-svc/1111111111111111111' },
      taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/authn:8',
      deploymentCreatedAt: since,
      previousTaskDefinitions: ['arn:aws:ecs:ap-northeast-1:123456789012:task-definition/authn:7'],
    };
    // Ours is gone from the answer; the old revision is PRIMARY again, with no word of a rollback in its reason.
    const s = serviceFrom({
      serviceName: 'authn',
      status: 'ACTIVE',
      desiredCount: 1,
      deployments: [
        {
          id: 'ecs-svc/2830403212626111962',
          status: 'PRIMARY',
          taskDefinition: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/authn:7',
          createdAt: new Date(since + 60_000),
          rolloutState: 'IN_PROGRESS',
        },
      ],
    });
    const a = judge(
      watch,
      { ...s, events: eventsOf(lines), tasks: [], targetGroups: [], healthChecks: {} },
      { now: since + 400_000, startedAt: since, graceMs: 60_000, fresh: true },
    );
    expect(a.watch.status).to.equal('failed');
    expect(a.watch.reason).to.equal('deployment failed: tasks failed to start.');
  });

  it('"deployment failed" with our deployment ID and the rollback after it (devops-g3-inventory, 2026): failed, in ECS\'s words', () => {
    const lines: string[] = timelines.circuit_breaker_rollback_2026.events;
    // The write-up gives times of day only: on one day, in order.
    const events = lines.map((line, i) => {
      const at = line.search(/\(service /);
      return { id: `e${i}`, createdAt: Date.parse(`2026-05-01T${line.slice(0, at).replace('UTC', '').trim()}Z`), message: line.slice(at) };
    });
    const since = Date.parse('2026-05-01T19:42:00Z');
    const watch: ServiceWatch = {
      ...newWatch('devops-g3-inventory'),
      status: 'starting',
      track: { kind: 'rolling', deploymentId: 'ecs-svc/1571272475813219068' },
      taskDefinitionArn: 'arn:aws:ecs:us-west-1:123456789012:task-definition/inventory:12',
      deploymentCreatedAt: since,
      previousTaskDefinitions: ['arn:aws:ecs:us-west-1:123456789012:task-definition/inventory:11'],
    };
    const s = serviceFrom({
      serviceName: 'devops-g3-inventory',
      status: 'ACTIVE',
      desiredCount: 1,
      deployments: [
        {
          id: 'ecs-svc/1675294001379389663',
          status: 'PRIMARY',
          taskDefinition: 'arn:aws:ecs:us-west-1:123456789012:task-definition/inventory:11',
          createdAt: new Date(since - 86_400_000),
          rolloutState: 'COMPLETED',
        },
      ],
    });
    const a = judge(
      watch,
      { ...s, events, tasks: [], targetGroups: [], healthChecks: {} },
      { now: Date.parse('2026-05-01T19:49:10Z'), startedAt: since, graceMs: 60_000, fresh: true },
    );
    expect(a.watch.status).to.equal('failed');
    expect(a.watch.reason).to.match(/deployment failed: tasks failed to start\./);
  });

  it('a service or target group named like a problem does not make a routine event a cause', () => {
    const s = serviceFrom({ serviceName: 'error-pages', status: 'ACTIVE', desiredCount: 1, deployments: [] });
    const events = eventsFrom({
      events: [
        { id: 'a', createdAt: new Date(2_000), message: '(service error-pages) has reached a steady state.' },
        {
          id: 'b',
          createdAt: new Date(1_000),
          message:
            '(service error-pages) registered 1 targets in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/payment-failed-worker/c60a6bb13d7053cd)',
        },
      ],
    });
    const watch: ServiceWatch = { ...newWatch('error-pages'), status: 'starting' };
    const a = judge(
      watch,
      {
        ...s,
        deployments: [
          { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinitionArn: 'td:1', desiredCount: 1, runningCount: 0, pendingCount: 1, failedTasks: 0, createdAt: 0 },
        ],
        events,
        tasks: [],
        targetGroups: [],
        healthChecks: {},
      },
      { now: 10_000, startedAt: 0, graceMs: 60_000, fresh: true },
    );
    expect(a.causes.filter((c) => c.startsWith('service event'))).to.deep.equal([]);
  });
});

describe('fidelity: stopped tasks as AWS words them', () => {
  const stops: Array<{ stopCode?: TaskStopCode; stoppedReason: string; exitCode?: number; source: string; kind: string; hint?: string }> =
    sample('stopped-reasons-real').stops;
  for (const stop of stops) {
    it(`"${stop.stoppedReason.slice(0, 70)}…" reads as ${stop.kind} (${stop.source.split(/[,(]/)[0]?.trim()})`, () => {
      const t = taskFrom({
        taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c',
        lastStatus: 'STOPPED',
        ...(stop.stopCode ? { stopCode: stop.stopCode } : {}),
        stoppedReason: stop.stoppedReason,
        containers: [{ name: 'web', ...(stop.exitCode !== undefined ? { exitCode: stop.exitCode } : {}) }],
      });
      expect(stopKindOf(t)).to.equal(stop.kind);
      const [cause] = stopsOf({ taskDefinitionArn: t.taskDefinitionArn }, { tasks: [t] }).causes;
      if (stop.hint) expect(cause).to.include(stop.hint);
      else expect(cause).not.to.match(/capacity shortage/);
    });
  }
});

describe('fidelity: a failed CodeDeploy hook as CodeDeploy words it', () => {
  it('its real error names no function: the failed event is named, and where its function is found', () => {
    const { deploymentInfo }: { deploymentInfo: DeploymentInfo } = sample('codedeploy-hook-failure-real');
    const d = codeDeployFrom(
      { ...deploymentInfo, revision: { revisionType: 'S3', s3Location: { bucket: 'deploys', key: 'api/appspec.yaml' } } },
      {
        deploymentId: deploymentInfo.deploymentId,
        lifecycleEvents: [
          { lifecycleEventName: 'BeforeInstall', status: 'Succeeded' },
          { lifecycleEventName: 'Install', status: 'Succeeded' },
          { lifecycleEventName: 'AfterInstall', status: 'Succeeded' },
          { lifecycleEventName: 'AllowTestTraffic', status: 'Succeeded' },
          { lifecycleEventName: 'AfterAllowTestTraffic', status: 'Failed' },
        ],
      },
    );
    const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7';
    const snap: ServiceSnapshot = service({
      deploymentController: 'CODE_DEPLOY',
      deployments: [],
      taskSets: [
        {
          id: 'ecs-svc/green',
          status: 'ACTIVE',
          taskDefinitionArn: TD,
          externalId: deploymentInfo.deploymentId ?? '',
          desired: 2,
          running: 2,
          pending: 0,
          createdAt: Date.parse('2026-08-13T08:39:30Z'),
        },
      ],
      codeDeploy: [d],
    });
    const a = JUDGES.codeDeploy(newWatch('api', { family: 'api', revision: 7 }), snap, {
      now: Date.parse('2026-08-13T08:45:00Z'),
      startedAt: Date.parse('2026-08-13T08:39:00Z'),
      graceMs: 60_000,
      fresh: true,
    });
    expect(a.watch.status).to.equal('failed');
    expect(a.watch.reason).to.match(
      /HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event validation functions failed\. \(lifecycle event AfterAllowTestTraffic failed\)/,
    );
    expect(a.causes.join('\n')).to.include('the AppSpec at s3://deploys/api/appspec.yaml names under Hooks for AfterAllowTestTraffic');
  });
});

describe('fidelity: target health as the load balancer words it, each state and reason code', () => {
  const examples = sample('describe-target-health-states-cli-examples');
  const draining: TargetHealthDescription = sample('describe-target-health-ip-healthy-and-draining').TargetHealthDescriptions.find(
    (d: TargetHealthDescription) => d.TargetHealth?.State === 'draining',
  );
  /** The answer's TargetHealth verbatim, the target re-addressed to our task (the examples are instance targets). */
  const at = (ip: string, description: TargetHealthDescription) => targetFrom({ ...description, Target: { Id: ip, Port: 8080 } });
  const ours = task('10.0.2.20', NEW_TD);
  const judgeWith = (newTarget: TargetHealthDescription) =>
    judge(
      newWatch('shop-api', { family: 'shop-api', revision: 42 }),
      service({
        tasks: [ours, { ...task('10.0.1.10', OLD_TD), desiredStatus: 'STOPPED' }],
        desiredCount: 1,
        deployments: [deployment('new', { desiredCount: 1 }), deployment('old', { desiredCount: 0 })],
        targetGroups: [{ arn: TG, targets: [at('10.0.2.20', newTarget), at('10.0.1.10', draining)] }],
      }),
      { now: T0 + 120_000, startedAt: T0, graceMs: 60_000, fresh: true },
    );

  it('healthy (the new target), the old one draining (Target.DeregistrationInProgress): live', () => {
    expect(judgeWith(examples.healthy.TargetHealthDescriptions[0]).watch.status).to.equal('live');
  });

  it('initial, Elb.RegistrationInProgress: registering, and no cause (nothing is wrong yet)', () => {
    const a = judgeWith(examples.initial_registration_in_progress.TargetHealthDescriptions[0]);
    expect(a.watch.status).to.equal('registering');
    expect(a.causes.join(' ')).not.to.match(/RegistrationInProgress/);
  });

  it('unhealthy, Target.Timeout: registering, the reason code and its words a cause', () => {
    const a = judgeWith(examples.unhealthy_timeout.TargetHealthDescriptions[0]);
    expect(a.watch.status).to.equal('registering');
    expect(a.causes).to.include('target group shop-api: 1 new target Target.Timeout (Connection to target timed out)');
  });

  it('unused, Target.NotInUse: never live (the group takes no traffic), the reason a cause', () => {
    const a = judgeWith(examples.unused_not_in_use.TargetHealthDescriptions[0]);
    expect(a.watch.status).not.to.equal('live');
    expect(a.causes.join(' ')).to.include('Target.NotInUse (Target group is not configured to receive traffic from the load balancer)');
  });
});
