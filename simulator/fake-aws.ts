// A simulated AWS account: an HTTP double of the parts of ECS (JSON 1.1), ELBv2 and STS (Query
// protocol, XML) that the pipe calls, backed by a small mutable model. The real AWS SDK clients talk
// to it through AWS_ENDPOINT_URL. Scenarios mutate the model between polls or on a compressed
// timeline (see scenarios.ts). Used by the tests, `npm run demo` and `npm run bench`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listen, type Tls } from './listen.ts';

export const REGION = 'eu-west-1';
export const ACCOUNT_ID = '123456789012';
export const CLUSTER = 'prod';
export const tdArn = (family: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/${family}:${revision}`;
export const tgArn = (name: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:targetgroup/${name}/73e2d6bc24d8a067`;

export interface FakeTask {
  id: string;
  service: string;
  td: string;
  ip: string;
  deploymentId: string;
  lastStatus: string;
  desiredStatus: string;
  health?: string;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  startedAt?: number;
  stoppedAt?: number;
}

export interface FakeTarget {
  id: string;
  port: number;
  state: string;
  reason?: string;
  description?: string;
}

export interface FakeDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  td: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  /** CloudWatch alarms that rolled this deployment back (shown by DescribeServiceDeployments). */
  triggeredAlarms?: string[];
}

/** A service revision (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevision.html). */
export interface FakeRevision {
  arn: string;
  td: string;
  /** The target group its tasks register with, and the production listener rule that routes to it (resolvedConfiguration). */
  targetGroup: string;
  listenerRule: string;
}

/** A revision's share of a service deployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevisionSummary.html). */
export interface FakeRevisionShare {
  arn: string;
  requested: number;
  running: number;
  pending: number;
  production?: number;
  test?: number;
}

/** A service deployment (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html). */
export interface FakeServiceDeployment {
  arn: string;
  status: string;
  statusReason?: string;
  lifecycleStage?: string;
  createdAt: number;
  updatedAt: number;
  target: FakeRevisionShare;
  sources: FakeRevisionShare[];
  hooks: Array<{ hookId: string; targetType: string; status: string; expiresAt?: number; timeoutAction?: string }>;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  circuitBreaker: { status: string; failureCount: number; threshold: number };
  alarms: { status: string; alarmNames: string[]; triggeredAlarmNames: string[] };
}

/** ECS-native blue/green, linear or canary: two target groups behind one production listener rule. */
export interface FakeShift {
  strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
  bakeTimeInMinutes: number;
  linear?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canary?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  /** The service's configured target group and its alternate (advancedConfiguration). */
  primaryTargetGroup: string;
  alternateTargetGroup: string;
  listenerRule: string;
  /** The rule's forward weights per target group. */
  weights: Map<string, number>;
  deployments: FakeServiceDeployment[];
  current?: string;
}

/** An ECS task set (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html). */
export interface FakeTaskSet {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  td: string;
  externalId: string;
  desired: number;
  running: number;
  pending: number;
  createdAt: number;
  targetGroup: string;
}

/** A CodeDeploy ECS lifecycle event (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_LifecycleEvent.html). */
export interface FakeLifecycleEvent {
  name: string;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';
  start?: number;
  end?: number;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
}

/** A CodeDeploy deployment of an ECS service (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html). */
export interface FakeCodeDeployment {
  id: string;
  status: string;
  createdAt: number;
  completedAt?: number;
  error?: { code: string; message: string };
  rollback?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  events: FakeLifecycleEvent[];
  /** Production traffic weight per task set label (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ECSTaskSet.html). */
  weights: { Blue: number; Green: number };
}

/** The CodeDeploy application and deployment group of a CODE_DEPLOY service. */
export interface FakeCodeDeploy {
  application: string;
  group: string;
  configName: string;
  terminationWaitMinutes: number;
  readyAction: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT';
  readyWaitMinutes: number;
  deployments: FakeCodeDeployment[];
}

export interface FakeService {
  name: string;
  status: string;
  desiredCount: number;
  /** Leave the service-level desiredCount out of DescribeServices answers (some shapes lack it). */
  omitDesiredCount?: boolean;
  controller: string;
  strategy?: string;
  deployments: FakeDeployment[];
  events: Array<{ id: string; createdAt: number; message: string }>;
  targetGroups: string[];
  shift?: FakeShift;
  /** CODE_DEPLOY controller: the task sets DescribeServices lists (and no deployments). */
  taskSets?: FakeTaskSet[];
  codeDeploy?: FakeCodeDeploy;
}

export interface Fault {
  /** Operation name, e.g. DescribeServices; undefined: any. */
  op?: string;
  times: number;
  /**
   * throttle, unavailable (503), reset (connection dropped), access_denied; hang (never answers);
   * garbage (200 with a body that is not JSON/XML); truncated (200 cut short); empty (a
   * DescribeServices answer without the service and without a failure entry); signature (the
   * signature error that quotes the canonical request, session token included).
   */
  kind: 'throttle' | 'unavailable' | 'reset' | 'access_denied' | 'hang' | 'garbage' | 'truncated' | 'empty' | 'signature';
}

export interface Call {
  op: string;
  at: number;
  /** The access key ID the request was signed with. */
  accessKeyId?: string;
  /** The port the request came from (a proxy test matches it to the proxy's connections). */
  port?: number;
  body: Record<string, unknown>;
}

export class FakeAccount {
  services = new Map<string, FakeService>();
  tasks = new Map<string, FakeTask>();
  targets = new Map<string, FakeTarget[]>();
  healthChecked = new Set<string>();
  revisions = new Map<string, FakeRevision>();
  /** CloudWatch Logs: group → stream → events, oldest first. */
  logStreams = new Map<string, Map<string, Array<{ timestamp: number; message: string }>>>();
  /** Target group settings: the ALB defaults (health check every 30 s, healthy after 5) unless a scenario says otherwise. */
  targetGroupSettings = { intervalSeconds: 30, healthyThreshold: 5, deregistrationDelaySeconds: 300 };
  /** Task definition families that log with another driver than awslogs (or none). */
  logDrivers = new Map<string, string>();
  calls: Call[] = [];
  faults: Fault[] = [];
  /** Every call fails with 503 while this returns true (an outage of the region's endpoints). */
  down: () => boolean = () => false;
  /** Every answer is delayed by this (ms): a slow region, to show which calls run side by side. */
  latencyMs = 0;
  /** Called before each DescribeServices answer: poll-driven scenarios advance the model here. */
  onPoll: (tick: number) => void = () => {};
  /** When named moments of a scenario happened (epoch ms), e.g. cut-over and retirement. */
  readonly marks = new Map<string, number>();
  private ticks = 0;
  private server?: Server;
  url = '';

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  service(name: string): FakeService {
    const s = this.services.get(name);
    if (!s) throw new Error(`no fake service ${name}`);
    return s;
  }

  addEvent(service: string, message: string): void {
    const s = this.service(service);
    s.events.unshift({ id: `ev-${s.events.length + 1}`, createdAt: Date.now(), message: `(service ${service}) ${message}` });
  }

  async start(tls?: Tls): Promise<string> {
    const { server, url } = await listen((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error.stack));
      });
    }, tls);
    this.server = server;
    this.url = url;
    return this.url;
  }

  private timers: NodeJS.Timeout[] = [];

  /** Runs `fn` after `ms`; cancelled by stop(). */
  schedule(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const target = req.headers['x-amz-target'];
    const accessKeyId = /Credential=([A-Z0-9]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    const sessionToken = String(req.headers['x-amz-security-token'] ?? '');
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (typeof target === 'string') {
      const op = target.split('.').pop() as string;
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      this.calls.push({ op, at: Date.now(), accessKeyId, body, port: req.socket.remotePort });
      if (this.fault(op, res, 'json', sessionToken)) return;
      const out = target.startsWith('CodeDeploy_') ? this.codeDeployApi(op, body) : target.startsWith('Logs_') ? this.logsApi(op, body) : this.ecs(op, body);
      res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out.body));
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(raw));
    const op = form.Action ?? 'Unknown';
    this.calls.push({ op, at: Date.now(), accessKeyId, body: form, port: req.socket.remotePort });
    if (this.fault(op, res, 'xml', sessionToken)) return;
    const xml = op === 'AssumeRoleWithWebIdentity' ? this.sts(form) : this.elb(op, form);
    res.writeHead(xml.status, { 'content-type': 'text/xml' }).end(xml.body);
  }

  private fault(op: string, res: ServerResponse, protocol: 'json' | 'xml', sessionToken: string): boolean {
    const f = this.down() ? ({ times: 1, kind: 'unavailable' } satisfies Fault) : this.faults.find((x) => x.times > 0 && (!x.op || x.op === op));
    if (!f) return false;
    f.times--;
    if (f.kind === 'hang') return true; // never answered; the socket closes when the double stops
    if (f.kind === 'reset') {
      res.socket?.destroy();
      return true;
    }
    if (f.kind === 'empty' && op === 'DescribeServices') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ services: [], failures: [] }));
      return true;
    }
    if (f.kind === 'garbage') {
      res.writeHead(200, { 'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'text/xml' }).end('<html><body>502 Bad Gateway</body></html>');
      return true;
    }
    if (f.kind === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': '4096' });
      res.write('{"services": [{"serviceName": "');
      setTimeout(() => res.socket?.destroy(), 20);
      return true;
    }
    // What AWS says to a request signed with a key it does not match: the canonical request it
    // expected, signed headers and all (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html).
    const signature = `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. The Canonical String for this request should have been 'POST / content-type:application/x-amz-json-1.1 host:127.0.0.1 x-amz-security-token:${sessionToken} x-amz-target:AmazonEC2ContainerServiceV20141113.${op}'`;
    const [status, code, message] =
      f.kind === 'throttle'
        ? [400, protocol === 'json' ? 'ThrottlingException' : 'Throttling', 'Rate exceeded']
        : f.kind === 'access_denied'
          ? [400, protocol === 'json' ? 'AccessDeniedException' : 'AccessDenied', `User: arn:aws:iam::${ACCOUNT_ID}:user/ci is not authorized to perform: ${op}`]
          : f.kind === 'signature'
            ? [403, protocol === 'json' ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', signature]
            : [503, 'ServiceUnavailable', 'Service is unavailable'];
    if (protocol === 'json') {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: code, message }));
    } else {
      res
        .writeHead(status, { 'content-type': 'text/xml' })
        .end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
    }
    return true;
  }

  private ecs(op: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const cluster = String(body.cluster ?? CLUSTER).split('/').pop();
    if (op !== 'DescribeTaskDefinition' && cluster !== CLUSTER) {
      return { status: 400, body: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' } };
    }
    switch (op) {
      case 'DescribeServices': {
        const names = body.services as string[];
        // One tick per poll: a poll of more than 10 services makes several calls, only the first advances.
        const first = this.services.keys().next().value;
        if (!first || names.some((n) => n.split('/').pop() === first)) this.onPoll(this.ticks++);
        const found = names.map((n) => this.services.get(n.split('/').pop() as string)).filter((s): s is FakeService => Boolean(s));
        return {
          status: 200,
          body: {
            services: found.map((s) => this.serviceJson(s)),
            failures: names.filter((n) => !this.services.has(n.split('/').pop() as string)).map((n) => ({ arn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${n}`, reason: 'MISSING' })),
          },
        };
      }
      case 'ListTasks': {
        const all = [...this.tasks.values()].filter(
          (t) => t.service === body.serviceName && t.desiredStatus === (body.desiredStatus ?? 'RUNNING'),
        );
        const start = Number(body.nextToken ?? 0);
        const size = Number(body.maxResults ?? 100);
        const page = all.slice(start, start + size);
        return {
          status: 200,
          body: { taskArns: page.map((t) => this.taskArn(t)), ...(start + size < all.length ? { nextToken: String(start + size) } : {}) },
        };
      }
      case 'DescribeTasks': {
        const arns = body.tasks as string[];
        if (arns.length > 100) return { status: 400, body: { __type: 'InvalidParameterException', message: 'Tasks cannot be longer than 100.' } };
        const ids = arns.map((a) => a.split('/').pop() as string);
        return {
          status: 200,
          body: {
            tasks: ids.filter((id) => this.tasks.has(id)).map((id) => this.taskJson(this.tasks.get(id) as FakeTask)),
            failures: arns.filter((a, i) => !this.tasks.has(ids[i] as string)).map((arn) => ({ arn, reason: 'MISSING' })),
          },
        };
      }
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html
      case 'DescribeServiceDeployments': {
        const arns = body.serviceDeploymentArns as string[];
        if (arns.length > 20) return { status: 400, body: { __type: 'InvalidParameterException', message: 'serviceDeploymentArns cannot have more than 20 entries.' } };
        const all = [...this.services.values()].flatMap((s) => (s.shift ? s.shift.deployments.map((d) => ({ s, d })) : []));
        const found = arns.flatMap((arn) => all.filter((x) => x.d.arn === arn));
        // Rolling deployments have service deployments too; the circuit breaker's count is in them.
        const rolling = arns.flatMap((arn) =>
          [...this.services.values()].flatMap((s) => s.deployments.filter((d) => !s.shift && this.rollingDeploymentArn(s, d) === arn).map((d) => this.rollingDeploymentJson(s, d))),
        );
        return {
          status: 200,
          body: {
            serviceDeployments: [...found.map(({ s, d }) => this.serviceDeploymentJson(s, d)), ...rolling],
            failures: arns
              .filter((arn) => !found.some((x) => x.d.arn === arn) && !rolling.some((r) => r.serviceDeploymentArn === arn))
              .map((arn) => ({ arn, reason: 'MISSING' })),
          },
        };
      }
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html
      case 'DescribeServiceRevisions': {
        const arns = body.serviceRevisionArns as string[];
        if (arns.length > 20) return { status: 400, body: { __type: 'InvalidParameterException', message: 'serviceRevisionArns cannot have more than 20 entries.' } };
        const found = arns.flatMap((arn) => {
          const r = this.revisions.get(arn);
          return r ? [r] : [];
        });
        return {
          status: 200,
          body: {
            serviceRevisions: found.map((r) => ({
              serviceRevisionArn: r.arn,
              serviceArn: r.arn.replace(':service-revision/', ':service/').replace(/\/[^/]+$/, ''),
              clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
              taskDefinition: r.td,
              launchType: 'FARGATE',
              loadBalancers: [{ targetGroupArn: r.targetGroup, containerName: 'web', containerPort: 8080 }],
              createdAt: Date.now() / 1000,
              resolvedConfiguration: { loadBalancers: [{ targetGroupArn: r.targetGroup, productionListenerRule: r.listenerRule }] },
            })),
            failures: arns.filter((arn) => !this.revisions.has(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
          },
        };
      }
      case 'DescribeTaskDefinition': {
        const arn = String(body.taskDefinition);
        const [family, revision] = (arn.split('/').pop() as string).split(':');
        return {
          status: 200,
          body: {
            taskDefinition: {
              taskDefinitionArn: arn,
              family,
              revision: Number(revision),
              containerDefinitions: [
                {
                  name: 'web',
                  image: 'shop-api',
                  ...(this.healthChecked.has(arn) ? { healthCheck: { command: ['CMD-SHELL', 'curl -f localhost:8080/health'] } } : {}),
                  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
                  logConfiguration:
                    (this.logDrivers.get(family ?? '') ?? 'awslogs') === 'awslogs'
                      ? { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' } }
                      : { logDriver: this.logDrivers.get(family ?? ''), options: {} },
                },
              ],
            },
          },
        };
      }
      default:
        return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
    }
  }

  private elb(op: string, form: Record<string, string>): { status: number; body: string } {
    if (op === 'DescribeRules') return this.describeRules(form);
    if (op === 'DescribeTargetGroups') return this.describeTargetGroups(form);
    if (op === 'DescribeTargetGroupAttributes') return this.describeTargetGroupAttributes(form);
    if (op !== 'DescribeTargetHealth') return { status: 400, body: '<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>' };
    const targets = this.targets.get(form.TargetGroupArn ?? '');
    if (!targets) {
      return {
        status: 400,
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>Target groups '${esc(form.TargetGroupArn ?? '')}' not found</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      };
    }
    const members = targets
      .map(
        (t) =>
          `<member><Target><Id>${esc(t.id)}</Id><Port>${t.port}</Port></Target><HealthCheckPort>${t.port}</HealthCheckPort><TargetHealth><State>${t.state}</State>${
            t.reason ? `<Reason>${t.reason}</Reason>` : ''
          }${t.description ? `<Description>${esc(t.description)}</Description>` : ''}</TargetHealth></member>`,
      )
      .join('');
    return {
      status: 200,
      body: `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetHealthResult><TargetHealthDescriptions>${members}</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetHealthResponse>`,
    };
  }

  /**
   * The production listener rules of blue/green services: a forward action with both target groups
   * and their weights (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html,
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ForwardActionConfig.html).
   */
  private describeRules(form: Record<string, string>): { status: number; body: string } {
    const arns = Object.entries(form)
      .filter(([k]) => k.startsWith('RuleArns.member.'))
      .map(([, v]) => v);
    const shifts = [...this.services.values()].flatMap((s) => (s.shift ? [s.shift] : []));
    const missing = arns.filter((arn) => !shifts.some((sh) => sh.listenerRule === arn));
    if (missing.length) {
      return {
        status: 400,
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>RuleNotFound</Code><Message>One or more rules not found</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      };
    }
    const members = arns
      .map((arn) => {
        const sh = shifts.find((x) => x.listenerRule === arn) as FakeShift;
        const groups = [...sh.weights].map(([tg, w]) => `<member><TargetGroupArn>${esc(tg)}</TargetGroupArn><Weight>${w}</Weight></member>`).join('');
        return `<member><IsDefault>false</IsDefault><Conditions><member><Field>path-pattern</Field><Values><member>/*</member></Values></member></Conditions><Priority>10</Priority><Actions><member><Type>forward</Type><Order>1</Order><ForwardConfig><TargetGroups>${groups}</TargetGroups><TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig></ForwardConfig></member></Actions><RuleArn>${esc(arn)}</RuleArn></member>`;
      })
      .join('');
    return {
      status: 200,
      body: `<DescribeRulesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeRulesResult><Rules>${members}</Rules></DescribeRulesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeRulesResponse>`,
    };
  }

  /** https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html */
  private describeTargetGroups(form: Record<string, string>): { status: number; body: string } {
    const arns = Object.entries(form)
      .filter(([k]) => k.startsWith('TargetGroupArns.member.'))
      .map(([, v]) => v);
    const { intervalSeconds, healthyThreshold } = this.targetGroupSettings;
    const members = arns
      .filter((arn) => this.targets.has(arn))
      .map(
        (arn) =>
          `<member><TargetGroupArn>${esc(arn)}</TargetGroupArn><TargetGroupName>${esc(arn.split('/')[1] ?? '')}</TargetGroupName><Protocol>HTTP</Protocol><Port>8080</Port><VpcId>vpc-0f1e2d3c</VpcId><HealthCheckProtocol>HTTP</HealthCheckProtocol><HealthCheckPort>traffic-port</HealthCheckPort><HealthCheckEnabled>true</HealthCheckEnabled><HealthCheckIntervalSeconds>${intervalSeconds}</HealthCheckIntervalSeconds><HealthCheckTimeoutSeconds>5</HealthCheckTimeoutSeconds><HealthyThresholdCount>${healthyThreshold}</HealthyThresholdCount><UnhealthyThresholdCount>2</UnhealthyThresholdCount><HealthCheckPath>/health</HealthCheckPath><Matcher><HttpCode>200</HttpCode></Matcher><TargetType>ip</TargetType></member>`,
      )
      .join('');
    return {
      status: 200,
      body: `<DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetGroupsResult><TargetGroups>${members}</TargetGroups></DescribeTargetGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>`,
    };
  }

  /** https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroupAttributes.html */
  private describeTargetGroupAttributes(form: Record<string, string>): { status: number; body: string } {
    const attributes = {
      'deregistration_delay.timeout_seconds': String(this.targetGroupSettings.deregistrationDelaySeconds),
      'stickiness.enabled': 'false',
      'load_balancing.algorithm.type': 'round_robin',
      'slow_start.duration_seconds': '0',
    };
    if (!this.targets.has(form.TargetGroupArn ?? '')) {
      return { status: 400, body: '<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error><RequestId>r</RequestId></ErrorResponse>' };
    }
    const members = Object.entries(attributes)
      .map(([k, v]) => `<member><Key>${k}</Key><Value>${v}</Value></member>`)
      .join('');
    return {
      status: 200,
      body: `<DescribeTargetGroupAttributesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetGroupAttributesResult><Attributes>${members}</Attributes></DescribeTargetGroupAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupAttributesResponse>`,
    };
  }

  private rollingDeploymentArn(s: FakeService, d: FakeDeployment): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service-deployment/${CLUSTER}/${s.name}/${d.id.replace('ecs-svc/', '')}`;
  }

  /** A rolling deployment as DescribeServiceDeployments shows it (the AWS CLI example's shape), its circuit breaker counting failed tasks. */
  private rollingDeploymentJson(s: FakeService, d: FakeDeployment) {
    return {
      serviceDeploymentArn: this.rollingDeploymentArn(s, d),
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
      createdAt: d.createdAt / 1000,
      startedAt: d.createdAt / 1000,
      updatedAt: Date.now() / 1000,
      sourceServiceRevisions: [],
      targetServiceRevision: { arn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service-revision/${CLUSTER}/${s.name}/${d.id.replace('ecs-svc/', '')}`, requestedTaskCount: d.desiredCount, runningTaskCount: d.runningCount, pendingTaskCount: d.pendingCount },
      status: d.rolloutState === 'COMPLETED' ? 'SUCCESSFUL' : d.rolloutState === 'FAILED' ? 'ROLLBACK_IN_PROGRESS' : 'IN_PROGRESS',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING' },
      deploymentCircuitBreaker: { status: d.rolloutState === 'FAILED' ? 'TRIGGERED' : 'MONITORING', failureCount: d.failedTasks, threshold: 3 },
      alarms: d.triggeredAlarms?.length ? { status: 'TRIGGERED', alarmNames: d.triggeredAlarms, triggeredAlarmNames: d.triggeredAlarms } : { status: 'DISABLED' },
    };
  }

  private serviceDeploymentJson(s: FakeService, d: FakeServiceDeployment) {
    const sh = s.shift as FakeShift;
    const share = (r: FakeRevisionShare) => ({
      arn: r.arn,
      requestedTaskCount: r.requested,
      runningTaskCount: r.running,
      pendingTaskCount: r.pending,
      ...(r.production !== undefined ? { requestedProductionTrafficWeight: r.production } : {}),
      ...(r.test !== undefined ? { requestedTestTrafficWeight: r.test } : {}),
    });
    return {
      serviceDeploymentArn: d.arn,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
      createdAt: d.createdAt / 1000,
      startedAt: d.createdAt / 1000,
      updatedAt: d.updatedAt / 1000,
      ...(d.status === 'SUCCESSFUL' || d.status.startsWith('ROLLBACK_S') ? { finishedAt: d.updatedAt / 1000 } : {}),
      sourceServiceRevisions: d.sources.map(share),
      targetServiceRevision: share(d.target),
      status: d.status,
      ...(d.statusReason ? { statusReason: d.statusReason } : {}),
      ...(d.lifecycleStage ? { lifecycleStage: d.lifecycleStage } : {}),
      lifecycleHookDetails: d.hooks.map((h) => ({ ...h, ...(h.expiresAt ? { expiresAt: h.expiresAt / 1000 } : {}) })),
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        alarms: { alarmNames: d.alarms.alarmNames, rollback: true, enable: d.alarms.alarmNames.length > 0 },
        strategy: sh.strategy,
        bakeTimeInMinutes: sh.bakeTimeInMinutes,
        ...(sh.linear ? { linearConfiguration: sh.linear } : {}),
        ...(sh.canary ? { canaryConfiguration: sh.canary } : {}),
      },
      ...(d.rollback ? { rollback: { ...d.rollback, startedAt: d.rollback.startedAt / 1000 } } : {}),
      deploymentCircuitBreaker: d.circuitBreaker,
      alarms: d.alarms,
    };
  }

  /**
   * CodeDeploy, JSON 1.1 (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeployment.html,
   * https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeploymentTarget.html, API_ECSTarget.html).
   */
  private codeDeployApi(op: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const id = String(body.deploymentId ?? '');
    const found = [...this.services.values()].flatMap((s) => (s.codeDeploy ? s.codeDeploy.deployments.map((d) => ({ s, cd: s.codeDeploy as FakeCodeDeploy, d })) : [])).find((x) => x.d.id === id);
    if (!found) return { status: 400, body: { __type: 'DeploymentDoesNotExistException', message: `The deployment ${id} could not be found.` } };
    const { s, cd, d } = found;
    if (op === 'GetDeployment') {
      return {
        status: 200,
        body: {
          deploymentInfo: {
            applicationName: cd.application,
            deploymentGroupName: cd.group,
            deploymentConfigName: cd.configName,
            deploymentId: d.id,
            status: d.status,
            ...(d.error ? { errorInformation: d.error } : {}),
            createTime: d.createdAt / 1000,
            ...(d.completedAt ? { completeTime: d.completedAt / 1000 } : {}),
            creator: 'user',
            ...(d.rollback ? { rollbackInfo: d.rollback } : {}),
            deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
            blueGreenDeploymentConfiguration: {
              terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: cd.terminationWaitMinutes },
              deploymentReadyOption: { actionOnTimeout: cd.readyAction, waitTimeInMinutes: cd.readyWaitMinutes },
            },
            computePlatform: 'ECS',
          },
        },
      };
    }
    if (op === 'GetDeploymentTarget') {
      const targetId = `${CLUSTER}:${s.name}`;
      if (body.targetId !== targetId) return { status: 400, body: { __type: 'DeploymentTargetDoesNotExistException', message: `The target ${String(body.targetId)} could not be found.` } };
      const sets = (s.taskSets ?? []).filter((t) => t.externalId === d.id || t.status === 'PRIMARY' || t.status === 'ACTIVE');
      return {
        status: 200,
        body: {
          deploymentTarget: {
            deploymentTargetType: 'ECSTarget',
            ecsTarget: {
              deploymentId: d.id,
              targetId,
              targetArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
              lastUpdatedAt: Date.now() / 1000,
              lifecycleEvents: d.events.map((e) => ({
                lifecycleEventName: e.name,
                status: e.status,
                ...(e.start ? { startTime: e.start / 1000 } : {}),
                ...(e.end ? { endTime: e.end / 1000 } : {}),
                ...(e.diagnostics ? { diagnostics: e.diagnostics } : {}),
              })),
              status: d.status === 'Baking' || d.status === 'Ready' ? 'InProgress' : d.status,
              taskSetsInfo: sets.map((t) => {
                const label = t.externalId === d.id ? 'Green' : 'Blue';
                return {
                  identifer: t.id,
                  desiredCount: t.desired,
                  pendingCount: t.pending,
                  runningCount: t.running,
                  status: t.status,
                  trafficWeight: d.weights[label],
                  targetGroup: { name: t.targetGroup.split('/')[1] },
                  taskSetLabel: label,
                };
              }),
            },
          },
        },
      };
    }
    return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
  }

  /** What a container printed, as the awslogs driver stores it: group /ecs/FAMILY, stream ecs/CONTAINER/TASK_ID. */
  printLogs(family: string, container: string, taskId: string, lines: string[]): void {
    const group = `/ecs/${family}`;
    const streams = this.logStreams.get(group) ?? new Map();
    this.logStreams.set(group, streams);
    const now = Date.now();
    streams.set(`ecs/${container}/${taskId}`, lines.map((message, i) => ({ timestamp: now + i, message })));
  }

  /** CloudWatch Logs, JSON 1.1 (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html). */
  private logsApi(op: string, body: Record<string, unknown>): { status: number; body: unknown } {
    if (op !== 'GetLogEvents') return { status: 400, body: { __type: 'UnknownOperationException', message: op } };
    const events = this.logStreams.get(String(body.logGroupName))?.get(String(body.logStreamName));
    if (!events) return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' } };
    const limit = Number(body.limit ?? 10_000);
    const page = body.startFromHead ? events.slice(0, limit) : events.slice(-limit);
    return {
      status: 200,
      body: { events: page.map((e) => ({ ...e, ingestionTime: e.timestamp + 5 })), nextForwardToken: 'f/1', nextBackwardToken: 'b/1' },
    };
  }

  /** Web identity tokens STS accepted (the OIDC test checks the step token went here). */
  readonly webIdentityTokens: string[] = [];
  static readonly ROLE_KEY_ID = 'ASIAFAKEROLEKEY00001';
  static readonly ROLE_SECRET = 'stsRoleSecretAccessKeyFromAssumeRole01';
  static readonly ROLE_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEFakeStsSessionTokenFromAssumeRole';

  private sts(form: Record<string, string>): { status: number; body: string } {
    if (!form.WebIdentityToken?.startsWith('eyJ')) {
      return {
        status: 400,
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn\'t retrieve verification key from your identity provider</Message></Error><RequestId>r</RequestId></ErrorResponse>',
      };
    }
    this.webIdentityTokens.push(form.WebIdentityToken);
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return {
      status: 200,
      body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${FakeAccount.ROLE_KEY_ID}</AccessKeyId><SecretAccessKey>${FakeAccount.ROLE_SECRET}</SecretAccessKey><SessionToken>${FakeAccount.ROLE_SESSION_TOKEN}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${esc(form.RoleArn ?? '')}/${esc(form.RoleSessionName ?? '')}</Arn><AssumedRoleId>AROAFAKE:${esc(form.RoleSessionName ?? '')}</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    };
  }

  private taskArn(t: FakeTask): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/${CLUSTER}/${t.id}`;
  }

  private serviceJson(s: FakeService) {
    return {
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
      serviceName: s.name,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
      status: s.status,
      ...(s.omitDesiredCount ? {} : { desiredCount: s.desiredCount }),
      runningCount: s.deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: s.deployments.reduce((n, d) => n + d.pendingCount, 0),
      launchType: 'FARGATE',
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html
      loadBalancers: s.shift
        ? [
            {
              targetGroupArn: s.shift.primaryTargetGroup,
              containerName: 'web',
              containerPort: 8080,
              advancedConfiguration: {
                alternateTargetGroupArn: s.shift.alternateTargetGroup,
                productionListenerRule: s.shift.listenerRule,
                roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/ecsInfrastructureRoleForLoadBalancers`,
              },
            },
          ]
        : s.targetGroups.map((arn) => ({ targetGroupArn: arn, containerName: 'web', containerPort: 8080 })),
      deploymentController: { type: s.controller },
      healthCheckGracePeriodSeconds: 0,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        ...(s.strategy ? { strategy: s.strategy } : {}),
        ...(s.shift
          ? {
              strategy: s.shift.strategy,
              bakeTimeInMinutes: s.shift.bakeTimeInMinutes,
              ...(s.shift.linear ? { linearConfiguration: s.shift.linear } : {}),
              ...(s.shift.canary ? { canaryConfiguration: s.shift.canary } : {}),
            }
          : {}),
      },
      ...(s.shift?.current ? { currentServiceDeployment: s.shift.current } : {}),
      ...(!s.shift && !s.taskSets && s.deployments.some((d) => d.status === 'PRIMARY')
        ? { currentServiceDeployment: this.rollingDeploymentArn(s, s.deployments.find((d) => d.status === 'PRIMARY') as FakeDeployment) }
        : {}),
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html: CODE_DEPLOY services list task sets, not deployments.
      ...(s.taskSets
        ? {
            taskSets: s.taskSets.map((t) => ({
              id: t.id,
              taskSetArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-set/${CLUSTER}/${s.name}/${t.id}`,
              serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${CLUSTER}/${s.name}`,
              clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
              externalId: t.externalId,
              status: t.status,
              taskDefinition: t.td,
              computedDesiredCount: t.desired,
              pendingCount: t.pending,
              runningCount: t.running,
              createdAt: t.createdAt / 1000,
              updatedAt: t.createdAt / 1000,
              launchType: 'FARGATE',
              loadBalancers: [{ targetGroupArn: t.targetGroup, containerName: 'web', containerPort: 8080 }],
              scale: { value: 100, unit: 'PERCENT' },
              stabilityStatus: t.running === t.desired ? 'STEADY_STATE' : 'STABILIZING',
            })),
          }
        : {}),
      deployments: (s.taskSets ? [] : s.deployments).map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinition: d.td,
        desiredCount: d.desiredCount,
        pendingCount: d.pendingCount,
        runningCount: d.runningCount,
        failedTasks: d.failedTasks,
        createdAt: d.createdAt / 1000,
        updatedAt: d.createdAt / 1000,
        launchType: 'FARGATE',
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      })),
      events: s.events.slice(0, 100).map((e) => ({ id: e.id, createdAt: e.createdAt / 1000, message: e.message })),
      taskDefinition: s.taskSets ? s.taskSets.find((t) => t.status === 'PRIMARY')?.td : s.deployments.find((d) => d.status === 'PRIMARY')?.td,
    };
  }

  private taskJson(t: FakeTask) {
    return {
      taskArn: this.taskArn(t),
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`,
      taskDefinitionArn: t.td,
      startedBy: t.deploymentId,
      group: `service:${t.service}`,
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      healthStatus: t.health ?? 'UNKNOWN',
      launchType: 'FARGATE',
      attachments: [
        {
          id: `att-${t.id}`,
          type: 'ElasticNetworkInterface',
          status: 'ATTACHED',
          details: [
            { name: 'subnetId', value: 'subnet-0d0eab1bb3EXAMPLE' },
            { name: 'privateIPv4Address', value: t.ip },
          ],
        },
      ],
      containers: [
        {
          name: 'web',
          lastStatus: t.lastStatus,
          healthStatus: t.health ?? 'UNKNOWN',
          networkInterfaces: [{ attachmentId: `att-${t.id}`, privateIpv4Address: t.ip }],
          ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
        },
      ],
      ...(t.startedAt ? { startedAt: t.startedAt / 1000 } : {}),
      ...(t.stoppedAt ? { stoppedAt: t.stoppedAt / 1000 } : {}),
      ...(t.stopCode ? { stopCode: t.stopCode } : {}),
      ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
      version: 3,
    };
  }
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
