// A simulated AWS account: an HTTP double of the parts of ECS (JSON 1.1), ELBv2 and STS (Query
// protocol, XML) that the pipe calls, backed by a small mutable model. The real AWS SDK clients talk
// to it through AWS_ENDPOINT_URL. Scenarios mutate the model between polls or on a compressed
// timeline (see scenarios.ts). Used by the tests, `npm run demo` and `npm run bench`.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { cloudWatchApi } from './aws/cloudwatch.ts';
import { codeDeployApi } from './aws/codedeploy.ts';
import { CONTAINER_CREDENTIALS_PATH, containerCredentialsApi } from './aws/container-credentials.ts';
import { ECR_BLOB_PATH, ecrApi, ecrBlob } from './aws/ecr.ts';
import { ecsApi } from './aws/ecs.ts';
import { elbApi } from './aws/elbv2.ts';
import { logsApi } from './aws/logs.ts';
import {
  ACCOUNT_ID,
  type AccountModel,
  type Call,
  esc,
  type FakeAlarm,
  type FakeElbMinute,
  type FakeMinute,
  type FakeRevision,
  type FakeService,
  type FakeTarget,
  type FakeTask,
  type Fault,
  STEADY_MINUTE,
} from './aws/model.ts';
import { ROLE_KEY_ID, ROLE_SECRET, ROLE_SESSION_TOKEN, stsApi } from './aws/sts.ts';
import { listen, type Tls } from './listen.ts';
import type { Quotas } from './quota.ts';

export * from './aws/model.ts';

/** The account: its model, the calls it answered, the faults to inject; one HTTP server routes each call to its API's double. */
export class FakeAccount implements AccountModel {
  services = new Map<string, FakeService>();

  tasks = new Map<string, FakeTask>();

  targets = new Map<string, FakeTarget[]>();

  healthChecked = new Set<string>();

  revisions = new Map<string, FakeRevision>();

  /** CloudWatch Logs: group → stream → events, oldest first. */
  logStreams = new Map<string, Map<string, Array<{ timestamp: number; message: string }>>>();
  alarms = new Map<string, FakeAlarm>();

  /** Target group settings: the ALB defaults (health check every 30 s, healthy after 5) unless a scenario says otherwise. */
  targetGroupSettings: AccountModel['targetGroupSettings'] = { intervalSeconds: 30, healthyThreshold: 5, deregistrationDelaySeconds: 300, protocol: 'HTTP' };

  /** Task definition families that log with another driver than awslogs (or none). */
  logDrivers = new Map<string, string>();

  calls: Call[] = [];

  faults: Fault[] = [];

  /** Every call fails with 503 while this returns true (an outage of the region's endpoints). */
  down: () => boolean = () => false;

  /** Every answer is delayed by this (ms): a slow region, to show which calls run side by side. */
  latencyMs = 0;

  /** The account's request quotas (quota.ts): a call over its class's quota is throttled. None: unlimited. */
  quotas?: Quotas;

  /** Called when ContinueServiceDeployment acts on a paused hook: a scenario carries on (or rolls back) here. */
  onContinue: (service: string, action: 'CONTINUE' | 'ROLLBACK') => void = () => {};
  images = new Map<string, string>();
  ecrImages: AccountModel['ecrImages'] = new Map();

  /** Each target group's traffic per minute (GetMetricData): steady unless a scenario says otherwise. */
  traffic: (targetGroupArn: string, minute: number) => FakeMinute | undefined = () => STEADY_MINUTE;
  /** The load balancer's own 5xx per minute: none unless a scenario says otherwise. */
  elbErrors: (loadBalancerArn: string, minute: number) => FakeElbMinute | undefined = () => undefined;
  /** Called before each DescribeServices answer: poll-driven scenarios advance the model here. */
  onPoll: (tick: number) => void = () => {};

  /** When named moments of a scenario happened (epoch ms), e.g. cut-over and retirement. */
  readonly marks = new Map<string, number>();

  /** DescribeServices polls answered so far (what poll-driven scenarios count). */
  ticks = 0;

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
    if (req.method === 'GET' && req.url === CONTAINER_CREDENTIALS_PATH) {
      this.calls.push({ op: 'ContainerCredentials', at: Date.now(), body: {}, port: req.socket.remotePort });
      const out = containerCredentialsApi(req.headers.authorization);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith(ECR_BLOB_PATH)) {
      this.calls.push({ op: 'EcrBlobDownload', at: Date.now(), body: {}, port: req.socket.remotePort });
      const out = ecrBlob(this, req.url);
      res.writeHead(out.status, { 'content-type': 'application/octet-stream' }).end(out.body);
      return;
    }
    if (typeof target === 'string') {
      const op = target.split('.').pop() as string;
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      this.calls.push({ op, at: Date.now(), accessKeyId, body, port: req.socket.remotePort });
      if (this.fault(op, res, 'json', sessionToken)) return;
      const cloudWatch = target.startsWith('GraniteServiceVersion20100801.');
      const out = target.startsWith('CodeDeploy_')
        ? codeDeployApi(this, op, body)
        : target.startsWith('AmazonEC2ContainerRegistry_')
          ? ecrApi(this, op, body, this.url)
          : target.startsWith('Logs_')
            ? logsApi(this, op, body)
            : cloudWatch
              ? cloudWatchApi(this, op, body)
              : ecsApi(this, op, body);
      res.writeHead(out.status, { 'content-type': cloudWatch ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1' }).end(JSON.stringify(out.body));
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(raw));
    const op = form.Action ?? 'Unknown';
    this.calls.push({ op, at: Date.now(), accessKeyId, body: form, port: req.socket.remotePort });
    if (this.fault(op, res, 'xml', sessionToken)) return;
    const xml = op === 'AssumeRoleWithWebIdentity' ? stsApi(this, form) : elbApi(this, op, form);
    res.writeHead(xml.status, { 'content-type': 'text/xml' }).end(xml.body);
  }

  private fault(op: string, res: ServerResponse, protocol: 'json' | 'xml', sessionToken: string): boolean {
    const f = this.down()
      ? ({ times: 1, kind: 'unavailable' } satisfies Fault)
      : this.quotas?.take(op)
        ? ({ times: 1, kind: 'throttle' } satisfies Fault)
        : this.faults.find((x) => x.times > 0 && (!x.op || x.op === op));
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
          ? [
              400,
              protocol === 'json' ? 'AccessDeniedException' : 'AccessDenied',
              `User: arn:aws:iam::${ACCOUNT_ID}:user/ci is not authorized to perform: ${op}`,
            ]
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

  /** What a Lambda function printed in one invocation, as Lambda stores it: group /aws/lambda/NAME, one stream per instance. */
  printLambdaLogs(functionName: string, lines: string[]): void {
    const group = `/aws/lambda/${functionName}`;
    const streams = this.logStreams.get(group) ?? new Map();
    this.logStreams.set(group, streams);
    const now = Date.now();
    const requestId = randomUUID();
    streams.set(`${new Date(now).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${requestId}`, [
      { timestamp: now, message: `START RequestId: ${requestId} Version: $LATEST` },
      ...lines.map((message, i) => ({ timestamp: now + 1 + i, message })),
      { timestamp: now + lines.length + 1, message: `END RequestId: ${requestId}` },
      // The runtime's report line, as a published log shows it (test/fixtures/aws/lambda-hook-log-real.json).
      {
        timestamp: now + lines.length + 2,
        message: `REPORT RequestId: ${requestId}\tDuration: 812.40 ms\tBilled Duration: 813 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB`,
      },
    ]);
  }

  /** What a container printed, as the awslogs driver stores it: group /ecs/FAMILY, stream ecs/CONTAINER/TASK_ID. */
  printLogs(family: string, container: string, taskId: string, lines: string[]): void {
    const group = `/ecs/${family}`;
    const streams = this.logStreams.get(group) ?? new Map();
    this.logStreams.set(group, streams);
    const now = Date.now();
    streams.set(
      `ecs/${container}/${taskId}`,
      lines.map((message, i) => ({ timestamp: now + i, message })),
    );
  }

  /** Web identity tokens STS accepted (the OIDC test checks the step token went here). */
  readonly webIdentityTokens: string[] = [];

  static readonly ROLE_KEY_ID = ROLE_KEY_ID;

  static readonly ROLE_SECRET = ROLE_SECRET;

  static readonly ROLE_SESSION_TOKEN = ROLE_SESSION_TOKEN;
}
