// The judge of ECS-native blue/green, linear and canary deployments, table-tested on snapshots built
// from the real API shapes (test/support/samples.ts) through the reader's own mapping.
import type { ServiceDeploymentStatus } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { listenerTrafficFrom } from '../../src/aws/to-snapshot.ts';
import { atOrAfter, LIFECYCLE_STAGES, type ServiceDeploymentSnapshot, type ServiceSnapshot } from '../../src/core/snapshot.ts';
import { JUDGES } from '../../src/core/step.ts';
import { productionShare } from '../../src/core/traffic.ts';
import { type Clock, newWatch, type ServiceWatch, trafficSteps } from '../../src/core/vocabulary.ts';

const assessShift = JUDGES.traffic;

import {
  BLUE_TG,
  deployment,
  GREEN_TG,
  greenTargets,
  NEW_REVISION,
  NEW_TD,
  NEWER_TD,
  OLD_REVISION,
  OLD_TD,
  previousDeployment,
  REVISIONS,
  rule,
  serviceDeployment,
  shiftService,
  stoppedByElb,
  T0,
} from '../support/samples.ts';

// Each poll is judged as a fresh read (a "live" it shows is said; judge.ts).
const clock = (now = T0 + 30_000, extra: Partial<Clock> = {}): Clock => ({ now, startedAt: T0, graceMs: 60_000, fresh: true, ...extra });
const watch = (): ServiceWatch => newWatch('shop-api', { family: 'shop-api', revision: 42 });
// A stage as a string: the SDK's enum lacks PRE_PRODUCTION_TRAFFIC_SHIFT, which the field's own documentation lists.
const at = (lifecycleStage: string, fields: Parameters<typeof serviceDeployment>[0] = {}): ServiceDeploymentSnapshot => ({
  ...serviceDeployment(fields),
  lifecycleStage,
});
const running = { targetServiceRevision: { arn: NEW_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 } };
const healthyGreen = greenTargets(['10.0.2.20', 'healthy'], ['10.0.2.21', 'healthy']);
const allOnGreen = [rule(0, 100)];

/** One poll after `prev`; the watch, the shift view and the causes. */
function judge(snap: ServiceSnapshot, prev = watch(), now?: number, extra?: Partial<Clock>) {
  return assessShift(prev, snap, clock(now, extra));
}

describe('traffic shifting: the judge of blue/green, linear and canary deployments', () => {
  describe('lifecycle stages, in the order ECS documents them', () => {
    const cases: Array<[stage: string, snap: ServiceSnapshot, status: string]> = [
      ['PENDING (no stage yet)', shiftService(serviceDeployment({ status: 'PENDING', lifecycleStage: undefined })), 'starting'],
      ['RECONCILE_SERVICE', shiftService(at('RECONCILE_SERVICE')), 'starting'],
      ['PRE_SCALE_UP', shiftService(at('PRE_SCALE_UP')), 'starting'],
      ['SCALE_UP', shiftService(at('SCALE_UP')), 'starting'],
      ['POST_SCALE_UP', shiftService(at('POST_SCALE_UP', running), { green: greenTargets(['10.0.2.20', 'initial'], ['10.0.2.21', 'initial']) }), 'registering'],
      ['TEST_TRAFFIC_SHIFT', shiftService(at('TEST_TRAFFIC_SHIFT', running), { green: healthyGreen }), 'registering'],
      ['POST_TEST_TRAFFIC_SHIFT', shiftService(at('POST_TEST_TRAFFIC_SHIFT', running), { green: healthyGreen }), 'registering'],
      [
        'PRE_PRODUCTION_TRAFFIC_SHIFT',
        shiftService(at('PRE_PRODUCTION_TRAFFIC_SHIFT', running), { green: healthyGreen, production: [rule(100, 0)] }),
        'cutting_over',
      ],
      ['PRODUCTION_TRAFFIC_SHIFT', shiftService(at('PRODUCTION_TRAFFIC_SHIFT', running), { green: healthyGreen, production: [rule(100, 0)] }), 'cutting_over'],
      ['POST_PRODUCTION_TRAFFIC_SHIFT', shiftService(at('POST_PRODUCTION_TRAFFIC_SHIFT', running), { green: healthyGreen, production: allOnGreen }), 'live'],
      ['BAKE_TIME', shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: allOnGreen }), 'live'],
      ['CLEAN_UP', shiftService(at('CLEAN_UP', running), { green: healthyGreen, production: allOnGreen }), 'live'],
      ['SUCCESSFUL', shiftService(serviceDeployment({ ...running, status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' })), 'retired'],
    ];
    for (const [stage, snap, status] of cases) {
      it(`${stage} → ${status}`, () => {
        const a = judge(snap);
        expect(a.watch.status).to.equal(status);
        expect(a.watch.taskDefinitionArn).to.equal(NEW_TD);
        expect(a.shift?.strategy).to.equal('BLUE_GREEN');
      });
    }

    it('knows what served before and since when: the revision it shifts from, as old as the ECS deployment of it', () => {
      const a = judge(shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: allOnGreen }));
      expect(a.watch).to.deep.include({ replaces: OLD_TD, replacedSince: deployment('old').createdAt });
    });

    it('knows every stage of the reference, in order, and puts unknown ones first', () => {
      expect(LIFECYCLE_STAGES).to.have.length(11);
      expect(atOrAfter('BAKE_TIME', 'POST_PRODUCTION_TRAFFIC_SHIFT')).to.equal(true);
      expect(atOrAfter('PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT')).to.equal(false);
      expect(atOrAfter(undefined, 'RECONCILE_SERVICE')).to.equal(false);
      expect(atOrAfter('SOMETHING_NEW', 'RECONCILE_SERVICE')).to.equal(false);
    });
  });

  describe('live is what the load balancer says, not only what ECS reports', () => {
    it('is not live while the listener still sends production to blue, whatever stage ECS reports (its weights may lag)', () => {
      const a = judge(shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: [rule(100, 0)] }));
      expect(a.watch.status).to.equal('cutting_over');
      expect(a.shift?.production).to.equal(0);
    });

    it('is not live while a green target is unhealthy, although the old (blue) targets are healthy', () => {
      const a = judge(
        shiftService(at('POST_PRODUCTION_TRAFFIC_SHIFT', running), {
          green: greenTargets(
            ['10.0.2.20', 'healthy'],
            ['10.0.2.21', 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]'],
          ),
          production: allOnGreen,
        }),
      );
      expect(a.watch.status).to.equal('cutting_over');
      expect(a.causes.join('\n')).to.match(/1 new target Target\.ResponseCodeMismatch/);
    });

    it('stays live once said, when a later poll does not read the listener (the watch settled it)', () => {
      const first = judge(shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: allOnGreen }));
      expect(first.watch.status).to.equal('live');
      const later = judge(shiftService(at('BAKE_TIME', running)), first.watch, T0 + 90_000);
      expect(later.watch.status).to.equal('live');
    });

    it('remembers a confirmation across polls: all traffic on green seen before, green healthy now', () => {
      const first = judge(shiftService(at('PRODUCTION_TRAFFIC_SHIFT', running), { green: greenTargets(['10.0.2.20', 'initial']), production: allOnGreen }));
      expect(first.watch.status).to.equal('cutting_over');
      const next = judge(shiftService(at('POST_PRODUCTION_TRAFFIC_SHIFT', running), { green: healthyGreen }), first.watch, T0 + 40_000);
      expect(next.watch.status).to.equal('live');
    });

    it('fills in the phases a poll skipped: first seen baking means started, healthy and cut over at once', () => {
      const a = judge(shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: allOnGreen }));
      expect(Object.keys(a.watch.reachedAt)).to.deep.equal(['waiting', 'starting', 'registering', 'cutting_over', 'live']);
    });

    it('says until when the bake lets ECS roll back, from when the bake began', () => {
      const updatedAt = new Date(T0 + 20_000);
      const a = judge(shiftService(at('BAKE_TIME', { ...running, updatedAt }), { green: healthyGreen, production: allOnGreen }));
      expect(a.shift?.bakeUntil).to.equal(T0 + 20_000 + 10 * 60_000);
      const cleaning = judge(shiftService(at('CLEAN_UP', running), { green: healthyGreen, production: allOnGreen }), a.watch, T0 + 700_000);
      expect(cleaning.shift?.bakeUntil).to.equal(undefined);
    });

    it('trusts ECS where the revision names no target group (no load balancer to ask)', () => {
      const bare = new Map([...REVISIONS].map(([arn, r]) => [arn, { ...r, targetGroupArns: [], listeners: [] }]));
      const a = judge(shiftService(serviceDeployment({ ...running, lifecycleStage: 'BAKE_TIME' }, bare)));
      expect(a.watch.status).to.equal('live');
    });
  });

  describe('failures and rollbacks', () => {
    const rollbacks: ServiceDeploymentStatus[] = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];
    for (const status of rollbacks) {
      it(`${status} is a failure, with ECS's reason`, () => {
        const a = judge(
          shiftService(at('SCALE_UP', { status, statusReason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.' })),
        );
        expect(a.watch.status).to.equal('failed');
        expect(a.watch.reason).to.match(/^Service deployment rolled back because the circuit breaker threshold was exceeded\./);
        if (status === 'ROLLBACK_FAILED') expect(a.watch.reason).to.match(/the rollback itself failed$/);
      });
    }

    it('names the circuit breaker with its counts', () => {
      const a = judge(
        shiftService(
          at('POST_SCALE_UP', { status: 'ROLLBACK_IN_PROGRESS', deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 } }),
          {
            tasks: [stoppedByElb(), stoppedByElb()],
          },
        ),
      );
      expect(a.watch.reason).to.equal('the deployment was rolled back (circuit breaker tripped: 3 failed tasks, threshold 3)');
      expect(a.causes).to.include('circuit breaker: 3 failed tasks of a threshold of 3');
      expect(a.causes.join('\n')).to.match(/tasks stopped: .*Task failed ELB health checks/);
    });

    it('turns "live" into failed when an alarm rolls the deployment back during the bake, and names the alarm', () => {
      const live = judge(shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: allOnGreen }));
      expect(live.watch.status).to.equal('live');
      const rolledBack = judge(
        shiftService(
          at('BAKE_TIME', {
            ...running,
            status: 'ROLLBACK_IN_PROGRESS',
            rollback: { reason: 'Alarm shop-api-5xx-rate in ALARM', startedAt: new Date(T0 + 100_000), serviceRevisionArn: OLD_REVISION },
            alarms: { status: 'TRIGGERED', alarmNames: ['shop-api-5xx-rate', 'shop-api-p99'], triggeredAlarmNames: ['shop-api-5xx-rate'] },
          }),
          { production: [rule(100, 0)] },
        ),
        live.watch,
        T0 + 120_000,
      );
      expect(rolledBack.watch.status).to.equal('failed');
      expect(rolledBack.watch.reason).to.equal('rolled back after going live: Alarm shop-api-5xx-rate in ALARM (alarm shop-api-5xx-rate)');
      expect(rolledBack.causes).to.include('alarm in ALARM: shop-api-5xx-rate');
      // Only the triggered alarm is worth reading in full, not every alarm the deployment watches.
      expect(rolledBack.evidence).to.deep.equal({ alarms: ['shop-api-5xx-rate'], hooks: [] });
    });

    it('names a lifecycle hook that failed or timed out', () => {
      const hook = { hookId: 'smoke-tests', targetType: 'AWS_LAMBDA' as const, status: 'FAILED' as const };
      const a = judge(shiftService(at('POST_TEST_TRAFFIC_SHIFT', { status: 'ROLLBACK_REQUESTED', lifecycleHookDetails: [hook] })));
      expect(a.watch.reason).to.match(/Lambda hook smoke-tests failed/);
      expect(a.causes).to.include('lifecycle Lambda hook smoke-tests failed at POST_TEST_TRAFFIC_SHIFT');
      // Its function's log is read at the end: the function, the stage, the status and the deployment's window.
      const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:smoke';
      const withArn = judge(
        shiftService(
          at('POST_TEST_TRAFFIC_SHIFT', { status: 'ROLLBACK_REQUESTED', updatedAt: new Date(T0 + 90_000), lifecycleHookDetails: [{ ...hook, targetArn: fn }] }),
        ),
      );
      expect(withArn.watch.reason).to.match(/\(Lambda hook smoke failed\)/);
      expect(withArn.evidence?.hooks).to.deep.equal([{ function: fn, status: 'FAILED', stage: 'POST_TEST_TRAFFIC_SHIFT', from: T0, to: T0 + 90_000 }]);
      // A hook without a function (PAUSE), or one that did not fail, has no log to read.
      expect(a.evidence?.hooks).to.deep.equal([]);
      const running = judge(
        shiftService(at('POST_SCALE_UP', { lifecycleHookDetails: [{ hookId: 'smoke', targetType: 'AWS_LAMBDA', status: 'IN_PROGRESS', targetArn: fn }] })),
      );
      expect(running.evidence?.hooks).to.deep.equal([]);
      const timedOut = judge(
        shiftService(at('PRE_PRODUCTION_TRAFFIC_SHIFT', { lifecycleHookDetails: [{ hookId: 'approve', targetType: 'PAUSE', status: 'TIMED_OUT' }] })),
      );
      expect(timedOut.causes).to.include('lifecycle nobody continued pause hook approve before it expired; ECS rolled it back at PRE_PRODUCTION_TRAFFIC_SHIFT');
    });

    it('a pause nobody acted on before it expired ends the watch failed, saying what ECS did, even when ECS carried on', () => {
      const expired = (timeoutAction: 'CONTINUE' | 'ROLLBACK', status = 'IN_PROGRESS' as const) =>
        judge(
          shiftService(
            at('PRODUCTION_TRAFFIC_SHIFT', { status, lifecycleHookDetails: [{ hookId: 'approve', targetType: 'PAUSE', status: 'TIMED_OUT', timeoutAction }] }),
          ),
        );
      expect(expired('CONTINUE').watch).to.include({
        status: 'failed',
        reason: 'nobody continued pause hook approve before it expired; ECS continued the deployment',
      });
      expect(expired('ROLLBACK').watch).to.include({ status: 'failed', reason: 'nobody continued pause hook approve before it expired; ECS rolled it back' });
    });

    it('a deployment stopped by hand, with nothing newer, is a failure', () => {
      const a = judge(shiftService(at('TEST_TRAFFIC_SHIFT', { status: 'STOPPED', statusReason: 'Stopped by user' })));
      expect(a.watch).to.include({ status: 'failed', reason: 'the deployment was stopped: Stopped by user' });
    });

    it('fails after CRASH_LOOP_LIMIT same stops of new tasks, before ECS decides', () => {
      const snap = shiftService(at('POST_SCALE_UP'), { tasks: [stoppedByElb(), stoppedByElb()] });
      expect(judge(snap).crashLoop?.times).to.equal(2);
      expect(judge(snap, watch(), undefined, { crashLoopLimit: 2 }).watch.status).to.equal('failed');
    });

    it('ignores crash loops once live: ECS replacing a task during the bake is not a failure', () => {
      const live = judge(shiftService(at('BAKE_TIME', running), { production: allOnGreen, green: healthyGreen }));
      expect(live.watch.status).to.equal('live');
      const later = judge(shiftService(at('BAKE_TIME', running), { tasks: [stoppedByElb(), stoppedByElb()] }), live.watch, T0 + 60_000, { crashLoopLimit: 2 });
      expect(later.watch.status).to.equal('live');
      expect(later.crashLoop).to.equal(undefined);
    });

    it('a deleted service is a failure', () => {
      expect(judge(shiftService(at('SCALE_UP'), { status: 'INACTIVE' })).watch.reason).to.match(/inactive \(deleted or being deleted\)/);
    });
  });

  describe('which deployment is ours', () => {
    it('waits for the deployment of TASK_DEFINITION within the grace period, then says it never came', () => {
      const before = shiftService(undefined);
      expect(judge(before, watch(), T0 + 10_000).watch.status).to.equal('waiting');
      const late = judge(before, watch(), T0 + 61_000);
      expect(late.watch.status).to.equal('failed');
      expect(late.watch.reason).to.match(/no deployment of shop-api:42 appeared .* its primary deployment runs shop-api:41/);
    });

    it('follows the current deployment when no TASK_DEFINITION was given', () => {
      const a = judge(shiftService(at('SCALE_UP')), newWatch('shop-api'));
      expect(a.watch.track).to.deep.include({ kind: 'traffic', serviceDeploymentArn: serviceDeployment().arn });
    });

    it('is superseded by a newer deployment of other code, and follows a newer one of the same code', () => {
      const first = judge(shiftService(at('SCALE_UP')));
      const newerRevision = `${NEW_REVISION}9`;
      const revisions = new Map([...REVISIONS, [newerRevision, { taskDefinitionArn: NEWER_TD, targetGroupArns: [BLUE_TG], listeners: [] }]]);
      const newer = serviceDeployment(
        {
          serviceDeploymentArn: `${serviceDeployment().arn}-2`,
          createdAt: new Date(T0 + 50_000),
          targetServiceRevision: { arn: newerRevision, requestedTaskCount: 2 },
        },
        revisions,
      );
      const superseded = judge(
        shiftService(at('SCALE_UP', { status: 'STOP_REQUESTED' }), { others: [newer, previousDeployment()], current: newer.arn }),
        first.watch,
      );
      expect(superseded.watch).to.include({ status: 'superseded', supersededBy: 'shop-api:43' });

      const again = serviceDeployment({
        serviceDeploymentArn: `${serviceDeployment().arn}-3`,
        createdAt: new Date(T0 + 50_000),
        lifecycleStage: 'POST_SCALE_UP',
      });
      const followed = judge(shiftService(at('SCALE_UP', { status: 'STOPPED' }), { others: [again, previousDeployment()], current: again.arn }), first.watch);
      expect(followed.watch).to.include({ status: 'registering' });
      expect(followed.watch.track).to.deep.include({ serviceDeploymentArn: again.arn });
    });

    it('a newer deployment back to the code ours replaced is a rollback, not a newer version', () => {
      const live = judge(shiftService(at('BAKE_TIME', running), { green: healthyGreen, production: allOnGreen }));
      const back = serviceDeployment({
        serviceDeploymentArn: `${serviceDeployment().arn}-back`,
        createdAt: new Date(T0 + 200_000),
        targetServiceRevision: { arn: OLD_REVISION, requestedTaskCount: 2 },
        sourceServiceRevisions: [{ arn: NEW_REVISION }],
      });
      const a = judge(
        shiftService(at('BAKE_TIME', { ...running, status: 'STOPPED' }), { others: [back, previousDeployment()], current: back.arn }),
        live.watch,
        T0 + 210_000,
      );
      expect(a.watch).to.include({ status: 'failed', reason: 'rolled back to shop-api:41 after going live' });
    });

    it('ends as no_tasks when the service wants no tasks', () => {
      expect(judge(shiftService(at('SCALE_UP'), { desiredCount: 0 })).watch.status).to.equal('no_tasks');
    });
  });

  describe('what the message shows', () => {
    it('the production share as the load balancer has it, else as ECS plans it', () => {
      const read = judge(shiftService(at('PRODUCTION_TRAFFIC_SHIFT', running), { production: [rule(75, 25)] }));
      expect(read.shift?.production).to.equal(25);
      const planned = judge(
        shiftService(
          at('PRODUCTION_TRAFFIC_SHIFT', {
            targetServiceRevision: { arn: NEW_REVISION, requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: 50 },
          }),
        ),
      );
      expect(planned.shift?.production).to.equal(50);
    });

    it('test traffic before production moves', () => {
      const a = judge(
        shiftService(
          at('POST_TEST_TRAFFIC_SHIFT', {
            targetServiceRevision: { arn: NEW_REVISION, requestedTaskCount: 2, runningTaskCount: 2, requestedTestTrafficWeight: 100 },
          }),
        ),
      );
      expect(a.shift?.test).to.equal(100);
    });

    it('a PAUSE hook awaiting approval, with its expiry; a Lambda hook running', () => {
      const expiresAt = new Date(T0 + 3600_000);
      const paused = judge(
        shiftService(
          at('PRE_PRODUCTION_TRAFFIC_SHIFT', { lifecycleHookDetails: [{ hookId: 'approve', targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt }] }),
        ),
      );
      expect(paused.shift?.hook).to.deep.equal({ id: 'approve', targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: T0 + 3600_000 });
      expect(paused.shift?.serviceDeploymentArn).to.equal(serviceDeployment().arn);
      expect(paused.watch.status).to.equal('cutting_over');
      const lambda = judge(shiftService(at('POST_SCALE_UP', { lifecycleHookDetails: [{ hookId: 'smoke', targetType: 'AWS_LAMBDA', status: 'IN_PROGRESS' }] })));
      expect(lambda.shift?.hook?.status).to.equal('IN_PROGRESS');
    });

    it('the steps of each strategy', () => {
      expect(trafficSteps('BLUE_GREEN', undefined)).to.deep.equal([100]);
      expect(trafficSteps('LINEAR', 25)).to.deep.equal([25, 50, 75, 100]);
      expect(trafficSteps('LINEAR', 30)).to.deep.equal([30, 60, 90, 100]);
      expect(trafficSteps('LINEAR', 3.3)).to.have.length(31);
      expect(trafficSteps('CANARY', 10)).to.deep.equal([10, 100]);
    });
  });

  describe('production share', () => {
    const revision: ServiceDeploymentSnapshot['target'] = {
      arn: NEW_REVISION,
      requested: 2,
      running: 2,
      pending: 0,
      targetGroupArns: [GREEN_TG],
      listeners: [],
    };
    it('reads an NLB listener default action and a plain forward to one group', () => {
      const nlb = listenerTrafficFrom({
        ListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/shop/1/2',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: GREEN_TG }],
      });
      expect(productionShare(revision, [nlb])).to.equal(100);
      expect(productionShare(revision, [rule(1, 3)])).to.equal(75);
      expect(productionShare(revision, [])).to.equal(undefined);
    });
  });
});
