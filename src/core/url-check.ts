// The URL that answers (VERIFY_URL): once the new version is live, the pipe asks the URL a user
// reaches it by, and expects the deployed version in the answer (VERIFY_EXPECT: text, or a JSON
// path and value). K answers in a row pass; N asks without them fail, saying what it answers
// instead — a CDN, another region or a wrong listener still serving the old version. Pure.
import { SHORT_COMMIT } from './vocabulary.ts';

/** Answers in a row that must carry the new version: one could be a lucky round-robin. */
export const URL_ANSWERS_IN_A_ROW = 3;
/** Asks at most, one every URL_ASK_EVERY_MS: past them (50 s) the URL is said not to serve it. */
export const URL_ASKS_AT_MOST = 10;
export const URL_ASK_EVERY_MS = 5000;

/** What the answer must contain: a text, or the value at a JSON path (`$.build.commit=9f2c1e7`). */
export type UrlExpectation = { kind: 'text'; text: string } | { kind: 'json'; path: Array<string | number>; value: string; source: string };

/** One answer of the URL (or why there was none). */
export interface UrlAnswer {
  at: number;
  status?: number;
  body?: string;
  /** Why there was no answer (a time-out, a refused connection). */
  error?: string;
}

/** One ask, judged: whether it carried the new version, and what it carried instead, when that can be told. */
export interface UrlAsk {
  at: number;
  ok: boolean;
  /** What it answered instead: the value at the path, a commit-looking token, or `HTTP 503`. */
  seen?: string;
}

export interface UrlCheck {
  verdict: 'checking' | 'passed' | 'failed';
  /** Passed: since when it answers with the new version (the first of the answers in a row). */
  since?: number;
  /** Failed: what it answered last instead. */
  seen?: string;
  /** What it expected, as said (the text, or `$.path = value`). */
  expected: string;
  asks: number;
}

/** `$.a.b[0].c=value` or plain text; undefined for an empty one. */
export function parseExpectation(raw: string): UrlExpectation | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const json = /^\$((?:\.[A-Za-z_][\w-]*|\[\d+\])+)\s*=\s*(.+)$/.exec(text);
  if (!json?.[1] || !json[2]) return { kind: 'text', text };
  const path = [...json[1].matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
  return { kind: 'json', path, value: json[2].trim(), source: `$${json[1]}` };
}

export function expectationText(e: UrlExpectation): string {
  return e.kind === 'text' ? e.text : `${e.source} = ${e.value}`;
}

/** A git commit in an answer: 7 to 40 hex digits standing alone. */
const COMMIT_LIKE = /\b[0-9a-f]{7,40}\b/i;
const HTTP_OK_FROM = 200;
const HTTP_OK_BELOW = 300;

/** Whether an answer carries the expected version, and what it carries instead. */
export function judgeAnswer(answer: UrlAnswer, expect: UrlExpectation): UrlAsk {
  const at = answer.at;
  if (answer.error !== undefined || answer.status === undefined) return { at, ok: false, seen: `no answer (${answer.error ?? 'unknown'})` };
  if (answer.status < HTTP_OK_FROM || answer.status >= HTTP_OK_BELOW) return { at, ok: false, seen: `HTTP ${answer.status}` };
  const body = answer.body ?? '';
  if (expect.kind === 'text') {
    if (body.toLowerCase().includes(expect.text.toLowerCase())) return { at, ok: true };
    // Only a commit-looking token is repeated from the answer, never the answer itself.
    const other = COMMIT_LIKE.test(expect.text) ? COMMIT_LIKE.exec(body)?.[0] : undefined;
    return { at, ok: false, ...(other ? { seen: other } : {}) };
  }
  let value: unknown;
  try {
    value = expect.path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? Reflect.get(v, key) : undefined), JSON.parse(body));
  } catch {
    return { at, ok: false, seen: 'an answer that is not JSON' };
  }
  const got = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  if (got === undefined) return { at, ok: false, seen: `nothing at ${expect.source}` };
  // A short commit matches its full form and the other way round.
  const ok =
    got === expect.value || (COMMIT_LIKE.test(expect.value) && (got.startsWith(expect.value) || expect.value.startsWith(got)) && got.length >= SHORT_COMMIT);
  return { at, ok, ...(ok ? {} : { seen: got }) };
}

/** The check so far: passed at URL_ANSWERS_IN_A_ROW good answers in a row, failed after URL_ASKS_AT_MOST asks without them. */
export function urlCheckOf(asks: readonly UrlAsk[], expect: UrlExpectation): UrlCheck {
  const expected = expectationText(expect);
  let row = 0;
  for (const [i, a] of asks.entries()) {
    row = a.ok ? row + 1 : 0;
    if (row === URL_ANSWERS_IN_A_ROW) return { verdict: 'passed', since: asks[i - row + 1]?.at ?? a.at, expected, asks: i + 1 };
  }
  if (asks.length >= URL_ASKS_AT_MOST) {
    const last = [...asks].reverse().find((a) => !a.ok);
    return { verdict: 'failed', ...(last?.seen ? { seen: last.seen } : {}), expected, asks: asks.length };
  }
  return { verdict: 'checking', expected, asks: asks.length };
}
