// How text reaches Slack and the log: mrkdwn escaping, cutting within Slack's limits, durations,
// clock times and links; the shape of a Slack message. Pure.
import type { MessageMetadata } from '@slack/types';

// Slack's documented limits.
export const LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, contextElement: 2000, blocks: 50, fallback: 3000 };

/** How user and AWS text is written: escaped with bold names for Slack, as it is for the log. */
export interface TextFormat {
  text(s: string): string;
  bold(s: string): string;
  /** A clock time: in the reader's time zone in Slack, in UTC in the log. */
  time(ms: number): string;
  /** A link to one of our own URLs (built from validated names), with a label. */
  link(url: string, label: string): string;
}
/** `10:42 UTC`: the log's clock times, and Slack's fallback where it cannot localise one. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}
export const SLACK_FORMAT: TextFormat = {
  text: (s) => escapeText(s),
  bold: (s) => `*${escapeText(s)}*`,
  // Slack's date formatting shows each reader their own time zone (https://api.slack.com/reference/surfaces/formatting#date-formatting).
  time: (ms) => `<!date^${Math.floor(ms / 1000)}^{time}|${utcTime(ms)}>`,
  link: (url, label) => link(url, label),
};
export const PLAIN_FORMAT: TextFormat = { text: (s) => s, bold: (s) => s, time: utcTime, link: (url, label) => `${label} (${url})` };

/** Escapes the three characters Slack's mrkdwn treats as control: &, <, >. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts already-escaped text to `max` characters without splitting an entity like &amp;. */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A link to one of our own URLs; without one, the label alone. */
export function link(url: string | undefined, label: string): string {
  // Our URLs are built from validated names; only the label can carry user text.
  return url ? `<${url}|${escapeText(label)}>` : escapeText(label);
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
  /** Slack's documented shape: payload values are strings, numbers, booleans, objects or arrays of objects. */
  metadata: MessageMetadata;
}

type Text = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type Block =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' };
