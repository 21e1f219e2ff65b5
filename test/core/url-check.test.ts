// VERIFY_URL's rules: what an answer must carry, K in a row to pass, N asks to fail, and what is
// said of an answer that carries something else (never the answer itself).
import { expect } from 'chai';
import { asked, start, step } from '../../src/core/step.ts';
import {
  judgeAnswer,
  parseExpectation,
  URL_ANSWERS_IN_A_ROW,
  URL_ASK_EVERY_MS,
  URL_ASKS_AT_MOST,
  type UrlAsk,
  type UrlExpectation,
  urlCheckOf,
} from '../../src/core/url-check.ts';
import { ROLLOUT, T0 } from '../support/samples.ts';

const TEXT = parseExpectation('9f2c1e7') as UrlExpectation;
const JSON_PATH = parseExpectation('$.build.commit=9f2c1e7') as UrlExpectation;
const answer = (body: string, status = 200) => ({ at: T0, status, body });
const ok = (at: number): UrlAsk => ({ at, ok: true });
const no = (at: number, seen?: string): UrlAsk => ({ at, ok: false, ...(seen ? { seen } : {}) });

describe('VERIFY_URL', () => {
  it('reads VERIFY_EXPECT as a JSON path and value, or as text', () => {
    expect(JSON_PATH).to.deep.equal({ kind: 'json', path: ['build', 'commit'], value: '9f2c1e7', source: '$.build.commit' });
    expect(parseExpectation('$.items[0].v = 2')).to.deep.include({ path: ['items', 0, 'v'], value: '2' });
    expect(parseExpectation('version 1.2')).to.deep.equal({ kind: 'text', text: 'version 1.2' });
    expect(parseExpectation('  ')).to.equal(undefined);
  });

  it('an answer carries the version: the text anywhere in it, or the value at the path (a short commit matches its full form)', () => {
    expect(judgeAnswer(answer('{"commit":"9F2C1E7"}'), TEXT).ok).to.equal(true);
    expect(judgeAnswer(answer('{"build":{"commit":"9f2c1e7aa55b"}}'), JSON_PATH).ok).to.equal(true);
    expect(judgeAnswer(answer('{"build":{"commit":"9f2c1e7"}}'), parseExpectation('$.build.commit=9f2c1e7aa55b') as UrlExpectation).ok).to.equal(true);
    expect(judgeAnswer(answer('{"build":{"commit":"9f2"}}'), JSON_PATH).ok).to.equal(false);
  });

  it('what an answer carries instead: the value at the path, a commit-looking token, the status, never the answer', () => {
    expect(judgeAnswer(answer('{"build":{"commit":"8a1b2c3"}}'), JSON_PATH)).to.deep.include({ ok: false, seen: '8a1b2c3' });
    expect(judgeAnswer(answer('deployed 8a1b2c3 by ci, secret=hunter2'), TEXT)).to.deep.include({ ok: false, seen: '8a1b2c3' });
    expect(judgeAnswer(answer('secret=hunter2'), parseExpectation('v2') as UrlExpectation)).to.deep.equal({ at: T0, ok: false });
    expect(judgeAnswer(answer('{"commit":"9f2c1e7"}', 503), TEXT).seen).to.equal('HTTP 503');
    expect(judgeAnswer({ at: T0, error: 'ECONNREFUSED' }, TEXT).seen).to.equal('no answer (ECONNREFUSED)');
    expect(judgeAnswer(answer('<html>'), JSON_PATH).seen).to.equal('an answer that is not JSON');
    expect(judgeAnswer(answer('{"build":{}}'), JSON_PATH).seen).to.equal('nothing at $.build.commit');
  });

  it(`passes at ${URL_ANSWERS_IN_A_ROW} answers in a row, since the first of them; fails after ${URL_ASKS_AT_MOST} asks without them`, () => {
    expect(urlCheckOf([ok(1), ok(2)], TEXT).verdict).to.equal('checking');
    expect(urlCheckOf([ok(1), no(2), ok(3), ok(4), ok(5)], TEXT)).to.include({ verdict: 'passed', since: 3, asks: 5 });
    const mixed = Array.from({ length: URL_ASKS_AT_MOST }, (_, i) => (i % 3 === 2 ? no(i, '8a1b2c3') : ok(i)));
    expect(urlCheckOf(mixed, TEXT)).to.include({ verdict: 'failed', seen: '8a1b2c3', asks: URL_ASKS_AT_MOST });
  });

  it('the run asks once live, every few seconds, and goes on after the outcome until the check is decided', () => {
    let s = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
      startedAt: T0,
      deadline: T0 + 1_800_000,
      graceMs: 60_000,
      pollIntervalMs: 10_000,
      url: TEXT,
    });
    let v = step(s, new Map([['shop-api', ROLLOUT.starting]]), T0);
    expect(v.view.ask).to.equal(undefined);
    v = step(v.state, new Map([['shop-api', ROLLOUT.retired]]), T0 + 60_000, { fresh: true });
    expect(v.view.done).to.equal(true);
    expect(v.view.ask).to.equal(true);
    expect(v.view.measuring).to.equal(true);
    s = v.state;
    for (let i = 0; i < URL_ANSWERS_IN_A_ROW; i++) {
      const at = T0 + 60_000 + i * URL_ASK_EVERY_MS;
      v = asked(s, { ...answer('9f2c1e7'), at }, at);
      s = v.state;
      if (i < URL_ANSWERS_IN_A_ROW - 1) expect(v.view.nextPollMs).to.equal(URL_ASK_EVERY_MS);
    }
    expect(v.view.urlCheck).to.include({ verdict: 'passed', since: T0 + 60_000 });
    expect(v.view.measuring).to.equal(false);
  });
});
