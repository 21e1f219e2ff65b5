import { expect } from 'chai';
import { crashLoopReason, crashLoopWarning, stopKindOf } from '../../src/core/evidence.ts';
import { NLB_REGISTRATION_UP_TO_S } from '../../src/core/snapshot.ts';
import { JUDGES, start, step } from '../../src/core/step.ts';
import { HEALTH_CHECK_SLACK_MS, HEALTH_CHECKS_STUCK_MS, STUCK_AFTER_MS, stuckTasksOf, stuckWarning } from '../../src/core/stuck.ts';
import { newWatch } from '../../src/core/vocabulary.ts';
import { NEW_TD, OLD_TD, service, stoppedByElb, T0, targets, task } from '../support/samples.ts';

// The sample task, moved to T0: created at T0, pull from T0 + 22.4 s to T0 + 26.3 s, started at T0 + 27.9 s.
const NEW = { taskDefinitionArn: NEW_TD };
const CREATED = T0;
const PULL_STARTED = T0 + 22_439;
const PULL_STOPPED = T0 + 26_317;
const STARTED = T0 + 27_860;
const MIN = 60_000;

const provisioning = (ip: string, fields = {}) =>
  task(ip, NEW_TD, { lastStatus: 'PROVISIONING', pullStartedAt: undefined, pullStoppedAt: undefined, startedAt: undefined, ...fields });
const pending = (ip: string, fields = {}) => task(ip, NEW_TD, { lastStatus: 'PENDING', startedAt: undefined, ...fields });

describe('stuck tasks: where new tasks wait, by sub-phase', () => {
  it('PROVISIONING past its limit: waiting for capacity, naming the capacity provider', () => {
    const snap = service({ tasks: [provisioning('10.0.2.20', { capacityProviderName: 'FARGATE_SPOT' }), provisioning('10.0.2.21')] });
    expect(stuckTasksOf(NEW, snap, CREATED + STUCK_AFTER_MS.provisioning - 1)).to.equal(undefined);
    const s = stuckTasksOf(NEW, snap, CREATED + 4 * MIN);
    expect(s).to.deep.equal({ where: 'provisioning', count: 2, forMs: 4 * MIN, detail: 'capacity provider FARGATE_SPOT' });
    expect(stuckWarning(s!)).to.equal(
      "2 new tasks waiting for capacity (PROVISIONING) for 4 min (capacity provider FARGATE_SPOT): a capacity shortage, not the application: check the capacity provider's Auto Scaling group or Fargate (Spot) capacity",
    );
  });

  it('PENDING on EC2 with no pull started: waiting for a host or a network interface, timed from creation', () => {
    const snap = service({ tasks: [pending('10.0.2.20', { launchType: 'EC2', pullStartedAt: undefined, pullStoppedAt: undefined })] });
    expect(stuckTasksOf(NEW, snap, CREATED + STUCK_AFTER_MS.placing - 1)).to.equal(undefined);
    expect(stuckTasksOf(NEW, snap, CREATED + STUCK_AFTER_MS.placing)).to.include({ where: 'placing', count: 1 });
  });

  it('PENDING on Fargate with no pull started: its secrets and registry auth, not a capacity shortage (ResourceInitializationError)', () => {
    // The sample task is Fargate's (launchType FARGATE); a capacity provider's FARGATE_SPOT says the same.
    for (const fields of [{}, { launchType: undefined, capacityProviderName: 'FARGATE_SPOT' }]) {
      const snap = service({ tasks: [pending('10.0.2.20', { ...fields, pullStartedAt: undefined, pullStoppedAt: undefined })] });
      const s = stuckTasksOf(NEW, snap, CREATED + STUCK_AFTER_MS.initializing);
      expect(s).to.include({ where: 'initializing', count: 1 });
      expect(stuckWarning(s!)).to.equal(
        "1 new task fetching secrets and registry auth (PENDING on Fargate, no image pull started) for 2 min: not a capacity shortage: the task execution role's access to the secrets and the registry, the secrets' names, and a route from the subnets to Secrets Manager, SSM and ECR (a NAT gateway or VPC endpoints)",
      );
    }
  });

  it('pulling: timed from the pull start, not from creation', () => {
    const snap = service({ tasks: [pending('10.0.2.20', { pullStoppedAt: undefined })] });
    expect(stuckTasksOf(NEW, snap, PULL_STARTED + STUCK_AFTER_MS.pulling - 1)).to.equal(undefined);
    const s = stuckTasksOf(NEW, snap, PULL_STARTED + 3 * MIN);
    expect(s).to.include({ where: 'pulling', forMs: 3 * MIN });
    expect(stuckWarning(s!)).to.match(/^1 new task pulling the image for 3 min: check the image size and the registry/);
  });

  it('PENDING after the pull: starting containers, timed from the pull end', () => {
    const snap = service({ tasks: [pending('10.0.2.20')] });
    expect(stuckTasksOf(NEW, snap, PULL_STOPPED + STUCK_AFTER_MS.starting - 1)).to.equal(undefined);
    expect(stuckTasksOf(NEW, snap, PULL_STOPPED + STUCK_AFTER_MS.starting)).to.include({ where: 'starting' });
  });

  it('ACTIVATING: timed from the pull end', () => {
    const snap = service({ tasks: [task('10.0.2.20', NEW_TD, { lastStatus: 'ACTIVATING' })] });
    expect(stuckTasksOf(NEW, snap, PULL_STOPPED + STUCK_AFTER_MS.activating - 1)).to.equal(undefined);
    expect(stuckTasksOf(NEW, snap, PULL_STOPPED + STUCK_AFTER_MS.activating)).to.include({ where: 'activating' });
  });

  describe('RUNNING but its target not healthy', () => {
    const running = [task('10.0.2.20', NEW_TD)];
    const group = (state: string, reason?: string, description?: string) => targets(['10.0.2.20', state, reason, description]);

    it('without the target group settings: stuck after HEALTH_CHECKS_STUCK_MS from the start, with the reason code', () => {
      const snap = service({
        tasks: running,
        targetGroups: [group('unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [500]')],
      });
      expect(stuckTasksOf(NEW, snap, STARTED + HEALTH_CHECKS_STUCK_MS - 1)).to.equal(undefined);
      const s = stuckTasksOf(NEW, snap, STARTED + HEALTH_CHECKS_STUCK_MS);
      expect(s).to.include({ where: 'health_checks', detail: 'target unhealthy: Target.ResponseCodeMismatch, Health checks failed with these codes: [500]' });
      expect(stuckWarning(s!)).to.match(/check the health check path and port, and the service's health check grace period$/);
    });

    it('with the settings: threshold × interval plus the grace period plus slack', () => {
      const g = { ...group('initial', 'Elb.RegistrationInProgress'), settings: { healthCheckIntervalSeconds: 30, healthyThresholdCount: 5 } };
      const snap = service({ tasks: running, targetGroups: [g], healthCheckGracePeriodSeconds: 60 });
      const limit = (5 * 30 + 60) * 1000 + HEALTH_CHECK_SLACK_MS;
      expect(stuckTasksOf(NEW, snap, STARTED + limit - 1)).to.equal(undefined);
      expect(stuckTasksOf(NEW, snap, STARTED + limit)).to.include({ where: 'health_checks' });
    });

    it('behind a Network Load Balancer: its minutes of registration come first (a target `initial` for 4 min is normal there, not a health check path to fix)', () => {
      const alb = { healthCheckIntervalSeconds: 10, healthyThresholdCount: 3, protocol: 'HTTP' };
      const limit = 3 * 10 * 1000 + HEALTH_CHECK_SLACK_MS;
      const snap = (protocol: string) =>
        service({ tasks: running, targetGroups: [{ ...group('initial', 'Elb.RegistrationInProgress'), settings: { ...alb, protocol } }] });
      expect(stuckTasksOf(NEW, snap('HTTP'), STARTED + 4 * MIN)).to.include({ where: 'health_checks' });
      expect(stuckTasksOf(NEW, snap('TCP'), STARTED + 4 * MIN)).to.equal(undefined);
      expect(stuckTasksOf(NEW, snap('TLS'), STARTED + NLB_REGISTRATION_UP_TO_S * 1000 + limit - 1)).to.equal(undefined);
      expect(stuckTasksOf(NEW, snap('TLS'), STARTED + NLB_REGISTRATION_UP_TO_S * 1000 + limit)).to.include({ where: 'health_checks' });
    });

    it('a healthy target, or none (no load balancer), is not stuck', () => {
      expect(stuckTasksOf(NEW, service({ tasks: running, targetGroups: [group('healthy')] }), STARTED + 60 * MIN)).to.equal(undefined);
      expect(stuckTasksOf(NEW, service({ tasks: running }), STARTED + 60 * MIN)).to.equal(undefined);
    });
  });

  it('the earliest stuck sub-phase is named: what holds the first tasks holds the rollout', () => {
    const snap = service({ tasks: [pending('10.0.2.20', { pullStoppedAt: undefined }), provisioning('10.0.2.21')] });
    expect(stuckTasksOf(NEW, snap, T0 + 30 * MIN)).to.include({ where: 'provisioning', count: 1 });
  });

  it("only the deployment's own tasks that ECS wants running", () => {
    const snap = service({ tasks: [provisioning('10.0.2.20', { taskDefinitionArn: OLD_TD }), provisioning('10.0.2.21', { desiredStatus: 'STOPPED' })] });
    expect(stuckTasksOf(NEW, snap, T0 + 30 * MIN)).to.equal(undefined);
    expect(stuckTasksOf(undefined, service({ tasks: [provisioning('10.0.2.20')] }), T0 + 30 * MIN)).to.equal(undefined);
  });

  it('the judge warns (the line) and names it first among the causes, before live only', () => {
    const snap = service({ tasks: [task('10.0.1.10', OLD_TD), provisioning('10.0.2.20'), provisioning('10.0.2.21')] });
    const clock = { now: T0 + 5 * MIN, startedAt: T0, graceMs: MIN };
    const a = JUDGES.rolling({ ...newWatch('shop-api', { family: 'shop-api', revision: 42 }) }, snap, clock);
    expect(a.stuck).to.include({ where: 'provisioning', count: 2 });
    expect(a.causes[0]).to.match(/^2 new tasks waiting for capacity \(PROVISIONING\) for 5 min/);
    const live = JUDGES.rolling({ ...newWatch('shop-api', { family: 'shop-api', revision: 42 }), reachedAt: { live: T0 + MIN } }, snap, clock);
    expect(live.stuck).to.equal(undefined);

    const state = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], { startedAt: T0, deadline: T0 + 30 * MIN, graceMs: MIN, pollIntervalMs: 10_000 });
    const { view } = step(state, new Map([['shop-api', snap]]), T0 + 5 * MIN);
    expect(view.services[0]?.warning).to.match(/^2 new tasks waiting for capacity/);
  });
});

describe('stopped tasks: a capacity shortage told from an application that crashes', () => {
  const stopped = (fields: Parameters<typeof task>[2]) => task('10.0.3.1', NEW_TD, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', ...fields });

  it('by stop code first, then the health check reason, then the exit codes', () => {
    expect(stopKindOf(stopped({ stopCode: 'SpotInterruption', containers: [{ name: 'web', exitCode: 143 }] }))).to.equal('lost_capacity');
    expect(stopKindOf(stopped({ stopCode: 'TerminationNotice' }))).to.equal('lost_capacity');
    expect(
      stopKindOf(stopped({ stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' })),
    ).to.equal('failed_to_start');
    // ECS's SIGTERM (exit 143) after failed ELB health checks is not the application crashing.
    expect(stopKindOf(stoppedByElb())).to.equal('failed_health_checks');
    expect(stopKindOf(stopped({ stopCode: 'EssentialContainerExited', containers: [{ name: 'web', exitCode: 1 }] }))).to.equal('crashed');
    expect(stopKindOf(stopped({ stopCode: 'ServiceSchedulerInitiated', containers: [{ name: 'web', exitCode: 0 }] }))).to.equal('stopped');
  });

  it('a loop is worded by its kind, while it goes on and when it ends the watch', () => {
    const loop = { what: 'CannotPullContainerError: no such image', kind: 'failed_to_start' as const, times: 3, failedTasks: 3 };
    expect(crashLoopWarning(loop)).to.equal('new tasks keep failing to start: CannotPullContainerError: no such image, 3 times (ECS counts 3 failed tasks)');
    expect(crashLoopReason(loop)).to.match(/^new tasks kept failing to start \(CannotPullContainerError/);
    expect(crashLoopWarning({ ...loop, kind: 'lost_capacity', what: 'SpotInterruption' })).to.match(
      /^new tasks keep being stopped on AWS's side \(capacity or infrastructure, not an application fault\)/,
    );
  });

  it('tasks stopped by failed health checks are grouped by the reason, not by the exit code ECS caused', () => {
    const snap = service({ tasks: [stoppedByElb(), stoppedByElb()], deployments: service().deployments });
    const a = JUDGES.rolling(newWatch('shop-api', { family: 'shop-api', revision: 42 }), snap, { now: T0 + MIN, startedAt: T0, graceMs: MIN });
    expect(a.stops[0]?.what).to.match(/^Task failed ELB health checks in \(target-group/);
  });
});
