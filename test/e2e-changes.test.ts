// End to end, what a deploy changes: the version live before from the previous task definition's
// image tag (the channel's bookmark when there is none), the commits between through the
// pipelines proxy (the Bitbucket double's "List commits"), a rollback by commit named, and nothing
// said when nothing is known.
import { expect } from 'chai';
import type { Simulation } from '../simulator/catalog.ts';
import { tdArn } from '../simulator/fake-aws.ts';
import type { FakeBitbucket } from '../simulator/fake-bitbucket.ts';
import { dayText } from '../src/slack/changes.ts';
import { useBitbucket } from './support/bitbucket.ts';
import { runScenario } from './support/scenario-run.ts';

const DEPLOYED = '0123456789abcdef0123456789abcdef01234567';
const hash = (i: number) => `${i}`.padStart(8, 'b').padEnd(40, '0');
const image = (tag: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:${tag}`;
/** The day the simulator's deployment that served before was created (a day before the run): "live since". */
const yesterday = () => dayText(Date.now() - 86_400_000);

describe('e2e: what a deploy changes', function () {
  this.timeout(120_000);
  let sim: Simulation;
  let bitbucket: FakeBitbucket;
  useBitbucket((b) => {
    bitbucket = b;
    // main: five commits after the one live now (hash(1)), the deployed one last.
    b.history.push(
      { hash: hash(1), message: 'Pin the payment SDK', author: 'Sam Lee' },
      { hash: hash(2), message: 'Add the gift card endpoint', author: 'Jane Doe' },
      { hash: hash(3), message: 'Faster product search', author: 'Sam Lee' },
      { hash: hash(4), message: 'Fix the basket total rounding', author: 'Ana Ruiz' },
      { hash: DEPLOYED, message: 'Release 2026.12.07', author: 'Jane Doe' },
    );
  });
  afterEach(() => sim?.stop());
  const run = async (name: string, extra: Record<string, string> = {}, before?: (s: Simulation) => void) => {
    const result = await runScenario(name, { BITBUCKET_API_PROXY: bitbucket.url, BITBUCKET_REPO_FULL_NAME: 'acme/shop-api', ...extra }, before);
    sim = result.sim;
    return result.run;
  };
  const message = () => JSON.stringify(sim.slack.message?.blocks);
  const service = () => ((sim.slack.message?.metadata?.event_payload.services ?? []) as Array<Record<string, unknown>>)[0] ?? {};

  it('the commits since the version live before (its image tag), newest first with authors, and the compare link', async () => {
    const r = await run('success', {}, (s) => {
      s.aws.images.set(tdArn('shop-api', 41), image(hash(1)));
      s.aws.images.set(tdArn('shop-api', 42), image(DEPLOYED));
    });
    expect(r.code, r.stdout).to.equal(0);
    expect(message()).to.include(`*What changed*: 4 commits since bbbbbbb (live since ${yesterday()})`);
    expect(message()).to.include('• Release 2026.12.07 — Jane Doe (0123456)');
    expect(message()).to.include('• Fix the basket total rounding — Ana Ruiz');
    expect(message()).to.include(`<https://bitbucket.org/acme/shop-api/branches/compare/${DEPLOYED}%0D${hash(1)}#diff|compare>`);
    expect(service()).to.include({ previous_commit: hash(1), previous_source: 'image_tag', commits_ahead: 4 });
    expect(Date.parse(String(service().previous_live_since))).to.be.closeTo(Date.now() - 86_400_000, 600_000);
  });

  it('a deploy of an older commit is named a rollback, with what it takes away, in the Code Insights report too', async () => {
    const r = await run('redeploy-older', { COMMIT: hash(2), CODE_INSIGHTS: 'true', BITBUCKET_BUILD_NUMBER: '412' }, (s) => {
      s.aws.images.set(tdArn('shop-api', 42), image(DEPLOYED));
      s.aws.images.set(tdArn('shop-api', 41), image(hash(2)));
    });
    expect(r.code, r.stdout).to.equal(0);
    expect(r.stdout).to.include(`shop-api is live in production — rolls back to 0123456 (live since ${yesterday()}), taking away 3 commits`);
    expect(service()).to.include({ previous_commit: DEPLOYED, commits_ahead: 0, commits_behind: 3 });
    const data = (bitbucket.reports.at(-1)?.data ?? []) as Array<{ title: string; value: unknown }>;
    expect(data.find((d) => d.title === 'What changed')?.value).to.deep.equal({
      text: `rolls back to 0123456 (live since ${yesterday()}), taking away 3 commits`,
      href: `https://bitbucket.org/acme/shop-api/branches/compare/${hash(2)}%0D${DEPLOYED}#diff`,
    });
  });

  it("an ECR image tagged by build: its revision label names the version before (ECR's manifest and config, read once)", async () => {
    const r = await run('success', {}, (s) => {
      s.aws.images.set(tdArn('shop-api', 41), image('build-41'));
      s.aws.images.set(tdArn('shop-api', 42), image('build-42'));
      s.aws.ecrImages.set('shop-api:build-41', { labels: { 'org.opencontainers.image.revision': hash(1) } });
    });
    expect(r.code, r.stdout).to.equal(0);
    expect(service()).to.include({ previous_commit: hash(1), previous_source: 'image_label', commits_ahead: 4 });
    expect(sim.aws.calls.filter((c) => ['BatchGetImage', 'GetDownloadUrlForLayer', 'EcrBlobDownload'].includes(c.op)).map((c) => c.op)).to.deep.equal([
      'BatchGetImage',
      'GetDownloadUrlForLayer',
      'EcrBlobDownload',
    ]);
  });

  it("images tagged latest: the channel's bookmark names the version before, in full from the message it links (the channel found by name)", async () => {
    const r = await run('success', {}, (s) => {
      const at = Math.floor(Date.now() / 1000) - 3600;
      // The run before: its message (with its metadata) and the bookmark linking it.
      s.slack.stored.push({
        ts: '1733145600.000100',
        text: 'shop-api is live',
        metadata: { event_type: 'ecs_deployment', event_payload: { status: 'live', commit: hash(1) } },
      });
      s.slack.bookmarks.push({
        id: 'Bk0000001',
        channel_id: s.slack.channelId,
        title: `production · shop-api · ${hash(1).slice(0, 7)} · live 09:10 UTC`,
        link: `https://acme.slack.com/archives/${s.slack.channelId}/p1733145600000100`,
        type: 'link',
        date_created: at,
        date_updated: at,
      });
    });
    expect(r.code, r.stdout).to.equal(0);
    expect(service()).to.include({ previous_commit: hash(1), previous_source: 'channel', commits_ahead: 4 });
    // ECS's deployment that served before says since when.
    expect(message()).to.include(`*What changed*: 4 commits since bbbbbbb (live since ${yesterday()})`);
  });

  it('a first deploy with no history (images tagged latest, no bookmark): no "since" line, never a guess', async () => {
    const r = await run('success', {}, (s) => s.aws.ecrImages.set('shop-api:latest', { labels: { 'org.opencontainers.image.revision': hash(1) } }));
    expect(r.code, r.stdout).to.equal(0);
    // Both versions name `latest`: it has moved to the new image, so its label is not asked.
    expect(sim.aws.count('BatchGetImage')).to.equal(0);
    expect(message()).not.to.include('What changed');
    expect(service()).not.to.have.property('previous_commit');
  });
});
