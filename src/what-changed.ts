// What a deploy changes, gathered once per service when the watch first knows what served before
// (core/changes.ts decides): the previous task definition's image tag (DescribeTaskDefinition),
// the channel's memory of what went live (its bookmark), and the commits between the two through
// the pipelines proxy. Every source is optional and bounded; nothing here fails the run.
import { type Changes, changesFrom, imageTagOf, isCommit, type PreviousVersion, previousVersionOf } from './core/changes.ts';
import type { ServiceLine } from './core/view.ts';
import type { Logger } from './logger.ts';

export interface ChangeSources {
  /** The container images of a task definition (DescribeTaskDefinition), undefined when it cannot be read. */
  imagesOf(taskDefinition: string): Promise<string[] | undefined>;
  /** The commits `include` has that `exclude` lacks (Bitbucket), undefined when it would not say. */
  commits?(include: string, exclude: string): Promise<{ commits: Array<{ hash: string; subject: string; author?: string }>; capped: boolean } | undefined>;
  /** What the channel remembers as live for a service (its bookmark), with when. */
  liveInChannel?(service: string): Promise<{ commit: string; at?: number } | undefined>;
  /** The repository's web address (for the compare link). */
  repositoryUrl?: string;
}

/** The first commit-looking image tag among a task definition's containers. */
async function commitTagOf(sources: ChangeSources, taskDefinition: string): Promise<string | undefined> {
  const images = await sources.imagesOf(taskDefinition);
  return images?.map(imageTagOf).find(isCommit);
}

/**
 * What `line`'s deploy changes: against the version that served before (its replaced task
 * definition), `deployed` being the deployed commit (COMMIT, else the new image's tag). Undefined
 * when either version is unknown: never guessed.
 */
export async function changesOf(line: ServiceLine, deployed: string | undefined, sources: ChangeSources, log: Logger): Promise<Changes | undefined> {
  if (!line.replaces) return undefined;
  try {
    const [imageTag, channel, newTag] = await Promise.all([
      commitTagOf(sources, line.replaces),
      sources.liveInChannel?.(line.service),
      deployed ? Promise.resolve(undefined) : line.taskDefinitionArn ? commitTagOf(sources, line.taskDefinitionArn) : Promise.resolve(undefined),
    ]);
    const previous: PreviousVersion | undefined = previousVersionOf({
      ...(imageTag ? { imageTag } : {}),
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
