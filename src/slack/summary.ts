// The pipeline log's last word on a run: the outcome with its duration, and for a run that did not
// end well every unfinished service, cause, alarm behind a rollback, and failed hook's and
// container's last lines. Pure.

import { timeSpentText } from '../core/timing.ts';
import { type FailureEvidence, type MessageView, NO_FAILURE_EVIDENCE } from '../core/view.ts';
import { endsWell } from '../core/vocabulary.ts';
import { alarmText, excerptTitle, hookTitle } from './evidence.ts';
import { headline, notFollowed, PHASE_LABELS, serviceStatusText } from './lines.ts';
import { formatDuration, PLAIN_FORMAT } from './text.ts';
import { failsOnTraffic, regressedServices, regressionTable, verifyLines } from './traffic.ts';

export function summaryLines(v: MessageView, causes: readonly string[], evidence: FailureEvidence = NO_FAILURE_EVIDENCE): string[] {
  const after = formatDuration(v.now - v.startedAt);
  if (endsWell(v.status)) {
    const note =
      v.status === 'live' && v.phase !== 'retired'
        ? v.endedAtLive
          ? ` (WAIT_UNTIL=live: ${notFollowed(v.services)})`
          : ' (old version still draining when WAIT_TIMEOUT ran out)'
        : '';
    // A regression with VERIFY=fail fails the run: the line says so as a failure does.
    const mark = failsOnTraffic(v) ? '✖' : '✔';
    const side = regressedServices(v).flatMap((s) => [`  ${s.service}, side by side:`, ...regressionTable(s).map((row) => `    ${row}`)]);
    return [`${mark} ${headline(v)} after ${after}${note}`, ...verifyLines(v).map((l) => `  ${l}`), ...side, ...timeSpentLines(v), stepLine(v)];
  }
  const lines = [`✖ ${headline(v)} (after ${after})`];
  for (const s of v.services) if (s.status !== 'retired') lines.push(`  ${serviceStatusText(s, PLAIN_FORMAT)}`);
  for (const c of causes) lines.push(`  cause: ${c}`);
  for (const a of evidence.alarms) lines.push(`  ${alarmText(a, PLAIN_FORMAT, v)}`);
  const excerpts = [
    ...evidence.hooks.map((e) => ({ title: hookTitle(e, PLAIN_FORMAT, v), ...e })),
    ...evidence.logs.map((e) => ({ title: excerptTitle(e, PLAIN_FORMAT, v), ...e })),
  ];
  for (const e of excerpts) {
    lines.push(`  ${e.title}${e.hint ? `: ${e.hint}` : ''}`);
    for (const line of e.lines ?? []) lines.push(`    | ${line}`);
  }
  if (v.status === 'timed_out') lines.push(`  furthest phase reached by all services: ${PHASE_LABELS[v.phase]}`);
  lines.push(...timeSpentLines(v), stepLine(v));
  return lines;
}

/**
 * What the run cost in build minutes: the step holds a runner the whole watch, and the part after
 * "live" (the old version draining, a bake) is what WAIT_UNTIL=live would spare. Always the last line.
 */
function stepLine(v: MessageView): string {
  const ran = `  step: ran ${formatDuration(v.now - v.startedAt)}`;
  const live = v.milestones.live;
  if (live === undefined || v.endedAtLive || v.now - live <= 0) return ran;
  return `${ran}, ${formatDuration(v.now - live)} of it after live, waiting for the old version to go (WAIT_UNTIL=live ends the step at live)`;
}

/** Where the time went, and the hint when a setting explains the longest phase. */
function timeSpentLines(v: MessageView): string[] {
  if (!v.timeSpent) return [];
  return [`  time: ${timeSpentText(v.timeSpent)}`, ...(v.timeSpent.hint ? [`  hint: ${v.timeSpent.hint}`] : [])];
}
