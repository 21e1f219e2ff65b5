// The two messages the README shows, drawn from the reducer's and the renderer's own output over a
// realistic rolling update: one that went live and retired the old version (who deployed it, what
// it changed, its traffic verified), one that failed.
import type { Changes } from '../../src/core/changes.ts';
import type { ServiceSnapshot } from '../../src/core/snapshot.ts';
import { measured, type RunState, start, step } from '../../src/core/step.ts';
import type { MetricsRead } from '../../src/core/verification.ts';
import type { MessageView } from '../../src/core/view.ts';
import { renderDetails } from '../../src/slack/details.ts';
import { renderMessage } from '../../src/slack/render.ts';
import type { SlackMessage } from '../../src/slack/text.ts';
import { ROLLOUT, T0, withSettings } from './samples.ts';

const CONTEXT = {
  environment: 'production',
  cluster: 'prod',
  region: 'eu-west-1',
  ref: { type: 'branch' as const, name: 'main' },
  commit: '0123456789abcdef0123456789abcdef01234567',
  repositoryUrl: 'https://bitbucket.org/acme/shop-api',
  buildUrl: 'https://bitbucket.org/acme/shop-api/pipelines/results/412',
  startedAt: T0,
  waitTimeoutMs: 1_800_000,
};

/** Who deployed, and the deploy's own pipeline run (DEPLOYED_BY, DEPLOY_BUILD_NUMBER), as the live example shows them. */
const DEPLOY = { deployedBy: 'Jane Doe', deployBuildUrl: 'https://bitbucket.org/acme/shop-api/pipelines/results/411' };

/**
 * What the live example's deploy changed, as what-changed.ts finds it beside the watch: twelve
 * commits since the version live before (its image tag), which had been live for three weeks.
 */
const SUBJECTS: Array<[subject: string, author: string]> = [
  ['Release 2026.11.27', 'Jane Doe'],
  ['Fix the basket total rounding', 'Ana Ruiz'],
  ['Faster product search', 'Sam Lee'],
];
const CHANGES: Changes = {
  previous: { commit: '8a1b2c3d4e5f60718293a4b5c6d7e8f901234567', source: 'image_tag', liveSince: T0 - 25 * 86_400_000 },
  ahead: Array.from({ length: 12 }, (_, i) => {
    const [subject, author] = SUBJECTS[i] ?? [`Change ${12 - i}`, 'Sam Lee'];
    return { hash: `${i}`.padStart(7, 'c').padEnd(40, '0'), subject, author };
  }),
  behind: [],
  compareUrl: 'https://bitbucket.org/acme/shop-api/branches/compare/0123456789abcdef0123456789abcdef01234567%0D8a1b2c3d4e5f60718293a4b5c6d7e8f901234567#diff',
};

/** The load balancer's minutes of the live example: steady traffic, before and after the deployment alike. */
function steadyTraffic(): MetricsRead {
  const group = ROLLOUT.draining.targetGroups[0]?.arn ?? '';
  const minute = (i: number) => ({ at: T0 + i * 60_000, requests: 2400, errors5xx: 3, connectionErrors: 0, p95Ms: i < 0 ? 182 : 176, p99Ms: 410 });
  return { minutes: new Map([[group, Array.from({ length: 20 }, (_, i) => minute(i - 10))]]), unreadable: new Map() };
}

/**
 * The message view after these polls (seconds after T0), each read fresh, as the watch composes it;
 * with `traffic`, the load balancer's metrics read at the last poll (VERIFY at its defaults).
 */
function after(polls: Array<[seconds: number, snap: ServiceSnapshot]>, traffic?: MetricsRead): MessageView {
  let state: RunState = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], {
    startedAt: T0,
    deadline: T0 + 1_800_000,
    graceMs: 60_000,
    pollIntervalMs: 10_000,
    ...(traffic ? { verify: { mode: 'fail', afterLiveMs: 0, minRequests: 300, max5xxIncrease: 1, maxLatencyIncrease: 50 } } : {}),
  });
  let view: MessageView | undefined;
  for (const [seconds, snap] of polls) {
    const now = T0 + seconds * 1000;
    let next = step(state, new Map([['shop-api', snap]]), now, { fresh: true });
    if (traffic && next.view.measure) next = measured(next.state, traffic, now);
    state = next.state;
    view = { ...CONTEXT, ...(traffic ? { ...DEPLOY, changes: { 'shop-api': CHANGES } } : {}), ...next.view, now };
  }
  if (!view) throw new Error('no poll');
  return view;
}

export const EXAMPLES: Record<'live' | 'failed', { message: SlackMessage; thread?: SlackMessage }> = {
  live: {
    message: renderMessage(
      after(
        [
          [0, withSettings(ROLLOUT.starting)],
          [45, ROLLOUT.registering],
          [100, ROLLOUT.cutover],
          [112, ROLLOUT.draining],
          [412, ROLLOUT.retired],
        ],
        steadyTraffic(),
      ),
    ),
  },
  failed: (() => {
    const v = after([
      [0, ROLLOUT.starting],
      [90, ROLLOUT.failed],
    ]);
    return {
      message: renderMessage(v),
      thread: renderDetails(v, ['2 tasks stopped: EssentialContainerExited: Essential container in task exited [web exit code 1]'], ['U012AB3CD']),
    };
  })(),
};
