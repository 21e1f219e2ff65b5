import { expect } from 'chai';
import { isRetryable, withRetry } from '../../src/aws/retry.ts';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('aws/retry', () => {
  const table: Array<[string, unknown, boolean]> = [
    ['ECS throttling', sdkError('ThrottlingException', 400), true],
    ['ELBv2/STS throttling', sdkError('Throttling', 400), true],
    ['a 5xx', sdkError('InternalFailure', 500), true],
    ['503 unavailable', sdkError('ServiceUnavailable', 503), true],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    ['access denied', sdkError('AccessDeniedException', 400), false],
    ['cluster not found', sdkError('ClusterNotFoundException', 400), false],
    ['bad credentials', sdkError('UnrecognizedClientException', 403), false],
    ['a programming error', new TypeError('x is not a function'), false],
  ];
  for (const [name, error, expected] of table) it(`${expected ? 'retries' : 'does not retry'} ${name}`, () => expect(isRetryable(error)).to.equal(expected));

  it('retries until it succeeds, and logs each retry', async () => {
    const warnings: string[] = [];
    let n = 0;
    const result = await withRetry(
      async () => {
        if (++n < 3) throw sdkError('ThrottlingException', 400);
        return 'ok';
      },
      { what: 'AWS ecs:DescribeServices', deadline: Date.now() + 10_000, log: { ...silent, warn: (m: string) => warnings.push(m) }, minDelayMs: 1, maxDelayMs: 5 },
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
      { what: 'x', deadline: Date.now() + 10_000, log: silent, minDelayMs: 1 },
    ).catch((e: Error) => e);
    expect(n).to.equal(1);
    expect(error).to.have.property('name', 'AccessDeniedException');
  });

  it('stops retrying at the deadline', async () => {
    const started = Date.now();
    const error = await withRetry(
      async () => {
        throw sdkError('ThrottlingException', 400);
      },
      { what: 'x', deadline: Date.now() + 300, log: silent, minDelayMs: 20, maxDelayMs: 50 },
    ).catch((e: Error) => e);
    expect(error).to.have.property('name', 'ThrottlingException');
    expect(Date.now() - started).to.be.below(1000);
  });
});
