// What a deploy changes, from its sources (the previous image's tag, the channel's bookmark, the
// commits between): which source wins, what is asked, and what stays unknown.
import { expect } from 'chai';
import type { Logger } from '../src/logger.ts';
import { type ChangeSources, changesOf } from '../src/what-changed.ts';

const log: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const OLD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-api:41';
const NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-api:42';
const line = { service: 'shop-api', status: 'live' as const, replaces: OLD, taskDefinitionArn: NEW };
const image = (tag: string) => [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:${tag}`];

describe('what-changed', () => {
  it('the image tag wins over the channel; the deployed commit is COMMIT, else the new image tag', async () => {
    const asked: string[] = [];
    const sources: ChangeSources = {
      imagesOf: async (td) => image(td === OLD ? '8a1b2c3' : '9f2c1e7'),
      liveInChannel: async () => ({ commit: '1111111' }),
      commits: async (include, exclude) => {
        asked.push(`${include}..${exclude}`);
        return { commits: [{ hash: include, subject: 'x' }], capped: false };
      },
    };
    const c = await changesOf(line, undefined, sources, log);
    expect(c?.previous).to.deep.equal({ commit: '8a1b2c3', source: 'image_tag' });
    expect(asked).to.deep.equal(['9f2c1e7..8a1b2c3']);
    expect(c?.behind).to.deep.equal([]);
  });

  it('live since: when the deployment that served before was created, else when the channel saw that commit go live', async () => {
    const DAY = Date.parse('2026-11-12T10:00:00Z');
    const sources: ChangeSources = { imagesOf: async () => image('8a1b2c3'), liveInChannel: async () => ({ commit: '8a1b2c3', at: DAY + 60_000 }) };
    expect((await changesOf({ ...line, replacedSince: DAY }, '9f2c1e7', sources, log))?.previous.liveSince).to.equal(DAY);
    expect((await changesOf(line, '9f2c1e7', sources, log))?.previous.liveSince).to.equal(DAY + 60_000);
  });

  it("the ECR image's revision label when its tag is no commit; not for a tag the deployed version shares (it has moved)", async () => {
    const asked: string[] = [];
    const sources = (newTag: string): ChangeSources => ({
      imagesOf: async (td) => image(td === OLD ? 'build-41' : newTag),
      revisionOf: async (i) => {
        asked.push(i.tag ?? '');
        return '8a1b2c3d4e';
      },
    });
    expect((await changesOf(line, '9f2c1e7', sources('build-42'), log))?.previous).to.deep.equal({ commit: '8a1b2c3d4e', source: 'image_label' });
    expect(await changesOf(line, '9f2c1e7', sources('build-41'), log)).to.equal(undefined);
    expect(asked).to.deep.equal(['build-41']);
  });

  it('Bitbucket silent: ahead and behind unknown (the compare link is all there is); no previous or deployed version: nothing', async () => {
    const silent: ChangeSources = {
      imagesOf: async () => image('8a1b2c3'),
      commits: async () => undefined,
      repositoryUrl: 'https://bitbucket.org/acme/shop-api',
    };
    const c = await changesOf(line, '9f2c1e7', silent, log);
    expect(c).to.deep.equal({
      previous: { commit: '8a1b2c3', source: 'image_tag' },
      compareUrl: 'https://bitbucket.org/acme/shop-api/branches/compare/9f2c1e7%0D8a1b2c3#diff',
    });
    expect(await changesOf(line, '9f2c1e7', { imagesOf: async () => image('latest') }, log)).to.equal(undefined);
    expect(await changesOf(line, undefined, { imagesOf: async (td) => image(td === OLD ? '8a1b2c3' : 'latest') }, log)).to.equal(undefined);
  });
});
