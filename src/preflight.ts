// CHECK_ONLY: one run, seconds long, that proves the setup before the first deploy — every AWS
// read this service's kind of deployment needs, the Slack token, its scopes, the channel and a
// sample message — and reports every problem at once. It posts nothing and watches nothing; exit
// 0 only when everything holds, the configuration-error exit code otherwise.

import type { AwsClients } from './aws/clients.ts';
import { checkAws } from './aws/preflight.ts';
import type { Config } from './config/settings.ts';
import { start, viewOf } from './core/step.ts';
import type { CheckResult } from './core/view.ts';
import { ExitCode } from './errors.ts';
import type { Logger } from './logger.ts';
import { contextOf } from './message-context.ts';
import type { SlackCall } from './slack/channels.ts';
import { checkSlack } from './slack/preflight.ts';
import { renderMessage } from './slack/render.ts';

export interface PreflightDeps {
  config: Config;
  clients: Pick<AwsClients, 'ecs' | 'elb' | 'codeDeploy' | 'logs' | 'cloudWatch' | 'ecr'>;
  /** One AWS call with the run's retries (not explained: the check reads the denial itself). */
  ask: <T>(operation: string, call: (abortSignal: AbortSignal | undefined) => Promise<T>) => Promise<T>;
  /** The run's advice for an AWS failure (credentials, cluster, region). */
  explain: (error: unknown, operation: string) => string;
  /** One Slack Web API call with the run's retries. */
  slack: SlackCall;
  log: Logger;
  now: () => number;
}

const MARK: Record<CheckResult['level'], string> = { ok: '✔', warn: '⚠', fail: '✖' };

export async function preflight(deps: PreflightDeps): Promise<ExitCode> {
  const { config, log } = deps;
  log.info(
    `CHECK_ONLY: checking the setup for ${config.services.join(', ')} in cluster ${config.cluster} (${config.aws.region}) and Slack channel ${config.slack.channel}; nothing is posted or watched`,
  );
  // What the run would post first, to be validated by Slack without being shown.
  const startedAt = deps.now();
  const first = viewOf(
    start(config.services, config.taskDefinitions, {
      startedAt,
      deadline: startedAt + config.waitTimeoutMs,
      graceMs: config.deploymentGraceMs,
      pollIntervalMs: config.pollIntervalMs,
    }),
  );
  const sample = renderMessage({ ...contextOf(config, startedAt, startedAt), ...first });
  // Each half is printed as soon as it is done: an AWS or Slack that does not answer holds up only
  // its own lines (each within CHECK_ONLY's bound), never the other's.
  const print = (results: CheckResult[]) => {
    for (const r of results) log.info(`  ${MARK[r.level]} ${r.what}${r.detail ? ` — ${r.detail}` : ''}`);
    return results;
  };
  const configured = print(config.warnings.map((detail): CheckResult => ({ level: 'warn', what: 'configuration', detail })));
  const [aws, slack] = await Promise.all([
    checkAws(
      { ...deps.clients, region: config.aws.region },
      config.cluster,
      config.services,
      deps.ask,
      deps.explain,
      config.logLines,
      config.verify.mode !== 'off',
    ).then(print),
    checkSlack(deps.slack, config.slack.channel, sample, startedAt, config.approvers).then(print),
  ]);
  const results = [...configured, ...aws, ...slack];
  const failed = results.filter((r) => r.level === 'fail').length;
  const warned = results.filter((r) => r.level === 'warn').length;
  const warnings = warned ? `, ${warned} warning${warned > 1 ? 's' : ''} (a run works, with less)` : '';
  if (failed) {
    log.info(`✖ Setup check: ${failed} problem${failed > 1 ? 's' : ''}${warnings}. Fix them, then run again.`);
    return ExitCode.InvalidConfig;
  }
  log.info(`✔ Setup check: all ${results.length - warned} checks hold${warnings}.`);
  return ExitCode.Ok;
}
