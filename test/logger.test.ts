import { expect } from 'chai';
import { createLogger, createMasker } from '../src/logger.ts';

describe('logger', () => {
  it('masks registered secrets and anything shaped like a Slack token or bearer token', () => {
    const mask = createMasker(['s3cr3tKey!', undefined, 'ab']);
    expect(mask('key=s3cr3tKey! token xoxb-123-456-abc Authorization: Bearer eyJ.abc.def')).to.equal('key=*** token *** Authorization: Bearer ***');
    expect(mask('ab stays: too short to be a secret')).to.equal('ab stays: too short to be a secret');
  });

  it('writes timestamped lines, debug only when asked, masking every line', () => {
    const lines: string[] = [];
    const now = () => new Date('2026-11-27T10:00:05Z');
    const quiet = createLogger({ debug: false, secrets: ['hunter22'], write: (l) => lines.push(l), now });
    quiet.debug('hidden');
    quiet.info('one\ntwo hunter22');
    quiet.warn('careful');
    const loud = createLogger({ debug: true, secrets: [], write: (l) => lines.push(l), now });
    loud.debug('shown');
    expect(lines).to.deep.equal(['10:00:05 one', '10:00:05 two ***', '10:00:05 WARN careful', '10:00:05 DEBUG shown']);
  });
});
