import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { createAwsClients } from '../../src/aws/clients.ts';
import { MASK, Secrets } from '../../src/secrets.ts';
import { type Simulation, simulate } from '../../src/simulator/catalog.ts';
import { FakeAccount } from '../../src/simulator/fake-aws.ts';
import { steadyService } from '../../src/simulator/scenarios.ts';

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
    steadyService(sim.aws, 'shop-api');
    const secrets = new Secrets();
    // Neither value has the shape of a credential: only their registration can mask them.
    for (const value of [FakeAccount.ROLE_SECRET, FakeAccount.ROLE_SESSION_TOKEN]) expect(secrets.mask(value)).to.equal(value);
    const clients = createAwsClients(
      { region: 'eu-west-1', credentials: { kind: 'oidc', roleArn: 'arn:aws:iam::123456789012:role/notifier', webIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln', sessionName: 'notifier' } },
      { secrets },
    );
    await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['shop-api'] }));
    expect(sim.aws.calls.map((c) => c.op)).to.deep.equal(['AssumeRoleWithWebIdentity', 'DescribeServices']);
    expect(secrets.mask(`key ${FakeAccount.ROLE_SECRET} token ${FakeAccount.ROLE_SESSION_TOKEN}`)).to.equal(`key ${MASK} token ${MASK}`);
  });

  it('registers static credentials as secrets too', () => {
    const secrets = new Secrets();
    createAwsClients({ region: 'eu-west-1', credentials: { kind: 'static', accessKeyId: 'AKIAFAKEKEY000000001', secretAccessKey: 'plainStaticSecret', sessionToken: 'plainSessionToken' } }, { secrets });
    expect(secrets.mask('plainStaticSecret plainSessionToken')).to.equal(`${MASK} ${MASK}`);
  });
});
