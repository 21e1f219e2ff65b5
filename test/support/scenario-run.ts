// One run of the built program against a named simulator scenario, checked never to print the
// secrets it was given: the common start of the end-to-end tests of each kind of deployment.
import { expect } from 'chai';
import { type Simulation, scenario, simulate } from '../../simulator/catalog.ts';
import { type PipeRun, runPipe } from '../../simulator/run-pipe.ts';
import { pipeVariables } from './pipe-env.ts';

const SECRETS = { slackToken: 'xoxb-1234-5678-e2eSCENARIOtoken', secretAccessKey: 'e2eScenarioSecretAccessKey000000' };

export async function runScenario(
  name: string,
  extra: Record<string, string | undefined> = {},
  before: (sim: Simulation) => void = () => {},
): Promise<{ run: PipeRun; sim: Simulation }> {
  const s = scenario(name);
  const sim = await simulate(s);
  before(sim);
  const run = await runPipe(pipeVariables(sim, SECRETS, { SERVICE_NAME: s.services.join(','), ...s.env, ...extra }));
  // Nowhere in the log, nor in anything posted to Slack (the token itself only authenticates the calls).
  const posted = JSON.stringify(sim.slack.calls.map(({ token: _token, ...call }) => call));
  for (const secret of Object.values(SECRETS)) expect(run.stdout + run.stderr + posted, 'a secret was printed').not.to.include(secret);
  return { run, sim };
}

/** The versions of the top-level message Slack was sent (posts and updates, not thread replies), in order. */
export const topLevelCalls = (sim: Simulation) => sim.slack.calls.filter((c) => !c.thread_ts);

/** Each version of the message as status/phase, e.g. `live/retired`. */
export const statusesOf = (sim: Simulation) => topLevelCalls(sim).map((c) => `${c.metadata?.event_payload.status}/${c.metadata?.event_payload.phase}`);

/**
 * "Live" said once — one stretch of live messages (a later change of the line while live, like the
 * clean-up starting, is an update of the same "live"), never back to rolling out — never before the
 * cut-over the scenario marked, and "retired" at the end.
 */
export function expectLiveOnceThenRetired(sim: Simulation, service = 'shop-api'): void {
  const seq = statusesOf(sim);
  const first = seq.indexOf('live/live');
  const last = seq.lastIndexOf('live/live');
  expect(first, seq.join(' ')).to.be.at.least(0);
  expect(
    seq.slice(first, last + 1).every((x) => x === 'live/live'),
    seq.join(' '),
  ).to.equal(true);
  expect(seq.slice(last + 1), seq.join(' ')).to.deep.equal(['live/retired']);
  expect(seq.at(-1)).to.equal('live/retired');
  const liveAt = topLevelCalls(sim).find((c) => c.metadata?.event_payload.status === 'live')?.at ?? 0;
  expect(liveAt).to.be.at.least(sim.aws.marks.get(`cutover:${service}`) ?? Number.POSITIVE_INFINITY);
}
