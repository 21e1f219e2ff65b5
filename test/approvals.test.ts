// Approvals from Slack, with a scripted notifier: each pause needs its own reaction, and a thread
// reply Slack refuses never ends the watch.
import { expect } from 'chai';
import { approvalsFor } from '../src/approvals.ts';
import type { MessageView, ServiceLine } from '../src/core/view.ts';
import { SlackError } from '../src/errors.ts';
import type { Notifier, Reaction } from '../src/slack/client.ts';
import { messageView, T0 } from './support/message-view.ts';

const ALICE = 'U0ALICE01';
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/shop-api/ejGvqq2ilnbKT9qj0vLJe';
const pausedAt = (hookId: string): MessageView =>
  messageView({
    approvers: [ALICE],
    services: [
      {
        service: 'shop-api',
        status: 'cutting_over',
        shift: {
          strategy: 'BLUE_GREEN',
          steps: [100],
          requested: 2,
          running: 2,
          serviceDeploymentArn: ARN,
          hook: { id: hookId, targetType: 'PAUSE', status: 'AWAITING_ACTION' },
        },
      } satisfies ServiceLine,
    ],
  });

function harness(replyError?: () => Error) {
  let reactions: Reaction[] = [];
  const continued: string[] = [];
  const warnings: string[] = [];
  const notifier: Notifier = {
    post: async () => {},
    update: async () => {},
    reply: async () => {
      if (replyError) throw replyError();
    },
    reactions: async () => reactions,
  };
  const approvals = approvalsFor({
    config: { approvers: [ALICE] },
    notifier,
    log: { info() {}, warn: (m) => void warnings.push(m), error() {}, debug() {} },
    now: () => T0,
    continueDeployment: async ({ hookId, action }) => void continued.push(`${hookId}:${action}`),
  });
  return { approvals, continued, warnings, react: (r: Reaction[]) => (reactions = r) };
}

describe('approvals', () => {
  it('each pause needs its own ✅: the one that continued an earlier pause does not act again; removed and added again, it does', async () => {
    const h = harness();
    h.react([{ name: 'white_check_mark', users: [ALICE] }]);
    await h.approvals(pausedAt('first'));
    expect(h.continued).to.deep.equal(['first:CONTINUE']);
    // A second pause, the ✅ still on the message: nobody acted on it.
    await h.approvals(pausedAt('second'));
    await h.approvals(pausedAt('second'));
    expect(h.continued).to.deep.equal(['first:CONTINUE']);
    // Removed (seen by a poll), then added again: it acts.
    h.react([]);
    await h.approvals(pausedAt('second'));
    h.react([{ name: 'white_check_mark', users: [ALICE] }]);
    await h.approvals(pausedAt('second'));
    expect(h.continued).to.deep.equal(['first:CONTINUE', 'second:CONTINUE']);
  });

  it("a second approver's reaction, or a ⏪, acts on the next pause without anyone removing anything", async () => {
    const h = harness();
    h.react([{ name: 'white_check_mark', users: [ALICE] }]);
    await h.approvals(pausedAt('first'));
    h.react([
      { name: 'white_check_mark', users: [ALICE] },
      { name: 'rewind', users: [ALICE] },
    ]);
    await h.approvals(pausedAt('second'));
    expect(h.continued).to.deep.equal(['first:CONTINUE', 'second:ROLLBACK']);
  });

  it('a thread reply Slack refuses (rate limited) is logged, and the watch goes on', async () => {
    const h = harness(() => new SlackError('Slack asked to wait 600 s before chat.postMessage (rate limited), longer than the pipe waits'));
    h.react([{ name: 'white_check_mark', users: [ALICE, 'U0STRANGER'] }]);
    await h.approvals(pausedAt('first'));
    expect(h.continued).to.deep.equal(['first:CONTINUE']);
    expect(h.warnings.join('\n')).to.match(/Slack did not take a thread reply about the pause .*rate limited.*; the watch goes on\./);
  });
});
