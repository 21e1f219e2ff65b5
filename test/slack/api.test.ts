// How the Web API calls wait after Slack's rate limit: what Slack asks, then spread out.
import { expect } from 'chai';
import { DEFAULT_SLACK_TIMING, rateLimitDelay } from '../../src/slack/api.ts';

describe('slack/api', () => {
  const timing = { firstRetryDelay: 1000, maxRetryDelay: 15_000 };

  it("waits exactly Slack's Retry-After after a first 429", () => {
    expect(rateLimitDelay(7, 1, timing, () => 0.5)).to.equal(7000);
    expect(rateLimitDelay(1, 1, DEFAULT_SLACK_TIMING, () => 0.99)).to.equal(1000);
  });

  it('after 429s in a row, adds a jittered wait that doubles up to maxRetryDelay: retries of many pipes spread out', () => {
    // random 0 → half the step, random 1 → the whole step.
    expect(rateLimitDelay(1, 2, timing, () => 0)).to.equal(1000 + 500);
    expect(rateLimitDelay(1, 2, timing, () => 1)).to.equal(1000 + 1000);
    expect(rateLimitDelay(1, 3, timing, () => 1)).to.equal(1000 + 2000);
    expect(rateLimitDelay(1, 10, timing, () => 1)).to.equal(1000 + 15_000);
    const spread = new Set(Array.from({ length: 50 }, (_, i) => rateLimitDelay(1, 4, timing, () => i / 50)));
    expect(spread.size).to.be.greaterThan(10);
  });
});
