// The two messages the README shows, drawn from the reducer's and the renderer's own output over a
// realistic rolling update: one that went live and retired the old version, one that failed.
import type { ServiceSnapshot } from '../../src/core/snapshot.ts';
import { start, step } from '../../src/core/step.ts';
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

/** The message view after these polls (seconds after T0), each read fresh, as the watch composes it. */
function after(...polls: Array<[seconds: number, snap: ServiceSnapshot]>): MessageView {
  let state = start(['shop-api'], [{ family: 'shop-api', revision: 42 }], { startedAt: T0, deadline: T0 + 1_800_000, graceMs: 60_000, pollIntervalMs: 10_000 });
  let view: MessageView | undefined;
  for (const [seconds, snap] of polls) {
    const now = T0 + seconds * 1000;
    const next = step(state, new Map([['shop-api', snap]]), now, { fresh: true });
    state = next.state;
    view = { ...CONTEXT, ...next.view, now };
  }
  if (!view) throw new Error('no poll');
  return view;
}

export const EXAMPLES: Record<'live' | 'failed', { message: SlackMessage; thread?: SlackMessage }> = {
  live: {
    message: renderMessage(
      after([0, withSettings(ROLLOUT.starting)], [45, ROLLOUT.registering], [100, ROLLOUT.cutover], [112, ROLLOUT.draining], [412, ROLLOUT.retired]),
    ),
  },
  failed: (() => {
    const v = after([0, ROLLOUT.starting], [90, ROLLOUT.failed]);
    return {
      message: renderMessage(v),
      thread: renderDetails(v, ['2 tasks stopped: EssentialContainerExited: Essential container in task exited [web exit code 1]'], ['U012AB3CD']),
    };
  })(),
};
