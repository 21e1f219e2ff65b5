// `npm run picture`: draws the README's pictures of the Slack message (docs/message-live.svg and
// docs/message-failed.svg) from the real renderer's output (test/support/example-messages.ts), as
// Slack lays a message out: the app's name, the header, the fields in two columns, the sections,
// the context lines, and the thread reply under it. test/picture.test.ts keeps them current.
import { writeFileSync } from 'node:fs';
import type { Block, SlackMessage } from '../src/slack/text.ts';
import { EXAMPLES } from '../test/support/example-messages.ts';

const WIDTH = 760;
const PAD = 20;
const LINE = 20;
const CHARS_PER_LINE = 92;
const FIELD_CHARS = 44;

/** A run of text in one style. */
interface Run {
  text: string;
  bold?: boolean;
  link?: boolean;
}

/** Slack mrkdwn as runs: *bold*, <url|label> links, <!date^…|fallback> dates, &amp; entities. */
export function runsOf(mrkdwn: string): Run[] {
  const runs: Run[] = [];
  const pattern = /<!date\^[^|>]*\|([^>]*)>|<@([A-Z0-9]+)>|<!subteam\^([A-Z0-9]+)>|<([^|>]+)\|([^>]*)>|\*([^*\n]+)\*/g;
  let last = 0;
  for (const m of mrkdwn.matchAll(pattern)) {
    if (m.index > last) runs.push({ text: mrkdwn.slice(last, m.index) });
    if (m[1] !== undefined) runs.push({ text: m[1] });
    else if (m[2] !== undefined) runs.push({ text: '@on-call', link: true });
    else if (m[3] !== undefined) runs.push({ text: '@team', link: true });
    else if (m[5] !== undefined) runs.push({ text: m[5], link: true });
    else if (m[6] !== undefined) runs.push({ text: m[6], bold: true });
    last = m.index + m[0].length;
  }
  if (last < mrkdwn.length) runs.push({ text: mrkdwn.slice(last) });
  return runs.map((r) => ({ ...r, text: r.text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') }));
}

/** Runs broken into lines of at most `width` characters (at spaces where it can). */
function wrap(runs: Run[], width: number): Run[][] {
  const lines: Run[][] = [[]];
  let used = 0;
  for (const run of runs) {
    for (const [i, part] of run.text.split('\n').entries()) {
      if (i > 0) {
        lines.push([]);
        used = 0;
      }
      for (const word of part.split(/(?<= )/)) {
        if (used + word.length > width && used > 0) {
          lines.push([]);
          used = 0;
        }
        lines.at(-1)?.push({ ...run, text: word });
        used += word.length;
      }
    }
  }
  return lines;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function textLine(runs: Run[], x: number, y: number, size = 14, colour = '#1d1c1d'): string {
  const spans = runs.map((r) => `<tspan${r.bold ? ' font-weight="700"' : ''}${r.link ? ' fill="#1264a3"' : ''}>${xml(r.text)}</tspan>`).join('');
  return `<text x="${x}" y="${y}" font-size="${size}" fill="${colour}" xml:space="preserve">${spans}</text>`;
}

/** One message's blocks, from `top`; returns the SVG and the height used. */
function blocksSvg(blocks: Block[], top: number, left: number): { svg: string[]; height: number } {
  const svg: string[] = [];
  let y = top;
  for (const b of blocks) {
    if (b.type === 'header') {
      y += LINE + 4;
      svg.push(textLine([{ text: b.text.text, bold: true }], left, y, 18));
      y += 8;
    } else if (b.type === 'section' && b.fields) {
      const columns = [b.fields.filter((_, i) => i % 2 === 0), b.fields.filter((_, i) => i % 2 === 1)];
      const rows = Math.max(...columns.map((c) => c.length));
      for (let r = 0; r < rows; r++) {
        let rowHeight = 0;
        columns.forEach((column, c) => {
          const field = column[r];
          if (!field) return;
          const lines = wrap(runsOf(field.text), FIELD_CHARS);
          for (const [i, line] of lines.entries()) svg.push(textLine(line, left + c * ((WIDTH - left - PAD) / 2), y + LINE * (i + 1)));
          rowHeight = Math.max(rowHeight, lines.length);
        });
        y += rowHeight * LINE + 6;
      }
    } else if (b.type === 'section' && b.text) {
      for (const line of wrap(runsOf(b.text.text), CHARS_PER_LINE)) {
        y += LINE;
        svg.push(textLine(line, left, y));
      }
      y += 6;
    } else if (b.type === 'context') {
      for (const e of b.elements) {
        for (const line of wrap(runsOf(e.text), CHARS_PER_LINE + 8)) {
          y += LINE - 2;
          svg.push(textLine(line, left, y, 12, '#616061'));
        }
      }
      y += 6;
    }
  }
  return { svg, height: y - top };
}

/** A message (and its thread reply, when given) as Slack shows it, in SVG. */
export function messageSvg(message: SlackMessage, thread?: SlackMessage): string {
  const left = PAD + 52;
  const head = [
    `<rect x="${PAD}" y="${PAD}" width="40" height="40" rx="6" fill="#232f3e"/>`,
    `<text x="${PAD + 20}" y="${PAD + 26}" font-size="16" fill="#ff9900" text-anchor="middle" font-weight="700">ECS</text>`,
    textLine([{ text: 'ECS Deploy Notifier ', bold: true }, { text: 'APP  10:31' }], left, PAD + 14, 14, '#1d1c1d'),
  ];
  const main = blocksSvg(message.blocks, PAD + 14, left);
  let height = PAD + 14 + main.height + PAD;
  const parts = [...head, ...main.svg];
  if (thread) {
    const top = height;
    parts.push(`<line x1="${left}" y1="${top}" x2="${WIDTH - PAD}" y2="${top}" stroke="#dddddd"/>`);
    parts.push(textLine([{ text: 'Thread reply', bold: true }], left, top + LINE, 12, '#616061'));
    const reply = blocksSvg(thread.blocks, top + LINE, left);
    parts.push(...reply.svg);
    height = top + LINE + reply.height + PAD;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Lato, 'Helvetica Neue', Arial, 'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji', sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" rx="8" fill="#ffffff" stroke="#dddddd"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The pictures and where they go. */
export function pictures(): Record<string, string> {
  return {
    'docs/message-live.svg': messageSvg(EXAMPLES.live.message),
    'docs/message-failed.svg': messageSvg(EXAMPLES.failed.message, EXAMPLES.failed.thread),
  };
}

if (process.argv[1]?.endsWith('message-picture.ts')) {
  for (const [file, svg] of Object.entries(pictures())) {
    writeFileSync(new URL(`../${file}`, import.meta.url), svg);
    console.log(`wrote ${file}`);
  }
}
