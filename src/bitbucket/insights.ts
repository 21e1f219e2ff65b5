// The outcome in Bitbucket itself: a Code Insights report on the deployed commit (PENDING while it
// rolls out, then PASSED or FAILED), shown on the commit and its pull requests. A pipe reaches the
// Bitbucket API without a secret through the pipelines proxy (plain http://api.bitbucket.org URLs
// sent through it); a report that cannot be sent is a warning, never a failed run.
// Report shape: https://developer.atlassian.com/cloud/bitbucket/rest/api-group-reports/
import type { Config } from '../config/settings.ts';
import { changesText } from '../core/changes.ts';
import type { MessageView } from '../core/view.ts';
import { SHORT_COMMIT } from '../core/vocabulary.ts';
import type { Logger } from '../logger.ts';
import { dayText } from '../slack/changes.ts';
import { dipText, failsOnTraffic, urlCheckText, verificationText } from '../slack/traffic.ts';
import { BitbucketApi } from './api.ts';

/** A report that Bitbucket does not take within this is given up: the outcome must not wait for it. */
export const INSIGHTS_TIMEOUT_MS = 5000;
/** Bitbucket shows at most this many data fields: past it, the last ones (the durations, the Slack link, also the report's own link) are left out. */
const MAX_DATA = 10;
/** Characters of `details` Bitbucket keeps. */
const MAX_DETAILS = 2000;

export type InsightsSettings = NonNullable<Config['codeInsights']>;

type Data =
  | { title: string; type: 'TEXT'; value: string }
  | { title: string; type: 'DURATION'; value: number }
  | { title: string; type: 'LINK'; value: { text: string; href: string } };

export interface Report {
  title: string;
  details: string;
  reporter: string;
  report_type: 'TEST';
  result: 'PENDING' | 'PASSED' | 'FAILED';
  link?: string;
  data: Data[];
}

/** The report for what the message shows: pure. `slackLink`: the message's permalink, when known. */
export function reportOf(v: MessageView, causes: readonly string[], slackLink: string | undefined): Report {
  const finished = v.done || Boolean(v.stopped);
  const passed = (v.status === 'live' || v.status === 'superseded' || v.status === 'no_tasks') && !failsOnTraffic(v);
  const result = !finished ? 'PENDING' : passed ? 'PASSED' : 'FAILED';
  const live = v.milestones.live;
  const failed = v.services.filter((s) => s.status === 'failed').map((s) => `${s.service}: ${s.reason ?? 'failed'}`);
  const regressed = v.services.flatMap((s) => (s.traffic?.verdict === 'regressed' ? [`${s.service}: ${verificationText(s.traffic)}`] : []));
  const url = v.urlCheck?.verdict === 'failed' && v.urlShown ? [urlCheckText(v, v.urlShown)] : [];
  const why = [...(v.stopped ? [v.stopped] : []), ...failed, ...regressed, ...url, ...(result === 'FAILED' ? causes.slice(0, 3) : [])];
  const named = (service: string) => (v.services.length > 1 ? `${service}: ` : '');
  const traffic = v.services.flatMap((s) => (s.traffic ? [`${named(s.service)}${verificationText(s.traffic)}`] : [])).join('; ');
  // What the deploy changes, and after a failure what it leaves live: the version before (core/changes.ts).
  const known = v.services.flatMap((s) => {
    const c = v.changes?.[s.service];
    return c ? [{ s, c }] : [];
  });
  const changed = known.map(({ s, c }) => `${named(s.service)}${changesText(c, dayText)}`).join('; ');
  const compare = known.length === 1 ? known[0]?.c.compareUrl : undefined;
  const still = known.flatMap(({ s, c }) => (s.status === 'failed' ? [`${s.service} still runs ${c.previous.commit.slice(0, SHORT_COMMIT)}`] : []));
  const details = `${v.services.map((s) => s.service).join(', ')} → ${v.environment}: ${v.status.replace('_', ' ')}${why.length ? `. ${why.join('; ')}` : ''}${still.length ? `. ${still.join('; ')}` : ''}`;
  const data: Data[] = [
    { title: 'Environment', type: 'TEXT', value: v.environment },
    { title: 'Services', type: 'TEXT', value: v.services.map((s) => `${s.service}${s.taskDefinition ? ` (${s.taskDefinition})` : ''}`).join(', ') },
    { title: 'Status', type: 'TEXT', value: v.stopped ? 'stopped' : v.status },
    ...(v.deployedBy ? [{ title: 'Deployed by', type: 'TEXT' as const, value: v.deployedBy }] : []),
    ...(changed
      ? [
          compare
            ? { title: 'What changed', type: 'LINK' as const, value: { text: changed, href: compare } }
            : { title: 'What changed', type: 'TEXT' as const, value: changed },
        ]
      : []),
    ...(traffic ? [{ title: 'Traffic', type: 'TEXT' as const, value: traffic }] : []),
    ...(v.urlCheck && v.urlShown ? [{ title: 'URL', type: 'TEXT' as const, value: urlCheckText(v, v.urlShown) }] : []),
    ...(v.dip ? [{ title: 'Availability', type: 'TEXT' as const, value: dipText(v.dip) }] : []),
    ...(live !== undefined ? [{ title: 'Time to live', type: 'DURATION' as const, value: live - v.startedAt }] : []),
    ...(finished ? [{ title: 'Duration', type: 'DURATION' as const, value: v.now - v.startedAt }] : []),
    ...(slackLink ? [{ title: 'Slack message', type: 'LINK' as const, value: { text: 'Open in Slack', href: slackLink } }] : []),
  ];
  return {
    title: `ECS deploy to ${v.environment}`,
    details: details.length > MAX_DETAILS ? `${details.slice(0, MAX_DETAILS - 1)}…` : details,
    reporter: 'ecs-deploy-notifier',
    report_type: 'TEST',
    result,
    ...(slackLink ? { link: slackLink } : {}),
    data: data.slice(0, MAX_DATA),
  };
}

/** Sends reports for one commit and environment; never throws. */
export class CodeInsights {
  private readonly api: BitbucketApi;

  constructor(
    private readonly settings: InsightsSettings,
    private readonly log: Logger,
  ) {
    this.api = new BitbucketApi(settings.proxy);
  }

  /** One report per environment on the commit, replaced at each send (below /2.0). */
  path(): string {
    const id = `ecs-deploy-notifier-${this.settings.environment.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
    return `/repositories/${this.settings.repository}/commit/${this.settings.commit}/reports/${id}`;
  }

  async send(report: Report): Promise<void> {
    try {
      const { status } = await this.api.send('PUT', this.path(), INSIGHTS_TIMEOUT_MS, JSON.stringify(report));
      if (status >= 200 && status < 300) this.log.debug(`Code Insights report ${report.result} sent`);
      else this.log.warn(`The Code Insights report was not accepted (HTTP ${status}); the outcome is in Slack and this log.`);
    } catch (error) {
      this.log.warn(
        `The Code Insights report could not be sent (${error instanceof Error ? error.message : String(error)}); the outcome is in Slack and this log.`,
      );
    }
  }
}
