// When the core says to poll next: each rule of the schedule, and the view's clamp to WAIT_TIMEOUT.
import { expect } from 'chai';
import { liveImminent, MIN_POLL_MS, nextPollIn } from '../../src/core/schedule.ts';
import { start, viewOf } from '../../src/core/step.ts';

describe('core/schedule', () => {
  it('polls at POLL_INTERVAL while starting and registering', () => {
    for (const phase of ['waiting', 'starting', 'registering'] as const) expect(nextPollIn(10_000, phase, false)).to.equal(10_000);
  });

  it('polls four times as often when live is moments away, never faster than the floor', () => {
    expect(nextPollIn(10_000, 'cutting_over', true)).to.equal(2500);
    expect(nextPollIn(10_000, 'cutting_over', false)).to.equal(10_000);
    expect(nextPollIn(1000, 'cutting_over', true)).to.equal(MIN_POLL_MS);
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
});
