// The channel's memory between runs: what a service's bookmark says is live, and the hints the
// messages its bookmarks link gave; one bookmarks.list a run, each linked message read once.
import { expect } from 'chai';
import { bookmarkKey } from '../../src/slack/bookmark.ts';
import { ChannelMemory } from '../../src/slack/memory.ts';

const link = (ts: string) => `https://acme.slack.com/archives/C0DEPLOYS01/p${ts.replace('.', '')}`;
const API = bookmarkKey('production', 'shop-api');
const WORKER = bookmarkKey('production', 'shop-worker');

function channel(
  bookmarks: Array<{ id: string; title: string; link?: string; updatedAt?: number }> | undefined,
  payloads: Record<string, Record<string, unknown>>,
) {
  const asked = { lists: 0, messages: [] as string[] };
  const notifier = {
    bookmarks: async () => {
      asked.lists++;
      return bookmarks;
    },
    payloadOf: async (ts: string) => {
      asked.messages.push(ts);
      return payloads[ts];
    },
  };
  return { memory: new ChannelMemory(notifier, 'production'), asked };
}

describe('slack/memory', () => {
  it('what is live and the hints given, from one listing; a message two services share is read once', async () => {
    const { memory, asked } = channel(
      [
        { id: 'B1', title: `${API}8a1b2c3 · live 09:10 UTC`, link: link('1733145600.000100'), updatedAt: 1_733_145_600_000 },
        { id: 'B2', title: `${WORKER}8a1b2c3 · live 09:10 UTC`, link: link('1733145600.000100') },
        { id: 'B3', title: `staging · shop-api · 7c6b5a4 · live 08:00 UTC`, link: link('1733140000.000200') },
      ],
      {
        '1733145600.000100': { status: 'live', commit: '8a1b2c3d4e5f60718293a4b5c6d7e8f901234567', time_hint: 'drain 300 s' },
        '1733140000.000200': { time_hint: 'image pull' },
      },
    );
    // The commit in full, from the message the bookmark links (its title shows 7 characters).
    expect(await memory.liveOf('shop-api')).to.deep.equal({ commit: '8a1b2c3d4e5f60718293a4b5c6d7e8f901234567', at: 1_733_145_600_000 });
    expect([...(await memory.hintsSaid(['shop-api', 'shop-worker']))]).to.deep.equal(['drain 300 s']);
    expect(await memory.liveOf('shop-worker')).to.deep.equal({ commit: '8a1b2c3d4e5f60718293a4b5c6d7e8f901234567' });
    expect(asked).to.deep.equal({ lists: 1, messages: ['1733145600.000100'] });
  });

  it("after a failure the linked message deployed another commit: the title's short one stays", async () => {
    const { memory } = channel([{ id: 'B1', title: `${API}⛔ 9f2c1e7 failed 10:40 UTC — still 8a1b2c3`, link: link('1733145600.000100') }], {
      '1733145600.000100': { status: 'failed', commit: '9f2c1e7aa55b9f2c1e7aa55b9f2c1e7aa55b9f2c' },
    });
    expect(await memory.liveOf('shop-api')).to.deep.equal({ commit: '8a1b2c3' });
  });

  it('nothing remembered: no bookmark, a bookmark without a message link, or no listing at all', async () => {
    expect(await channel([], {}).memory.liveOf('shop-api')).to.equal(undefined);
    const unlinked = channel([{ id: 'B1', title: `${API}8a1b2c3 · live 09:10 UTC`, link: 'https://example.com/x' }], {});
    expect([...(await unlinked.memory.hintsSaid(['shop-api']))]).to.deep.equal([]);
    expect(unlinked.asked.messages).to.deep.equal([]);
    const none = channel(undefined, {});
    expect(await none.memory.liveOf('shop-api')).to.equal(undefined);
    expect([...(await none.memory.hintsSaid(['shop-api']))]).to.deep.equal([]);
  });
});
