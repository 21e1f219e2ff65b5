// The scale bench: N watches of N services rolling out together in one account, driven in one
// process (bench/scale-watches.ts) against doubles that throttle like AWS and Slack do at that
// scale (simulator/quota.ts). What it reports: how many watches ended with the true outcome in
// Slack (and how many failed, were misjudged or were never delivered), how late "live" was known
// and delivered, the AWS calls per watch and second, Slack's calls per minute, and peak memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { simulate, simulatedVariables } from '../simulator/catalog.ts';
import { awsAccountQuotas, slackQuotas } from '../simulator/quota.ts';
import { all, deploy, drainOld, healthyNew, mark, provisionNew, retireOld, runNew, steadyService, timeline } from '../simulator/scenarios.ts';

/** A realistic rolling rollout's timing; each service's start varies within `registerMs`. */
export interface RolloutTiming {
  /** When ECS registers the new targets, from the deployment: each service somewhere in [min, max]. */
  registerMs: [min: number, max: number];
  healthyThreshold: number;
  checkIntervalS: number;
  /**
   * From registration to the one health check a newly registered target must pass (AWS: "only one
   * successful health check is required", whatever HealthyThresholdCount says; the first check
   * comes within about one interval): each service somewhere in [min, max].
   */
  firstPassMs: [min: number, max: number];
  /** From the new targets healthy to ECS deregistering the old ones. */
  cutoverAfterMs: number;
  drainS: number;
}

export interface ScaleOptions {
  watches: number;
  /** The account's quotas scaled by this (the share these watches would have among 400). */
  share: number;
  /** Slack's limits scaled by this (default: `share`). */
  slackShare?: number;
  pollS: number;
  timing: RolloutTiming;
  waitTimeoutS: number;
  /** Each AWS answer takes this long (a far region). */
  latencyMs?: number;
  /** Also return every AWS call with its time and the marks (for reading where the calls of one run go). */
  trace?: boolean;
}

export const ECS_DESCRIBE = /^Describe(Services|Tasks|TaskDefinition|ContainerInstances|ServiceDeployments|ServiceRevisions)$/;
/**
 * ECS's quotas that a watch draws on most, each 20 per second per account: DescribeServices (with
 * ListServices), and ListTasks with DescribeTasks. 400 watches' share of each is 0.05/s.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 */
export const ECS_SERVICE_READS = /^(DescribeServices|ListServices)$/;
export const ECS_TASK_READS = /^(ListTasks|DescribeTasks)$/;
export const ELB_OPS = /^Describe(TargetHealth|TargetGroups|TargetGroupAttributes|Rules|Listeners)$/;

export interface ScaleResult {
  watches: number;
  /** Ended live and retired, exit 0, with that outcome the last thing Slack accepted. */
  trueOutcomes: number;
  failed: number;
  misjudged: number;
  undelivered: number;
  /** From the cut-over to the first Slack call saying "live" (taken or not), and to the one Slack took. */
  knownLagS: { median: number; max: number };
  deliveredLagS: { median: number; max: number };
  /** From retirement to Slack taking the final message. */
  outcomeDeliveredS: { median: number; max: number };
  ecsPerWatchS: number;
  /** Per ECS quota: DescribeServices and ListServices; ListTasks and DescribeTasks. */
  ecsServiceReadsPerWatchS: number;
  ecsTaskReadsPerWatchS: number;
  elbPerWatchS: number;
  /** CloudWatch GetMetricData (the traffic verification): calls per watch over its rollout, per second, and metrics requested per watch (what CloudWatch prices). */
  cloudWatchCallsPerWatch: number;
  cloudWatchPerWatchS: number;
  metricsPerWatch: number;
  /** AWS calls by operation, throttled ones included. */
  callsByOperation: Record<string, number>;
  /** With `trace`: each AWS call and each mark (cut-over, retirement), in seconds from the start. */
  trace?: Array<{ atS: number; what: string }>;
  /** Every AWS call, throttled ones included, per DescribeServices call. */
  awsCallsPerPoll: number;
  awsThrottled: number;
  slackPerMin: { attempts: number; accepted: number };
  slackThrottled: number;
  peakRssMb: number;
  rolloutS: number;
  wallS: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length ? (s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? Number.NaN) + (s[m] ?? Number.NaN)) / 2) : Number.NaN;
};
const spread = (xs: number[]) => ({ median: median(xs) / 1000, max: xs.length ? Math.max(...xs) / 1000 : Number.NaN });

/** A number in [0, 1) from `i`: the services' starts spread evenly but not in index order. */
const scatter = (i: number) => (i * 0.618_033_988_75) % 1;

export async function runScale(o: ScaleOptions): Promise<ScaleResult> {
  const sim = await simulate();
  const { aws, slack } = sim;
  aws.targetGroupSettings = {
    intervalSeconds: o.timing.checkIntervalS,
    healthyThreshold: o.timing.healthyThreshold,
    deregistrationDelaySeconds: o.timing.drainS,
    protocol: 'HTTP',
  };
  aws.quotas = awsAccountQuotas(o.share);
  aws.latencyMs = o.latencyMs ?? 0;
  slack.quotas = slackQuotas(o.slackShare ?? o.share);
  const services = Array.from({ length: o.watches }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const started = Date.now();
  for (const [i, name] of services.entries()) {
    steadyService(aws, name);
    deploy(name)(aws);
    const [min, max] = o.timing.registerMs;
    const registerAt = Math.round(min + (max - min) * scatter(i));
    // Offset by half a turn, so that the first service (the only one of a one-watch run) passes mid-window.
    const [soon, late] = o.timing.firstPassMs;
    const healthyAt = registerAt + Math.round(soon + (late - soon) * ((scatter(i) + 0.5) % 1));
    const cutoverAt = healthyAt + o.timing.cutoverAfterMs;
    timeline(aws, [
      [Math.min(1000, registerAt), provisionNew(name)],
      [registerAt, runNew(name)],
      [healthyAt, healthyNew(name)],
      [cutoverAt, all(drainOld(name), mark(`cutover:${name}`))],
      [cutoverAt + o.timing.drainS * 1000, all(retireOld(name), mark(`retired:${name}`))],
    ]);
  }

  const dir = mkdtempSync(join(os.tmpdir(), 'ecs-notifier-scale-'));
  const out = join(dir, 'result.json');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...simulatedVariables(
      { aws: aws.url, slack: slack.url },
      {
        POLL_INTERVAL: String(o.pollS),
        WAIT_TIMEOUT: String(o.waitTimeoutS),
        SLACK_CHANNEL: slack.channelId,
        BITBUCKET_REPO_FULL_NAME: 'acme/shop',
        BITBUCKET_BUILD_NUMBER: '412',
      },
    ),
    SCALE_SERVICES: services.join(','),
    SCALE_OUT: out,
  };
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const driver = fileURLToPath(new URL('./scale-watches.ts', import.meta.url));
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(tsx, [driver], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const wallMs = Date.now() - started;
  await sim.stop();
  if (code !== 0) throw new Error(`the scale driver ended with exit ${code}`);
  const driven = JSON.parse(readFileSync(out, 'utf8')) as { exitCodes: Record<string, number>; peakRssMb: number };
  rmSync(dir, { recursive: true, force: true });

  type Attempt = (typeof slack.attempts)[number];
  const serviceOf = (a: Attempt) => (a.payload?.services as Array<{ name: string }> | undefined)?.[0]?.name;
  const byService = new Map<string, Attempt[]>();
  for (const a of slack.attempts) {
    const s = serviceOf(a);
    if (!s) continue;
    const list = byService.get(s) ?? [];
    list.push(a);
    byService.set(s, list);
  }
  let trueOutcomes = 0;
  let failed = 0;
  let misjudged = 0;
  let undelivered = 0;
  const known: number[] = [];
  const delivered: number[] = [];
  const outcome: number[] = [];
  const rollouts: number[] = [];
  for (const s of services) {
    const attempts = byService.get(s) ?? [];
    const cutover = aws.marks.get(`cutover:${s}`) ?? Number.NaN;
    const retired = aws.marks.get(`retired:${s}`) ?? Number.NaN;
    rollouts.push(retired - started);
    const live = attempts.filter((a) => a.payload?.status === 'live');
    const firstKnown = live[0];
    const firstTaken = live.find((a) => a.accepted);
    if (firstKnown) known.push(firstKnown.at - cutover);
    if (firstTaken) delivered.push(firstTaken.at - cutover);
    const last = attempts.filter((a) => a.accepted).at(-1);
    const final = attempts.find((a) => a.accepted && a.payload?.status === 'live' && a.payload.phase === 'retired');
    if (final) outcome.push(final.at - retired);
    const exit = driven.exitCodes[s];
    const told = attempts.filter((a) => a.payload?.status !== 'rolling_out').at(-1)?.payload;
    if (exit === 0 && last?.payload?.status === 'live' && last.payload.phase === 'retired') trueOutcomes++;
    else if (told && told.status !== 'live') misjudged++;
    else if (exit === 1) failed++;
    else undelivered++;
  }
  const calls = (re: RegExp) => aws.calls.filter((c) => re.test(c.op)).length;
  const watchSeconds = rollouts.reduce((a, b) => a + b, 0) / 1000;
  const slackSpanMin = Math.max(1e-9, ((slack.attempts.at(-1)?.at ?? started) - (slack.attempts[0]?.at ?? started)) / 60_000);
  const sum = (m: Map<string, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);
  return {
    watches: o.watches,
    trueOutcomes,
    failed,
    misjudged,
    undelivered,
    knownLagS: spread(known),
    deliveredLagS: spread(delivered),
    outcomeDeliveredS: spread(outcome),
    ecsPerWatchS: calls(ECS_DESCRIBE) / watchSeconds,
    ecsServiceReadsPerWatchS: calls(ECS_SERVICE_READS) / watchSeconds,
    ecsTaskReadsPerWatchS: calls(ECS_TASK_READS) / watchSeconds,
    elbPerWatchS: calls(ELB_OPS) / watchSeconds,
    cloudWatchCallsPerWatch: calls(/^GetMetricData$/) / o.watches,
    cloudWatchPerWatchS: calls(/^GetMetricData$/) / watchSeconds,
    metricsPerWatch:
      aws.calls
        .filter((c) => c.op === 'GetMetricData')
        .reduce((n, c) => n + (Array.isArray(c.body.MetricDataQueries) ? c.body.MetricDataQueries.length : 0), 0) / o.watches,
    ...(o.trace
      ? {
          trace: [
            ...aws.calls.map((c) => ({ atS: (c.at - started) / 1000, what: c.op })),
            ...[...aws.marks].map(([what, at]) => ({ atS: (at - started) / 1000, what })),
          ].sort((a, b) => a.atS - b.atS),
        }
      : {}),
    callsByOperation: Object.fromEntries([...new Set(aws.calls.map((c) => c.op))].sort().map((op) => [op, aws.count(op)])),
    awsCallsPerPoll: aws.calls.length / Math.max(1, aws.count('DescribeServices')),
    awsThrottled: sum(aws.quotas.throttled),
    slackPerMin: { attempts: slack.attempts.length / slackSpanMin, accepted: slack.attempts.filter((a) => a.accepted).length / slackSpanMin },
    slackThrottled: sum(slack.quotas.throttled),
    peakRssMb: driven.peakRssMb,
    rolloutS: median(rollouts) / 1000,
    wallS: wallMs / 1000,
  };
}

/** The quick rollout (30 s), and the one the full bench runs (about 6 minutes, the ALB's defaults). */
export const QUICK_ROLLOUT: RolloutTiming = {
  registerMs: [3000, 8000],
  healthyThreshold: 2,
  checkIntervalS: 5,
  firstPassMs: [1000, 5000],
  cutoverAfterMs: 1000,
  drainS: 20,
};
export const LONG_ROLLOUT: RolloutTiming = {
  registerMs: [45_000, 75_000],
  healthyThreshold: 5,
  checkIntervalS: 30,
  firstPassMs: [2000, 30_000],
  cutoverAfterMs: 2000,
  drainS: 300,
};

// One run, printed as JSON (the bench calls runScale): `tsx bench/scale.ts --watches 20 --share 0.05`
// (Slack unscaled unless --slack-share; --long for the 6-minute rollout; --trace lists every call).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: v } = parseArgs({
    options: {
      watches: { type: 'string', default: '10' },
      share: { type: 'string', default: '1' },
      'slack-share': { type: 'string', default: '1' },
      poll: { type: 'string', default: '10' },
      latency: { type: 'string', default: '0' },
      long: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
    },
  });
  const r = await runScale({
    watches: Number(v.watches),
    share: Number(v.share),
    slackShare: Number(v['slack-share']),
    pollS: Number(v.poll),
    latencyMs: Number(v.latency),
    timing: v.long ? LONG_ROLLOUT : QUICK_ROLLOUT,
    waitTimeoutS: 1800,
    trace: v.trace,
  });
  console.log(JSON.stringify(r, null, 2));
}
