// When the core says to poll next: each rule of the schedule, and the view's clamp to WAIT_TIMEOUT.
import { expect } from 'chai';
import { DENSE_POLL_MS, DENSE_WINDOW_MS, MIN_POLL_MS, MIN_REST_SHARE, POLL_JITTER, SPARSE_POLL_FACTOR } from '../../src/core/budget.ts';
import { jittered, liveImminent, liveMayCome, nextPollIn, nextWait, unitNoise, waitAfterRead } from '../../src/core/schedule.ts';
import { start, step, viewOf } from '../../src/core/step.ts';
import { ROLLOUT, T0 } from '../support/samples.ts';

describe('core/schedule', () => {
  it('polls at POLL_INTERVAL while starting and registering', () => {
    for (const phase of ['waiting', 'starting', 'registering'] as const) expect(nextPollIn(10_000, phase, false)).to.equal(10_000);
  });

  it('polls densely when live is moments away: every second, or a quarter of the interval when shorter, never faster than the floor', () => {
    expect(nextPollIn(10_000, 'cutting_over', true)).to.equal(DENSE_POLL_MS);
    expect(nextPollIn(2000, 'cutting_over', true)).to.equal(500);
    expect(nextPollIn(10_000, 'cutting_over', false)).to.equal(10_000);
    expect(nextPollIn(500, 'cutting_over', true)).to.equal(MIN_POLL_MS);
  });

  describe('around a predicted transition', () => {
    const T = 1_000_000;
    it('wakes at the predicted moment when it comes before the next regular poll, not earlier than the floor', () => {
      expect(nextPollIn(10_000, 'registering', false, { what: 'healthy', at: T + 4000 }, T)).to.equal(4000);
      expect(nextPollIn(10_000, 'registering', false, { what: 'healthy', at: T + 100 }, T)).to.equal(MIN_POLL_MS);
      expect(nextPollIn(10_000, 'live', false, { what: 'retired', at: T + 15_000 }, T)).to.equal(15_000);
    });

    it(`until a predicted retirement further off, polls ${SPARSE_POLL_FACTOR} intervals apart, the last poll landing on it`, () => {
      expect(nextPollIn(10_000, 'live', false, { what: 'retired', at: T + 300_000 }, T)).to.equal(10_000 * SPARSE_POLL_FACTOR);
      expect(nextPollIn(10_000, 'live', false, { what: 'retired', at: T + 300_000 }, T + 270_000)).to.equal(30_000);
      // Not before a predicted "healthy": health checks may pass an interval sooner, and live follows within seconds.
      expect(nextPollIn(10_000, 'registering', false, { what: 'healthy', at: T + 150_000 }, T)).to.equal(10_000);
      // Without a prediction: POLL_INTERVAL.
      expect(nextPollIn(10_000, 'starting', false, undefined, T)).to.equal(10_000);
    });

    it('jitters every wait but one aimed at a predicted moment: that one lands on it', () => {
      const aimed = nextWait(10_000, 'live', false, { what: 'retired', at: T + 30_000 }, T, 12345, 3);
      expect(aimed).to.equal(30_000);
      expect(nextWait(10_000, 'registering', false, { what: 'healthy', at: T + 4000 }, T, 12345, 3)).to.equal(4000);
      const seeds = Array.from({ length: 20 }, (_, i) => nextWait(10_000, 'live', false, { what: 'retired', at: T + 150_000 }, T, i, 3));
      expect(new Set(seeds).size).to.be.greaterThan(1);
      for (const w of seeds) expect(w).to.be.within(40_000 * (1 - POLL_JITTER), 40_000 * (1 + POLL_JITTER));
    });

    it(`polls densely for ${DENSE_WINDOW_MS / 1000} s after the predicted "healthy" (the cut-over follows within seconds), then as usual`, () => {
      expect(nextPollIn(10_000, 'registering', false, { what: 'healthy', at: T }, T + 1)).to.equal(DENSE_POLL_MS);
      expect(nextPollIn(10_000, 'registering', false, { what: 'healthy', at: T }, T + DENSE_WINDOW_MS - 1)).to.equal(DENSE_POLL_MS);
      expect(nextPollIn(10_000, 'registering', false, { what: 'healthy', at: T }, T + DENSE_WINDOW_MS)).to.equal(10_000);
    });

    it('reads a fresh task list on the polls around "live": the cut-over, the wake at the predicted "healthy" and the dense window after it', () => {
      expect(liveMayCome('cutting_over', true, 10_000, undefined, T)).to.equal(true);
      expect(liveMayCome('cutting_over', false, 10_000, undefined, T)).to.equal(false);
      expect(liveMayCome('registering', false, 10_000, undefined, T)).to.equal(false);
      expect(liveMayCome('registering', false, 10_000, { what: 'healthy', at: T + 4000 }, T)).to.equal(true);
      expect(liveMayCome('registering', false, 10_000, { what: 'healthy', at: T + 10_000 }, T)).to.equal(true);
      expect(liveMayCome('registering', false, 10_000, { what: 'healthy', at: T + 10_001 }, T)).to.equal(false);
      expect(liveMayCome('registering', false, 10_000, { what: 'healthy', at: T }, T + DENSE_WINDOW_MS - 1)).to.equal(true);
      expect(liveMayCome('registering', false, 10_000, { what: 'healthy', at: T }, T + DENSE_WINDOW_MS)).to.equal(false);
      expect(liveMayCome('live', false, 10_000, { what: 'retired', at: T + 1000 }, T)).to.equal(false);
    });

    it('not after a predicted retirement: nothing users wait on follows it', () => {
      expect(nextPollIn(10_000, 'live', false, { what: 'retired', at: T }, T + 1)).to.equal(20_000);
    });
  });

  it('polls half as often once live: only the retirement is left', () => {
    expect(nextPollIn(10_000, 'live', false)).to.equal(20_000);
  });

  it('calls live imminent only while cutting over, and not while a step before the last or a hook is pending', () => {
    const shift = (production: number, hook = false) => ({
      strategy: 'LINEAR',
      steps: [25, 50, 75, 100],
      production,
      requested: 2,
      running: 2,
      ...(hook ? { hook: { id: 'h', targetType: 'PAUSE', status: 'AWAITING_ACTION' } } : {}),
    });
    expect(liveImminent('registering', [{ status: 'registering' }])).to.equal(false);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over' }])).to.equal(true);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(50) }])).to.equal(false);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(75) }])).to.equal(true);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(75, true) }])).to.equal(false);
    // A service already past the cut-over does not hold the others back.
    expect(liveImminent('cutting_over', [{ status: 'live', shift: shift(50) }, { status: 'cutting_over' }])).to.equal(true);
  });

  it('never sleeps past WAIT_TIMEOUT', () => {
    const state = start(['shop-api'], undefined, { startedAt: 0, deadline: 4000, graceMs: 0, pollIntervalMs: 10_000 });
    expect(viewOf(state, 1000).nextPollMs).to.equal(3000);
    expect(viewOf(state, 5000).nextPollMs).to.equal(0);
  });

  it('counts the wait from when the read began, leaving at least half of it after a slow read', () => {
    expect(waitAfterRead(10_000, 3000)).to.equal(7000);
    expect(waitAfterRead(10_000, 8000)).to.equal(10_000 * MIN_REST_SHARE);
    expect(waitAfterRead(1000, 2100)).to.equal(500);
  });

  describe('jitter: watches started together drift apart', () => {
    it('no seed, no jitter', () => {
      expect(jittered(10_000, undefined, 3)).to.equal(10_000);
    });

    it(`stretches or shrinks a wait by at most ${POLL_JITTER * 100} %, never under the floor, the same for the same seed and poll`, () => {
      const waits = Array.from({ length: 200 }, (_, seed) => jittered(10_000, seed * 7919, 1));
      for (const w of waits) expect(w).to.be.within(10_000 * (1 - POLL_JITTER), 10_000 * (1 + POLL_JITTER));
      expect(jittered(10_000, 42, 5)).to.equal(jittered(10_000, 42, 5));
      expect(jittered(MIN_POLL_MS, 42, 5)).to.be.at.least(MIN_POLL_MS);
      // Spread over the whole band, not stuck at one end.
      expect(Math.min(...waits)).to.be.below(10_000 * (1 - POLL_JITTER / 2));
      expect(Math.max(...waits)).to.be.above(10_000 * (1 + POLL_JITTER / 2));
    });

    it('the noise is spread evenly across seeds and polls', () => {
      const xs = Array.from({ length: 1000 }, (_, i) => unitNoise(i % 37, Math.floor(i / 37)));
      const quarters = [0, 1, 2, 3].map((q) => xs.filter((x) => x >= q / 4 && x < (q + 1) / 4).length);
      for (const n of quarters) expect(n).to.be.within(200, 300);
    });

    it("the view's next poll is jittered by the run's seed, and differs from poll to poll", () => {
      const settings = { startedAt: T0, deadline: T0 + 600_000, graceMs: 60_000, pollIntervalMs: 10_000 };
      const a = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], { ...settings, jitterSeed: 1 });
      const b = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], { ...settings, jitterSeed: 2 });
      const snaps = new Map([['shop-api', ROLLOUT.starting]]);
      const a1 = step(a, snaps, T0);
      const b1 = step(b, snaps, T0);
      expect(a1.view.nextPollMs).to.not.equal(b1.view.nextPollMs);
      expect(step(a1.state, snaps, T0 + 10_000).view.nextPollMs).to.not.equal(a1.view.nextPollMs);
      const plain = step(start(['shop-api'], [{ family: 'shop-api', revision: 42 }], settings), snaps, T0);
      expect(plain.view.nextPollMs).to.equal(10_000);
    });
  });
});
