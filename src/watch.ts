// The watch loop: read → step → send → sleep. Every decision is the reducer's (step.ts) and its
// judges'; this file only sequences the reads, the log lines and the Slack calls, and turns the
// outcome into an exit code.
import type { Config } from './config.ts';
import { AwsError, AwsUnavailableError, ExitCode, SlackError, UserFacingError } from './errors.ts';
import { judgeFor } from './judge.ts';
import type { Logger } from './logger.ts';
import { PHASE_LABELS, type Phase, type RolloutVerdict } from './rollout.ts';
import type { Notifier, SendOptions } from './slack/client.ts';
import type { LogExcerpt } from './aws/logs.ts';
import { excerptTitle, formatDuration, headline, type MessageView, notFollowed, PLAIN_FORMAT, renderDetails, renderMessage, renderStopped, serviceStatusText } from './slack/render.ts';
import type { ServiceSnapshot } from './snapshot.ts';
import { expire, type RolloutView, type RunState, type ServiceLine, shiftShown, start, step, viewOf } from './step.ts';

export interface WatchDeps {
  config: Config;
  /** `settled`: services whose "live" no longer needs their traffic and targets read. */
  read: (services: string[], options?: { force?: boolean; settled?: readonly string[] }) => Promise<Map<string, ServiceSnapshot>>;
  notifier: Notifier;
  /** The last lines of failed containers (LOG_LINES > 0): read when the watch ends failed or timed out; never throws. */
  containerLogs?: (tasks: RolloutView['stoppedTasks']) => Promise<LogExcerpt[]>;
  log: Logger;
  now: () => number;
  /** Rejects when `signal` aborts. */
  sleep: (ms: number) => Promise<void>;
  /** Aborted when the pipeline step is stopped (SIGTERM): the message then says the watch ended. */
  signal?: AbortSignal;
  /**
   * After a stop, the time left to say so in Slack (the stop signal has already fired, so those
   * calls need a signal of their own). Default: no bound but Slack's.
   */
  stopBudget?: () => AbortSignal;
}

export interface WatchResult {
  status: RolloutVerdict['status'];
  exitCode: ExitCode;
}

/** While traffic is cut over, poll this many times as often: "live" is seconds away. */
const CUTOVER_POLL_DIVISOR = 4;
/** The fastest poll, whatever POLL_INTERVAL says. */
const MIN_POLL_MS = 250;
/** Once live, only the old version's retirement is left: poll this many times less often. */
const LIVE_POLL_FACTOR = 2;

export async function watchRollout(deps: WatchDeps): Promise<WatchResult> {
  const { config, log, now } = deps;
  const startedAt = now();
  let state: RunState = start(config.services, config.taskDefinitions, {
    startedAt,
    deadline: startedAt + config.waitTimeoutMs,
    graceMs: config.deploymentGraceMs,
    crashLoopLimit: config.crashLoopLimit,
    waitUntil: config.waitUntil,
  });
  let view: RolloutView = viewOf(state);
  const message = (v: RolloutView = view, stopped?: string): MessageView => ({ ...contextOf(config, startedAt, now()), ...v, ...(stopped ? { stopped } : {}) });
  const advance = (snapshots: Map<string, ServiceSnapshot>, fresh = false) => {
    ({ state, view } = step(state, snapshots, now(), { fresh }));
  };

  const ref = `${config.ref.type} ${config.ref.name}${config.commit ? ` @ ${config.commit.slice(0, 7)}` : ''}`;
  log.info(
    `Watching ${config.services.join(', ')} in cluster ${config.cluster} (${config.aws.region}) for ${config.environment}: ${ref}; ` +
      `polling every ${config.pollIntervalMs / 1000} s for up to ${formatDuration(config.waitTimeoutMs)}; Slack channel ${config.slack.channel}`,
  );
  const cancelled = () => deps.signal?.aborted === true;

  let posted = false;
  /** Why AWS could not be read to the end (it kept throttling or failing until WAIT_TIMEOUT). */
  let unavailable: string | undefined;
  try {
    // First poll: it proves the cluster, services and permissions before anything is posted.
    const first = await deps.read(config.services);
    for (const snap of first.values()) {
      const judge = judgeFor(snap);
      if ('unsupported' in judge) throw new UserFacingError(judge.unsupported, ExitCode.AwsProblem);
    }
    advance(first);
    await deps.notifier.post(renderMessage(message()));
    posted = true;
    let announced = view.announcement;
    logLines(log, view.services, startedAt, now());

    while (!view.done) {
      await deps.sleep(Math.max(0, Math.min(nextPollIn(config.pollIntervalMs, view.phase, view.liveImminent), state.deadline - now())));
      const active = view.active;
      const shown = (s: ServiceLine) => `${s.status}|${s.warning ?? ''}|${shiftShown(s.shift)}`;
      const before = new Map(view.services.map((s) => [s.service, shown(s)]));
      advance(await deps.read(active, { settled: view.settled }));
      // Before saying "live", confirm on a fresh task list rather than on cached task data.
      if (view.confirm) advance(await deps.read(active, { force: true }), true);
      logLines(log, view.services.filter((s) => before.get(s.service) !== shown(s)), startedAt, now());
      log.debug(progressLine(view.services));
      if (view.announcement !== announced && !view.done) {
        announced = view.announcement;
        try {
          await deps.notifier.update(renderMessage(message()));
        } catch (error) {
          // An intermediate update that does not arrive is not fatal, unless no later one can.
          if (cancelled() || !(error instanceof SlackError) || error.fatal) throw error;
          log.warn(`Slack update failed, will try again at the next change: ${error.message}`);
          announced = '';
        }
      }
    }
  } catch (error) {
    if (cancelled()) {
      const reason = 'the pipeline step was stopped before the rollout finished';
      await reportStop(deps, message(view, reason), posted);
      throw new UserFacingError(`Stopped watching: ${reason}.`, ExitCode.Cancelled);
    }
    if (error instanceof AwsUnavailableError) {
      // Time ran out while AWS would not answer: judge what was seen, as at the deadline.
      unavailable = error.message;
      ({ state, view } = expire(state));
    } else if (error instanceof AwsError && posted) {
      // The watch cannot go on: say so in the message, so that it does not read "rolling out" forever.
      await reportStop(deps, message(view, error.message), posted);
      throw error;
    } else {
      throw error;
    }
  }

  const final = message();
  if (posted) await deps.notifier.update(renderMessage(final));
  else await deps.notifier.post(renderMessage(final));
  const causes = [...new Set([...(unavailable ? [unavailable] : []), ...view.causes])];
  let excerpts: LogExcerpt[] = [];
  if (view.status === 'failed' || view.status === 'timed_out') {
    excerpts = deps.containerLogs && view.stoppedTasks.length ? await deps.containerLogs(view.stoppedTasks) : [];
    await deps.notifier.reply(renderDetails(final, causes, config.slack.mentionOnFailure, excerpts));
  }
  return finish(log, final, causes, excerpts);
}

/**
 * Says in Slack that the watch stopped before an outcome, so the message never reads "rolling out"
 * forever. After a stop of the step, within the stop budget; a message that cannot be updated in
 * time is reported in the log, and the run still ends as stopped (exit 130).
 */
async function reportStop(deps: WatchDeps, v: MessageView, posted: boolean): Promise<void> {
  const stopped = deps.signal?.aborted === true;
  const options: SendOptions = stopped && deps.stopBudget ? { signal: deps.stopBudget() } : {};
  try {
    if (posted) await deps.notifier.update(renderMessage(v), options);
    else await deps.notifier.post(renderMessage(v), options);
    await deps.notifier.reply(renderStopped(v), options);
  } catch (error) {
    if (!stopped) throw error;
    deps.log.warn(`Could not say in Slack that the watch stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
  deps.log.info(`✖ ${headline(v)}: ${v.stopped}`);
}

/**
 * The poll rate follows the phase. While traffic is being cut over, the moment users care about is
 * seconds away and the phase is short (ECS stops old tasks right after the new ones are healthy):
 * poll four times as often. Not while a linear or canary shift has steps left before the last, nor
 * while a hook waits for approval: those take minutes. Once live, only the old version's retirement is left, which takes the
 * deregistration delay (300 s by default): poll half as often, sparing the account's API limits.
 */
export function nextPollIn(pollIntervalMs: number, phase: Phase, liveImminent = phase === 'cutting_over'): number {
  if (phase === 'cutting_over' && liveImminent) return Math.max(MIN_POLL_MS, Math.round(pollIntervalMs / CUTOVER_POLL_DIVISOR));
  if (phase === 'live') return pollIntervalMs * LIVE_POLL_FACTOR;
  return pollIntervalMs;
}

/** The message's facts that come from the configuration, not from AWS. */
function contextOf(config: Config, startedAt: number, now: number) {
  return {
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
  };
}

function logLines(log: Logger, lines: ServiceLine[], startedAt: number, now: number): void {
  for (const line of lines) log.info(`+${formatDuration(now - startedAt)} ${serviceStatusText(line, PLAIN_FORMAT)}`);
}

function progressLine(services: ServiceLine[]): string {
  return services.map((s) => `${s.service}=${s.status} ${JSON.stringify(s.progress ?? {})}`).join(' ');
}

function finish(log: Logger, v: MessageView, causes: string[], excerpts: LogExcerpt[] = []): WatchResult {
  const after = formatDuration(v.now - v.startedAt);
  const status = v.status;
  if (status === 'live' || status === 'superseded' || status === 'no_tasks') {
    const note =
      status === 'live' && v.phase !== 'retired'
        ? v.endedAtLive
          ? ` (WAIT_UNTIL=live: ${notFollowed(v.services)})`
          : ' (old version still draining when WAIT_TIMEOUT ran out)'
        : '';
    log.info(`✔ ${headline(v)} after ${after}${note}`);
    return { status, exitCode: ExitCode.Ok };
  }
  log.info(`✖ ${headline(v)} (after ${after})`);
  for (const s of v.services) if (s.status !== 'retired') log.info(`  ${serviceStatusText(s, PLAIN_FORMAT)}`);
  for (const c of causes) log.info(`  cause: ${c}`);
  for (const e of excerpts) {
    log.info(`  ${excerptTitle(e, PLAIN_FORMAT, v)}${e.hint ? `: ${e.hint}` : ''}`);
    for (const line of e.lines ?? []) log.info(`    | ${line}`);
  }
  if (PHASE_LABELS[v.phase] && status === 'timed_out') log.info(`  furthest phase reached by all services: ${PHASE_LABELS[v.phase]}`);
  return { status, exitCode: ExitCode.RolloutFailed };
}
