// The Code Insights report as drawn from the message's view: what the deploy changes (a link to the
// comparison when there is one service), and after a failure the version it leaves running.
import { expect } from 'chai';
import { reportOf } from '../../src/bitbucket/insights.ts';
import type { Changes } from '../../src/core/changes.ts';
import type { ServiceLine } from '../../src/core/view.ts';
import { messageView, T0 } from '../support/message-view.ts';

const COMPARE = 'https://bitbucket.org/acme/shop-api/branches/compare/0123456%0D8a1b2c3#diff';
const changes: Changes = {
  previous: { commit: '8a1b2c3d4e5f', source: 'image_tag', liveSince: Date.parse('2026-11-12T10:00:00Z') },
  ahead: [{ hash: '0123456789', subject: 'Release' }],
  behind: [],
  compareUrl: COMPARE,
};
const line = (s: Partial<ServiceLine> = {}): ServiceLine => ({ service: 'shop-api', status: 'retired', taskDefinition: 'shop-api:42', ...s });
const field = (r: ReturnType<typeof reportOf>, title: string) => r.data.find((d) => d.title === title);

describe('bitbucket/insights', () => {
  it('what changed: a link to the comparison for one service, its line naming the version before and since when', () => {
    const r = reportOf(messageView({ status: 'live', phase: 'retired', done: true, services: [line()], changes: { 'shop-api': changes } }), [], undefined);
    expect(r.result).to.equal('PASSED');
    expect(field(r, 'What changed')).to.deep.equal({
      title: 'What changed',
      type: 'LINK',
      value: { text: '1 commit since 8a1b2c3 (live since 12 Nov)', href: COMPARE },
    });
  });

  it('several services: each named, as text; none known: no field', () => {
    const two = messageView({ services: [line(), line({ service: 'shop-worker' })], changes: { 'shop-api': changes, 'shop-worker': changes } });
    expect(field(reportOf(two, [], undefined), 'What changed')).to.deep.equal({
      title: 'What changed',
      type: 'TEXT',
      value: 'shop-api: 1 commit since 8a1b2c3 (live since 12 Nov); shop-worker: 1 commit since 8a1b2c3 (live since 12 Nov)',
    });
    expect(field(reportOf(messageView(), [], undefined), 'What changed')).to.equal(undefined);
  });

  it('a failure says which version still runs, when the version before is known', () => {
    const failed = messageView({
      status: 'failed',
      done: true,
      now: T0 + 300_000,
      services: [line({ status: 'failed', reason: 'rolled back by the circuit breaker' })],
      changes: { 'shop-api': changes },
    });
    const r = reportOf(failed, [], undefined);
    expect(r.result).to.equal('FAILED');
    expect(r.details).to.equal('shop-api → production: failed. shop-api: rolled back by the circuit breaker. shop-api still runs 8a1b2c3');
    expect(reportOf({ ...failed, changes: {} }, [], undefined).details).not.to.include('still runs');
  });
});
