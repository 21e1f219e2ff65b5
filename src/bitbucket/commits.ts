// The commits between two versions, through the pipelines proxy (no secret): Bitbucket's "List
// commits" with `include` and `exclude` (GET /2.0/repositories/{workspace}/{repo_slug}/commits,
// newest first, `values` of `hash`, `message`, `author.raw` and `author.user.display_name`, paged by
// `next`: https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commits/#api-repositories-workspace-repo-slug-commits-get).
// Bounded in time; unreadable is undefined (the message then shows only the compare link).
import { COMMITS_COUNTED, type CommitLine } from '../core/changes.ts';
import type { Logger } from '../logger.ts';
import type { BitbucketApi } from './api.ts';

/** The commits must not hold up the message: beyond this they are left out. */
export const COMMITS_TIMEOUT_MS = 3000;
const HTTP_OK = 200;

/** The commits `include` has that `exclude` lacks, newest first, at most COMMITS_COUNTED; undefined when Bitbucket would not say. */
export async function commitsBetween(
  api: Pick<BitbucketApi, 'send'>,
  repository: string,
  include: string,
  exclude: string,
  log: Logger,
): Promise<{ commits: CommitLine[]; capped: boolean } | undefined> {
  const path = `/repositories/${repository}/commits?include=${encodeURIComponent(include)}&exclude=${encodeURIComponent(exclude)}&pagelen=${COMMITS_COUNTED}`;
  try {
    const { status, json } = await api.send('GET', path, COMMITS_TIMEOUT_MS);
    if (status !== HTTP_OK || typeof json !== 'object' || json === null || !('values' in json) || !Array.isArray(json.values)) {
      log.debug(`Bitbucket did not list the commits between ${exclude.slice(0, 7)} and ${include.slice(0, 7)} (HTTP ${status})`);
      return undefined;
    }
    const commits = json.values.flatMap((v: unknown): CommitLine[] => {
      if (typeof v !== 'object' || v === null || !('hash' in v) || typeof v.hash !== 'string') return [];
      const message = 'message' in v && typeof v.message === 'string' ? v.message : '';
      return [{ hash: v.hash, subject: message.split('\n')[0]?.trim() ?? '', ...authorOf(v) }];
    });
    return { commits: commits.slice(0, COMMITS_COUNTED), capped: 'next' in json && Boolean(json.next) };
  } catch (error) {
    log.debug(`The commits are not listed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** The author's Bitbucket name, else the name in `author.raw` (`Jane Doe <jane@example.com>`), never the address. */
function authorOf(v: object): { author?: string } {
  const author = 'author' in v && typeof v.author === 'object' && v.author !== null ? v.author : undefined;
  if (!author) return {};
  const user = 'user' in author && typeof author.user === 'object' && author.user !== null ? author.user : undefined;
  const display = user && 'display_name' in user && typeof user.display_name === 'string' ? user.display_name : undefined;
  const raw = 'raw' in author && typeof author.raw === 'string' ? author.raw.replace(/\s*<[^>]*>\s*$/, '').trim() : undefined;
  const name = display ?? raw;
  return name ? { author: name } : {};
}
