// Where the time went: the rollout's phases from the milestones, beside the settings that explain
// them (the target groups' health checks and deregistration delay, the image pull, the bake), and
// one hint when one phase dominates and a setting explains it. Pure.
import { type ServiceSnapshot, slowestSettings, type TargetGroupSettings } from './snapshot.ts';
import { sameTaskDefinition } from './task-definition.ts';
import type { TimeSpent } from './view.ts';
import { MS_PER_MINUTE, MS_PER_SECOND, type Phase } from './vocabulary.ts';

/** What the run learned that explains how long phases take. */
export interface TimingFacts {
  /** The slowest target group's settings, when read. */
  settings?: TargetGroupSettings;
  /** The new tasks' image pull, the longest (ms), when ECS said. */
  pullMs?: number;
  /** A blue/green, linear or canary deployment's bake (minutes). */
  bakeMinutes?: number;
}

/** A phase dominates when it takes at least this share of the whole and at least this long. */
const DOMINANT_SHARE = 0.5;
const DOMINANT_MIN_MS = 60_000;
/**
 * A setting explains a phase when the phase is between these shares of what the setting implies
 * (give or take the polls that timed it): a drain ten times the delay is not the delay's doing.
 */
const EXPLAINED_SHARE = 0.8;
const EXPLAINED_MAX_SHARE = 1.5;
const POLL_SLACK_MS = 30_000;
/** ELBv2's default deregistration delay (s). */
const DEFAULT_DEREGISTRATION_DELAY_S = 300;

/** Durations from this long on are shown in minutes. */
const MINUTES_FROM_MS = 120_000;

/** The phases between milestones; the last is the bake and drain when the deployment bakes. */
const TASKS_STARTED = 'tasks started';
const HEALTH_CHECKS = 'health checks';
const CUT_OVER = 'cut-over';
const DRAIN = 'drain';
const BAKE_AND_DRAIN = 'bake and drain';
const SPANS: Array<[name: string, from: Phase, to: Phase]> = [
  [TASKS_STARTED, 'starting', 'registering'],
  [HEALTH_CHECKS, 'registering', 'cutting_over'],
  [CUT_OVER, 'cutting_over', 'live'],
  [DRAIN, 'live', 'retired'],
];

const seconds = (ms: number) => Math.round(ms / MS_PER_SECOND);

/** What one read of a service says about how long its phases take: its slowest target group, its new tasks' image pull, its bake. */
export function timingFactsOf(snap: ServiceSnapshot, taskDefinitionArn: string | undefined): TimingFacts {
  const settings = slowestSettings(snap.targetGroups.flatMap((g) => (g.settings ? [g.settings] : [])));
  const ours = (arn: string | undefined) => taskDefinitionArn !== undefined && arn !== undefined && sameTaskDefinition(arn, taskDefinitionArn);
  const pulls = snap.tasks.flatMap((t) =>
    ours(t.taskDefinitionArn) && t.pullStartedAt !== undefined && t.pullStoppedAt !== undefined ? [t.pullStoppedAt - t.pullStartedAt] : [],
  );
  const bake = snap.shift?.deployments.find((d) => ours(d.target.taskDefinitionArn))?.bakeTimeMinutes;
  return {
    ...(settings ? { settings } : {}),
    ...(pulls.length ? { pullMs: Math.max(...pulls) } : {}),
    ...(bake !== undefined ? { bakeMinutes: bake } : {}),
  };
}

/** Several services' (or reads') facts as one: the slowest settings, the longest pull and bake. */
export function slowestFacts(all: readonly TimingFacts[]): TimingFacts {
  const settings = slowestSettings(all.flatMap((f) => (f.settings ? [f.settings] : [])));
  const most = (values: Array<number | undefined>) => {
    const known = values.filter((v) => v !== undefined);
    return known.length ? Math.max(...known) : undefined;
  };
  const pullMs = most(all.map((f) => f.pullMs));
  const bakeMinutes = most(all.map((f) => f.bakeMinutes));
  return {
    ...(settings ? { settings } : {}),
    ...(pullMs !== undefined ? { pullMs } : {}),
    ...(bakeMinutes !== undefined ? { bakeMinutes } : {}),
  };
}

/** The phases the milestones span, beside what explains them; undefined before any phase ended. */
export function timeSpent(milestones: Partial<Record<Phase, number>>, startedAt: number, facts: TimingFacts): TimeSpent | undefined {
  const at = (p: Phase) => (p === 'starting' ? (milestones.starting ?? startedAt) : milestones[p]);
  const phases = SPANS.flatMap(([name, from, to]) => {
    const a = at(from);
    const b = at(to);
    if (a === undefined || b === undefined || b < a) return [];
    if (name === DRAIN && facts.bakeMinutes) return [{ name: BAKE_AND_DRAIN, ms: b - a }];
    if (name === TASKS_STARTED && facts.pullMs !== undefined) return [{ name, ms: b - a, detail: `image pull ${human(facts.pullMs)}` }];
    return [{ name, ms: b - a }];
  });
  if (!phases.length) return undefined;
  const total = phases.reduce((n, p) => n + p.ms, 0);
  const top = phases.reduce((a, p) => (p.ms > a.ms ? p : a));
  const dominant = top.ms >= DOMINANT_MIN_MS && top.ms >= total * DOMINANT_SHARE ? top : undefined;
  const hint = dominant ? hintFor(dominant, facts) : undefined;
  return { phases, ...(hint ? { hint: hint.text, hintKey: hint.key } : {}) };
}

/** Whether a phase took about as long as a setting implies (`impliedMs`), or a range of settings (`upToMs`). */
function explains(phaseMs: number, impliedMs: number, upToMs = impliedMs): boolean {
  return impliedMs > 0 && phaseMs >= impliedMs * EXPLAINED_SHARE && phaseMs <= upToMs * EXPLAINED_MAX_SHARE + POLL_SLACK_MS;
}

/**
 * What explains a dominant phase, when a setting does; `key` names the setting and its value
 * (`drain 300 s`): the channel remembers it, so that the same hint is said once per service.
 */
function hintFor(phase: { name: string; ms: number }, facts: TimingFacts): { text: string; key: string } | undefined {
  const s = facts.settings;
  const drainMs = (s?.deregistrationDelaySeconds ?? 0) * MS_PER_SECOND;
  // The bake and the drain follow each other: the bake explains them when it is most of them.
  if (
    phase.name === BAKE_AND_DRAIN &&
    facts.bakeMinutes !== undefined &&
    explains(phase.ms, facts.bakeMinutes * MS_PER_MINUTE, facts.bakeMinutes * MS_PER_MINUTE + drainMs)
  ) {
    return {
      text: `${human(phase.ms)} after live = the ${facts.bakeMinutes} min bake, during which ECS may still roll back; a shorter bakeTimeInMinutes ends it sooner`,
      key: `bake ${facts.bakeMinutes} min`,
    };
  }
  if (phase.name === DRAIN && s?.deregistrationDelaySeconds !== undefined && explains(phase.ms, drainMs)) {
    const byDefault = s.deregistrationDelaySeconds === DEFAULT_DEREGISTRATION_DELAY_S ? ' (the default)' : '';
    return {
      text: `drain ${seconds(phase.ms)} s = the target group's deregistration delay of ${s.deregistrationDelaySeconds} s${byDefault}; lower deregistration_delay.timeout_seconds if requests are short`,
      key: `drain ${s.deregistrationDelaySeconds} s`,
    };
  }
  const checks =
    s?.healthyThresholdCount !== undefined && s.healthCheckIntervalSeconds !== undefined ? s.healthyThresholdCount * s.healthCheckIntervalSeconds : undefined;
  if (phase.name === HEALTH_CHECKS && checks !== undefined && explains(phase.ms, checks * MS_PER_SECOND)) {
    // A new target needs one passing check: a threshold's worth means its first checks failed.
    return {
      text: `healthy after ${seconds(phase.ms)} s = ${s?.healthyThresholdCount} × ${s?.healthCheckIntervalSeconds} s health checks: the first checks failed (a new target needs only one to pass), so the healthy threshold applied; an application ready when its container starts, or a lower threshold or interval, makes it faster`,
      key: `health checks ${s?.healthyThresholdCount} × ${s?.healthCheckIntervalSeconds} s`,
    };
  }
  if (phase.name === TASKS_STARTED && facts.pullMs !== undefined && facts.pullMs >= phase.ms * DOMINANT_SHARE) {
    return {
      text: `tasks started in ${seconds(phase.ms)} s, ${seconds(facts.pullMs)} s of it pulling the image; a smaller image, or a registry in the cluster's region, starts them sooner`,
      key: 'image pull',
    };
  }
  return undefined;
}

function human(ms: number): string {
  if (ms < MINUTES_FROM_MS) return `${seconds(ms)} s`;
  const rest = seconds(ms % MS_PER_MINUTE);
  return `${Math.floor(ms / MS_PER_MINUTE)} min${rest ? ` ${rest} s` : ''}`;
}

/** `tasks started 45 s (image pull 30 s) · health checks 55 s · cut-over 12 s · drain 5 min`. */
export function timeSpentText(t: TimeSpent): string {
  return t.phases.map((p) => `${p.name} ${human(p.ms)}${p.detail ? ` (${p.detail})` : ''}`).join(' · ');
}
