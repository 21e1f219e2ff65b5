// One service's line in words, for the message and the log alike: its phase, progress, traffic
// shift, hook, estimate and warning. Pure.

import { changesText, isRollback } from '../core/changes.ts';
import type { MessageView, ServiceLine } from '../core/view.ts';
import type { Eta, Phase, Progress, RollingBake, ShiftView } from '../core/vocabulary.ts';
import { dayText } from './changes.ts';
import { formatDuration, PLAIN_FORMAT, SLACK_FORMAT, type TextFormat } from './text.ts';

/** Each phase in words, as the message and the log say it. */
export const PHASE_LABELS: Record<Phase, string> = {
  waiting: 'waiting for the deployment to appear',
  starting: 'new tasks starting',
  registering: 'waiting for healthy targets',
  cutting_over: 'cutting traffic over',
  live: 'live, old version draining',
  retired: 'live, old version retired',
};

export function progressText(p: Progress): string {
  const parts = [`${p.ready}/${p.desired} new tasks ready`];
  if (p.targetGroups) parts.push(`${Math.min(p.healthyTargets, p.desired)}/${p.desired} healthy targets`);
  if (p.oldTasks) parts.push(`${p.oldTasks} old task${p.oldTasks > 1 ? 's' : ''} running`);
  if (p.oldTargets) parts.push(`${p.oldTargets} old target${p.oldTargets > 1 ? 's' : ''} serving`);
  if (p.draining) parts.push(`${p.draining} draining`);
  return parts.join(' · ');
}

const STRATEGY_NAMES: Record<string, string> = { BLUE_GREEN: 'blue/green', LINEAR: 'linear', CANARY: 'canary' };

/** `production traffic 50% (steps 25% → 50% → 75% → 100%)`; blue/green moves in one step. */
function trafficText(shift: ShiftView): string {
  const share = shift.production === undefined ? '' : ` ${Math.round(shift.production)}%`;
  const steps = shift.steps.length > 1 ? ` (${STRATEGY_NAMES[shift.strategy] ?? shift.strategy} steps ${shift.steps.map((p) => `${p}%`).join(' → ')})` : '';
  return `production traffic${share}${steps}`;
}

function hookText(hook: NonNullable<ShiftView['hook']>, shift: ShiftView, f: TextFormat): string {
  const expires = hook.expiresAt !== undefined ? `, expires ${f.time(hook.expiresAt)}` : '';
  if (shift.controller === 'CODE_DEPLOY') {
    // CodeDeploy's hooks are its lifecycle events; Ready with STOP_DEPLOYMENT waits for someone to reroute.
    if (hook.status === 'AWAITING_ACTION') return `waiting for approval: reroute traffic in CodeDeploy${expires}`;
    return `${f.text(hook.id)} hook running`;
  }
  const at = shift.stage ? ` at ${shift.stage}` : '';
  if (hook.status === 'AWAITING_ACTION') return `waiting for approval: pause hook ${f.text(hook.id)}${at}${expires}`;
  return `${hook.targetType === 'PAUSE' ? 'pause' : 'Lambda'} hook ${f.text(hook.id)} running${at}${expires}`;
}

/** What a traffic-shifting deployment is doing, by ECS's lifecycle stage and what we confirmed. */
function shiftText(s: ServiceLine, shift: ShiftView, f: TextFormat): string {
  const where = shift.consoleUrl && shift.deploymentId ? ` · ${f.link(shift.consoleUrl, `CodeDeploy ${shift.deploymentId}`)}` : '';
  return `${shiftStage(s, shift, f)}${where}`;
}

function shiftStage(s: ServiceLine, shift: ShiftView, f: TextFormat): string {
  const tasks = `${shift.running}/${shift.requested} new tasks running${shift.healthy !== undefined ? ` · ${Math.min(shift.healthy, shift.requested)}/${shift.requested} healthy targets` : ''}`;
  const hook = shift.hook ? ` — ${hookText(shift.hook, shift, f)}` : '';
  switch (s.status) {
    case 'starting':
      return `new version starting — ${tasks}${hook}`;
    case 'registering':
      return `${shift.test ? `test traffic ${Math.round(shift.test)}% on the new version` : 'new version started, production still on the old one'} — ${tasks}${hook}`;
    case 'cutting_over':
      return `shifting production traffic — ${trafficText(shift)} · ${tasks}${hook}`;
    case 'live':
      if (shift.bakeUntil !== undefined) return `live, baking until ${f.time(shift.bakeUntil)} (ECS may roll back until then)${hook}`;
      if (shift.keptUntil !== undefined) return `live, original task set kept until ${f.time(shift.keptUntil)} (CodeDeploy's termination wait)${hook}`;
      if (shift.stage === 'CLEAN_UP') return 'live, old version being removed';
      return `live, ${trafficText(shift)}${hook}`;
    default:
      return PHASE_LABELS[s.status === 'retired' ? 'retired' : 'waiting'];
  }
}

const ETA_LABELS: Record<Eta['what'], string> = { healthy: 'targets healthy by', step: 'next traffic step by', retired: 'old version retires by' };

/** "old version retires by ~10:42 (deregistration delay 300 s)" */
function etaText(eta: Eta, f: TextFormat): string {
  return `${ETA_LABELS[eta.what]} ~${f.time(eta.at)} (${eta.basis})`;
}

/** A rolling update ECS still bakes after its old version is gone: what it watches, until when, and that a rollback is still possible. */
function bakeText(bake: RollingBake, f: TextFormat): string {
  const alarms = bake.alarms.length ? `alarm${bake.alarms.length > 1 ? 's' : ''} ${bake.alarms.map((a) => f.text(a)).join(', ')}` : 'its alarms';
  const until = bake.until !== undefined ? ` until ~${f.time(bake.until)}` : '';
  return `live, old version gone; ECS still watching ${alarms}${until} (its bake: an alarm can still roll it back)`;
}

/** What a watch that ended at "live" (WAIT_UNTIL=live) no longer follows. */
export function notFollowed(services: ServiceLine[], f: TextFormat = PLAIN_FORMAT): string {
  const live = services.filter((s) => s.status === 'live');
  const latest = (times: number[]) => (times.length ? Math.max(...times) : undefined);
  const bake = latest(live.flatMap((s) => (s.shift?.bakeUntil !== undefined ? [s.shift.bakeUntil] : s.bake?.until !== undefined ? [s.bake.until] : [])));
  const wait = latest(live.flatMap((s) => (s.shift?.keptUntil !== undefined ? [s.shift.keptUntil] : [])));
  const windows = [
    ...(bake !== undefined ? [`the bake until ${f.time(bake)}`] : []),
    ...(wait !== undefined ? [`CodeDeploy's termination wait until ${f.time(wait)}`] : []),
  ];
  const rollback = windows.length ? `${windows.join(' and ')} (a rollback during ${windows.length > 1 ? 'them' : 'it'} is not reported here) and ` : '';
  return `not followed further: ${rollback}the old version's retirement`;
}

export function serviceStatusText(s: ServiceLine, f: TextFormat = SLACK_FORMAT): string {
  const name = f.bold(s.service);
  switch (s.status) {
    case 'failed': {
      const where = s.shift?.consoleUrl && s.shift.deploymentId ? ` (${f.link(s.shift.consoleUrl, `CodeDeploy ${s.shift.deploymentId}`)})` : '';
      return `${name}: failed — ${f.text(s.reason ?? 'no reason given')}${where}`;
    }
    case 'superseded':
      return `${name}: superseded by ${f.text(s.supersededBy ?? 'a newer deployment')}`;
    case 'retired':
      return `${name}: live, old version retired${endpointText(s, f)}`;
    case 'no_tasks':
      return `${name}: no tasks to roll out (desired count 0); ${f.text(s.taskDefinition ?? 'the new revision')} runs when the service is scaled up`;
    default: {
      const eta = s.eta ? ` · ${etaText(s.eta, f)}` : '';
      const doing =
        s.shift && s.status !== 'waiting'
          ? `${shiftText(s, s.shift, f)}${eta}`
          : s.bake && s.status === 'live'
            ? bakeText(s.bake, f)
            : `${PHASE_LABELS[s.status]}${s.progress && s.status !== 'waiting' ? ` — ${progressText(s.progress)}` : ''}${eta}`;
      return `${name}: ${doing}${s.status === 'live' ? endpointText(s, f) : ''}${s.warning ? `\n⚠️ ${f.text(s.warning)}` : ''}`;
    }
  }
}

/** A host name, or an http(s) URL of one, with nothing that could be read as markup. */
const PLAIN_ENDPOINT = /^(https?:\/\/)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(\/[\w\-./]*)?$/;

/** ` · <endpoint>` for an ECS Express Mode service, linked (a bare host name as https://) when it is a plain one. */
function endpointText(s: ServiceLine, f: TextFormat): string {
  if (!s.endpoint) return '';
  if (!PLAIN_ENDPOINT.test(s.endpoint)) return ` · ${f.text(s.endpoint)}`;
  return ` · ${f.link(/^https?:\/\//.test(s.endpoint) ? s.endpoint : `https://${s.endpoint}`, s.endpoint)}`;
}

/** Services named in a headline; more are counted. */
export const NAMED_IN_HEADLINE = 3;

function servicesLabel(v: MessageView): string {
  const names = v.services.map((s) => s.service);
  return names.length <= NAMED_IN_HEADLINE ? names.join(', ') : `${names.length} services`;
}

/**
 * A deploy of an older revision than one that ran before is a rollback, said as such after the
 * headline (*— rolls shop-api back from shop-api:42 to shop-api:41*): what it takes away is as much
 * news as what it brings.
 */
function rollbackNote(v: MessageView): string {
  // By commit when what changed is known (*rolls back to 8a1b2c3 (live since 12 Nov), taking away 2 commits*), else by revision.
  const byCommit = v.services.flatMap((s) => {
    const c = v.changes?.[s.service];
    return c && isRollback(c) ? [`${v.services.length > 1 ? `${s.service} ` : ''}${changesText(c, dayText)}`] : [];
  });
  if (byCommit.length) return ` — ${byCommit.join(', ')}`;
  const back = v.services.filter((s) => s.rollsBackFrom && s.taskDefinition);
  if (!back.length) return '';
  return ` — rolls ${back.map((s) => `${s.service} back from ${s.rollsBackFrom} to ${s.taskDefinition}`).join(', ')}`;
}

/** What the message's *Pipeline* links to: the deploy's run when the deploy step said which, else the notifier's own. */
export function pipelineUrlOf(v: Pick<MessageView, 'deployBuildUrl' | 'buildUrl'>): string | undefined {
  return v.deployBuildUrl ?? v.buildUrl;
}

export function headline(v: MessageView): string {
  return `${outcomeHeadline(v)}${v.stopped ? '' : `${regressionNote(v)}${rollbackNote(v)}`}`;
}

/** A live version whose traffic regressed, or whose URL does not answer with it (VERIFY): said in the headline, beside "live". */
function regressionNote(v: MessageView): string {
  const regressed = v.services.filter((s) => s.traffic?.verdict === 'regressed').map((s) => s.service);
  if (v.status !== 'live') return '';
  if (regressed.length) return v.services.length > 1 ? `, but the traffic of ${regressed.join(', ')} regressed` : ', but its traffic regressed';
  // VERIFY_URL never answered with the new version: the traffic a user gets is not on it.
  return v.urlCheck?.verdict === 'failed' ? `, but ${v.urlShown ?? 'VERIFY_URL'} does not answer with it` : '';
}

function outcomeHeadline(v: MessageView): string {
  const what = servicesLabel(v);
  const env = v.environment;
  const is = v.services.length > 1 ? 'are' : 'is';
  if (v.stopped) return `Stopped watching ${what} in ${env}`;
  switch (v.status) {
    case 'rolling_out':
      return `${what} → ${env}: ${PHASE_LABELS[v.phase]}`;
    case 'live':
      if (v.phase === 'retired') return `${what} ${is} live in ${env}`;
      // Blue/green keeps the old version on standby (for a rollback) rather than draining it; ECS
      // may still bake a rolling update whose old version is gone.
      if (v.services.some((s) => s.bake)) return `${what} ${is} live in ${env} (ECS still baking: a rollback is possible)`;
      return `${what} ${is} live in ${env} (old version ${v.services.some((s) => s.shift) ? 'on standby' : 'draining'})`;
    case 'failed': {
      // Among many services, the ones that failed are what the reader must see first.
      const failed = v.services.filter((s) => s.status === 'failed').map((s) => s.service);
      if (v.services.length > NAMED_IN_HEADLINE && failed.length && failed.length <= NAMED_IN_HEADLINE) {
        return `${failed.join(', ')} failed to deploy to ${env} (${failed.length} of ${v.services.length} services)`;
      }
      return `${what} failed to deploy to ${env}`;
    }
    case 'no_tasks':
      return `${what} ${v.services.length > 1 ? 'have' : 'has'} no tasks to roll out in ${env} (desired count 0)`;
    case 'timed_out':
      return `${what} did not go live in ${env} within ${formatDuration(v.waitTimeoutMs)}`;
    case 'superseded':
      return `${what} deploy to ${env} was superseded by a newer one`;
  }
}
