// The simulator's quotas: token buckets that throttle like AWS and Slack, for the scale bench.
import { expect } from 'chai';
import { awsAccountQuotas, slackQuotas, TokenBucket } from '../../simulator/quota.ts';

describe('simulator/quota', () => {
  it('a bucket gives its burst at once, then refills at its rate, and says how long until the next token', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 4 }, 0);
    expect([bucket.take(0), bucket.take(0)]).to.deep.equal([0, 0]);
    expect(bucket.take(0)).to.equal(250);
    expect(bucket.take(100)).to.equal(150);
    expect(bucket.take(250)).to.equal(0);
  });

  it('AWS: DescribeServices and ListServices share a bucket, ListTasks and DescribeTasks another, every ELB read one; writes are not limited', () => {
    const q = awsAccountQuotas(0.01); // 1 burst, 0.2 a second each
    expect(q.take('DescribeServices', 0)).to.equal(0);
    expect(q.take('ListServices', 0)).to.be.greaterThan(0);
    expect(q.take('ListTasks', 0)).to.equal(0);
    expect(q.take('DescribeTasks', 0)).to.be.greaterThan(0);
    expect(q.take('DescribeTargetHealth', 0)).to.equal(0);
    expect(q.take('DescribeRules', 0)).to.be.greaterThan(0);
    expect(q.take('ContinueServiceDeployment', 0)).to.equal(0);
    expect(Object.fromEntries(q.throttled)).to.deep.equal({ ListServices: 1, DescribeTasks: 1, DescribeRules: 1 });
  });

  it('Slack: chat.update at Tier 3 (50 a minute), chat.postMessage about one a second; reads not limited', () => {
    const q = slackQuotas();
    for (let i = 0; i < 50; i++) expect(q.take('chat.update', 0)).to.equal(0);
    expect(q.take('chat.update', 0)).to.equal(1200);
    expect(q.take('chat.update', 1200)).to.equal(0);
    for (let i = 0; i < 3; i++) expect(q.take('chat.postMessage', 0)).to.equal(0);
    expect(q.take('chat.postMessage', 0)).to.equal(1000);
    expect(q.take('conversations.history', 0)).to.equal(0);
  });
});
