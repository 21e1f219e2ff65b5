import { expect } from 'chai';
import { mrkdwn, PLAIN, renderCall } from '../../simulator/terminal.ts';

describe('simulator/terminal', () => {
  it('turns mrkdwn into terminal text: bold, links, mentions, entities', () => {
    expect(mrkdwn('*shop-api*: <https://x.example/1|#412> by <@U1> for <!subteam^S2> on fix/&lt;b&gt; &amp; co', PLAIN)).to.equal(
      'shop-api: #412 by @U1 for @group:S2 on fix/<b> & co',
    );
  });

  it('renders a message and a thread reply as boxes', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: '✅ shop-api is live in production' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Environment*\nproduction' },
          { type: 'mrkdwn', text: '*Service*\nshop-api' },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'traffic cut over +6s' }] },
    ];
    const box = renderCall({ method: 'chat.update', at: 0, channel: 'C1', blocks }).split('\n');
    expect(box[0]).to.match(/^┌─ Slack C1 · message updated ─+$/);
    expect(box.slice(1, -1)).to.deep.equal([
      '│ ✅ shop-api is live in production',
      `│ Environment: production${' '.repeat(25)}Service: shop-api`,
      '│ traffic cut over +6s',
    ]);
    const reply = renderCall({ method: 'chat.postMessage', at: 0, channel: 'C1', thread_ts: '1.1', text: 'why', blocks: [] });
    expect(reply.split('\n')[1]).to.equal('    ↳ │ why');
  });
});
