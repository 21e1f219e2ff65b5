// What a deploy changes, in words (core/changes.ts): *12 commits since 8a1b2c3 (live since 12 Nov)*,
// the newest few with their authors, and the compare link; a rollback says what it takes away. Pure.
import { type Changes, COMMITS_LISTED, changesText } from '../core/changes.ts';
import type { MessageView } from '../core/view.ts';
import { SHORT_COMMIT } from '../core/vocabulary.ts';
import { PLAIN_FORMAT, type TextFormat } from './text.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12 Nov`: a day, in UTC. */
export function dayText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** One service's changes: the line, then its newest commits (those it adds, or those a rollback takes away). */
export function changeLines(c: Changes, f: TextFormat = PLAIN_FORMAT): string[] {
  const head = `${f.text(changesText(c, dayText))}${c.compareUrl ? ` · ${f.link(c.compareUrl, 'compare')}` : ''}`;
  const listed = (c.ahead?.length ? c.ahead : (c.behind ?? [])).slice(0, COMMITS_LISTED);
  return [head, ...listed.map((x) => `• ${f.text(x.subject)}${x.author ? ` — ${f.text(x.author)}` : ''} (${x.hash.slice(0, SHORT_COMMIT)})`)];
}

/** Per service with known changes: its lines, the service named when the message has several. */
export function changesSection(v: Pick<MessageView, 'services' | 'changes'>, f: TextFormat = PLAIN_FORMAT): string[] {
  const known = v.services.flatMap((s) => {
    const c = v.changes?.[s.service];
    return c ? [{ service: s.service, c }] : [];
  });
  return known.flatMap(({ service, c }) => {
    const [head, ...rest] = changeLines(c, f);
    return [`${v.services.length > 1 ? `${f.bold(service)}: ` : ''}${head}`, ...rest];
  });
}
