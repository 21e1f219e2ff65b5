import { expect } from 'chai';
import { awsDelay, createAsk, FIRST_RETRY_DELAY_MS, isRetryable, QuotaBackoff, quotaOf, THROTTLE_BACKOFF_POLLS, withRetry } from '../../src/aws/retry.ts';
import { DeadlineError } from '../../src/retry.ts';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const always = (error: unknown) => async (): Promise<never> => {
  throw error;
};

describe('aws/retry', () => {
  const table: Array<[string, unknown, boolean]> = [
    ['ECS throttling', sdkError('ThrottlingException', 400), true],
    ['ELBv2/STS throttling', sdkError('Throttling', 400), true],
    ['a 5xx', sdkError('InternalFailure', 500), true],
    ['503 unavailable', sdkError('ServiceUnavailable', 503), true],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    [
      'a request that timed out',
      Object.assign(new Error('a request has exceeded the configured 5000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      true,
    ],
    // What the SDK throws for a 200 answer that is not JSON, or cut short.
    [
      'a garbled 200 answer',
      Object.assign(new SyntaxError('Unexpected end of JSON input\n  Deserialization error: to see the raw response…'), { $metadata: { httpStatusCode: 200 } }),
      true,
    ],
    ['access denied', sdkError('AccessDeniedException', 400), false],
    ['cluster not found', sdkError('ClusterNotFoundException', 400), false],
    ['bad credentials', sdkError('UnrecognizedClientException', 403), false],
    ['a programming error', new TypeError('x is not a function'), false],
    ['a parse error of our own', new SyntaxError('Unexpected token'), false],
  ];
  for (const [name, error, expected] of table) it(`${expected ? 'retries' : 'does not retry'} ${name}`, () => expect(isRetryable(error)).to.equal(expected));

  it('waits at most one poll interval after a transient error, a few after throttling', () => {
    const poll = 1000;
    const worst = () => 1;
    const transient = Array.from({ length: 12 }, (_, i) => awsDelay(sdkError('ServiceUnavailable', 503), i + 1, poll, worst) ?? 0);
    expect(Math.max(...transient)).to.equal(poll);
    expect(transient[0]).to.be.below(poll); // the first retry comes quickly
    const throttled = Array.from({ length: 12 }, (_, i) => awsDelay(sdkError('ThrottlingException', 400), i + 1, poll, worst) ?? 0);
    expect(Math.max(...throttled)).to.equal(THROTTLE_BACKOFF_POLLS * poll);
    expect(awsDelay(sdkError('AccessDeniedException', 400), 1, poll)).to.equal(undefined);
  });

  it('retries until it succeeds, and logs each retry', async () => {
    const warnings: string[] = [];
    let n = 0;
    const result = await withRetry(
      async () => {
        if (++n < 3) throw sdkError('ThrottlingException', 400);
        return 'ok';
      },
      { what: 'AWS ecs:DescribeServices', deadline: Date.now() + 10_000, pollIntervalMs: 10, log: { ...silent, warn: (m: string) => warnings.push(m) } },
    );
    expect(result).to.equal('ok');
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(/^AWS ecs:DescribeServices failed \(ThrottlingException: HTTP 400: ThrottlingException happened\); retry 1 in/);
  });

  it('gives up at once on an error retrying cannot fix', async () => {
    let n = 0;
    const error = await withRetry(
      async () => {
        n++;
        throw sdkError('AccessDeniedException', 400);
      },
      { what: 'x', deadline: Date.now() + 10_000, pollIntervalMs: 10, log: silent },
    ).catch((e: Error) => e);
    expect(n).to.equal(1);
    expect(error).to.have.property('name', 'AccessDeniedException');
  });

  it('stops retrying at the deadline, saying what kept failing', async () => {
    const started = Date.now();
    const error = await withRetry(always(sdkError('ThrottlingException', 400)), {
      what: 'x',
      deadline: Date.now() + 300,
      pollIntervalMs: 50,
      log: silent,
    }).catch((e: Error) => e);
    expect(error).to.be.instanceOf(DeadlineError);
    expect((error as DeadlineError).last).to.have.property('name', 'ThrottlingException');
    expect(Date.now() - started).to.be.below(1000);
  });

  it('ends a wait at once when the signal aborts', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('stopped')), 50);
    const started = Date.now();
    const error = await withRetry(always(sdkError('ThrottlingException', 400)), {
      what: 'x',
      deadline: Date.now() + 60_000,
      pollIntervalMs: 20_000,
      log: silent,
      signal: stop.signal,
      random: () => 1,
    }).catch((e: Error) => e);
    expect(error).to.have.property('message', 'stopped');
    expect(Date.now() - started).to.be.below(500);
  });

  it('ends a call that never answers at once when the signal aborts', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('stopped')), 50);
    const error = await withRetry(() => new Promise(() => {}), {
      what: 'x',
      deadline: Date.now() + 60_000,
      pollIntervalMs: 1000,
      log: silent,
      signal: stop.signal,
    }).catch((e: Error) => e);
    expect(error).to.have.property('message', 'stopped');
  });

  describe('throttling backs off per quota', () => {
    it('knows which calls share a quota', () => {
      expect(quotaOf('ecs:DescribeServices')).to.equal(quotaOf('ecs:ListServices'));
      expect(quotaOf('ecs:ListTasks')).to.equal(quotaOf('ecs:DescribeTasks'));
      expect(quotaOf('ecs:DescribeServices')).to.not.equal(quotaOf('ecs:ListTasks'));
      expect(quotaOf('elasticloadbalancing:DescribeTargetHealth')).to.equal(quotaOf('elasticloadbalancing:DescribeTargetGroups'));
      expect(quotaOf('ecs:DescribeTaskDefinition')).to.equal('ecs');
    });

    it('holds every call of a throttled class for the same wait, not calls of other classes; one episode, one step of growth', () => {
      let now = 0;
      const worst = () => 1;
      const quotas = new QuotaBackoff(10_000, () => now, worst);
      const first = quotas.throttled('ecs:ListTasks');
      expect(first).to.equal(FIRST_RETRY_DELAY_MS * 2);
      expect(quotas.waitFor('ecs:DescribeTasks')).to.equal(first);
      expect(quotas.waitFor('ecs:DescribeServices')).to.equal(0);
      expect(quotas.waitFor('elasticloadbalancing:DescribeTargetHealth')).to.equal(0);
      // Another call sent before the wait began comes back throttled: the same wait (a little apart
      // from the others), not a longer one.
      now = 100;
      expect(quotas.throttled('ecs:ListTasks')).to.equal(first - 100 + FIRST_RETRY_DELAY_MS);
      expect(quotas.waitFor('ecs:ListTasks')).to.equal(first - 100);
      // Throttled again after the wait: it doubles, up to THROTTLE_BACKOFF_POLLS intervals.
      now = first;
      expect(quotas.throttled('ecs:DescribeTasks')).to.equal(first * 2);
      for (let i = 0; i < 10; i++) {
        now += quotas.waitFor('ecs:ListTasks');
        quotas.throttled('ecs:ListTasks');
      }
      expect(quotas.waitFor('ecs:ListTasks')).to.equal(10_000 * THROTTLE_BACKOFF_POLLS);
      // A success starts the growth over.
      now += quotas.waitFor('ecs:ListTasks');
      quotas.succeeded('ecs:ListTasks');
      expect(quotas.throttled('ecs:ListTasks')).to.equal(first);
    });

    it("the run's ask shares one backoff per quota across all of its calls, and tells of each throttle", async () => {
      const throttles: string[] = [];
      const never = new AbortController().signal;
      const ask = createAsk({
        deadline: Date.now() + 10_000,
        pollIntervalMs: 1000,
        log: silent,
        stop: never,
        hardStop: never,
        onThrottled: (op) => throttles.push(op),
      });
      let listed = 0;
      const started = Date.now();
      // ListTasks is throttled once; DescribeTasks, asked while it backs off, waits with it.
      const list = ask('ecs:ListTasks', async () => {
        if (++listed === 1) throw sdkError('ThrottlingException', 400);
        return Date.now() - started;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const described = await ask('ecs:DescribeTasks', async () => Date.now() - started);
      const services = await ask('ecs:DescribeServices', async () => Date.now() - started);
      expect(described).to.be.at.least(FIRST_RETRY_DELAY_MS - 5);
      expect(services - described).to.be.below(100);
      expect(await list).to.be.at.least(FIRST_RETRY_DELAY_MS - 5);
      expect(throttles).to.deep.equal(['ecs:ListTasks']);
    });

    it('a call of a class that is backing off waits before it is made; calls of other classes do not; a success ends the episode', async () => {
      const quotas = new QuotaBackoff(1000, Date.now, () => 0);
      const slept = quotas.throttled('ecs:ListTasks'); // 500 ms: half of the first step, no random part
      const sentAt: number[] = [];
      const started = Date.now();
      const call = (operation: string) =>
        withRetry(async () => sentAt.push(Date.now() - started), {
          what: `AWS ${operation}`,
          quota: { operation, backoff: quotas },
          deadline: Date.now() + 10_000,
          pollIntervalMs: 1000,
          log: silent,
        });
      await call('ecs:DescribeServices');
      await call('ecs:DescribeTasks');
      expect(sentAt[0]).to.be.below(100);
      expect(sentAt[1]).to.be.at.least(slept - 5);
      // Its success started the growth over: the next throttle waits the first step again, not the second.
      expect(quotas.throttled('ecs:ListTasks')).to.equal(slept);
    });
  });
});
