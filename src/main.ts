// The program the pipe runs (the `bin` entry and the Docker ENTRYPOINT): configuration from the
// environment, then the watch, then an exit code the pipeline shows. The watch ends at WAIT_TIMEOUT
// and at a stop of the step whatever AWS or Slack do: every call is abandoned when either comes.
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Counter } from './aws/batch.ts';
import { createAwsClients } from './aws/clients.ts';
import { continueServiceDeployment } from './aws/continue.ts';
import { explainAwsError } from './aws/errors.ts';
import { FailureEvidenceReader } from './aws/failure-evidence.ts';
import { ImageRevisions } from './aws/image-revision.ts';
import { MetricsReader } from './aws/metrics.ts';
import { RolloutReader } from './aws/reader.ts';
import { createAsk, describe as describeAwsError, isThrottling } from './aws/retry.ts';
import { BitbucketApi } from './bitbucket/api.ts';
import { commitsBetween } from './bitbucket/commits.ts';
import { CodeInsights, type Report } from './bitbucket/insights.ts';
import { displayNameOf } from './bitbucket/users.ts';
import { loadConfig } from './config/load.ts';
import { SECRET_VARIABLES, urlPasswords } from './config/variables.ts';
import { EVIDENCE_READ_BUDGET_MS } from './core/budget.ts';
import { AwsUnavailableError, ConfigError, ExitCode, StopRequested, UserFacingError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { createAgents } from './net.ts';
import { preflight } from './preflight.ts';
import { abortable, DeadlineError } from './retry.ts';
import { Secrets } from './secrets.ts';
import { SlackApi } from './slack/api.ts';
import { SlackNotifier } from './slack/client.ts';
import { ChannelMemory } from './slack/memory.ts';
import { formatDuration } from './slack/text.ts';
import { askUrl, URL_ASK_TIMEOUT_MS } from './verify-url.ts';
import { VERSION } from './version.ts';
import { watchRollout } from './watch.ts';
import { type ChangeSources, changesOf } from './what-changed.ts';

/** After WAIT_TIMEOUT, the last poll may still finish within this; then every AWS call is abandoned. */
export const DEADLINE_GRACE_MS = 5000;
/**
 * After a stop of the step, the time left to say so in Slack. Bitbucket kills the step soon after
 * its SIGTERM, and a stop should feel immediate: the whole exit takes under 2 s.
 */
export const STOP_REPORT_BUDGET_MS = 1500;
/**
 * CHECK_ONLY answers within this, whatever WAIT_TIMEOUT says: a check against an endpoint that does
 * not answer reports it as such instead of retrying for the half hour a watch may take.
 */
export const CHECK_ONLY_BUDGET_MS = 30_000;
/** The jitter seeds a run draws from (core/schedule.ts mixes them as 32-bit integers). */
const JITTER_SEEDS = 2 ** 32 - 1;

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Raw values too: a secret that fails validation must not be echoed either.
  const secrets = new Secrets([...SECRET_VARIABLES.flatMap((name) => [env[name], env[name]?.trim()]), ...urlPasswords(env)]);
  let log = createLogger({ debug: false, secrets });
  try {
    const config = loadConfig(env);
    log = createLogger({ debug: config.debug, secrets });
    log.info(`ecs-deploy-notifier ${VERSION}`);
    for (const warning of config.warnings) log.warn(warning);
    const stop = stopSignal();
    const deadline = Date.now() + config.waitTimeoutMs;
    const hardStop = AbortSignal.any([stop, abortAt(deadline + DEADLINE_GRACE_MS, 'AWS did not answer before WAIT_TIMEOUT')]);
    const agents = createAgents(config.proxy);
    // The clients add the credentials STS hands out to the secrets to mask.
    const clients = createAwsClients(config.aws, { secrets, agents, log });
    const context = {
      cluster: config.cluster,
      region: config.aws.region,
      oidcRoleArn: config.aws.credentials.kind === 'oidc' ? config.aws.credentials.roleArn : undefined,
      credentials: config.aws.credentials.kind,
      endpoint: ecsEndpointOf(env, config.aws.region),
    };
    // What throttling held up since the watch last asked: said in the message, never judged.
    const throttled = new Map<string, number>();
    const ask = createAsk({
      deadline,
      pollIntervalMs: config.pollIntervalMs,
      log,
      stop,
      hardStop,
      onThrottled: (operation) => throttled.set(operation, (throttled.get(operation) ?? 0) + 1),
    });
    if (config.checkOnly) {
      // Bounded: every check, retries included, ends within CHECK_ONLY_BUDGET_MS.
      const checkDeadline = Date.now() + CHECK_ONLY_BUDGET_MS;
      const unanswered = `no answer within the setup check's ${formatDuration(CHECK_ONLY_BUDGET_MS)}`;
      const checkStop = AbortSignal.any([stop, abortAt(checkDeadline, unanswered)]);
      const checkAsk = createAsk({
        deadline: checkDeadline,
        pollIntervalMs: config.pollIntervalMs,
        log,
        stop: checkStop,
        hardStop: AbortSignal.any([hardStop, abortAt(checkDeadline + DEADLINE_GRACE_MS, unanswered)]),
        onThrottled: () => {},
      });
      const slackApi = new SlackApi(config.slack, log, { agents, signal: checkStop });
      return await preflight({
        config,
        clients,
        ask: checkAsk,
        // Within the check's bound, a call that never got an answer names where it was sent.
        explain: (error, operation) =>
          error instanceof DeadlineError
            ? `${unanswered} from ${ecsEndpointOf(env, config.aws.region)}: ${describeAwsError(error.last)}`
            : awsFailure(error, operation, config.waitTimeoutMs, stop, context).message,
        slack: (method, fn, options, how) => slackApi.call(method, fn, options, how),
        log,
        now: Date.now,
      });
    }
    // An optional call gets one attempt: it must never hold up a poll (batch.ts's CallOptions).
    const run: Counter = (operation, call, options) =>
      (options?.optional ? abortable(call(hardStop), hardStop) : ask(operation, call)).catch((error: unknown) => {
        throw awsFailure(error, operation, config.waitTimeoutMs, stop, context);
      });
    // Who deployed, by name, read once before the first message (bounded; unknown leaves it out).
    const deployedBy = config.deploy.by ? await displayNameOf(new BitbucketApi(config.bitbucketProxy), config.deploy.by, log) : undefined;
    const reader = new RolloutReader(clients, config.cluster, run, log);
    const metrics = config.verify.mode === 'off' ? undefined : new MetricsReader(clients, (arns) => reader.groupSettings(arns), run);
    const evidence = new FailureEvidenceReader(clients, config.aws.region, config.logLines);
    const insights = config.codeInsights && new CodeInsights(config.codeInsights, log);
    const notifier = new SlackNotifier(config.slack, log, { secrets, signal: stop, agents });
    const bitbucket = new BitbucketApi(config.bitbucketProxy);
    const repository = config.repository;
    const memory = new ChannelMemory(notifier, config.environment);
    const revisions = new ImageRevisions(clients, run, (url) => downloadOf(url, agents), log);
    // What each deploy changes: the previous task definition's image tag, the channel's bookmark, the commits between.
    const sources: ChangeSources = {
      imagesOf: (td) => reader.imagesOf(td),
      revisionOf: (image) => revisions.of(image),
      ...(repository
        ? { commits: (include, exclude) => commitsBetween(bitbucket, repository.fullName, include, exclude, log), repositoryUrl: repository.url }
        : {}),
      liveInChannel: (service) => memory.liveOf(service),
    };
    const result = await watchRollout({
      config,
      read: (services, readOptions) => reader.read(services, readOptions),
      ...(metrics ? { measure: (query) => metrics.read(query) } : {}),
      ...(config.verifyUrl ? { askUrl: askUrlOf(config.verifyUrl.url, agents) } : {}),
      delayedBy: () => takeThrottled(throttled),
      evidence: (view) => evidence.read(view, Date.now(), AbortSignal.any([stop, AbortSignal.timeout(EVIDENCE_READ_BUDGET_MS)])),
      notifier,
      changes: (line) => changesOf(line, config.commit, sources, log),
      hintsSaid: () => memory.hintsSaid(config.services),
      ...(deployedBy ? { deployedBy } : {}),
      log,
      now: Date.now,
      sleep: (ms) => sleep(ms, undefined, { signal: stop }),
      signal: stop,
      stopBudget: () => AbortSignal.timeout(STOP_REPORT_BUDGET_MS),
      // Every run its own: pipes started together do not poll in step.
      jitterSeed: randomInt(JITTER_SEEDS),
      ...(insights ? { insights: (report: Report) => insights.send(report) } : {}),
      ...(config.approvers.length ? { continueDeployment: (request) => continueServiceDeployment(clients, run, request) } : {}),
    });
    log.debug(`AWS calls: ${JSON.stringify(Object.fromEntries(reader.calls))}`);
    if (metrics?.calls) log.debug(`CloudWatch: ${metrics.calls} GetMetricData calls, ${metrics.metricsRequested} metrics requested`);
    logMemory(log);
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
    log.error(`✖ Unexpected error, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.Unexpected;
  }
}

/**
 * Aborted at the first SIGTERM or SIGINT (Bitbucket sends SIGTERM when a step is stopped or hits
 * max-time). The handlers stay: a second signal must not kill the program before it has said so.
 */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (!controller.signal.aborted) controller.abort(new StopRequested(sig));
    });
  }
  return controller.signal;
}

/** Aborted at `epochMs`, with a DeadlineError; the timer does not keep the program alive. */
function abortAt(epochMs: number, why: string): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DeadlineError(new Error(why), 0)), Math.max(0, epochMs - Date.now())).unref();
  return controller.signal;
}

/**
 * Where the SDK sends ECS calls, to name in an error: the endpoint the variables set
 * (AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL), else the region's; never a user or password in it.
 */
function ecsEndpointOf(env: NodeJS.ProcessEnv, region: string): string {
  const endpoint = env.AWS_ENDPOINT_URL_ECS ?? env.AWS_ENDPOINT_URL;
  if (!endpoint) return `https://ecs.${region}.amazonaws.com`;
  if (!URL.canParse(endpoint)) return 'the endpoint AWS_ENDPOINT_URL names';
  const url = new URL(endpoint);
  url.username = '';
  url.password = '';
  return url.origin === 'null' ? url.href : `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}

/** What the watch is told when an AWS call failed for good. */
function awsFailure(error: unknown, operation: string, waitTimeoutMs: number, stop: AbortSignal, context: Parameters<typeof explainAwsError>[1]): Error {
  if (stop.aborted) return error instanceof Error ? error : new Error(String(error));
  if (error instanceof DeadlineError) {
    const last = error.last;
    const what = isThrottling(last) ? 'AWS kept throttling' : 'AWS kept failing';
    return new AwsUnavailableError(`${what} ${operation} until WAIT_TIMEOUT (${formatDuration(waitTimeoutMs)}): ${describeAwsError(last)}`, { cause: error });
  }
  return explainAwsError(error, { ...context, operation });
}

function logMemory(log: Logger): void {
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  log.debug(
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB; now ${JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)])))}`,
  );
}

/** VERIFY_URL asked through the pipe's agents. */
function askUrlOf(url: string, agents: ReturnType<typeof createAgents>) {
  return () => askUrl(url, agents, Date.now);
}

/** The status of an answer with a body. */
const HTTP_OK = 200;
/** An image config is a few KiB; one larger than this is not read (its label is then unknown). */
const IMAGE_CONFIG_BYTES = 1024 * 1024;
/** A pre-signed ECR blob URL, GET through the pipe's agents (a proxy applies): its body when it answers 200. */
async function downloadOf(url: string, agents: ReturnType<typeof createAgents>): Promise<string | undefined> {
  const answer = await askUrl(url, agents, Date.now, URL_ASK_TIMEOUT_MS, IMAGE_CONFIG_BYTES);
  return answer.status === HTTP_OK ? answer.body : undefined;
}

/** "ecs:DescribeServices retried 3 times, …" from the throttled calls counted since the last time; clears them. */
function takeThrottled(throttled: Map<string, number>): string | undefined {
  if (!throttled.size) return undefined;
  const text = [...throttled].map(([operation, n]) => `${operation} retried ${n} time${n === 1 ? '' : 's'}`).join(', ');
  throttled.clear();
  return text;
}
