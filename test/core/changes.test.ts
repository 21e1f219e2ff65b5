// What a deploy changes: the previous version's sources in their order, the unknown case, and how
// the commits between the two read (ahead, a rollback, the same code).
import { expect } from 'chai';
import {
  type Changes,
  COMMITS_COUNTED,
  changesFrom,
  changesText,
  ecrImageOf,
  imageTagOf,
  isRollback,
  labelledImagesOf,
  previousVersionOf,
} from '../../src/core/changes.ts';

const DAY = Date.parse('2026-11-12T10:00:00Z');
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const commit = (i: number) => ({ hash: `${i}`.padStart(40, 'a'), subject: `change ${i}`, author: 'Jane Doe' });

describe('core/changes', () => {
  it('reads the tag of an image reference, not a digest or a registry port', () => {
    expect(imageTagOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:8a1b2c3')).to.equal('8a1b2c3');
    expect(imageTagOf('registry.example.com:5000/shop-api')).to.equal(undefined);
    expect(imageTagOf('shop-api@sha256:0f3e')).to.equal(undefined);
  });

  it('names an ECR image by registry, region, repository and tag or digest; nothing of another registry', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(ecrImageOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shop-api:build-41')).to.deep.equal({
      registryId: '123456789012',
      region: 'eu-west-1',
      repository: 'team/shop-api',
      tag: 'build-41',
    });
    expect(ecrImageOf(`123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/shop-api@${digest}`)).to.deep.include({ region: 'us-east-1', digest });
    expect(ecrImageOf('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/shop-api')).to.deep.include({ region: 'cn-north-1', repository: 'shop-api' });
    expect(ecrImageOf('public.ecr.aws/nginx/nginx:1.27')).to.equal(undefined);
    expect(ecrImageOf('ghcr.io/acme/shop-api:build-41')).to.equal(undefined);
  });

  it("believes an image's label only by digest, or by a tag the deployed version does not also use (a shared tag has moved)", () => {
    const ecr = (ref: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api${ref}`;
    const digest = `@sha256:${'cd'.repeat(32)}`;
    expect(labelledImagesOf([ecr(':build-41')], [ecr(':build-42')]).map((i) => i.tag)).to.deep.equal(['build-41']);
    expect(labelledImagesOf([ecr(':latest')], [ecr(':latest')])).to.deep.equal([]);
    expect(labelledImagesOf([ecr(':build-41')], undefined)).to.deep.equal([]);
    expect(labelledImagesOf([ecr(digest)], [ecr(digest)]).map((i) => i.digest)).to.deep.equal([digest.slice(1)]);
    expect(labelledImagesOf(['nginx:1.27'], ['nginx:1.28'])).to.deep.equal([]);
  });

  it('the previous version: the image tag when it is a commit, else the label, else the channel; unknown is undefined', () => {
    const channel = { commit: '7c6b5a4', at: DAY };
    expect(previousVersionOf({ imageTag: '8A1B2C3', imageLabel: '1111111', channel, deployedAt: DAY })).to.deep.equal({
      commit: '8a1b2c3',
      source: 'image_tag',
      liveSince: DAY,
    });
    expect(previousVersionOf({ imageTag: 'latest', imageLabel: '1111111', channel })?.source).to.equal('image_label');
    expect(previousVersionOf({ imageTag: 'v1.4.2', channel })).to.deep.equal({ commit: '7c6b5a4', source: 'channel', liveSince: DAY });
    expect(previousVersionOf({ imageTag: 'latest', deployedAt: DAY })).to.equal(undefined);
    expect(previousVersionOf({})).to.equal(undefined);
  });

  it('live since: when ECS created the deployment that served before, else when the channel saw that same commit live, never another', () => {
    const later = DAY + 86_400_000;
    expect(previousVersionOf({ imageTag: '8a1b2c3', channel: { commit: '8a1b2c3d4e', at: later }, deployedAt: DAY })?.liveSince).to.equal(DAY);
    expect(previousVersionOf({ imageTag: '8a1b2c3', channel: { commit: '8A1B2C3D4E', at: later } })?.liveSince).to.equal(later);
    // The channel remembers another commit: its date is not this version's.
    expect(previousVersionOf({ imageTag: '8a1b2c3', channel: { commit: '7c6b5a4', at: later } })).to.deep.equal({ commit: '8a1b2c3', source: 'image_tag' });
    expect(previousVersionOf({ channel: { commit: '7c6b5a4' } })).to.deep.equal({ commit: '7c6b5a4', source: 'channel' });
  });

  it('says how many commits since, a rollback with what it takes away, or the same code', () => {
    const previous = { commit: '8a1b2c3d4e5f', source: 'image_tag' as const, liveSince: DAY };
    const ahead: Changes = { previous, ahead: Array.from({ length: 12 }, (_, i) => commit(i)), behind: [] };
    expect(changesText(ahead, date)).to.equal('12 commits since 8a1b2c3 (live since 2026-11-12)');
    const back: Changes = { previous, ahead: [], behind: [commit(1), commit(2)] };
    expect(isRollback(back)).to.equal(true);
    expect(changesText(back, date)).to.equal('rolls back to 8a1b2c3 (live since 2026-11-12), taking away 2 commits');
    expect(changesText({ previous, ahead: [], behind: [] }, date)).to.equal('the same code as 8a1b2c3 (live since 2026-11-12)');
    const many: Changes = { previous, ahead: Array.from({ length: COMMITS_COUNTED }, (_, i) => commit(i)), behind: [], capped: true };
    expect(changesText(many, date)).to.match(/^100\+ commits since/);
    // Bitbucket would not say: the compare link is all there is.
    expect(changesText({ previous }, date)).to.equal('changes since 8a1b2c3 (live since 2026-11-12)');
  });

  it('the same commit (short or full) is the same code, without asking for commits; else the lists as read', () => {
    const previous = { commit: '8a1b2c3d4e5f', source: 'channel' as const };
    expect(changesFrom(previous, '8A1B2C3', {})).to.deep.equal({ previous, ahead: [], behind: [] });
    const ahead = { commits: [commit(1)], capped: false };
    expect(changesFrom(previous, 'ffff000', { ahead }, 'https://x/compare')).to.deep.equal({ previous, ahead: [commit(1)], compareUrl: 'https://x/compare' });
    expect(changesFrom(previous, 'ffff000', {})).to.deep.equal({ previous });
  });
});
