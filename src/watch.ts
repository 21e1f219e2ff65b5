// The watch loop: read → step → send → sleep. Every decision is the reducer's (core/step.ts),
// when to poll next included; this file only sequences the reads, the log lines and the Slack
// calls, and turns the outcome into an exit code.

import { approvalsFor } from './approvals.ts';
import { type Report, reportOf } from './bitbucket/insights.ts';
import type { Config } from './config/settings.ts';
import { SLACK_OUTCOME_BUDGET_MS, SLACK_PRESSURE_MS, SLACK_PROGRESS_BUDGET_MS } from './core/budget.ts';
import type { Changes } from './core/changes.ts';
import { waitAfterRead } from './core/schedule.ts';
import type { ReadOptions, ServiceSnapshot } from './core/snapshot.ts';
import { asked, expire, measured, type RunState, start, step, viewOf } from './core/step.ts';
import type { UrlAnswer } from './core/url-check.ts';
import type { MetricsQuery, MetricsRead } from './core/verification.ts';
import { type FailureEvidence, type MessageView, NO_FAILURE_EVIDENCE, type RolloutView, type ServiceLine } from './core/view.ts';
import { endsWell, type RolloutStatus } from './core/vocabulary.ts';
import { AwsUnavailableError, ExitCode, SlackError, UserFacingError } from './errors.ts';
import type { Logger } from './logger.ts';
import { contextOf } from './message-context.ts';
import { bookmarksOf } from './slack/bookmark.ts';
import type { Notifier, SendOptions } from './slack/client.ts';
import { renderDetails, renderRegression, renderStopped } from './slack/details.ts';
import { headline, pipelineUrlOf, serviceStatusText } from './slack/lines.ts';
import { renderMessage } from './slack/render.ts';
import { summaryLines } from './slack/summary.ts';
import { formatDuration, PLAIN_FORMAT } from './slack/text.ts';
import { failsOnTraffic, regressedServices, urlCheckText } from './slack/traffic.ts';

export interface WatchDeps {
  config: Config;
  read: (services: string[], options?: ReadOptions) => Promise<Map<string, ServiceSnapshot>>;
  notifier: Notifier;
  /** What AWS throttling held up since the last call (e.g. "ecs:DescribeServices retried 3 times"); clears it. */
  delayedBy?: () => string | undefined;
  /**
   * What the failure thread shows beside the causes — failed containers' and Lambda hooks' last lines,
   * the alarms behind a rollback in full — read when the watch ends failed or timed out; never throws.
   */
  evidence?: (view: Pick<RolloutView, 'stoppedTasks' | 'failedHooks' | 'alarms'>) => Promise<FailureEvidence>;
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
  /** The Code Insights report on the deployed commit, when one is made: sent after Slack, never throws. */
  insights?: (report: Report) => Promise<void>;
  /** This run's seed for the poll schedule's jitter (core/schedule.ts): a random number per run; none, no jitter. */
  jitterSeed?: number;
  /** Who triggered the deploy, by name (DEPLOYED_BY, looked up once before the watch). */
  deployedBy?: string;
  /**
   * The load balancer's metrics for the traffic verification (VERIFY): one GetMetricData. A denied
   * read comes back as `refused`, any other failure as `failed` (said in the message, never a failed run).
   */
  measure?: (query: MetricsQuery) => Promise<MetricsRead>;
  /** What a service's deploy changes (the previous version, the commits between); never throws. */
  changes?: (line: ServiceLine) => Promise<Changes | undefined>;
  /** The hints where the time went the channel's last messages of these services gave (their keys); asked once, after the first post. Never throws. */
  hintsSaid?: () => Promise<ReadonlySet<string>>;
  /** Asks VERIFY_URL once (never throws: no answer is an answer). */
  askUrl?: () => Promise<UrlAnswer>;
  /** ContinueServiceDeployment on a paused hook (APPROVERS set); throws what AWS said. */
  continueDeployment?: (request: { serviceDeploymentArn: string; hookId: string; action: 'CONTINUE' | 'ROLLBACK' }) => Promise<void>;
}

/** How long a send may wait for Slack (core/budget.ts): progress briefly, the outcome as long as Slack asks. */
const PROGRESS: SendOptions = { budgetMs: SLACK_PROGRESS_BUDGET_MS };
const OUTCOME: SendOptions = { budgetMs: SLACK_OUTCOME_BUDGET_MS };

export interface WatchResult {
  status: RolloutStatus;
  exitCode: ExitCode;
}

export async function watchRollout(deps: WatchDeps): Promise<WatchResult> {
  const { config, log, now } = deps;
  const startedAt = now();
  let state: RunState = start(config.services, config.taskDefinitions, {
    startedAt,
    deadline: startedAt + config.waitTimeoutMs,
    graceMs: config.deploymentGraceMs,
    pollIntervalMs: config.pollIntervalMs,
    ...(deps.jitterSeed !== undefined ? { jitterSeed: deps.jitterSeed } : {}),
    crashLoopLimit: config.crashLoopLimit,
    waitUntil: config.waitUntil,
    ...(deps.measure ? { verify: config.verify } : {}),
    ...(deps.askUrl && config.verifyUrl ? { url: config.verifyUrl.expect } : {}),
  });
  let view: RolloutView = viewOf(state);
  /** When the last read began: the next poll is due nextPollMs after it. */
  let lastReadAt = startedAt;
  /** What throttling held up in the last read, while it matters (said in the message until a read goes through unhindered). */
  let delayedBy: string | undefined;
  /** What each service's deploy changes, as found (asked once per service, when what served before is known). */
  const changes: Record<string, Changes> = {};
  const askedChanges = new Set<string>();
  const lookForChanges = () => {
    for (const line of view.services) {
      if (!deps.changes || !line.replaces || askedChanges.has(line.service)) continue;
      askedChanges.add(line.service);
      // Not waited for: the watch goes on, and the message says it from the next update.
      void deps.changes(line).then((c) => {
        if (c) changes[line.service] = c;
      });
    }
  };
  /** The channel's memory of the hints already given, once read (a hint is said once per service). */
  let hintsSaid: ReadonlySet<string> = new Set();
  let askedHints = false;
  const recallHints = () => {
    if (askedHints || !deps.hintsSaid) return;
    askedHints = true;
    // Not waited for: read while the rollout goes on, long before where the time went is said.
    void deps.hintsSaid().then((said) => {
      hintsSaid = said;
    });
  };
  const message = (v: RolloutView = view, stopped?: string): MessageView => ({
    ...contextOf(config, startedAt, now(), deps.deployedBy),
    ...(Object.keys(changes).length ? { changes: { ...changes } } : {}),
    ...(v.timeSpent?.hintKey && hintsSaid.has(v.timeSpent.hintKey) ? { hintSaidBefore: true } : {}),
    ...v,
    // Still measuring its traffic after the outcome: the message is not final yet.
    done: v.done && !v.measuring,
    ...(stopped ? { stopped } : {}),
    ...(delayedBy && !v.done ? { delayedBy } : {}),
  });
  /**
   * One read, judged at the time it began: what ECS said is as of then, however long the rest of
   * the read took (retries under throttling included). A deployment that had not appeared yet is
   * judged against the grace period at that time, never at a later clock.
   */
  const poll = async (services: string[], options: ReadOptions = {}, fresh = false) => {
    const readAt = now();
    lastReadAt = readAt;
    const snapshots = await deps.read(services, options);
    delayedBy = deps.delayedBy?.();
    ({ state, view } = step(state, snapshots, readAt, { fresh }));
  };
  /** The load balancer's metrics, when the core asks for them (at most once a minute, and at the end of the window). */
  const measure = async () => {
    if (!view.measure || !deps.measure) return;
    const readAt = now();
    lastReadAt = readAt;
    ({ state, view } = measured(state, await deps.measure(view.measure), readAt));
  };
  /** VERIFY_URL, when the core asks (every few seconds once live, until it passes or fails). */
  const askUrl = async () => {
    if (!view.ask || !deps.askUrl) return;
    const answer = await deps.askUrl();
    ({ state, view } = asked(state, answer, answer.at));
    if (view.urlCheck?.verdict !== 'checking' && config.verifyUrl)
      log.info(`+${formatDuration(now() - startedAt)} ${urlCheckText(view, config.verifyUrl.shown)}`);
  };

  const ref = `${config.ref.type} ${config.ref.name}${config.commit ? ` @ ${config.commit.slice(0, 7)}` : ''}`;
  log.info(
    `Watching ${config.services.join(', ')} in cluster ${config.cluster} (${config.aws.region}) for ${config.environment}: ${ref}; ` +
      `polling every ${config.pollIntervalMs / 1000} s for up to ${formatDuration(config.waitTimeoutMs)}; Slack channel ${config.slack.channel}`,
  );
  const cancelled = () => deps.signal?.aborted === true;

  let posted = false;
  /** What the message in Slack shows (its announcement, and its status); undefined until it is posted. */
  let announced: string | undefined;
  let announcedStatus: RolloutStatus | undefined;
  /** Until when Slack is under pressure (it could not take the last change in time): only a change of status is sent. */
  let pressedUntil = Number.NEGATIVE_INFINITY;
  /**
   * Progress to Slack, only when what a reader sees changed, and never holding up the watch: what
   * Slack cannot take within SLACK_PROGRESS_BUDGET_MS (rate limited, slow, unreachable) is dropped,
   * and the next poll sends the state as it is then; for SLACK_PRESSURE_MS after that, only a change
   * of status is sent (phases in between wait). Slack refusing the message for good (a channel it
   * cannot post in, a bad token) ends the run at once instead.
   */
  const sendProgress = async () => {
    // The channel's memory (its bookmarks, an earlier message) is read once the message is posted,
    // when the channel's ID is sure to be known.
    if (posted) lookForChanges();
    // What changed, once found, is worth an update of its own.
    const shown = `${view.announcement}|${Object.keys(changes).length}`;
    if (shown === announced) return;
    if (posted && view.status === announcedStatus && now() < pressedUntil) return;
    const body = renderMessage(message());
    try {
      if (posted) await deps.notifier.update(body, PROGRESS);
      else await deps.notifier.post(body, PROGRESS);
      if (!posted) {
        posted = true;
        lookForChanges();
        recallHints();
      }
      announced = shown;
      announcedStatus = view.status;
    } catch (error) {
      if (cancelled() || !(error instanceof SlackError) || error.fatal || (!posted && error.refused)) throw error;
      pressedUntil = now() + SLACK_PRESSURE_MS;
      log.warn(
        `Slack did not take the ${posted ? 'update' : 'message'} now (${error.message}); the next poll sends the state as it is then, and for ${SLACK_PRESSURE_MS / 1000} s only a change of status.`,
      );
    }
  };
  /** Why AWS could not be read to the end (it kept throttling or failing until WAIT_TIMEOUT). */
  let unavailable: string | undefined;
  try {
    // First poll: it proves the cluster, services and permissions before anything is posted. It
    // lists every task (nothing is cached yet), so a "live" it shows is said at once.
    await poll(config.services, { force: true }, true);
    if (view.refused) throw new UserFacingError(view.refused, ExitCode.AwsProblem);
    // The first message does not wait for the metrics (a first read that shows "live" asks for them).
    await sendProgress();
    await measure();
    // Pending in Bitbucket too; not waited for: the watch goes on.
    void deps.insights?.(reportOf(message(), [], undefined));
    logLines(log, view.services, startedAt, now());
    const approvals = approvalsFor(deps);
    await approvals(message());

    while (!view.done || view.measuring) {
      // The core counts the wait from when the last read began (what it judged is as of then): the
      // time the read, the confirmation and Slack took is part of it, within a minimum rest.
      await deps.sleep(waitAfterRead(view.nextPollMs, now() - lastReadAt));
      // The outcome is decided and only the traffic is still measured: no more ECS reads; the core
      // says, as of now, what is due (the next metrics read, the next ask of VERIFY_URL).
      if (view.done) {
        view = viewOf(state, now(), state);
        await measure();
        await askUrl();
        if (view.measuring) await sendProgress();
        continue;
      }
      const active = view.active;
      // Around "live" the core asks for a fresh task list at once: a "live" this read shows needs no second read.
      // A forced read reads every target group afresh: nothing is quiet then.
      await poll(active, { settled: view.settled, ...(view.freshNext ? { force: true } : { quiet: view.quiet }) }, view.freshNext);
      const changed = new Set(view.changed);
      // Before saying "live", the core asks for a fresh task list rather than cached task data.
      if (view.confirm) {
        await poll(active, { force: true }, true);
        for (const s of view.changed) changed.add(s);
      }
      logLines(
        log,
        view.services.filter((s) => changed.has(s.service)),
        startedAt,
        now(),
      );
      log.debug(progressLine(view.services));
      await approvals(message());
      await measure();
      await askUrl();
      if (!view.done || view.measuring) await sendProgress();
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
    } else if (posted) {
      // The watch cannot go on (AWS refusing, Slack refusing an update, a fault of the pipe's own):
      // say so in the message, so that it does not read "rolling out" forever. The error that
      // ended the watch is what the run exits with, whether or not Slack took the word.
      const why =
        error instanceof UserFacingError ? error.message : `the pipe stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      try {
        await reportStop(deps, message(view, why), posted);
      } catch (again) {
        log.warn(`Could not say in Slack that the watch stopped: ${again instanceof Error ? again.message : String(again)}`);
      }
      throw error;
    } else {
      throw error;
    }
  }

  // The outcome is never dropped: it waits as long as Slack's Retry-After asks, within SLACK_OUTCOME_BUDGET_MS.
  const final = message();
  if (posted) await deps.notifier.update(renderMessage(final), OUTCOME);
  else await deps.notifier.post(renderMessage(final), OUTCOME);
  const causes = [...new Set([...(unavailable ? [unavailable] : []), ...view.causes])];
  let evidence = NO_FAILURE_EVIDENCE;
  if (view.status === 'failed' || view.status === 'timed_out') {
    evidence = deps.evidence ? await deps.evidence(view) : NO_FAILURE_EVIDENCE;
    await deps.notifier.reply(renderDetails(final, causes, config.slack.mentionOnFailure, evidence), OUTCOME);
  } else if (regressedServices(final).length) {
    // A regression gets its numbers side by side in the thread, as a failure gets its causes.
    await deps.notifier.reply(renderRegression(final, failsOnTraffic(final) ? config.slack.mentionOnFailure : []), OUTCOME);
  }
  const permalink = await deps.notifier.permalink?.();
  // What is live now, in the channel's header (optional: needs the bookmark scopes; never fails the run).
  await deps.notifier.bookmark?.((existing) => bookmarksOf(final, existing, permalink ?? pipelineUrlOf(final), now()));
  await deps.insights?.(reportOf(final, causes, permalink));
  return finish(log, final, causes, evidence);
}

/**
 * Says in Slack that the watch stopped before an outcome, so the message never reads "rolling out"
 * forever. After a stop of the step, within the stop budget; a message that cannot be updated in
 * time is reported in the log, and the run still ends as stopped (exit 130).
 */
async function reportStop(deps: WatchDeps, v: MessageView, posted: boolean): Promise<void> {
  const stopped = deps.signal?.aborted === true;
  // After a stop: within the stop budget, and a first post cut short is looked for at once.
  const options: SendOptions = stopped && deps.stopBudget ? { signal: deps.stopBudget(), urgent: true } : {};
  try {
    if (posted) await deps.notifier.update(renderMessage(v), options);
    else await deps.notifier.post(renderMessage(v), options);
    await deps.notifier.reply(renderStopped(v), options);
  } catch (error) {
    if (!stopped) throw error;
    deps.log.warn(`Could not say in Slack that the watch stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
  deps.log.info(`✖ ${headline(v)}: ${v.stopped}`);
  if (!stopped) await deps.insights?.(reportOf(v, [], await deps.notifier.permalink?.()));
}

function logLines(log: Logger, lines: ServiceLine[], startedAt: number, now: number): void {
  for (const line of lines) log.info(`+${formatDuration(now - startedAt)} ${serviceStatusText(line, PLAIN_FORMAT)}`);
}

function progressLine(services: ServiceLine[]): string {
  return services.map((s) => `${s.service}=${s.status} ${JSON.stringify(s.progress ?? {})}`).join(' ');
}

function finish(log: Logger, v: MessageView, causes: string[], evidence: FailureEvidence = NO_FAILURE_EVIDENCE): WatchResult {
  for (const line of summaryLines(v, causes, evidence)) log.info(line);
  // Live but regressed (VERIFY=fail) is a failed run: exit 1, as the Code Insights report says.
  return { status: v.status, exitCode: endsWell(v.status) && !failsOnTraffic(v) ? ExitCode.Ok : ExitCode.RolloutFailed };
}
