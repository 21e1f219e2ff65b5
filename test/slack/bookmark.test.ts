// The channel's bookmark of what is live: its title after a success, a failure and a time-out, and
// the version a failure leaves live, read from the title it replaces (never guessed).
import { expect } from 'chai';
import type { MessageView, ServiceLine } from '../../src/core/view.ts';
import { bookmarkKey, bookmarksOf, liveIn, messageTsOf, rememberedIn } from '../../src/slack/bookmark.ts';
import { messageView, T0 } from '../support/message-view.ts';

const AT = T0 + 32 * 60_000; // 10:32 UTC
const LINK = 'https://acme.slack.com/archives/C0DEPLOYS01/p1';
const KEY = bookmarkKey('production', 'shop-api');
const line = (s: Partial<ServiceLine>): ServiceLine => ({ service: 'shop-api', status: 'retired', taskDefinition: 'shop-api:42', ...s });
const ended = (s: Partial<ServiceLine>, v: Partial<MessageView> = {}) =>
  messageView({ status: 'live', phase: 'retired', done: true, commit: '9f2c1e7aa55b', services: [line(s)], ...v });

describe('slack/bookmark', () => {
  it('after a success: environment · service · the commit · live at', () => {
    expect(bookmarksOf(ended({}), [], LINK, AT)).to.deep.equal([{ key: KEY, title: 'production · shop-api · 9f2c1e7 · live 10:32 UTC', link: LINK }]);
    // Without a commit, the task definition names the version.
    expect(bookmarksOf(ended({}, { commit: undefined }), [], LINK, AT)[0]?.title).to.equal('production · shop-api · shop-api:42 · live 10:32 UTC');
  });

  it('after a failure: production is behind the release, with the version still live when the bookmark said it', () => {
    const failed = ended({ status: 'failed', reason: 'rolled back' }, { status: 'failed' });
    const before = [{ id: 'Bk01', title: `${KEY}8a1b2c3 · live 09:10 UTC` }];
    expect(bookmarksOf(failed, before, LINK, AT)[0]?.title).to.equal('production · shop-api · ⛔ 9f2c1e7 failed 10:32 UTC — still 8a1b2c3');
    // A second failure keeps naming what is still live.
    const again = [{ id: 'Bk01', title: 'production · shop-api · ⛔ 1111111 failed 10:20 UTC — still 8a1b2c3' }];
    expect(bookmarksOf(failed, again, LINK, AT)[0]?.title).to.match(/— still 8a1b2c3$/);
    // Unknown: said as such, never guessed.
    expect(bookmarksOf(failed, [], LINK, AT)[0]?.title).to.equal('production · shop-api · ⛔ 9f2c1e7 failed 10:32 UTC — still the version before');
  });

  it('a time-out, a regression; nothing for a stop, a superseded deploy or no tasks', () => {
    const slow = ended({ status: 'registering' }, { status: 'timed_out' });
    expect(bookmarksOf(slow, [], LINK, AT)[0]?.title).to.equal('production · shop-api · ⏱️ 9f2c1e7 not live by 10:32 UTC — still the version before');
    const regressed = ended({ traffic: { verdict: 'regressed', regressions: [] } });
    expect(bookmarksOf(regressed, [], LINK, AT)[0]?.title).to.equal('production · shop-api · 9f2c1e7 · live 10:32 UTC · ⚠️ traffic regressed');
    expect(bookmarksOf(ended({}, { stopped: 'the step was stopped' }), [], LINK, AT)).to.deep.equal([]);
    expect(bookmarksOf(ended({ status: 'superseded' }, { status: 'superseded' }), [], LINK, AT)).to.deep.equal([]);
  });

  it('reads what a title says is live, only under its own key', () => {
    expect(liveIn(`${KEY}8a1b2c3 · live 09:10 UTC · ⚠️ traffic regressed`, KEY)).to.equal('8a1b2c3');
    expect(liveIn('staging · shop-api · 8a1b2c3 · live 09:10 UTC', KEY)).to.equal(undefined);
  });

  it('reads the message a bookmark links from its permalink, nothing from any other link', () => {
    expect(messageTsOf('https://acme.slack.com/archives/C0DEPLOYS01/p1733145600123456')).to.equal('1733145600.123456');
    expect(messageTsOf('https://acme.slack.com/archives/C0DEPLOYS01/p1733145600123456?thread_ts=1733145600.123456')).to.equal('1733145600.123456');
    expect(messageTsOf('https://bitbucket.org/acme/shop-api/pipelines/results/412')).to.equal(undefined);
    expect(messageTsOf(undefined)).to.equal(undefined);
  });

  it("remembers since when only what a live title set: after a failure, the time is the failure's", () => {
    expect(rememberedIn({ id: 'B1', title: `${KEY}8a1b2c3 · live 09:10 UTC`, updatedAt: AT }, KEY)).to.deep.equal({ commit: '8a1b2c3', at: AT });
    expect(rememberedIn({ id: 'B1', title: `${KEY}⛔ 9f2c1e7 failed 10:40 UTC — still 8a1b2c3`, updatedAt: AT }, KEY)).to.deep.equal({ commit: '8a1b2c3' });
    expect(rememberedIn({ id: 'B1', title: `${KEY}8a1b2c3 · live 09:10 UTC` }, KEY)).to.deep.equal({ commit: '8a1b2c3' });
    expect(rememberedIn({ id: 'B1', title: 'staging · shop-api · 8a1b2c3 · live 09:10 UTC', updatedAt: AT }, KEY)).to.equal(undefined);
  });
});
