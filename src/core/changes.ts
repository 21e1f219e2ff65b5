// What a deploy changes: the version that was live before it, from the sources a team has (in
// this order: the previous task definition's image tag when it is a commit, the image's
// `org.opencontainers.image.revision` label, the channel's own memory of what went live), and the
// commits between that version and the deployed one — or, when the deployed commit is older, what
// a rollback takes away. Unknown is left out, never guessed. Pure.
import { SHORT_COMMIT } from './vocabulary.ts';

/** A git commit as a tag or label carries it: 7 to 40 hex digits, nothing else. */
const COMMIT = /^[0-9a-f]{7,40}$/i;

export function isCommit(s: unknown): s is string {
  return typeof s === 'string' && COMMIT.test(s);
}

/** Where the previous version was learned from (the order in which they are believed). */
export type PreviousSource = 'image_tag' | 'image_label' | 'channel';

export interface PreviousVersion {
  commit: string;
  source: PreviousSource;
  /** When it went live (epoch ms), when a source says. */
  liveSince?: number;
}

/** What each source says of the version live before this deploy; any may be silent. */
export interface PreviousCandidates {
  /** The tag of the previous task definition's image (`…/shop-api:8a1b2c3`), when it has one. */
  imageTag?: string;
  /** Its `org.opencontainers.image.revision` label, where it could be read. */
  imageLabel?: string;
  /** The channel's memory: the commit of this service's last live message in this environment, and when. */
  channel?: { commit: string; at?: number };
  /** When the deployment that served before was created (ECS): "live since", whichever source named its commit. */
  deployedAt?: number;
}

/** The image tag of a container image reference (`repo:tag`, not `repo@sha256:…`). */
export function imageTagOf(image: string): string | undefined {
  const name = image.split('@')[0] ?? image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : undefined;
}

/** A private ECR image: its registry (the account), region, repository, and the tag or digest it is named by. */
export interface EcrImage {
  registryId: string;
  region: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shop-api:tag` (or `@sha256:…`; FIPS and China endpoints too). */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/;

/** The ECR image a container image reference names; undefined for any other registry. */
export function ecrImageOf(image: string): EcrImage | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { registryId: m[1], region: m[2], repository: m[3], ...(m[4] ? { tag: m[4] } : {}), ...(m[5] ? { digest: m[5] } : {}) };
}

/**
 * The previous version's ECR images whose labels can be believed: named by digest, or by a tag the
 * deployed version does not also use. A tag both use (`latest`) has moved to the new image since:
 * its label would name the deployed commit, not the previous one.
 */
export function labelledImagesOf(previous: readonly string[], deployed: readonly string[] | undefined): EcrImage[] {
  return previous.flatMap((image) => {
    const ecr = ecrImageOf(image);
    if (!ecr || (!ecr.digest && (deployed === undefined || deployed.includes(image)))) return [];
    return [ecr];
  });
}

/** Whether two commits, either short, are the same one. */
export function sameCommit(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x.startsWith(y) || y.startsWith(x);
}

/**
 * The version live before: the first source that names a commit, in the order image tag, image
 * label, channel; undefined when none does (a first deploy, images tagged `latest`). Live since:
 * when ECS created the deployment that served before, else when the channel saw that same commit
 * go live (never the date of another commit the channel remembers).
 */
export function previousVersionOf(c: PreviousCandidates): PreviousVersion | undefined {
  const found: Omit<PreviousVersion, 'liveSince'> | undefined = isCommit(c.imageTag)
    ? { commit: c.imageTag.toLowerCase(), source: 'image_tag' }
    : isCommit(c.imageLabel)
      ? { commit: c.imageLabel.toLowerCase(), source: 'image_label' }
      : isCommit(c.channel?.commit)
        ? { commit: c.channel.commit.toLowerCase(), source: 'channel' }
        : undefined;
  if (!found) return undefined;
  const since = c.deployedAt ?? (c.channel && sameCommit(c.channel.commit, found.commit) ? c.channel.at : undefined);
  return { ...found, ...(since !== undefined ? { liveSince: since } : {}) };
}

/** One commit as the message lists it. */
export interface CommitLine {
  hash: string;
  subject: string;
  author?: string;
}

/** Newest commits listed in the message; the rest are counted and behind the compare link. */
export const COMMITS_LISTED = 3;
/** Commits counted at most (one page of Bitbucket's commits): more reads as "100+". */
export const COMMITS_COUNTED = 100;

/**
 * What the deploy changes against the previous version: `ahead` the commits the deployed one has
 * that the previous one lacks (newest first), `behind` the other way round. Neither ahead and some
 * behind: a rollback, which takes `behind` away.
 */
export interface Changes {
  previous: PreviousVersion;
  /** Undefined: Bitbucket would not say (the compare link is all there is). */
  ahead?: readonly CommitLine[];
  behind?: readonly CommitLine[];
  /** Either list stopped at COMMITS_COUNTED. */
  capped?: boolean;
  /** The repository's compare page of the two, when it is known. */
  compareUrl?: string;
}

/** `12 commits since 8a1b2c3 (live since 12 Nov)`, or a rollback, or nothing changed. */
export function changesText(c: Changes, date: (ms: number) => string): string {
  const since = `${c.previous.commit.slice(0, SHORT_COMMIT)}${c.previous.liveSince !== undefined ? ` (live since ${date(c.previous.liveSince)})` : ''}`;
  const n = (list: readonly CommitLine[]) => `${list.length}${c.capped && list.length >= COMMITS_COUNTED ? '+' : ''} commit${list.length === 1 ? '' : 's'}`;
  if (!c.ahead) return `changes since ${since}`;
  if (isRollback(c) && c.behind) return `rolls back to ${since}, taking away ${n(c.behind)}`;
  if (!c.ahead.length) return `the same code as ${since}`;
  return `${n(c.ahead)} since ${since}`;
}

/** Whether a deploy goes back to an older version (the deployed commit is behind the previous one). */
export function isRollback(c: Changes): boolean {
  return c.ahead !== undefined && c.ahead.length === 0 && (c.behind?.length ?? 0) > 0;
}

/** The commits ahead and behind as `changesOf` gets them; undefined where they could not be read. */
export interface Between {
  ahead?: { commits: CommitLine[]; capped: boolean };
  behind?: { commits: CommitLine[]; capped: boolean };
}

/** The changes of a deploy of `deployed` over `previous` (commits); the same commit is the same code (no lists asked). */
export function changesFrom(previous: PreviousVersion, deployed: string, between: Between, compareUrl?: string): Changes {
  if (sameCommit(previous.commit, deployed)) return { previous, ahead: [], behind: [] };
  return {
    previous,
    ...(between.ahead ? { ahead: between.ahead.commits } : {}),
    ...(between.behind ? { behind: between.behind.commits } : {}),
    ...(between.ahead?.capped || between.behind?.capped ? { capped: true } : {}),
    ...(compareUrl ? { compareUrl } : {}),
  };
}
