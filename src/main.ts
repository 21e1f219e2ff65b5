// The program the pipe runs (the `bin` entry and the Docker ENTRYPOINT): configuration from the
// environment, then the watch, then an exit code the pipeline shows.
import { setTimeout as sleep } from 'node:timers/promises';
import { createAwsClients } from './aws/clients.ts';
import { explainAwsError } from './aws/errors.ts';
import { RolloutReader } from './aws/reader.ts';
import { withRetry } from './aws/retry.ts';
import { loadConfig, SECRET_VARIABLES } from './config.ts';
import { ConfigError, ExitCode, UserFacingError } from './errors.ts';
import { createLogger } from './logger.ts';
import { SlackNotifier } from './slack/client.ts';
import { VERSION } from './version.ts';
import { watchRollout } from './watch.ts';

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const secrets = SECRET_VARIABLES.map((name) => env[name]);
  let log = createLogger({ debug: false, secrets });
  try {
    const config = loadConfig(env);
    log = createLogger({ debug: config.debug, secrets });
    log.info(`ecs-deploy-notifier ${VERSION}`);
    const deadline = Date.now() + config.waitTimeoutMs;
    const clients = createAwsClients(config.aws);
    const context = {
      cluster: config.cluster,
      region: config.aws.region,
      oidcRoleArn: config.aws.credentials.kind === 'oidc' ? config.aws.credentials.roleArn : undefined,
    };
    const reader = new RolloutReader(
      clients,
      config.cluster,
      (operation, call) =>
        withRetry(call, { what: `AWS ${operation}`, deadline, log }).catch((error: unknown) => {
          throw explainAwsError(error, context);
        }),
      log,
    );
    // Bitbucket sends SIGTERM when a step is stopped or hits max-time: end the watch visibly.
    const stop = new AbortController();
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
    const result = await watchRollout({
      config,
      read: (services, options) => reader.read(services, options),
      notifier: new SlackNotifier(config.slack, log),
      log,
      now: Date.now,
      sleep: (ms) => sleep(ms, undefined, { signal: stop.signal }),
      signal: stop.signal,
    });
    log.debug(`AWS calls: ${JSON.stringify(Object.fromEntries(reader.calls))}`);
    log.debug(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB; now ${JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])))}`);
    return result.exitCode;
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(error.message);
      log.error('See the Variables section of the README; nothing was called.');
      return error.exitCode;
    }
    if (error instanceof UserFacingError) {
      log.error(`✖ ${error.message}`);
      return error.exitCode;
    }
    log.error(`✖ Unexpected error, please report it: ${(error as Error)?.stack ?? String(error)}`);
    return ExitCode.Unexpected;
  }
}
