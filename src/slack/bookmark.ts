// What is live now, in the channel's header: one bookmark per environment and service, edited in
// place by each run's outcome — *production · shop-api · 9f2c1e7 · live 10:32 UTC*, or after a
// failure *production · shop-api · ⛔ 9f2c1e7 failed 10:40 UTC — still 8a1b2c3*: production is
// behind the release, and the header says so until the next success. The bookmark is its own
// memory: the version a failure leaves live is read from the title it replaces. Pure.
import type { MessageView, ServiceLine } from '../core/view.ts';
import { SHORT_COMMIT } from '../core/vocabulary.ts';
import { utcTime } from './text.ts';

/** Slack keeps at most this many bookmarks in a conversation (bookmarks.add: "Conversations are limited to 100 bookmarks"). */
export const SLACK_BOOKMARKS_PER_CHANNEL = 100;
/** Between the parts of a title. */
const SEP = ' · ';

/** A bookmark as bookmarks.list gives it. */
export interface Bookmark {
  id: string;
  title: string;
  /** When it was last set (its `date_updated`, epoch ms). */
  updatedAt?: number;
  /** What it links: the message of the run that last set it. */
  link?: string;
}

/**
 * The timestamp of the message a Slack permalink names (`…/archives/C0DEPLOYS01/p1733145600123456`
 * is ts `1733145600.123456`: https://docs.slack.dev/reference/methods/chat.getPermalink); undefined
 * for any other link.
 */
export function messageTsOf(link: string | undefined): string | undefined {
  const m = /\/archives\/[A-Z0-9]+\/p(\d+)(\d{6})(?:[?#]|$)/.exec(link ?? '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** One bookmark to set: edit the one titled with `key` (its start), else add it. */
export interface BookmarkPlan {
  key: string;
  title: string;
  link?: string;
}

/** The start every title of this environment and service shares: how a run finds the bookmark it edits. */
export function bookmarkKey(environment: string, service: string): string {
  return `${environment}${SEP}${service}${SEP}`;
}

/** The version a run deployed, as the bookmark names it: the commit's short form, else the task definition. */
function versionOf(v: Pick<MessageView, 'commit'>, s: ServiceLine): string | undefined {
  return v.commit?.slice(0, SHORT_COMMIT) ?? s.taskDefinition;
}

/** The version a bookmark's title says is live: the one it calls live, or the one a failure left (`— still …`). */
export function liveIn(title: string, key: string): string | undefined {
  if (!title.startsWith(key)) return undefined;
  const rest = title.slice(key.length);
  const still = /— still (\S+)$/.exec(rest)?.[1];
  if (still) return still;
  const live = new RegExp(`^(\\S+)${SEP.replace(/ /g, '\\s')}live `).exec(rest)?.[1];
  return live;
}

/**
 * What a bookmark remembers as live for its service: the commit, and since when when the bookmark
 * was last set by that commit going live (after a failure it was set by the failure, not by what is
 * still live).
 */
export function rememberedIn(b: Bookmark, key: string): { commit: string; at?: number } | undefined {
  const commit = liveIn(b.title, key);
  if (!commit) return undefined;
  const setByLive = !/— still \S+$/.test(b.title);
  return { commit, ...(setByLive && b.updatedAt !== undefined ? { at: b.updatedAt } : {}) };
}

/**
 * The bookmarks a finished run sets: per service that went live (or failed, or did not go live in
 * time), its title; a failure names what is still live when the bookmark it replaces says it.
 * Nothing for a run that was stopped, superseded, or had no tasks to roll out.
 */
export function bookmarksOf(v: MessageView, existing: readonly Bookmark[], link: string | undefined, at: number): BookmarkPlan[] {
  if (v.stopped) return [];
  return v.services.flatMap((s) => {
    const version = versionOf(v, s);
    if (!version) return [];
    const key = bookmarkKey(v.environment, s.service);
    const when = utcTime(at);
    const previous = existing.find((b) => b.title.startsWith(key));
    const still = previous ? liveIn(previous.title, key) : undefined;
    const behind = `${still && still !== version ? `still ${still}` : 'still the version before'}`;
    const regressed = s.traffic?.verdict === 'regressed' ? `${SEP}⚠️ traffic regressed` : '';
    const title =
      s.status === 'live' || s.status === 'retired'
        ? `${key}${version}${SEP}live ${when}${regressed}`
        : s.status === 'failed'
          ? `${key}⛔ ${version} failed ${when} — ${behind}`
          : v.status === 'timed_out' && s.status !== 'superseded' && s.status !== 'no_tasks'
            ? `${key}⏱️ ${version} not live by ${when} — ${behind}`
            : undefined;
    return title ? [{ key, title, ...(link ? { link } : {}) }] : [];
  });
}
