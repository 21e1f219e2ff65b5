// Who deployed, by name: the Bitbucket user whose UUID the deploy step passed (DEPLOYED_BY, from its
// BITBUCKET_STEP_TRIGGERER_UUID), read once through the pipelines proxy with "Get a user"
// (GET /2.0/users/{selected_user}, which takes a UUID in braces; its `display_name`:
// https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-users-selected-user-get).
// Unknown or unreadable: no name, and the message leaves the line out rather than show a raw UUID.
import type { Logger } from '../logger.ts';
import type { BitbucketApi } from './api.ts';

/** The lookup must not hold up the first message: beyond this the name is left out. */
export const USER_LOOKUP_TIMEOUT_MS = 2000;
const HTTP_OK = 200;

export async function displayNameOf(api: Pick<BitbucketApi, 'send'>, uuid: string, log: Logger): Promise<string | undefined> {
  try {
    const { status, json } = await api.send('GET', `/users/${encodeURIComponent(uuid)}`, USER_LOOKUP_TIMEOUT_MS);
    const name = status === HTTP_OK && typeof json === 'object' && json !== null && 'display_name' in json ? json.display_name : undefined;
    if (typeof name === 'string' && name.trim()) return name.trim();
    log.debug(`Bitbucket knows no name for DEPLOYED_BY (HTTP ${status}): the message says nothing of who deployed`);
  } catch (error) {
    log.debug(`Who deployed is not named: ${error instanceof Error ? error.message : String(error)}`);
  }
  return undefined;
}
