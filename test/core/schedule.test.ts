// When the core says to poll next: each rule of the schedule, and the view's clamp to WAIT_TIMEOUT.
import { expect } from 'chai';
import { DENSE_POLL_MS, DENSE_WINDOW_MS, HEALTHY_WINDOW_POLLS, MIN_POLL_MS, MIN_REST_SHARE, POLL_JITTER, SPARSE_POLL_FACTOR } from '../../src/core/budget.ts';
import { type Due, jittered, liveImminent, liveMayCome, nextPollIn, nextWait, unitNoise, waitAfterRead } from '../../src/core/schedule.ts';
import { start, step, viewOf } from '../../src/core/step.ts';
import { ROLLOUT, T0 } from '../support/samples.ts';

describe('core/schedule', () => {
  it('polls at POLL_INTERVAL while starting and registering', () => {
    for (const phase of ['waiting', 'starting', 'registering'] as const) expect(nextPollIn(10_000, { phase, imminent: false })).to.equal(10_000);
  });

  it('while new tasks start, polls at least once per health-check interval, never denser than the cut-over', () => {
    expect(nextPollIn(10_000, { phase: 'starting', imminent: false, checkEveryMs: 5000 })).to.equal(5000);
    expect(nextPollIn(10_000, { phase: 'starting', imminent: false, checkEveryMs: 30_000 })).to.equal(10_000);
    expect(nextPollIn(10_000, { phase: 'starting', imminent: false, checkEveryMs: 200 })).to.equal(DENSE_POLL_MS);
    // A predicted transition still comes first: another service's registered targets.
    const T = 1_000_000;
    expect(nextPollIn(10_000, { phase: 'starting', imminent: false, checkEveryMs: 5000, due: { what: 'healthy', at: T + 3000, since: T - 2000 } }, T)).to.equal(
      DENSE_POLL_MS,
    );
  });

  it('polls densely when live is moments away: every second, or a quarter of the interval when shorter, never faster than the floor', () => {
    expect(nextPollIn(10_000, { phase: 'cutting_over', imminent: true })).to.equal(DENSE_POLL_MS);
    expect(nextPollIn(2000, { phase: 'cutting_over', imminent: true })).to.equal(500);
    expect(nextPollIn(10_000, { phase: 'cutting_over', imminent: false })).to.equal(10_000);
    expect(nextPollIn(500, { phase: 'cutting_over', imminent: true })).to.equal(MIN_POLL_MS);
  });

  describe('around a predicted transition', () => {
    const T = 1_000_000;
    /** A wait begun long ago: its window's own cadence is sparser than POLL_INTERVAL. */
    const LONG_AGO = T - 600_000;
    it('wakes at the predicted moment when it comes before the next regular poll, not earlier than the floor', () => {
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 4000, since: LONG_AGO } }, T)).to.equal(4000);
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 100, since: LONG_AGO } }, T)).to.equal(MIN_POLL_MS);
      expect(nextPollIn(10_000, { phase: 'live', imminent: false, due: { what: 'retired', at: T + 15_000, since: T } }, T)).to.equal(15_000);
    });

    it(`until a predicted retirement further off, polls ${SPARSE_POLL_FACTOR} intervals apart, the last poll landing on it`, () => {
      expect(nextPollIn(10_000, { phase: 'live', imminent: false, due: { what: 'retired', at: T + 300_000, since: T } }, T)).to.equal(
        10_000 * SPARSE_POLL_FACTOR,
      );
      expect(nextPollIn(10_000, { phase: 'live', imminent: false, due: { what: 'retired', at: T + 300_000, since: T } }, T + 270_000)).to.equal(30_000);
      // Not before a predicted "healthy": its check may pass any moment, and live follows within seconds.
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 150_000, since: LONG_AGO } }, T)).to.equal(10_000);
      // Without a prediction: POLL_INTERVAL.
      expect(nextPollIn(10_000, { phase: 'starting', imminent: false }, T)).to.equal(10_000);
    });

    it(`across the window in which new targets pass their one health check, polls ${HEALTHY_WINDOW_POLLS} times, between the cut-over's cadence and POLL_INTERVAL`, () => {
      // Registered at T, one 30 s check interval: polls spread evenly over it, the last landing on the predicted moment.
      const due: Due = { what: 'healthy', at: T + 30_000, since: T };
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: due }, T)).to.equal(30_000 / HEALTHY_WINDOW_POLLS);
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: due }, T + 28_000)).to.equal(2000);
      // A 5 s interval: no denser than the cut-over's polls.
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 5000, since: T } }, T)).to.equal(DENSE_POLL_MS);
      // A 120 s grace period: no sparser than POLL_INTERVAL.
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 120_000, since: T } }, T)).to.equal(10_000);
    });

    it('jitters every wait but one aimed at a predicted moment: that one lands on it', () => {
      const aimed = nextWait(10_000, { phase: 'live', imminent: false, due: { what: 'retired', at: T + 30_000, since: T } }, T, 12345, 3);
      expect(aimed).to.equal(30_000);
      expect(nextWait(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 4000, since: LONG_AGO } }, T, 12345, 3)).to.equal(4000);
      const seeds = Array.from({ length: 20 }, (_, i) =>
        nextWait(10_000, { phase: 'live', imminent: false, due: { what: 'retired', at: T + 150_000, since: T } }, T, i, 3),
      );
      expect(new Set(seeds).size).to.be.greaterThan(1);
      for (const w of seeds) expect(w).to.be.within(10_000 * SPARSE_POLL_FACTOR * (1 - POLL_JITTER), 10_000 * SPARSE_POLL_FACTOR * (1 + POLL_JITTER));
    });

    it(`polls densely for ${DENSE_WINDOW_MS / 1000} s after the predicted "healthy" (the cut-over follows within seconds), then as usual`, () => {
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T, since: LONG_AGO } }, T + 1)).to.equal(DENSE_POLL_MS);
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T, since: LONG_AGO } }, T + DENSE_WINDOW_MS - 1)).to.equal(
        DENSE_POLL_MS,
      );
      expect(nextPollIn(10_000, { phase: 'registering', imminent: false, due: { what: 'healthy', at: T, since: LONG_AGO } }, T + DENSE_WINDOW_MS)).to.equal(
        10_000,
      );
    });

    it('reads a fresh task list on the polls around "live": the cut-over, the window in which the new targets pass their check, the dense polls after it', () => {
      expect(liveMayCome({ phase: 'cutting_over', imminent: true }, T)).to.equal(true);
      expect(liveMayCome({ phase: 'cutting_over', imminent: false }, T)).to.equal(false);
      expect(liveMayCome({ phase: 'registering', imminent: false }, T)).to.equal(false);
      // Registered at T − 10 s, one 30 s interval: the whole window, however far its end.
      expect(liveMayCome({ phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 20_000, since: T - 10_000 } }, T)).to.equal(true);
      expect(liveMayCome({ phase: 'registering', imminent: false, due: { what: 'healthy', at: T + 300_000, since: T - 10_000 } }, T)).to.equal(true);
      expect(liveMayCome({ phase: 'registering', imminent: false, due: { what: 'healthy', at: T, since: LONG_AGO } }, T + DENSE_WINDOW_MS - 1)).to.equal(true);
      expect(liveMayCome({ phase: 'registering', imminent: false, due: { what: 'healthy', at: T, since: LONG_AGO } }, T + DENSE_WINDOW_MS)).to.equal(false);
      expect(liveMayCome({ phase: 'live', imminent: false, due: { what: 'retired', at: T + 1000, since: T } }, T)).to.equal(false);
    });

    it("before a traffic step's window opens (its bake), polls sparsely, waking as it opens; across it as across the health-check window", () => {
      // Last step seen between T − 10 s and T, 10 min bake: the next may come from T + 590 s to T + 600 s.
      const due: Due = { what: 'step', since: T + 590_000, at: T + 600_000 };
      expect(nextPollIn(10_000, { phase: 'cutting_over', imminent: false, due }, T)).to.equal(10_000 * SPARSE_POLL_FACTOR);
      expect(nextPollIn(10_000, { phase: 'cutting_over', imminent: false, due }, T + 580_000)).to.equal(10_000);
      expect(nextWait(10_000, { phase: 'cutting_over', imminent: false, due }, T + 580_000, 12345, 3), 'aimed at the window: not jittered').to.equal(10_000);
      expect(nextPollIn(10_000, { phase: 'cutting_over', imminent: false, due }, T + 590_000)).to.equal(Math.round(10_000 / HEALTHY_WINDOW_POLLS));
      expect(nextPollIn(10_000, { phase: 'cutting_over', imminent: false, due }, T + 600_000 + 1)).to.equal(DENSE_POLL_MS);
      expect(liveMayCome({ phase: 'cutting_over', imminent: false, due }, T), 'no fresh reads before the window').to.equal(false);
      expect(liveMayCome({ phase: 'cutting_over', imminent: false, due }, T + 595_000)).to.equal(true);
    });

    it('not after a predicted retirement: nothing users wait on follows it', () => {
      expect(nextPollIn(10_000, { phase: 'live', imminent: false, due: { what: 'retired', at: T, since: T } }, T + 1)).to.equal(20_000);
    });
  });

  it('polls half as often once live: only the retirement is left', () => {
    expect(nextPollIn(10_000, { phase: 'live', imminent: false })).to.equal(20_000);
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
    expect(liveImminent('registering', [{ status: 'registering' }], 0)).to.equal(false);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over' }], 0)).to.equal(true);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(50) }], 0)).to.equal(false);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(75) }], 0)).to.equal(true);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(75, true) }], 0)).to.equal(false);
    // The last step (75 % → 100 %) is predicted after its bake: not moments away before its window opens.
    const lastStep = { what: 'step' as const, at: 600_000, since: 590_000, basis: 'step bake 10 min' };
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(75), eta: lastStep }], 589_999)).to.equal(false);
    expect(liveImminent('cutting_over', [{ status: 'cutting_over', shift: shift(75), eta: lastStep }], 590_000)).to.equal(true);
    // A service already past the cut-over does not hold the others back.
    expect(liveImminent('cutting_over', [{ status: 'live', shift: shift(50) }, { status: 'cutting_over' }], 0)).to.equal(true);
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
