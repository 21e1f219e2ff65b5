// Who deployed, by name, through the pipelines proxy (the Bitbucket double stands for the proxy and
// the API behind it): a known user's display name; anything else, no name at all.
import { expect } from 'chai';
import { DEPLOYER, FakeBitbucket } from '../../simulator/fake-bitbucket.ts';
import { BitbucketApi } from '../../src/bitbucket/api.ts';
import { displayNameOf } from '../../src/bitbucket/users.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('bitbucket/users', () => {
  let bitbucket: FakeBitbucket;
  beforeEach(async () => {
    bitbucket = new FakeBitbucket();
    await bitbucket.start();
  });
  afterEach(() => bitbucket.stop());

  it('reads the display name of a UUID with "Get a user", the braces encoded, through the proxy', async () => {
    expect(await displayNameOf(new BitbucketApi(bitbucket.url), DEPLOYER.uuid, silent)).to.equal('Jane Doe');
    expect(bitbucket.calls.map((c) => `${c.method} ${c.url}`)).to.deep.equal([`GET http://api.bitbucket.org/2.0/users/${encodeURIComponent(DEPLOYER.uuid)}`]);
  });

  it('an unknown user, a refusing proxy or none at all: no name (never the raw UUID)', async () => {
    const api = new BitbucketApi(bitbucket.url);
    expect(await displayNameOf(api, '{00000000-0000-4000-8000-000000000000}', silent)).to.equal(undefined);
    bitbucket.failWith = 403;
    expect(await displayNameOf(api, DEPLOYER.uuid, silent)).to.equal(undefined);
    expect(await displayNameOf(new BitbucketApi('http://127.0.0.1:1'), DEPLOYER.uuid, silent)).to.equal(undefined);
  });
});
