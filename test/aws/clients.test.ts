import { expect } from 'chai';
import { type Simulation, simulate } from '../../simulator/catalog.ts';
import { FakeAccount } from '../../simulator/fake-aws.ts';
import { FakeProxy } from '../../simulator/fake-proxy.ts';
import { createAwsClients, credentialsFor, sourceOf } from '../../src/aws/clients.ts';
import { createAgents } from '../../src/net.ts';
import { MASK, Secrets } from '../../src/secrets.ts';

describe('aws/clients', () => {
  let sim: Simulation;
  let endpoint: string | undefined;

  beforeEach(async () => {
    sim = await simulate();
    endpoint = process.env.AWS_ENDPOINT_URL;
    // The SDK reads the endpoint from the environment, as it does in the pipe.
    process.env.AWS_ENDPOINT_URL = sim.aws.url;
  });
  afterEach(async () => {
    if (endpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = endpoint;
    await sim.stop();
  });

  it('registers the credentials STS hands out as secrets, so that nothing prints them', async () => {
    const secrets = new Secrets();
    // Neither value has the shape of a credential: only their registration can mask them.
    for (const value of [FakeAccount.ROLE_SECRET, FakeAccount.ROLE_SESSION_TOKEN]) expect(secrets.mask(value)).to.equal(value);
    // The provider itself, as the clients call it before signing (other suites mock the ECS client's send).
    const credentials = credentialsFor(
      {
        region: 'eu-west-1',
        credentials: {
          kind: 'oidc',
          roleArn: 'arn:aws:iam::123456789012:role/notifier',
          webIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln',
          sessionName: 'notifier',
        },
      },
      secrets,
    );
    expect(await credentials()).to.include({ secretAccessKey: FakeAccount.ROLE_SECRET, sessionToken: FakeAccount.ROLE_SESSION_TOKEN });
    expect(sim.aws.calls.map((c) => c.op)).to.deep.equal(['AssumeRoleWithWebIdentity']);
    expect(secrets.mask(`key ${FakeAccount.ROLE_SECRET} token ${FakeAccount.ROLE_SESSION_TOKEN}`)).to.equal(`key ${MASK} token ${MASK}`);
  });

  it('asks STS through the proxy, also when the provider is called outside a client', async () => {
    const proxy = new FakeProxy();
    await proxy.start();
    try {
      const oidc = {
        kind: 'oidc' as const,
        roleArn: 'arn:aws:iam::123456789012:role/notifier',
        webIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln',
        sessionName: 'notifier',
      };
      await credentialsFor({ region: 'eu-west-1', credentials: oidc }, new Secrets(), createAgents({ HTTP_PROXY: proxy.url }))();
      expect(sim.aws.calls.map((c) => c.op)).to.deep.equal(['AssumeRoleWithWebIdentity']);
      expect(proxy.seen).to.deep.equal([new URL(sim.aws.url).host]);
    } finally {
      await proxy.stop();
    }
  });

  it('registers static credentials as secrets too', () => {
    const secrets = new Secrets();
    createAwsClients(
      {
        region: 'eu-west-1',
        credentials: { kind: 'static', accessKeyId: 'AKIAFAKEKEY000000001', secretAccessKey: 'plainStaticSecret', sessionToken: 'plainSessionToken' },
      },
      { secrets },
    );
    expect(secrets.mask('plainStaticSecret plainSessionToken')).to.equal(`${MASK} ${MASK}`);
  });

  it("names the default chain's source by the SDK's own mark, else by where the environment pointed", () => {
    const keys = { accessKeyId: 'ASIAX', secretAccessKey: 's' };
    expect(sourceOf({ ...keys, $source: { CREDENTIALS_HTTP: 'z' } }, 'instance profile')).to.equal('container credentials');
    expect(sourceOf({ ...keys, $source: { CREDENTIALS_PROFILE: 'n', CREDENTIALS_SSO: 's' } }, 'instance profile')).to.equal('SSO');
    // Instance metadata leaves no mark.
    expect(sourceOf(keys, 'instance profile')).to.equal('instance profile');
  });
});
