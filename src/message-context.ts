// The facts of the Slack message that come from the configuration, not from AWS: the watch and the
// preflight's sample message draw the same ones.
import type { Config } from './config/settings.ts';

/**
 * The message's facts that come from the configuration, not from AWS. `deployedBy`: who triggered
 * the deploy, by the name Bitbucket gave for DEPLOYED_BY (read once at the start).
 */
export function contextOf(config: Config, startedAt: number, now: number, deployedBy?: string) {
  return {
    ...(deployedBy ? { deployedBy } : {}),
    ...(config.deploy.buildUrl ? { deployBuildUrl: config.deploy.buildUrl } : {}),
    ...(config.compact ? { compact: true } : {}),
    ...(config.verify.mode === 'fail' ? { verifyFails: true } : {}),
    ...(config.verifyUrl ? { urlShown: config.verifyUrl.shown } : {}),
    environment: config.environment,
    cluster: config.cluster,
    region: config.aws.region,
    ref: config.ref,
    commit: config.commit,
    repositoryUrl: config.repository?.url,
    buildUrl: config.buildUrl,
    startedAt,
    now,
    waitTimeoutMs: config.waitTimeoutMs,
    approvers: config.approvers,
  };
}
