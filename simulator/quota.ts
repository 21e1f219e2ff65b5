// Account-wide request quotas as AWS and Slack apply them: a token bucket per API class that holds
// `burst` requests and refills `perSecond`. A request that finds it empty is throttled (AWS:
// ThrottlingException / Throttling; Slack: HTTP 429 with Retry-After). Off unless a test or the
// bench sets them: the scenarios run unthrottled.
//
// AWS documents the bucket model and its sizes:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html (ECS) and
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html (ELB);
// Slack its tiers and the per-channel limit of chat.postMessage: https://api.slack.com/apis/rate-limits.

export interface Quota {
  burst: number;
  perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly quota: Quota,
    now: number,
  ) {
    this.tokens = quota.burst;
    this.at = now;
  }

  /** Takes a token: 0 when there was one, else the ms until the next one refills (nothing is taken). */
  take(now: number): number {
    this.tokens = Math.min(this.quota.burst, this.tokens + ((now - this.at) / 1000) * this.quota.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.quota.perSecond) * 1000);
  }
}

/** The buckets of one account, by API class; an operation with no class is not limited. */
export class Quotas {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Requests refused, by operation. */
  readonly throttled = new Map<string, number>();

  constructor(
    private readonly classes: Record<string, Quota>,
    private readonly classOf: (op: string) => string | undefined,
  ) {}

  /** 0 when `op` may go ahead now, else the ms until its class has a token again (counted as throttled). */
  take(op: string, now = Date.now()): number {
    const name = this.classOf(op);
    const quota = name === undefined ? undefined : this.classes[name];
    if (name === undefined || !quota) return 0;
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new TokenBucket(quota, now);
      this.buckets.set(name, bucket);
    }
    const wait = bucket.take(now);
    if (wait) this.throttled.set(op, (this.throttled.get(op) ?? 0) + 1);
    return wait;
  }
}

/**
 * The account-wide quotas the scale bench applies, as the issue measured them: ECS's describe and
 * list actions (DescribeServices with ListServices, ListTasks with DescribeTasks) 100 burst and 20 a
 * second each, and every other read of ECS and the other services the same together; every ELBv2 read
 * together 40 burst and 10 a second. `share` scales them (40 watches get 40/400 of the account).
 */
export function awsAccountQuotas(share = 1): Quotas {
  const q = (burst: number, perSecond: number): Quota => ({ burst: Math.max(1, burst * share), perSecond: perSecond * share });
  const ELB = new Set(['DescribeTargetHealth', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes', 'DescribeRules', 'DescribeListeners']);
  return new Quotas({ 'ecs:services': q(100, 20), 'ecs:tasks': q(100, 20), 'ecs:other': q(100, 20), elbv2: q(40, 10) }, (op) => {
    if (ELB.has(op)) return 'elbv2';
    if (op === 'DescribeServices' || op === 'ListServices') return 'ecs:services';
    if (op === 'ListTasks' || op === 'DescribeTasks') return 'ecs:tasks';
    if (/^(Describe|List)/.test(op)) return 'ecs:other';
    return undefined;
  });
}

/**
 * Slack's limits for what the pipe sends, when every watch posts to one channel with one app:
 * chat.postMessage about one message a second per channel (short bursts allowed), chat.update
 * Tier 3 (about 50 a minute per workspace and app). `share` scales both as awsAccountQuotas does.
 */
export function slackQuotas(share = 1): Quotas {
  return new Quotas(
    {
      'chat.postMessage': { burst: Math.max(1, 3 * share), perSecond: share },
      'chat.update': { burst: Math.max(1, 50 * share), perSecond: (50 * share) / 60 },
    },
    (method) => (method === 'chat.postMessage' || method === 'chat.update' ? method : undefined),
  );
}
