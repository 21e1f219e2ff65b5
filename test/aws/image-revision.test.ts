// The revision an ECR image was built from, through the real SDK against the ECR double: the
// manifest's annotation, else its config's label (a pre-signed download), a multi-platform index
// read through its Linux image; nothing when the image or the permission is missing.
import { ECRClient } from '@aws-sdk/client-ecr';
import { expect } from 'chai';
import { type Simulation, simulate } from '../../simulator/catalog.ts';
import type { Counter } from '../../src/aws/batch.ts';
import { ImageRevisions, manifestFacts, REVISION_KEY, revisionInConfig } from '../../src/aws/image-revision.ts';
import { ecrImageOf } from '../../src/core/changes.ts';
import type { Logger } from '../../src/logger.ts';

const COMMIT = '8a1b2c3d4e5f60718293a4b5c6d7e8f901234567';
const image = (tag: string) => ecrImageOf(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:${tag}`) ?? { registryId: '', region: '', repository: '' };

describe('aws/image-revision', () => {
  let sim: Simulation;
  let revisions: ImageRevisions;
  const warnings: string[] = [];
  beforeEach(async () => {
    sim = await simulate();
    warnings.length = 0;
    const client = new ECRClient({
      region: 'eu-west-1',
      endpoint: sim.aws.url,
      credentials: { accessKeyId: 'AKIASIMULATEDKEY0001', secretAccessKey: 'simulated' },
      maxAttempts: 1,
    });
    const count: Counter = (_operation, call) => call(undefined);
    const log: Logger = { info() {}, warn: (m) => void warnings.push(m), error() {}, debug() {} };
    revisions = new ImageRevisions({ ecr: async () => client }, count, async (url) => (await fetch(url)).text(), log);
  });
  afterEach(() => sim.stop());
  const ops = () => sim.aws.calls.map((c) => c.op);

  it("reads the label from the image's config, through its pre-signed download", async () => {
    sim.aws.ecrImages.set('shop-api:build-41', { labels: { [REVISION_KEY]: COMMIT } });
    expect(await revisions.of(image('build-41'))).to.equal(COMMIT);
    expect(ops()).to.deep.equal(['BatchGetImage', 'GetDownloadUrlForLayer', 'EcrBlobDownload']);
  });

  it("takes the manifest's annotation without downloading the config", async () => {
    sim.aws.ecrImages.set('shop-api:build-41', { annotations: { [REVISION_KEY]: COMMIT }, labels: { [REVISION_KEY]: 'not-this-one' } });
    expect(await revisions.of(image('build-41'))).to.equal(COMMIT);
    expect(ops()).to.deep.equal(['BatchGetImage']);
  });

  it('a multi-platform image: the Linux image of its index, never its attestation', async () => {
    sim.aws.ecrImages.set('shop-api:build-41', { labels: { [REVISION_KEY]: COMMIT }, multiPlatform: true });
    expect(await revisions.of(image('build-41'))).to.equal(COMMIT);
    expect(ops()).to.deep.equal(['BatchGetImage', 'BatchGetImage', 'GetDownloadUrlForLayer', 'EcrBlobDownload']);
  });

  it('nothing when the image has no label, is not there, or may not be read (and says which permission)', async () => {
    sim.aws.ecrImages.set('shop-api:build-41', {});
    expect(await revisions.of(image('build-41'))).to.equal(undefined);
    expect(await revisions.of(image('gone'))).to.equal(undefined);
    sim.aws.faults.push({ op: 'BatchGetImage', times: 1, kind: 'access_denied' });
    expect(await revisions.of(image('build-41'))).to.equal(undefined);
    expect(warnings).to.deep.equal([
      "What changed does not read the previous image's revision label: allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on repository shop-api (examples/iam-policy.json); the run is not affected.",
    ]);
  });

  it('reads only what a manifest and a config say, nothing from anything else', () => {
    expect(manifestFacts('not json')).to.deep.equal({});
    expect(manifestFacts(JSON.stringify({ manifests: [{ digest: 'sha256:a', platform: { os: 'unknown' } }] }))).to.deep.equal({});
    expect(revisionInConfig(JSON.stringify({ config: { Labels: { [REVISION_KEY]: 42 } } }))).to.equal(undefined);
    expect(revisionInConfig(undefined)).to.equal(undefined);
  });
});
