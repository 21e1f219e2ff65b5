// The README's pictures of the Slack message are the renderer's real output: regenerated here and
// compared with the committed files (`npm run picture` writes them).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { pictures, runsOf } from '../scripts/message-picture.ts';

describe('docs: the pictures of the Slack message', () => {
  for (const [file, svg] of Object.entries(pictures())) {
    it(`${file} is what the renderer draws today (npm run picture)`, () => {
      expect(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'), file).to.equal(svg);
      expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    });
  }

  it('shows what a reader sees: bold, link labels and dates, not the markup', () => {
    expect(runsOf('*shop-api*: see <https://x.example|the log> at <!date^1764237060^{time}|10:31 UTC> &amp; more')).to.deep.equal([
      { text: 'shop-api', bold: true },
      { text: ': see ' },
      { text: 'the log', link: true },
      { text: ' at ' },
      { text: '10:31 UTC' },
      { text: ' & more' },
    ]);
  });
});
