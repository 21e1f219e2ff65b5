import { expect } from 'chai';
import { createLogger } from '../src/logger.ts';
import { Secrets } from '../src/secrets.ts';

describe('logger', () => {
  it('masks registered secrets and anything shaped like a Slack token or bearer token', () => {
    const { mask } = new Secrets(['s3cr3tKey!', undefined, 'ab']);
    expect(mask('key=s3cr3tKey! token xoxb-123-456-abc Authorization: Bearer eyJ.abc.def')).to.equal('key=*** token *** Authorization: Bearer ***');
    expect(mask('ab stays: too short to be a secret')).to.equal('ab stays: too short to be a secret');
  });

  it('masks a JWT and a session token quoted from a signed request, and secrets added later', () => {
    const secrets = new Secrets();
    const signed =
      "The Canonical String for this request should have been 'POST / host:ecs x-amz-security-token:FwoGZXIvYXdzEJr//////////wEaDM1longSessionToken x-amz-date:20261127'";
    expect(secrets.mask(signed)).to.equal(
      "The Canonical String for this request should have been 'POST / host:ecs x-amz-security-token:*** x-amz-date:20261127'",
    );
    expect(secrets.mask('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl')).to.equal('token ***');
    secrets.add('roleSecretFromSts');
    expect(secrets.maskDeep({ blocks: [{ text: 'AWS said roleSecretFromSts' }], n: 1 })).to.deep.equal({ blocks: [{ text: 'AWS said ***' }], n: 1 });
  });

  it('masks AWS keys a crashing container printed (its log lines reach the failure thread)', () => {
    const { mask } = new Secrets();
    expect(mask('boot: using AKIAIOSFODNN7EXAMPLE and ASIAQWERTYUIOPASDFGH')).to.equal('boot: using *** and ***');
    expect(mask('AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).to.equal('AWS_SECRET_ACCESS_KEY=***');
    expect(mask('{"secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}')).to.equal('{"secretAccessKey": "***"}');
    expect(mask('AKIA is a prefix; AKIASHORT is not a key')).to.equal('AKIA is a prefix; AKIASHORT is not a key');
  });

  it('writes timestamped lines, debug only when asked, masking every line', () => {
    const lines: string[] = [];
    const now = () => new Date('2026-11-27T10:00:05Z');
    const quiet = createLogger({ debug: false, secrets: new Secrets(['hunter22']), write: (l) => lines.push(l), now });
    quiet.debug('hidden');
    quiet.info('one\ntwo hunter22');
    quiet.warn('careful');
    const loud = createLogger({ debug: true, secrets: new Secrets(), write: (l) => lines.push(l), now });
    loud.debug('shown');
    expect(lines).to.deep.equal(['10:00:05 one', '10:00:05 two ***', '10:00:05 WARN careful', '10:00:05 DEBUG shown']);
  });
});
