// What the message says of a deployment paused at a PAUSE hook, and what reactions mean.
import { expect } from 'chai';
import type { MessageView, ServiceLine } from '../../src/core/view.ts';
import { approvalOf, pausedServices, pauseText } from '../../src/slack/pause.ts';
import { messageView, T0 } from '../support/message-view.ts';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/shop-api/ejGvqq2ilnbKT9qj0vLJe';
const line = (hook: Partial<NonNullable<NonNullable<ServiceLine['shift']>['hook']>> = {}): ServiceLine => ({
  service: 'shop-api',
  status: 'cutting_over',
  shift: {
    strategy: 'BLUE_GREEN',
    steps: [100],
    requested: 2,
    running: 2,
    stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT',
    serviceDeploymentArn: ARN,
    hook: { id: 'approve', targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: T0 + 23 * 60_000, ...hook },
  },
});
const view = (services: ServiceLine[], extra: Partial<MessageView> = {}): MessageView =>
  messageView({ services, startedAt: T0 - 60_000, now: T0, milestones: {}, waitTimeoutMs: 3_600_000, approvers: ['U0ALICE01'], ...extra });

describe('slack/pause', () => {
  it('says what ECS does at expiry and when, both commands, and who may react', () => {
    const text = pauseText(view([line()])) ?? '';
    expect(text).to.include('⏸️ *shop-api is paused* at PRE_PRODUCTION_TRAFFIC_SHIFT (pause hook approve): it rolls back by itself at <!date^');
    expect(text).to.include('in 23m 00s, unless someone acts.');
    expect(text).to.include(`\`aws ecs continue-service-deployment --region eu-west-1 --service-deployment-arn ${ARN} --hook-id approve --action CONTINUE\``);
    expect(text).to.include('--action ROLLBACK');
    expect(text).to.include('React :white_check_mark: to continue or :rewind: to roll back (<@U0ALICE01> may).');
    expect(text).not.to.include('WAIT_TIMEOUT');
    expect(pauseText(view([line({ timeoutAction: 'CONTINUE' })]))).to.include('it continues by itself at');
  });

  it('warns when the watch ends before the hook expires, and when nobody may act from Slack', () => {
    const text = pauseText(view([line()], { waitTimeoutMs: 10 * 60_000, approvers: [] })) ?? '';
    expect(text).to.match(/This watch ends at <!date\^\d+\^\{time\}\|10:09 UTC> \(WAIT_TIMEOUT\), before the hook expires/);
    expect(text).to.include('Nobody can act from Slack: APPROVERS is not set.');
  });

  it('is silent when nothing waits at a PAUSE hook (a Lambda hook running, CodeDeploy, no hook)', () => {
    expect(pauseText(view([line({ targetType: 'AWS_LAMBDA', status: 'IN_PROGRESS' })]))).to.equal(undefined);
    const codeDeploy = line();
    if (codeDeploy.shift) codeDeploy.shift.controller = 'CODE_DEPLOY';
    expect(pausedServices(view([codeDeploy]))).to.deep.equal([]);
  });

  it("reads reactions: an approver's ⏪ wins over ✅; anyone else's counts for nothing", () => {
    const approvers = ['U0ALICE01', 'U0BOB0001'];
    expect(approvalOf([{ name: 'white_check_mark', users: ['U0ALICE01'] }], approvers)).to.deep.equal({ action: 'CONTINUE', by: 'U0ALICE01', strangers: [] });
    expect(
      approvalOf(
        [
          { name: 'white_check_mark', users: ['U0ALICE01'] },
          { name: 'rewind', users: ['U0BOB0001'] },
        ],
        approvers,
      ),
    ).to.deep.include({ action: 'ROLLBACK', by: 'U0BOB0001' });
    expect(
      approvalOf(
        [
          { name: 'white_check_mark', users: ['U0MALLORY'] },
          { name: 'tada', users: ['U0CAROL01'] },
        ],
        approvers,
      ),
    ).to.deep.equal({ strangers: ['U0MALLORY'] });
  });
});
