// What a deploy changes, gathered once per service when the watch first knows what served before
// (core/changes.ts decides): the previous task definition's image tag (DescribeTaskDefinition),
// else its ECR image's revision label, the channel's memory of what went live (its bookmark), and
// the commits between the two through the pipelines proxy. Every source is optional and bounded;
// nothing here fails the run.
import {
  type Changes,
  changesFrom,
  type EcrImage,
  ecrImageOf,
  imageTagOf,
  isCommit,
  labelledImagesOf,
  type PreviousVersion,
  previousVersionOf,
} from './core/changes.ts';
import type { ServiceLine } from './core/view.ts';
import type { Logger } from './logger.ts';

export interface ChangeSources {
  /** The container images of a task definition (DescribeTaskDefinition), undefined when it cannot be read. */
  imagesOf(taskDefinition: string): Promise<string[] | undefined>;
  /** An ECR image's `org.opencontainers.image.revision`, undefined when it has none or it cannot be read. */
  revisionOf?(image: EcrImage): Promise<string | undefined>;
  /** The commits `include` has that `exclude` lacks (Bitbucket), undefined when it would not say. */
  commits?(include: string, exclude: string): Promise<{ commits: Array<{ hash: string; subject: string; author?: string }>; capped: boolean } | undefined>;
  /** What the channel remembers as live for a service (its bookmark), with when. */
  liveInChannel?(service: string): Promise<{ commit: string; at?: number } | undefined>;
  /** The repository's web address (for the compare link). */
  repositoryUrl?: string;
}

/** The first commit-looking image tag among a task definition's containers' images. */
function commitTagOf(images: readonly string[] | undefined): string | undefined {
  return images?.map(imageTagOf).find(isCommit);
}

/** The first revision label among the previous version's images that can be believed (core/changes.ts). */
async function revisionLabelOf(sources: ChangeSources, previous: readonly string[], deployed: readonly string[] | undefined): Promise<string | undefined> {
  for (const image of labelledImagesOf(previous, deployed)) {
    const revision = await sources.revisionOf?.(image);
    if (revision) return revision;
  }
  return undefined;
}

/**
 * What `line`'s deploy changes: against the version that served before (its replaced task
 * definition), `deployed` being the deployed commit (COMMIT, else the new image's tag). Undefined
 * when either version is unknown: never guessed.
 */
export async function changesOf(line: ServiceLine, deployed: string | undefined, sources: ChangeSources, log: Logger): Promise<Changes | undefined> {
  if (!line.replaces) return undefined;
  try {
    const [oldImages, channel] = await Promise.all([sources.imagesOf(line.replaces), sources.liveInChannel?.(line.service)]);
    const imageTag = commitTagOf(oldImages);
    // An ECR image's label, when its tag is no commit: the deployed version's images say whether that tag has moved since.
    const label = !imageTag && sources.revisionOf && oldImages?.some((i) => ecrImageOf(i) !== undefined);
    const newImages = (!deployed || label) && line.taskDefinitionArn ? await sources.imagesOf(line.taskDefinitionArn) : undefined;
    const imageLabel = label && oldImages ? await revisionLabelOf(sources, oldImages, newImages) : undefined;
    const newTag = deployed ? undefined : commitTagOf(newImages);
    const previous: PreviousVersion | undefined = previousVersionOf({
      ...(imageTag ? { imageTag } : {}),
      ...(imageLabel ? { imageLabel } : {}),
      ...(channel ? { channel } : {}),
      ...(line.replacedSince !== undefined ? { deployedAt: line.replacedSince } : {}),
    });
    const ours = deployed ?? newTag;
    if (!previous || !ours) return undefined;
    const compareUrl = sources.repositoryUrl ? `${sources.repositoryUrl}/branches/compare/${ours}%0D${previous.commit}#diff` : undefined;
    const ahead = await sources.commits?.(ours, previous.commit);
    // Behind is asked only when nothing is ahead (a rollback?); unknown ahead leaves both unknown.
    const behind = !ahead ? undefined : ahead.commits.length === 0 ? await sources.commits?.(previous.commit, ours) : { commits: [], capped: false };
    return changesFrom(previous, ours, { ...(ahead ? { ahead } : {}), ...(behind ? { behind } : {}) }, compareUrl);
  } catch (error) {
    log.debug(`What changed is not said for ${line.service}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
