// The traffic verdict: which minutes are compared, the minimum-request guard, the missing-datapoint
// rule, each threshold; and when the reducer asks for metrics (once a minute, once at the end).
import { expect } from 'chai';
import { measured, type RunState, start, step } from '../../src/core/step.ts';
import {
  DIP_MIN_EXTRA_ERRORS,
  dipOf,
  judgeTraffic,
  METRIC_PERIOD_MS,
  METRICS_READ_EVERY_MS,
  type MeasurePlan,
  type MetricsRead,
  MIN_ERRORS_TO_REGRESS,
  MIN_LATENCY_RISE_MS,
  type MinuteTraffic,
  planOf,
  queryOf,
  sidesOf,
  type TrafficTotals,
  verificationOf,
} from '../../src/core/verification.ts';
import { MS_PER_MINUTE, type VerifySettings } from '../../src/core/vocabulary.ts';
import { ROLLOUT, T0 } from '../support/samples.ts';

const SETTINGS: VerifySettings = { mode: 'fail', afterLiveMs: 0, minRequests: 300, max5xxIncrease: 1, maxLatencyIncrease: 50 };
const side = (requests: number, errors5xx = 0, p95Ms?: number, connectionErrors = 0): TrafficTotals => ({
  requests,
  errors5xx,
  connectionErrors,
  ...(p95Ms !== undefined ? { p95Ms } : {}),
  minutes: 5,
});
const judge = (fresh: TrafficTotals, baseline: TrafficTotals, settings = SETTINGS) => judgeTraffic({ fresh, baseline, against: 'old_version' }, settings);
const minute = (at: number, requests: number, errors5xx = 0, p95Ms = 100): MinuteTraffic => ({
  at,
  requests,
  errors5xx,
  connectionErrors: 0,
  p95Ms,
  p99Ms: p95Ms * 2,
});
const M = (i: number) => T0 + i * METRIC_PERIOD_MS;

describe('traffic verification', () => {
  describe('the verdict on two sides', () => {
    it('no requests on the new version is not measured, never verified (a minute without requests has no datapoint)', () => {
      const v = judge(side(0), side(10_000, 5, 100));
      expect(v.verdict).to.equal('not_measured');
      expect(v.why).to.equal('no requests reached the new version');
    });

    it('fewer requests than VERIFY_MIN_REQUESTS on either side is not measured, naming the guard', () => {
      expect(judge(side(299, 0, 100), side(10_000, 5, 100))).to.include({
        verdict: 'not_measured',
        why: 'only 299 requests reached the new version (VERIFY_MIN_REQUESTS is 300)',
      });
      expect(judge(side(5000, 0, 100), side(120, 0, 100)).why).to.equal('the old version had only 120 requests to compare with (VERIFY_MIN_REQUESTS is 300)');
      expect(judgeTraffic({ fresh: side(5000), baseline: side(10), against: 'before' }, SETTINGS).why).to.match(
        /^the same span before the deployment had only 10/,
      );
      expect(judge(side(300, 0, 100), side(300, 0, 100)).verdict).to.equal('verified');
    });

    it('a 5xx rate more than VERIFY_MAX_5XX_INCREASE points above the baseline regresses, naming both rates', () => {
      const v = judge(side(1200, 96, 180), side(10_800, 11, 180));
      expect(v.verdict).to.equal('regressed');
      expect(v.regressions).to.have.length(1);
      expect(v.regressions[0]?.metric).to.equal('5xx');
      expect(v.regressions[0]?.fresh).to.equal(8);
      expect(v.regressions[0]?.baseline).to.be.closeTo(0.1, 0.01);
      // Within the threshold: 1.0 point more is allowed, 1.1 is not.
      expect(judge(side(1000, 11, 180), side(1000, 1, 180)).verdict).to.equal('verified');
      expect(judge(side(1000, 12, 180), side(1000, 1, 180)).verdict).to.equal('regressed');
      expect(judge(side(1000, 12, 180), side(1000, 1, 180), { ...SETTINGS, max5xxIncrease: 2 }).verdict).to.equal('verified');
    });

    it(`a handful of 5xx at low traffic never regresses: at least ${MIN_ERRORS_TO_REGRESS} errors`, () => {
      expect(judge(side(300, MIN_ERRORS_TO_REGRESS - 1, 100), side(10_000, 0, 100)).verdict).to.equal('verified');
      expect(judge(side(300, MIN_ERRORS_TO_REGRESS, 100), side(10_000, 0, 100)).verdict).to.equal('regressed');
    });

    it('connection errors are judged as 5xx are', () => {
      const v = judge(side(1000, 0, 100, 30), side(1000, 0, 100, 0));
      expect(v.regressions.map((r) => r.metric)).to.deep.equal(['connection errors']);
    });

    it('a p95 more than VERIFY_MAX_LATENCY_INCREASE percent above the baseline regresses, unless the rise is under the floor', () => {
      expect(judge(side(1000, 0, 840), side(1000, 0, 180)).regressions).to.deep.equal([{ metric: 'p95', fresh: 840, baseline: 180 }]);
      expect(judge(side(1000, 0, 270), side(1000, 0, 180)).verdict).to.equal('verified'); // +50 %: allowed
      expect(judge(side(1000, 0, 271), side(1000, 0, 180)).verdict).to.equal('regressed');
      // +75 % but only 15 ms: harmless.
      expect(judge(side(1000, 0, 35), side(1000, 0, 20)).verdict).to.equal('verified');
      expect(MIN_LATENCY_RISE_MS).to.equal(50);
    });
  });

  describe('the minutes compared', () => {
    const split: Extract<MeasurePlan, { from: number }> = {
      service: 'shop-api',
      groups: { kind: 'split', fresh: ['green'], old: ['blue'] },
      from: M(0),
      until: M(10),
      createdAt: M(0),
    };

    it("split groups: the new group's minutes with requests against the old group's same minutes", () => {
      const minutes = new Map([
        ['green', [minute(M(2), 100, 1), minute(M(3), 100, 1)]],
        ['blue', [minute(M(1), 900), minute(M(2), 900, 1), minute(M(3), 900, 1), minute(M(4), 900, 50)]],
      ]);
      const s = sidesOf(split, minutes, M(10), 300);
      expect(s.fresh).to.include({ requests: 200, errors5xx: 2, minutes: 2 });
      expect(s.baseline).to.include({ requests: 1800, errors5xx: 2, minutes: 2 });
      expect(s.against).to.equal('old_version');
    });

    it('split groups, all traffic moved at once: the old version just before the new took requests', () => {
      const minutes = new Map([
        ['green', [minute(M(5), 1000), minute(M(6), 1000)]],
        ['blue', [minute(M(2), 1000, 9), minute(M(3), 1000, 3), minute(M(4), 1000, 2)]],
      ]);
      const s = sidesOf(split, minutes, M(10), 300);
      expect(s.fresh.requests).to.equal(2000);
      // M(3) and M(4): as many minutes as the new version's, just before its first.
      expect(s.baseline).to.include({ requests: 2000, errors5xx: 5, minutes: 2 });
    });

    it('shared groups (a rolling update): the minutes since live against as many before the deployment', () => {
      const plan: Extract<MeasurePlan, { from: number }> = {
        service: 'shop-api',
        groups: { kind: 'shared', groups: ['tg'] },
        createdAt: M(10) + 20_000,
        from: M(14) + 5000,
        until: M(16) + 1000,
      };
      const minutes = new Map([['tg', [M(6), M(7), M(8), M(9), M(10), M(14), M(15), M(16)].map((at, i) => minute(at, 100 + i, 0, 100 + i))]]);
      const s = sidesOf(plan, minutes, M(20), 300);
      expect(s.fresh.minutes).to.equal(3);
      expect(s.fresh.requests).to.equal(105 + 106 + 107);
      // The three minutes before the deployment's own minute (M(10) mixes old and new).
      expect(s.baseline.requests).to.equal(101 + 102 + 103);
      expect(s.against).to.equal('before');
      // The query reads the baselines too: as many minutes before the deployment as since it (the availability dip's).
      expect(queryOf([plan], M(20))).to.deep.equal({ from: M(3), to: M(21), targetGroups: ['tg'] });
    });

    it('percentiles are the minutes’, weighted by their requests', () => {
      const minutes = new Map([['green', [minute(M(1), 900, 0, 100), minute(M(2), 100, 0, 1000)]]]);
      const s = sidesOf({ ...split, groups: { kind: 'split', fresh: ['green'], old: [] } }, minutes, M(10), 300);
      expect(s.fresh.p95Ms).to.equal(190);
    });
  });

  describe('what the rollout cost in availability', () => {
    const elb = (at: number, elb5xx: number, elb503 = 0, elb502 = 0) => ({ at, elb5xx, elb503, elb502 });

    it("minutes of the rollout with the load balancer's own 5xx well beyond its usual: counted, the code that made most of it named", () => {
      const balancers = new Map([['app/shop/1', [elb(M(0), 2), elb(M(1), 4), elb(M(2), 3), elb(M(3), 640, 620), elb(M(4), 300, 290, 10), elb(M(5), 3)]]]);
      // The rollout: M(3)–M(5); the usual minute: the mean of M(0)–M(2), 3.
      expect(dipOf(balancers, { from: M(3), to: M(6) })).to.deep.equal({ code: '503', minutes: 2, requests: 637 + 297, balancers: ['app/shop/1'] });
    });

    it(`nothing beyond the usual, or under ${DIP_MIN_EXTRA_ERRORS} more, is nothing to say`, () => {
      const quiet = new Map([['app/shop/1', [elb(M(0), 20), elb(M(1), 20 + DIP_MIN_EXTRA_ERRORS - 1)]]]);
      expect(dipOf(quiet, { from: M(1), to: M(2) })).to.equal(undefined);
      expect(dipOf(new Map(), { from: M(1), to: M(2) })).to.equal(undefined);
      const twice = new Map([['app/shop/1', [elb(M(0), 0), elb(M(1), DIP_MIN_EXTRA_ERRORS, 0, DIP_MIN_EXTRA_ERRORS)]]]);
      expect(dipOf(twice, { from: M(1), to: M(2) })).to.include({ code: '502', minutes: 1, requests: DIP_MIN_EXTRA_ERRORS });
    });
  });

  describe('the plan', () => {
    it('a rolling update is measured from live until it is retired, or VERIFY_MINUTES after live, within the deadline', () => {
      const shared = { kind: 'shared' as const, groups: ['tg'] };
      expect(planOf({ service: 's', groups: shared, createdAt: T0 }, SETTINGS, undefined, T0 + 600_000)).to.equal(undefined);
      const live = { service: 's', groups: shared, createdAt: T0, liveAt: T0 + 60_000 };
      expect(planOf({ ...live, retiredAt: T0 + 360_000 }, SETTINGS, T0 + 360_000, T0 + 3_600_000)).to.include({ from: T0 + 60_000, until: T0 + 360_000 });
      const longer = { ...SETTINGS, afterLiveMs: 10 * MS_PER_MINUTE };
      expect(planOf(live, longer, T0 + 60_000, T0 + 3_600_000)).to.include({ until: T0 + 660_000 });
      expect(planOf(live, longer, T0 + 60_000, T0 + 300_000)).to.include({ until: T0 + 300_000 });
      // WAIT_UNTIL=live without VERIFY_MINUTES: nothing after live to measure, and it says so.
      expect(planOf(live, SETTINGS, T0 + 60_000, T0 + 3_600_000)).to.deep.equal({
        service: 's',
        unmeasurable: 'the watch ended at live, leaving no time to measure the new version alone (VERIFY_MINUTES measures after live)',
      });
      // Still rolling out: open until the deadline.
      expect(planOf(live, SETTINGS, undefined, T0 + 900_000)).to.include({ until: T0 + 900_000 });
    });

    it('traffic shifting is measured from the deployment; no load balancer is not measured', () => {
      const split = { kind: 'split' as const, fresh: ['green'], old: ['blue'] };
      expect(planOf({ service: 's', groups: split, createdAt: T0 }, SETTINGS, undefined, T0 + 900_000)).to.include({ from: T0 });
      expect(planOf({ service: 's', groups: { kind: 'shared', groups: [] }, createdAt: T0, liveAt: T0 }, SETTINGS, undefined, T0 + 1)).to.deep.equal({
        service: 's',
        unmeasurable: 'the service has no load balancer',
      });
    });

    it('a read refused or failed at the end is not measured with why; a group that cannot be read says why', () => {
      const plan: MeasurePlan = { service: 's', groups: { kind: 'split', fresh: ['green'], old: ['blue'] }, from: T0, until: T0 + 1, createdAt: T0 };
      expect(verificationOf(plan, { refused: 'cloudwatch:GetMetricData is not allowed' }, SETTINGS, T0, false).why).to.equal(
        'cloudwatch:GetMetricData is not allowed',
      );
      expect(verificationOf(plan, { failed: 'CloudWatch timed out' }, SETTINGS, T0, false).verdict).to.equal('measuring');
      expect(verificationOf(plan, { failed: 'CloudWatch timed out' }, SETTINGS, T0, true)).to.include({ verdict: 'not_measured', why: 'CloudWatch timed out' });
      const nlb: MetricsRead = { minutes: new Map(), unreadable: new Map([['blue', 'a Network Load Balancer reports no HTTP status codes']]) };
      expect(verificationOf(plan, nlb, SETTINGS, T0, true).why).to.equal('a Network Load Balancer reports no HTTP status codes');
    });

    it('while measuring, what would regress is said, the verdict is not', () => {
      const plan: MeasurePlan = { service: 's', groups: { kind: 'split', fresh: ['green'], old: ['blue'] }, from: M(0), until: M(9), createdAt: M(0) };
      const read: MetricsRead = {
        minutes: new Map([
          ['green', [minute(M(1), 500, 40)]],
          ['blue', [minute(M(1), 5000, 5)]],
        ]),
        unreadable: new Map(),
      };
      const so = verificationOf(plan, read, SETTINGS, M(2), false);
      expect(so.verdict).to.equal('measuring');
      expect(so.regressions.map((r) => r.metric)).to.deep.equal(['5xx']);
      expect(verificationOf(plan, read, SETTINGS, M(9), true).verdict).to.equal('regressed');
    });
  });

  describe('in the run', () => {
    const run = (verify: VerifySettings = SETTINGS): RunState =>
      start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
        startedAt: T0,
        deadline: T0 + 1_800_000,
        graceMs: 60_000,
        pollIntervalMs: 10_000,
        verify,
      });
    const only = (snap: (typeof ROLLOUT)['draining']) => new Map([['shop-api', snap]]);
    const steady: MetricsRead = {
      minutes: new Map([
        [ROLLOUT.draining.targetGroups[0]?.arn ?? '', Array.from({ length: 40 }, (_, i) => minute(T0 - 20 * MS_PER_MINUTE + i * MS_PER_MINUTE, 1000, 1))],
      ]),
      unreadable: new Map(),
    };

    it('asks for metrics at live, then at most once a minute, then once more when the rollout ends; then the verdict stands', () => {
      let s = run();
      let v = step(s, only(ROLLOUT.starting), T0).view;
      ({ state: s, view: v } = step(s, only(ROLLOUT.starting), T0));
      expect(v.measure).to.equal(undefined);
      ({ state: s, view: v } = step(s, only(ROLLOUT.draining), T0 + 60_000, { fresh: true }));
      expect(v.status).to.equal('live');
      expect(v.measure?.targetGroups).to.deep.equal([ROLLOUT.draining.targetGroups[0]?.arn]);
      ({ state: s, view: v } = measured(s, steady, T0 + 60_000));
      expect(v.services[0]?.traffic?.verdict).to.equal('measuring');
      ({ state: s, view: v } = step(s, only(ROLLOUT.draining), T0 + 60_000 + METRICS_READ_EVERY_MS - 1));
      expect(v.measure).to.equal(undefined);
      ({ state: s, view: v } = step(s, only(ROLLOUT.draining), T0 + 60_000 + METRICS_READ_EVERY_MS));
      expect(v.measure).to.not.equal(undefined);
      ({ state: s, view: v } = measured(s, steady, T0 + 60_000 + METRICS_READ_EVERY_MS));
      ({ state: s, view: v } = step(s, only(ROLLOUT.retired), T0 + 150_000, { fresh: true }));
      expect(v.done).to.equal(true);
      // The window ended with the rollout: one last read, then the verdict.
      expect(v.measuring).to.equal(true);
      expect(v.measure).to.not.equal(undefined);
      ({ state: s, view: v } = measured(s, steady, T0 + 150_000));
      expect(v.measuring).to.equal(false);
      expect(v.services[0]?.traffic?.verdict).to.equal('verified');
    });

    it('VERIFY_MINUTES keeps the watch measuring after the outcome, waking for the next read only', () => {
      let s = run({ ...SETTINGS, afterLiveMs: 5 * MS_PER_MINUTE });
      ({ state: s } = step(s, only(ROLLOUT.starting), T0));
      ({ state: s } = step(s, only(ROLLOUT.draining), T0 + 60_000, { fresh: true }));
      ({ state: s } = measured(s, steady, T0 + 60_000));
      let v = step(s, only(ROLLOUT.retired), T0 + 90_000, { fresh: true });
      expect(v.view.done).to.equal(true);
      expect(v.view.measuring).to.equal(true);
      // The last read was 30 s ago: the next one is due in 30 s.
      expect(v.view.nextPollMs).to.equal(30_000);
      s = v.state;
      v = measured(s, steady, T0 + 360_000);
      expect(v.view.measuring).to.equal(false);
    });

    it('a denied read is not measured at once and never asked again', () => {
      let s = run();
      ({ state: s } = step(s, only(ROLLOUT.starting), T0));
      ({ state: s } = step(s, only(ROLLOUT.draining), T0 + 60_000, { fresh: true }));
      const v = measured(s, { refused: 'cloudwatch:GetMetricData is not allowed for the role' }, T0 + 60_000);
      expect(v.view.services[0]?.traffic).to.include({ verdict: 'not_measured', why: 'cloudwatch:GetMetricData is not allowed for the role' });
      const later = step(v.state, only(ROLLOUT.retired), T0 + 200_000, { fresh: true });
      expect(later.view.measure).to.equal(undefined);
      expect(later.view.measuring).to.equal(false);
    });

    it("names the new targets the load balancer's anomaly detection flags, never the old ones", () => {
      const flagged = {
        ...ROLLOUT.draining,
        targetGroups: ROLLOUT.draining.targetGroups.map((g) => ({ ...g, targets: g.targets.map((t) => ({ ...t, anomalous: true })) })),
      };
      let s = run();
      ({ state: s } = step(s, only(ROLLOUT.starting), T0));
      const v = step(s, only(flagged), T0 + 60_000, { fresh: true }).view;
      // 10.0.1.10 (old, draining) is flagged too, and left out.
      expect(v.services[0]?.anomalous).to.deep.equal(['10.0.2.20:8080', '10.0.2.21:8080']);
      expect(step(s, only(ROLLOUT.draining), T0 + 60_000, { fresh: true }).view.services[0]?.anomalous).to.equal(undefined);
      // Still named once the service is retired (its targets no longer read).
      const flaggedThen = step(s, only(flagged), T0 + 60_000, { fresh: true }).state;
      const retired = { ...ROLLOUT.retired, targetGroups: [] };
      expect(step(flaggedThen, only(retired), T0 + 120_000, { fresh: true }).view.services[0]?.anomalous).to.deep.equal(['10.0.2.20:8080', '10.0.2.21:8080']);
    });

    it('VERIFY=off measures nothing', () => {
      let s = run({ ...SETTINGS, mode: 'off' });
      ({ state: s } = step(s, only(ROLLOUT.starting), T0));
      const v = step(s, only(ROLLOUT.draining), T0 + 60_000, { fresh: true }).view;
      expect(v.measure).to.equal(undefined);
      expect(v.services[0]?.traffic).to.equal(undefined);
    });
  });
});
