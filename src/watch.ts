// The watch loop: poll, decide, tell. All decisions are rollout.ts's; this file only sequences the
// reads, the log lines and the Slack calls, and turns the verdict into an exit code.
import type { Config } from './config.ts';
import { AwsError, AwsUnavailableError, ExitCode, SlackError, UserFacingError } from './errors.ts';
import type { Logger } from './logger.ts';
import {
  assessService,
  decideRollout,
  isFinal,
  newWatch,
  PHASE_LABELS,
  PHASES,
  type Phase,
  type Progress,
  type RolloutVerdict,
  type ServiceWatch,
} from './rollout.ts';
import type { Notifier, SendOptions } from './slack/client.ts';
import { formatDuration, headline, type MessageView, PLAIN_FORMAT, renderDetails, renderMessage, renderStopped, serviceStatusText } from './slack/render.ts';
import type { ServiceSnapshot } from './snapshot.ts';
import { shortName } from './task-definition.ts';

export interface WatchDeps {
  config: Config;
  read: (services: string[], options?: { force?: boolean }) => Promise<Map<string, ServiceSnapshot>>;
  notifier: Notifier;
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

interface State {
  watches: ServiceWatch[];
  progress: Map<string, Progress>;
  causes: Map<string, string[]>;
  verdict: RolloutVerdict;
}

export async function watchRollout(deps: WatchDeps): Promise<WatchResult> {
  const { config, log, now } = deps;
  const startedAt = now();
  const deadline = startedAt + config.waitTimeoutMs;
  const clock = () => ({ now: now(), startedAt, graceMs: config.deploymentGraceMs });
  const state: State = {
    watches: config.services.map((s, i) => newWatch(s, config.taskDefinitions?.[i])),
    progress: new Map(),
    causes: new Map(),
    verdict: { status: 'rolling_out', phase: 'waiting', done: false },
  };

  const ref = `${config.ref.type} ${config.ref.name}${config.commit ? ` @ ${config.commit.slice(0, 7)}` : ''}`;
  log.info(
    `Watching ${config.services.join(', ')} in cluster ${config.cluster} (${config.aws.region}) for ${config.environment}: ${ref}; ` +
      `polling every ${config.pollIntervalMs / 1000} s for up to ${formatDuration(config.waitTimeoutMs)}; Slack channel ${config.slack.channel}`,
  );

  const apply = (snapshots: Map<string, ServiceSnapshot>) => {
    state.watches = state.watches.map((w) => {
      const snap = snapshots.get(w.service);
      if (!snap) return w;
      const a = assessService(w, snap, clock());
      state.progress.set(w.service, a.progress);
      if (a.causes.length || !isFinal(a.watch.status)) state.causes.set(w.service, a.causes);
      return a.watch;
    });
    state.verdict = decideRollout(state.watches, now(), deadline);
  };
  const view = (): MessageView => viewOf(config, state, startedAt, now());
  const cancelled = () => deps.signal?.aborted === true;

  let posted = false;
  /** Why AWS could not be read to the end (it kept throttling or failing until WAIT_TIMEOUT). */
  let unavailable: string | undefined;
  try {
    // First poll: it proves the cluster, services and permissions before anything is posted.
    const first = await deps.read(config.services);
    for (const snap of first.values()) assertSupported(snap);
    apply(first);
    await deps.notifier.post(renderMessage(view()));
    posted = true;
    let announced = announcement(state);
    logPhases(log, state, undefined, startedAt, now());

    let confirmed = false;
    while (!state.verdict.done) {
      await deps.sleep(Math.max(0, Math.min(nextPollIn(config.pollIntervalMs, state.verdict.phase), deadline - now())));
      const active = state.watches.filter((w) => !isFinal(w.status)).map((w) => w.service);
      const before = state.watches;
      apply(await deps.read(active));
      if (state.verdict.status === 'live' && !confirmed) {
        // Before saying "live", confirm on a fresh task list rather than on cached task data.
        apply(await deps.read(active, { force: true }));
        confirmed = state.verdict.status === 'live';
      }
      logPhases(log, state, before, startedAt, now());
      log.debug(progressLine(state));
      const next = announcement(state);
      if (next !== announced && !state.verdict.done) {
        announced = next;
        try {
          await deps.notifier.update(renderMessage(view()));
        } catch (error) {
          // An intermediate update that does not arrive is not fatal, unless no later one can.
          if (cancelled() || (error instanceof SlackError && error.fatal) || !(error instanceof SlackError)) throw error;
          log.warn(`Slack update failed, will try again at the next change: ${error.message}`);
          announced = '';
        }
      }
    }
  } catch (error) {
    if (cancelled()) {
      const reason = 'the pipeline step was stopped before the rollout finished';
      await reportStop(deps, view, posted, reason);
      throw new UserFacingError(`Stopped watching: ${reason}.`, ExitCode.Cancelled);
    }
    if (error instanceof AwsUnavailableError) {
      // Time ran out while AWS would not answer: judge what was seen, as at the deadline.
      unavailable = error.message;
      state.verdict = decideRollout(state.watches, deadline, deadline);
    } else if (error instanceof AwsError && posted) {
      // The watch cannot go on: say so in the message, so that it does not read "rolling out" forever.
      await reportStop(deps, view, posted, error.message);
      throw error;
    } else {
      throw error;
    }
  }

  const final = view();
  if (posted) await deps.notifier.update(renderMessage(final));
  else await deps.notifier.post(renderMessage(final));
  const causes = [...new Set([...(unavailable ? [unavailable] : []), ...[...state.causes.values()].flat()])];
  if (state.verdict.status === 'failed' || state.verdict.status === 'timed_out') {
    await deps.notifier.reply(renderDetails(final, causes, config.slack.mentionOnFailure));
  }
  return finish(log, state, final, causes);
}

/**
 * Says in Slack that the watch stopped before an outcome, so the message never reads "rolling out"
 * forever. After a stop of the step, within the stop budget; a message that cannot be updated in
 * time is reported in the log, and the run still ends as stopped (exit 130).
 */
async function reportStop(deps: WatchDeps, view: () => MessageView, posted: boolean, reason: string): Promise<void> {
  const stopped = deps.signal?.aborted === true;
  const options: SendOptions = stopped && deps.stopBudget ? { signal: deps.stopBudget() } : {};
  const v = { ...view(), stopped: reason };
  try {
    if (posted) await deps.notifier.update(renderMessage(v), options);
    else await deps.notifier.post(renderMessage(v), options);
    await deps.notifier.reply(renderStopped(v), options);
  } catch (error) {
    if (!stopped) throw error;
    deps.log.warn(`Could not say in Slack that the watch stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The poll rate follows the phase. While traffic is being cut over, the moment users care about is
 * seconds away and the phase is short (ECS stops old tasks right after the new ones are healthy):
 * poll four times as often. Once live, only the old version's retirement is left, which takes the
 * deregistration delay (300 s by default): poll half as often, sparing the account's API limits.
 */
export function nextPollIn(pollIntervalMs: number, phase: Phase): number {
  if (phase === 'cutting_over') return Math.max(250, Math.round(pollIntervalMs / 4));
  if (phase === 'live') return pollIntervalMs * 2;
  return pollIntervalMs;
}

function assertSupported(snap: ServiceSnapshot): void {
  const strategy = snap.deploymentStrategy ?? 'ROLLING';
  if (snap.deploymentController !== 'ECS' || strategy !== 'ROLLING') {
    const how = snap.deploymentController !== 'ECS' ? `the ${snap.deploymentController} deployment controller` : `the ${strategy} deployment strategy`;
    throw new UserFacingError(
      `Service ${snap.name} deploys with ${how}; only rolling updates (deployment controller ECS, strategy ROLLING) are supported yet, so this rollout is not judged.`,
      ExitCode.AwsProblem,
    );
  }
}

/** What the Slack message shows changes only when this changes: phases, not every count. */
function announcement(state: State): string {
  return JSON.stringify([state.verdict.status, state.verdict.phase, state.watches.map((w) => [w.status, w.taskDefinitionArn])]);
}

function logPhases(log: Logger, state: State, before: ServiceWatch[] | undefined, startedAt: number, now: number): void {
  state.watches.forEach((w, i) => {
    const prev = before?.[i];
    if (prev && prev.status === w.status) return;
    const line = serviceStatusText(lineOf(w, state.progress.get(w.service)), PLAIN_FORMAT);
    log.info(`+${formatDuration(now - startedAt)} ${line}`);
  });
}

function progressLine(state: State): string {
  return state.watches
    .map((w) => `${w.service}=${w.status} ${JSON.stringify(state.progress.get(w.service) ?? {})}`)
    .join(' ');
}

function lineOf(w: ServiceWatch, progress?: Progress) {
  return {
    service: w.service,
    status: w.status,
    taskDefinition: w.taskDefinitionArn
      ? shortName(w.taskDefinitionArn)
      : w.requested
        ? `${w.requested.family}:${w.requested.revision}`
        : undefined,
    progress,
    reason: w.reason,
    supersededBy: w.supersededBy,
  };
}

/** When every service still ours reached each phase. */
function milestones(watches: ServiceWatch[]): Partial<Record<Phase, number>> {
  const ours = watches.filter((w) => w.status !== 'superseded' && w.status !== 'failed');
  const out: Partial<Record<Phase, number>> = {};
  if (!ours.length) return out;
  for (const p of PHASES) {
    const times = ours.map((w) => w.reachedAt[p]);
    if (times.every((t) => t !== undefined)) out[p] = Math.max(...(times as number[]));
  }
  return out;
}

function viewOf(config: Config, state: State, startedAt: number, now: number): MessageView {
  return {
    status: state.verdict.status,
    phase: state.verdict.phase,
    environment: config.environment,
    cluster: config.cluster,
    region: config.aws.region,
    services: state.watches.map((w) => lineOf(w, state.progress.get(w.service))),
    ref: config.ref,
    commit: config.commit,
    repositoryUrl: config.repository?.url,
    buildUrl: config.buildUrl,
    startedAt,
    now,
    milestones: milestones(state.watches),
    waitTimeoutMs: config.waitTimeoutMs,
  };
}

function finish(log: Logger, state: State, v: MessageView, causes: string[]): WatchResult {
  const after = formatDuration(v.now - v.startedAt);
  const status = state.verdict.status;
  if (status === 'live' || status === 'superseded' || status === 'no_tasks') {
    const note = status === 'live' && v.phase !== 'retired' ? ' (old version still draining when WAIT_TIMEOUT ran out)' : '';
    log.info(`✔ ${headline(v)} after ${after}${note}`);
    return { status, exitCode: ExitCode.Ok };
  }
  log.info(`✖ ${headline(v)} (after ${after})`);
  for (const s of v.services) if (s.status !== 'retired') log.info(`  ${serviceStatusText(s, PLAIN_FORMAT)}`);
  for (const c of causes) log.info(`  cause: ${c}`);
  if (PHASE_LABELS[v.phase] && status === 'timed_out') log.info(`  furthest phase reached by all services: ${PHASE_LABELS[v.phase]}`);
  return { status, exitCode: ExitCode.RolloutFailed };
}
