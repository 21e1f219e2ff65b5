// Builds the pipe's Docker image and runs it the way Bitbucket runs a pipe, against the local HTTP
// doubles. Needs a Docker engine: real Docker, or ../shared/tools/offline-docker (see .ci/run).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { pipeEnv, scenario } from '../../simulator/catalog.ts';
import type { FakeAccount } from '../../simulator/fake-aws.ts';
import type { FakeSlack } from '../../simulator/fake-slack.ts';
import { script, steadyService, successfulRollout } from '../../simulator/scenarios.ts';
import { useSimulation } from '../support/simulation.ts';

const IMAGE = process.env.IMAGE_TAG ?? 'ecs-deploy-notifier:test';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_DIR = '/opt/atlassian/pipelines/agent/build';

function docker(args: string[], timeout = 600_000): string {
  return execFileSync('docker', args, { cwd: ROOT, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

function runImage(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  // As Bitbucket does: every variable with -e, the clone mounted and used as the working directory.
  const args = [
    'run',
    '--rm',
    '--network',
    'host',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '-v',
    `${ROOT}:${BUILD_DIR}`,
    '-w',
    BUILD_DIR,
    IMAGE,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('image: the pipe as Bitbucket runs it', function () {
  this.timeout(900_000);
  let aws: FakeAccount;
  let slack: FakeSlack;

  before(function () {
    try {
      docker(['info'], 30_000);
    } catch {
      this.skip(); // no Docker engine here; .ci/run provides one
    }
    const started = Date.now();
    docker(['build', '--network', 'host', '-t', IMAGE, '.']);
    const imageBytes = Number(docker(['image', 'inspect', '-f', '{{.Size}}', IMAGE]).trim());
    const bundleBytes = Number(docker(['run', '--rm', '--entrypoint', 'wc', IMAGE, '-c', '/pipe/ecs-deploy-notifier.cjs']).trim().split(/\s+/)[0]);
    console.log(
      `      image ${IMAGE}: ${(imageBytes / 1e6).toFixed(1)} MB; bundle ${(bundleBytes / 1024).toFixed(0)} KiB; built in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(bundleBytes).to.be.below(1024 * 1024);
  });

  useSimulation((sim) => ({ aws, slack } = sim));

  it('runs Node 26 as the non-root node user, with only the bundle, the clients some runs load, its compile cache and the pipe metadata', () => {
    expect(docker(['run', '--rm', '--entrypoint', 'node', IMAGE, '--version']).trim()).to.match(/^v26\./);
    expect(docker(['run', '--rm', '--entrypoint', 'id', IMAGE, '-u']).trim()).to.equal('1000');
    expect(docker(['run', '--rm', '--entrypoint', 'ls', IMAGE, '/pipe']).trim().split(/\s+/).sort()).to.deep.equal([
      'LICENSE',
      'README.md',
      'compile-cache',
      'ecs-deploy-notifier-cloudwatch.cjs',
      'ecs-deploy-notifier-extra.cjs',
      'ecs-deploy-notifier.cjs',
      'pipe.yml',
    ]);
  });

  it('starts from the compile cache made at build time (the ENTRYPOINT as Bitbucket runs it)', () => {
    const out = spawnSync('docker', ['run', '--rm', '-e', 'NODE_DEBUG_NATIVE=COMPILE_CACHE', IMAGE], { encoding: 'utf8' });
    expect(out.status, out.stderr).to.equal(2); // no variables: the configuration is refused
    expect(out.stderr).to.match(/V8 code cache for CommonJS \/pipe\/ecs-deploy-notifier\.cjs was accepted/);
  });

  it('watches a successful rollout and posts the live message with its metadata (exit 0)', async () => {
    steadyService(aws, 'shop-api');
    script(aws, successfulRollout());
    const run = await runImage({
      ...pipeEnv(scenario('success'), aws.url, slack.url, { SLACK_TOKEN: 'xoxb-image-test-token' }),
      BITBUCKET_CLONE_DIR: BUILD_DIR,
    });
    expect(run.code, run.out).to.equal(0);
    expect(run.out).to.match(/✔ shop-api is live in production/);
    expect(run.out).not.to.include('xoxb-image-test-token');
    expect(slack.message?.metadata?.event_type).to.equal('ecs_deployment');
    expect(slack.message?.metadata?.event_payload).to.include({ status: 'live', phase: 'retired', environment: 'production' });
  });

  it('loads the CodeDeploy client from the file beside the bundle, when a CodeDeploy service is watched', async () => {
    const s = scenario('codedeploy');
    s.start(aws);
    const run = await runImage({ ...pipeEnv(s, aws.url, slack.url), BITBUCKET_CLONE_DIR: BUILD_DIR });
    expect(run.code, run.out).to.equal(0);
    expect(run.out).to.match(/✔ shop-api is live in production/);
    expect(aws.count('GetDeployment')).to.be.above(0);
  });

  it('rejects invalid configuration with exit 2, naming the variables', async () => {
    const run = await runImage({ SERVICE_NAME: 'shop-api', TASK_DEFINITION: 'shop-api:latest', SLACK_TOKEN: 'nope-SECRET' });
    expect(run.code).to.equal(2);
    for (const name of ['CLUSTER_NAME', 'TASK_DEFINITION', 'ENVIRONMENT', 'SLACK_TOKEN', 'SLACK_CHANNEL', 'AWS_DEFAULT_REGION'])
      expect(run.out).to.include(name);
    expect(run.out).not.to.include('nope-SECRET');
    expect(aws.calls).to.have.length(0);
    expect(slack.calls).to.have.length(0);
  });
});
