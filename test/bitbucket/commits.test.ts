// The commits between two versions through the pipelines proxy, against the Bitbucket double's
// "List commits": newest first, the author's name (never the address), unknown is undefined.
import { expect } from 'chai';
import { FakeBitbucket } from '../../simulator/fake-bitbucket.ts';
import { BitbucketApi } from '../../src/bitbucket/api.ts';
import { commitsBetween } from '../../src/bitbucket/commits.ts';
import type { Logger } from '../../src/logger.ts';

const log: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const hash = (i: number) => `${i}`.padStart(40, 'c');

describe('bitbucket/commits', () => {
  let bitbucket: FakeBitbucket;
  beforeEach(async () => {
    bitbucket = new FakeBitbucket();
    await bitbucket.start();
    for (let i = 1; i <= 6; i++) bitbucket.history.push({ hash: hash(i), message: `change ${i}\n\nbody`, author: i % 2 ? 'Jane Doe' : 'Sam Lee' });
  });
  afterEach(() => bitbucket.stop());

  it('lists what the deployed commit has that the previous lacks, newest first, with authors', async () => {
    const api = new BitbucketApi(bitbucket.url);
    const out = await commitsBetween(api, 'acme/shop-api', hash(5), hash(2), log);
    expect(out).to.deep.equal({
      commits: [
        { hash: hash(5), subject: 'change 5', author: 'Jane Doe' },
        { hash: hash(4), subject: 'change 4', author: 'Sam Lee' },
        { hash: hash(3), subject: 'change 3', author: 'Jane Doe' },
      ],
      capped: false,
    });
    expect(bitbucket.calls[0]?.url).to.equal(
      `http://api.bitbucket.org/2.0/repositories/acme/shop-api/commits?include=${hash(5)}&exclude=${hash(2)}&pagelen=100`,
    );
    // The other way round: nothing ahead (a rollback's "behind" is asked the same way).
    expect((await commitsBetween(api, 'acme/shop-api', hash(2), hash(5), log))?.commits).to.deep.equal([]);
  });

  it('a commit Bitbucket does not know, or a proxy that refuses: undefined, never an error', async () => {
    const api = new BitbucketApi(bitbucket.url);
    expect(await commitsBetween(api, 'acme/shop-api', 'feedfacefeedface', hash(2), log)).to.equal(undefined);
    bitbucket.failWith = 403;
    expect(await commitsBetween(api, 'acme/shop-api', hash(5), hash(2), log)).to.equal(undefined);
  });
});
