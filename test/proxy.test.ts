// End to end through a proxy, as on a self-hosted runner that reaches the internet only through
// one: every AWS and Slack request must go through it (over HTTPS as CONNECT tunnels), NO_PROXY
// must be honoured, and a proxy password must never be printed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type Simulation, simulate } from '../simulator/catalog.ts';
import { FakeProxy } from '../simulator/fake-proxy.ts';
import { runPipe } from '../simulator/run-pipe.ts';
import { script, steadyService, successfulRollout } from '../simulator/scenarios.ts';
import { pipeVariables } from './support/pipe-env.ts';

const CERT = fileURLToPath(new URL('./fixtures/tls/loopback-cert.pem', import.meta.url));
const tls = { cert: readFileSync(CERT), key: readFileSync(new URL('./fixtures/tls/loopback-key.pem', import.meta.url)) };
const secrets = { slackToken: 'xoxb-1234-5678-proxySECRET', secretAccessKey: 'proxySecretAccessKeyDoNotPrint000' };

describe('e2e: proxy', function () {
  this.timeout(120_000);
  let sim: Simulation;
  let proxy: FakeProxy;
  afterEach(async () => {
    await sim.stop();
    await proxy.stop();
  });

  const start = async (overTls: boolean) => {
    sim = await simulate(undefined, overTls ? tls : undefined);
    proxy = new FakeProxy();
    await proxy.start();
    steadyService(sim.aws, 'shop-api');
    script(sim.aws, successfulRollout());
  };
  const throughProxy = (port: number | undefined) => port !== undefined && proxy.onwardPorts.has(port);

  it('sends every AWS and Slack request over HTTPS through HTTPS_PROXY (CONNECT), STS included', async () => {
    await start(true);
    const oidc = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_OIDC_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy-notifier',
      BITBUCKET_STEP_OIDC_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm94eSJ9.c2lnbmF0dXJl',
    };
    const run = await runPipe({ ...pipeVariables(sim, secrets, { HTTPS_PROXY: proxy.url, ...oidc }), NODE_EXTRA_CA_CERTS: CERT });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(sim.aws.calls.length).to.be.above(5);
    expect(sim.aws.calls[0]?.op).to.equal('AssumeRoleWithWebIdentity');
    expect(
      sim.aws.calls.filter((c) => !throughProxy(c.port)),
      'AWS calls that went around the proxy',
    ).to.deep.equal([]);
    expect(
      sim.slack.calls.filter((c) => !throughProxy(c.port)),
      'Slack calls that went around the proxy',
    ).to.deep.equal([]);
    const hosts = new Set(proxy.seen);
    expect(hosts)
      .to.include(`CONNECT ${new URL(sim.aws.url).host}`)
      .and.include(`CONNECT ${new URL(sim.slack.url).host}`);
    expect(sim.slack.message?.metadata?.event_payload.status).to.equal('live');
  });

  it('sends plain HTTP through HTTP_PROXY, authenticating without printing the password', async () => {
    await start(false);
    proxy.credentials = { user: 'runner', password: 'proxyPa55word!' };
    const withCredentials = proxy.url.replace('http://', 'http://runner:proxyPa55word%21@');
    const run = await runPipe(pipeVariables(sim, secrets, { http_proxy: withCredentials, DEBUG: 'true' }));
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    // Every call: AWS, and Slack (posts and updates, the one look-up of the channel by name, the
    // message's link and the channel's bookmark of what is live).
    expect(proxy.seen.length).to.equal(
      sim.aws.calls.length + sim.slack.calls.length + sim.slack.listCalls + sim.slack.permalinkCalls + sim.slack.bookmarkCalls,
    );
    expect(sim.aws.calls.every((c) => throughProxy(c.port))).to.equal(true);
    expect(run.stdout).not.to.include('proxyPa55word');
  });

  it('goes around the proxy for NO_PROXY hosts', async () => {
    await start(false);
    const run = await runPipe(pipeVariables(sim, secrets, { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }));
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(proxy.seen).to.deep.equal([]);
  });

  it('names a malformed proxy variable (exit 2) without showing its password', async () => {
    await start(false);
    const run = await runPipe(pipeVariables(sim, secrets, { HTTPS_PROXY: 'ftp://user:s3cretPass@proxy:21', NO_PROXY: 'a b' }));
    expect(run.code, run.stdout).to.equal(2);
    expect(run.stdout).to.match(/HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/);
    expect(run.stdout).to.match(/NO_PROXY must be host names/);
    expect(run.stdout).not.to.include('s3cretPass');
  });
});
