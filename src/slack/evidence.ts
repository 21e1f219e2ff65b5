// The failure thread's evidence in words, for Slack and the log alike: a failed container's or
// Lambda hook's log excerpt title, and an alarm behind a rollback with its metric, threshold and
// the values that breached it. Pure.
import { lambdaFunctionOf } from '../core/arn.ts';
import { alarmUrl, logGroupUrl, logStreamUrl, taskUrl } from '../core/console.ts';
import type { AlarmDetail, HookExcerpt, LogExcerpt } from '../core/view.ts';
import type { TextFormat } from './text.ts';

/** How an excerpt's title begins: how many lines follow, none printed, or none read. */
function lead(lines: readonly string[] | undefined): string {
  if (!lines) return 'Logs of';
  return lines.length ? `Last ${lines.length} line${lines.length > 1 ? 's' : ''} of` : 'Nothing printed by';
}

/** "Last 20 lines of web in task 3f2a… (exit code 1), shop-api · log stream", the task and the stream linked. */
export function excerptTitle(e: LogExcerpt, f: TextFormat, at: { region: string; cluster: string }): string {
  const stream = e.group && e.stream ? ` · ${f.link(logStreamUrl(e.region ?? at.region, e.group, e.stream), 'log stream')}` : '';
  return `${lead(e.lines)} ${f.bold(e.container)} in task ${f.link(taskUrl(at.region, at.cluster, e.taskId), e.taskId)} (${f.text(e.what)}), ${f.text(e.service)}${stream}`;
}

/** "Last 12 lines of Lambda hook smoke-test (AfterAllowTestTraffic, FAILED), shop-api · log group", the log group linked. */
export function hookTitle(e: HookExcerpt, f: TextFormat, at: { region: string }): string {
  const name = lambdaFunctionOf(e.function, at.region).name;
  const group = e.group ? ` · ${f.link(logGroupUrl(e.region ?? at.region, e.group), 'log group')}` : '';
  return `${lead(e.lines)} Lambda hook ${f.bold(name)} (${f.text([e.stage, e.status].filter(Boolean).join(', '))}), ${f.text(e.service)}${group}`;
}

/** CloudWatch's comparison operators as a reader writes them. */
const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the anomaly band',
  LessThanLowerThreshold: 'below the anomaly band',
  GreaterThanUpperThreshold: 'above the anomaly band',
};

/**
 * "alarm shop-api-5xx (shop-api): Sum of AWS/ApplicationELB HTTPCode_Target_5XX_Count ≥ 10 over 1 × 60 s
 * — breached at 42 (in ALARM since 10:31 UTC) · alarm page", the page linked.
 */
export function alarmText(a: AlarmDetail, f: TextFormat, at: { region: string }): string {
  const head = `alarm ${f.bold(a.name)} (${f.text(a.service)})`;
  const page = ` · ${f.link(alarmUrl(at.region, a.name), 'alarm page')}`;
  if (a.hint) return `${head}: ${f.text(a.hint)}`;
  const state = a.state ? ` (${a.state === 'ALARM' ? 'in ALARM' : `now ${a.state}`}${a.stateSince !== undefined ? ` since ${f.time(a.stateSince)}` : ''})` : '';
  if (a.rule) return `${head}: composite, ${f.text(a.rule)}${state}${page}`;
  const what = a.metric ? `${a.statistic ? `${f.text(a.statistic)} of ` : ''}${f.text(a.metric)}` : 'a metric math expression';
  const op = a.comparison ? ` ${COMPARISONS[a.comparison] ?? f.text(a.comparison)}` : '';
  const threshold = a.threshold !== undefined ? ` ${a.threshold}` : '';
  const over = a.periodSeconds !== undefined ? ` over ${a.evaluationPeriods ?? 1} × ${a.periodSeconds} s` : '';
  const breached = a.breached?.length ? ` — breached at ${a.breached.join(', ')}` : '';
  return `${head}: ${what}${op}${threshold}${over}${breached}${state}${page}`;
}
