import { expect } from 'chai';
import { deploymentFrom, epochMs, hasHealthChecks, serviceFrom, targetFrom, taskFrom } from '../../src/aws/to-snapshot.ts';
import { sample } from '../support/samples.ts';

describe('aws/to-snapshot', () => {
  it('reads timestamps as the SDK (Date), JSON samples (ISO) and AWS JSON (epoch seconds) give them', () => {
    const at = Date.parse('2025-02-21T19:26:02.734Z');
    expect(epochMs(new Date(at))).to.equal(at);
    expect(epochMs('2025-02-21T13:26:02.734000-06:00')).to.equal(at);
    expect(epochMs(at / 1000)).to.equal(at);
    expect(epochMs(at)).to.equal(at);
    expect(epochMs(undefined)).to.equal(undefined);
    expect(epochMs('not a date')).to.equal(undefined);
  });

  it('maps the update-service example: deployments, target groups, controller', () => {
    const s = serviceFrom(sample('describe-services-rolling-in-progress').describeServicesShape.services[0]);
    expect(s).to.include({ name: 'my-http-service', status: 'ACTIVE', deploymentController: 'ECS', desiredCount: 2 });
    expect(s.deployments.map((d) => [d.status, d.rolloutState, d.taskDefinitionArn.split('/').pop()])).to.deep.equal([
      ['PRIMARY', 'IN_PROGRESS', 'amazon-ecs-sample:2'],
      ['ACTIVE', 'COMPLETED', 'old-amazon-ecs-sample:4'],
    ]);
    expect(s.targetGroupArns).to.deep.equal([]);
    expect(s.events[0]?.message).to.equal('(my-http-service) has reached a steady state.');
  });

  it('maps an old-shape deployment without rolloutState', () => {
    const d = deploymentFrom(sample('describe-services-steady-legacy').services[0].deployments[0]);
    expect(d).to.include({ status: 'PRIMARY', desiredCount: 10, runningCount: 10, rolloutState: undefined });
    expect(d.createdAt).to.equal(1466801808595);
  });

  it('maps a stopped task with its stop code, reason and exit code (EventBridge shape, type "eni")', () => {
    const t = taskFrom(sample('task-stopped-elb-health-check').detail, new Map(), [8080]);
    expect(t).to.include({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' });
    expect(t.stoppedReason).to.match(/^Task failed ELB health checks/);
    expect(t.targetKeys).to.deep.equal(['10.102.0.134:8080']);
    expect(t.containers[0]).to.include({ name: 'sin-web_container-dev', exitCode: 143 });
  });

  it('maps target health with reason and description', () => {
    const [d] = sample('describe-target-health-states-cli-examples').unhealthy_timeout.TargetHealthDescriptions;
    expect(targetFrom(d)).to.deep.equal({
      id: 'i-0f76fade',
      port: 80,
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: 'Connection to target timed out',
    });
  });

  it('knows whether a task definition has container health checks', () => {
    expect(hasHealthChecks({ containerDefinitions: [{ name: 'web' }] })).to.equal(false);
    expect(hasHealthChecks({ containerDefinitions: [{ name: 'web' }, { name: 'app', healthCheck: { command: ['CMD', 'true'] } }] })).to.equal(true);
  });
});

describe('aws/to-snapshot: gaps in answers', () => {
  it("takes the deployments' desired count when the service-level one is missing", () => {
    const raw = sample('describe-services-rolling-in-progress').describeServicesShape.services[0];
    const { desiredCount, ...withoutCount } = raw;
    // Right after update-service the PRIMARY still wants 0; the old deployment holds the count.
    expect(serviceFrom(withoutCount).desiredCount).to.equal(desiredCount);
    const later = {
      ...withoutCount,
      deployments: [
        { ...raw.deployments[0], desiredCount: 3 },
        { ...raw.deployments[1], desiredCount: 1 },
      ],
    };
    expect(serviceFrom(later).desiredCount).to.equal(3);
  });
});
