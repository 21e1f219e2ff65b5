// One builder of the message's view for the tests of what is drawn from it (the message, its thread,
// the pause text, the evidence): a rollout of shop-api in production, cutting over 100 s in.
import type { MessageView } from '../../src/core/view.ts';

export const T0 = Date.parse('2026-11-27T10:00:00Z');

export function messageView(v: Partial<MessageView> = {}): MessageView {
  return {
    status: 'rolling_out',
    phase: 'cutting_over',
    done: false,
    environment: 'production',
    cluster: 'prod',
    region: 'eu-west-1',
    services: [{ service: 'shop-api', status: 'cutting_over', taskDefinition: 'shop-api:42' }],
    ref: { type: 'branch', name: 'main' },
    commit: '0123456789abcdef0123456789abcdef01234567',
    repositoryUrl: 'https://bitbucket.org/acme/shop-api',
    buildUrl: 'https://bitbucket.org/acme/shop-api/pipelines/results/412',
    startedAt: T0,
    now: T0 + 100_000,
    milestones: { registering: T0 + 45_000, cutting_over: T0 + 100_000 },
    waitTimeoutMs: 1_800_000,
    ...v,
  };
}
