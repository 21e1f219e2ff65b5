// Renders the Slack messages the simulated workspace receives as readable terminal text, so the
// demo shows what the channel would show: header, fields, status, timeline, thread replies.
import type { SlackCall } from './fake-slack.ts';

export interface Style {
  bold: (s: string) => string;
  dim: (s: string) => string;
  link: (s: string) => string;
}

export const PLAIN: Style = { bold: (s) => s, dim: (s) => s, link: (s) => s };
export const ANSI: Style = {
  bold: (s) => `\u001b[1m${s}\u001b[22m`,
  dim: (s) => `\u001b[2m${s}\u001b[22m`,
  link: (s) => `\u001b[4m${s}\u001b[24m`,
};

/** Slack mrkdwn to terminal text: *bold*, <url|label> links, and the three escaped entities. */
export function mrkdwn(text: string, style: Style): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, (_, _url: string, label: string) => style.link(label))
    .replace(/<!subteam\^([A-Z0-9]+)>/g, (_, id: string) => style.bold(`@group:${id}`))
    .replace(/<@([A-Z0-9]+)>/g, (_, id: string) => style.bold(`@${id}`))
    .replace(/\*([^*\n]+)\*/g, (_, s: string) => style.bold(s))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const WIDTH = 100;

export function renderCall(call: SlackCall, style: Style = PLAIN): string {
  const what = call.thread_ts ? 'thread reply' : call.method === 'chat.update' ? 'message updated' : 'message posted';
  const indent = call.thread_ts ? '    ↳ ' : '';
  const lines: string[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON as Slack received it.
  for (const block of (call.blocks ?? []) as any[]) {
    if (block.type === 'header') lines.push(style.bold(block.text.text));
    if (block.type === 'section' && block.fields) {
      const cells: string[] = block.fields.map((f: { text: string }) => mrkdwn(f.text.replace('\n', ': '), style));
      for (let i = 0; i < cells.length; i += 2) lines.push(`${pad(cells[i] as string, 48)}${cells[i + 1] ?? ''}`);
    }
    if (block.type === 'section' && block.text) lines.push(...mrkdwn(block.text.text, style).split('\n'));
    if (block.type === 'context') lines.push(...block.elements.map((e: { text: string }) => style.dim(mrkdwn(e.text, style))));
  }
  if (!lines.length && call.text) lines.push(mrkdwn(call.text, style));
  const top = `${indent}┌─ Slack ${call.channel ?? ''} · ${what} `;
  return [
    style.dim(top + '─'.repeat(Math.max(4, WIDTH - visible(top).length))),
    ...lines.map((l) => `${indent}│ ${l}`),
    style.dim(`${indent}└${'─'.repeat(WIDTH - indent.length - 1)}`),
  ].join('\n');
}

function visible(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(1, width - [...visible(s)].length));
}
