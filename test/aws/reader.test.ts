// The reader against mocked SDK clients: what it asks AWS for, and what it does not ask again.

import { CodeDeployClient, GetDeploymentCommand, GetDeploymentTargetCommand } from '@aws-sdk/client-codedeploy';
import {
  type Deployment,
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { RolloutReader } from '../../src/aws/reader.ts';
import { AwsError } from '../../src/errors.ts';
import { sample } from '../support/samples.ts';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:2';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067';
const silent = { info() {}, warn() {}, error() {}, debug() {} };

function serviceJson(name: string, fields: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/MyCluster/${name}`,
    status: 'ACTIVE',
    desiredCount: 2,
    deploymentController: { type: 'ECS' },
    loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }],
    deployments: [
      {
        id: 'ecs-svc/988401040018EXAMPLE',
        status: 'PRIMARY',
        taskDefinition: TD,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'IN_PROGRESS',
        createdAt: new Date(),
      },
    ],
    events: [],
    ...fields,
  };
}

describe('aws/reader', () => {
  const ecs = mockClient(ECSClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  const tasks = sample('describe-tasks-running-fargate-awsvpc').tasks as Task[];
  const arns = tasks.map((t) => t.taskArn as string);
  let reader: RolloutReader;

  beforeEach(() => {
    ecs.reset();
    elb.reset();
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({ services: input.services.map((n) => serviceJson(n)), failures: [] }));
    ecs.on(ListTasksCommand).resolves({ taskArns: arns });
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: tasks.filter((t) => input.tasks.includes(t.taskArn as string)) }));
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD, containerDefinitions: [{ name: 'web' }] } });
    elb.on(DescribeTargetHealthCommand).resolves(sample('describe-target-health-ip-healthy-and-draining'));
    const codeDeploy = new CodeDeployClient({ region: 'us-east-1' });
    reader = new RolloutReader(
      { ecs: new ECSClient({ region: 'us-east-1' }), elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }), codeDeploy: async () => codeDeploy },
      'MyCluster',
      (_op, call) => call(undefined),
      silent,
    );
  });

  it('maps services, tasks and targets into a snapshot (IPs from the ENI join tasks to targets)', async () => {
    const snap = (await reader.read(['web'])).get('web');
    expect(snap?.deployments[0]).to.include({ id: 'ecs-svc/988401040018EXAMPLE', status: 'PRIMARY', taskDefinitionArn: TD });
    // ip targets meet their task on address and the service's container port.
    expect(snap?.tasks.map((t) => t.targetKeys)).to.deep.equal([['10.0.1.184:80'], ['10.0.1.41:80']]);
    expect(snap?.targetGroups[0]?.targets.map((t) => `${t.id}=${t.state}`)).to.deep.equal([
      '10.0.1.222=healthy',
      '10.0.2.134=healthy',
      '10.0.1.109=draining',
      '10.0.2.61=draining',
    ]);
    expect(snap?.healthChecks).to.deep.equal({ [TD]: false });
  });

  it('marks the reads that only feed a nicety as optional, so the runner never retries them (they must not hold up a poll)', async () => {
    const asked: Array<[string, boolean]> = [];
    const clients = {
      ecs: new ECSClient({ region: 'us-east-1' }),
      elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
      codeDeploy: async () => new CodeDeployClient({}),
    };
    await new RolloutReader(
      clients,
      'MyCluster',
      (op, call, options) => {
        asked.push([op, options?.optional === true]);
        return call(undefined);
      },
      silent,
    ).read(['web']);
    const optional = new Set(asked.filter(([, o]) => o).map(([op]) => op));
    expect([...optional].sort()).to.deep.equal(['elbv2:DescribeTargetGroupAttributes', 'elbv2:DescribeTargetGroups']);
    expect(asked.find(([op]) => op === 'ecs:DescribeServices')?.[1]).to.equal(false);
  });

  it("hands the runner's abort signal to every SDK request, so a stop ends the request itself", async () => {
    const stop = new AbortController();
    const clients = {
      ecs: new ECSClient({ region: 'us-east-1' }),
      elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
      codeDeploy: async () => new CodeDeployClient({}),
    };
    await new RolloutReader(clients, 'MyCluster', (_op, call) => call(stop.signal), silent).read(['web']);
    const sent = [...ecs.calls(), ...elb.calls()];
    expect(sent.length).to.be.at.least(4);
    for (const c of sent) expect(Array.from<unknown>(c.args)[1], c.args[0].constructor.name).to.deep.equal({ abortSignal: stop.signal });
  });

  it('does not list or describe tasks again while nothing changes', async () => {
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.184', Port: 80 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: '10.0.1.41', Port: 80 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    await reader.read(['web']);
    await reader.read(['web']);
    await reader.read(['web']);
    expect(Object.fromEntries(reader.calls)).to.deep.equal({
      'ecs:DescribeServices': 3,
      'elbv2:DescribeTargetHealth': 3,
      'ecs:ListTasks': 1,
      'ecs:DescribeTasks': 1,
      'ecs:DescribeTaskDefinition': 1,
      // The target group's settings, for the estimates: once a run.
      'elbv2:DescribeTargetGroups': 1,
      'elbv2:DescribeTargetGroupAttributes': 1,
    });
    // What changed asks for the same task definition's images: the poll's read answers it.
    expect(await reader.imagesOf(TD)).to.deep.equal([]);
    expect(reader.calls.get('ecs:DescribeTaskDefinition')).to.equal(1);
  });

  it('asks what the last poll made known beside DescribeServices: target health and, when forced, the task list (two round trips a poll)', async () => {
    const clients = {
      ecs: new ECSClient({ region: 'us-east-1' }),
      elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
      codeDeploy: async () => new CodeDeployClient({}),
    };
    let started: string[] = [];
    let beforeServices: string[] = [];
    const paced = new RolloutReader(
      clients,
      'MyCluster',
      async (op, call) => {
        started.push(op);
        // DescribeServices answers late: whatever started meanwhile did not wait for it.
        if (op === 'ecs:DescribeServices') {
          await new Promise((resolve) => setTimeout(resolve, 20));
          beforeServices = [...started];
        }
        return call(undefined);
      },
      silent,
    );
    await paced.read(['web']);
    expect(beforeServices).to.deep.equal(['ecs:DescribeServices']); // the first poll knows nothing yet
    started = [];
    await paced.read(['web']);
    expect(beforeServices.sort()).to.deep.equal(['ecs:DescribeServices', 'elbv2:DescribeTargetHealth']);
    started = [];
    await paced.read(['web'], { force: true });
    expect(beforeServices.sort()).to.deep.equal(['ecs:DescribeServices', 'ecs:ListTasks', 'elbv2:DescribeTargetHealth']);
    expect(started.filter((op) => op === 'ecs:ListTasks' || op === 'elbv2:DescribeTargetHealth').sort()).to.deep.equal([
      'ecs:ListTasks',
      'elbv2:DescribeTargetHealth',
    ]);
  });

  it('a quiet service keeps its last target health while DescribeServices shows no change; reads it again on a change or when forced', async () => {
    const quiet = { quiet: ['web'] };
    await reader.read(['web'], quiet); // nothing read yet: read
    expect(reader.calls.get('elbv2:DescribeTargetHealth')).to.equal(1);
    const kept = await reader.read(['web'], quiet);
    expect(reader.calls.get('elbv2:DescribeTargetHealth'), 'no change: not read').to.equal(1);
    expect(kept.get('web')?.targetGroups[0]?.targets.length, 'the last health, as read').to.equal(4);
    await reader.read(['web']); // not quiet: read
    expect(reader.calls.get('elbv2:DescribeTargetHealth')).to.equal(2);
    await reader.read(['web'], { ...quiet, force: true });
    expect(reader.calls.get('elbv2:DescribeTargetHealth'), 'forced: read').to.equal(3);
    const answer = (deployment: Partial<Deployment>) =>
      ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
        const service = serviceJson('web');
        const deployments = (service.deployments ?? []).map((d) => ({ ...d, ...deployment }));
        return { services: input.services.map((n) => ({ ...serviceJson(n), deployments })), failures: [] };
      });
    answer({ desiredCount: 3, pendingCount: 1 });
    await reader.read(['web'], quiet);
    expect(reader.calls.get('elbv2:DescribeTargetHealth'), 'a task provisioned: no target yet, not read').to.equal(3);
    answer({ desiredCount: 3, pendingCount: 0, runningCount: 3 });
    await reader.read(['web'], quiet);
    expect(reader.calls.get('elbv2:DescribeTargetHealth'), 'a task running: its target may be registered, read').to.equal(4);
  });

  it('a failed DescribeServices fails the poll, also with reads begun beside it', async () => {
    await reader.read(['web']);
    ecs.on(DescribeServicesCommand).rejects(new Error('ServiceUnavailable'));
    elb.on(DescribeTargetHealthCommand).rejects(new Error('Throttling'));
    // A rejection nobody awaits would crash the program (Node's default for unhandled rejections).
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.prependListener('unhandledRejection', note);
    let error: unknown;
    try {
      await reader.read(['web'], { force: true }).catch((e: unknown) => {
        error = e;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.removeListener('unhandledRejection', note);
    }
    expect(String(error)).to.include('ServiceUnavailable');
    expect(unhandled.map(String)).to.deep.equal([]);
  });

  it('lists again when a new target belongs to no known task, and when forced', async () => {
    await reader.read(['web']); // the sample's targets are other IPs than the sample's tasks
    await reader.read(['web']); // the same strangers, unexplained by the last listing: not again
    expect(reader.calls.get('ecs:ListTasks')).to.equal(1);
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.9.9', Port: 80 }, TargetHealth: { State: 'initial' } }] });
    await reader.read(['web']); // a task started since: list
    expect(reader.calls.get('ecs:ListTasks')).to.equal(2);
    await reader.read(['web'], { force: true });
    expect(reader.calls.get('ecs:ListTasks')).to.equal(3);
    expect(reader.calls.get('ecs:DescribeTasks')).to.equal(1); // known tasks are not re-described
  });

  it('follows a task that left ListTasks (desired STOPPED) by ARN until it has stopped', async () => {
    await reader.read(['web']);
    ecs.on(ListTasksCommand).resolves({ taskArns: [arns[0] as string] });
    ecs.on(DescribeServicesCommand).resolves({ services: [serviceJson('web', { desiredCount: 1 })] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ ...tasks[0] }, { ...tasks[1], desiredStatus: 'STOPPED', lastStatus: 'DEACTIVATING' }] });
    const snap = (await reader.read(['web'])).get('web');
    // Only the task that left the list is asked about again; the listed RUNNING one is known.
    expect(ecs.commandCalls(DescribeTasksCommand).at(-1)?.args[0].input.tasks).to.deep.equal([arns[1]]);
    expect(snap?.tasks.find((t) => t.arn === arns[1])).to.include({ desiredStatus: 'STOPPED', lastStatus: 'DEACTIVATING' });
  });

  it('asks again about starting tasks when the deployment counts move, not about running ones', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [tasks[0] as Task, { ...tasks[1], lastStatus: 'PROVISIONING' }] });
    await reader.read(['web']);
    const moved = serviceJson('web');
    moved.deployments![0]!.runningCount = 1;
    ecs.on(DescribeServicesCommand).resolves({ services: [moved] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [tasks[1] as Task] });
    const snap = (await reader.read(['web'])).get('web');
    expect(ecs.commandCalls(DescribeTasksCommand).at(-1)?.args[0].input.tasks).to.deep.equal([arns[1]]);
    expect(snap?.tasks.map((t) => t.lastStatus)).to.deep.equal(['RUNNING', 'RUNNING']);
  });

  it('batches 12 services into DescribeServices calls of at most 10', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    await reader.read(names);
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).to.deep.equal([10, 2]);
  });

  it('describes at most 100 tasks a call and follows ListTasks pages', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:task/MyCluster/t${i}`);
    ecs
      .on(ListTasksCommand)
      .callsFake((input: { nextToken?: string }) => (input.nextToken ? { taskArns: many.slice(100) } : { taskArns: many.slice(0, 100), nextToken: 'page2' }));
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: input.tasks.map((taskArn) => ({ ...tasks[0], taskArn })) }));
    const snap = (await reader.read(['web'])).get('web');
    expect(ecs.commandCalls(ListTasksCommand)).to.have.length(2);
    expect(
      ecs
        .commandCalls(DescribeTasksCommand)
        .map((c) => c.args[0].input.tasks?.length)
        .sort(),
    ).to.deep.equal([100, 50]);
    expect(snap?.tasks).to.have.length(150);
  });

  it('lists recently stopped tasks when ECS counts failed tasks, for their stop reasons', async () => {
    await reader.read(['web']);
    const failing = serviceJson('web');
    failing.deployments![0]!.failedTasks = 1;
    ecs.on(DescribeServicesCommand).resolves({ services: [failing] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/MyCluster/crashed'] });
    await reader.read(['web']);
    expect(ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input.desiredStatus)).to.deep.equal(['RUNNING', 'RUNNING', 'STOPPED']);
  });

  it('lists stopped tasks again when the failed count reset and climbed back between two polls (resetOnHealthyTask)', async () => {
    const failing = (failedTasks: number, runningCount: number) => {
      const s = serviceJson('web');
      Object.assign(s.deployments![0]!, { failedTasks, runningCount });
      ecs.on(DescribeServicesCommand).resolves({ services: [s] });
    };
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/MyCluster/crashed'] });
    failing(1, 1);
    await reader.read(['web']);
    // A task ran healthy (count back to 0) and another crashed (1 again): the count reads as before.
    failing(1, 2);
    await reader.read(['web']);
    // The count fell: the reset may hide a crash.
    failing(0, 1);
    await reader.read(['web']);
    const stopped = () => ecs.commandCalls(ListTasksCommand).filter((c) => c.args[0].input.desiredStatus === 'STOPPED').length;
    expect(stopped()).to.equal(3);
    // Nothing failed and nothing moved: no listing.
    await reader.read(['web']);
    expect(stopped()).to.equal(3);
  });

  it('a new service event with every count as before lists the tasks again: one may have started and stopped between two polls', async () => {
    await reader.read(['web']);
    ecs.on(DescribeServicesCommand).resolves({
      services: [serviceJson('web', { events: [{ id: 'e-2', createdAt: new Date(), message: '(service web) has started 1 tasks: (task abc).' }] })],
    });
    await reader.read(['web']);
    expect(ecs.commandCalls(ListTasksCommand)).to.have.length(2);
    await reader.read(['web']);
    expect(ecs.commandCalls(ListTasksCommand)).to.have.length(2);
  });

  it("reads the circuit breaker's count when tasks failed, and carries on without it when not allowed", async () => {
    const failing = (failedTasks: number) =>
      ecs.on(DescribeServicesCommand).resolves({
        services: [
          serviceJson('web', {
            currentServiceDeployment: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/MyCluster/web/ejGvqq2ilnbKT9qj0vLJe',
            deployments: [
              { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: TD, desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks, createdAt: new Date() },
            ],
          }),
        ],
      });
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 2, threshold: 3 } }] });
    failing(0);
    expect((await reader.read(['web'])).get('web')?.breakerCount).to.equal(undefined);
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).to.have.length(0);
    failing(2);
    expect((await reader.read(['web'])).get('web')?.breakerCount).to.deep.equal({ failureCount: 2, threshold: 3, status: 'MONITORING' });
    // A policy without the permission loses the count, not the watch, and is not asked again.
    ecs.on(DescribeServiceDeploymentsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const denied = new RolloutReader(
      {
        ecs: new ECSClient({ region: 'us-east-1' }),
        elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
        codeDeploy: async () => new CodeDeployClient({}),
      },
      'MyCluster',
      (_op, call) => call(undefined),
      silent,
    );
    failing(1);
    await denied.read(['web']);
    failing(3);
    expect((await denied.read(['web'])).get('web')?.breakerCount).to.equal(undefined);
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).to.have.length(2);
  });

  describe('a rolling service whose answer names no currentServiceDeployment (real 2026 answers)', () => {
    const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/MyCluster/web/ejGvqq2ilnbKT9qj0vLJe';
    const OLD_SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/MyCluster/web/r9Lhv3TqGqY0d4oS1n0Xa';
    const listed = () => ecs.commandCalls(ListServiceDeploymentsCommand);
    const described = () => ecs.commandCalls(DescribeServiceDeploymentsCommand).map((c) => c.args[0].input.serviceDeploymentArns);

    it("finds the current one with ListServiceDeployments for the circuit breaker's count, once per change of the deployments", async () => {
      const failing = (failedTasks: number, runningCount = 0) =>
        ecs.on(DescribeServicesCommand).resolves({
          services: [
            serviceJson('web', {
              deployments: [
                { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: TD, desiredCount: 2, runningCount, pendingCount: 0, failedTasks, createdAt: new Date() },
              ],
            }),
          ],
        });
      // The list as the AWS CLI example gives it, with the one under way beside an older, finished one.
      const brief = sample('list-service-deployments').serviceDeployments[0];
      ecs.on(ListServiceDeploymentsCommand).resolves({
        serviceDeployments: [
          { ...brief, serviceDeploymentArn: OLD_SD, status: 'SUCCESSFUL', createdAt: new Date(Date.now() - 3_600_000) },
          { ...brief, serviceDeploymentArn: SD, status: 'IN_PROGRESS', createdAt: new Date() },
        ],
      });
      ecs
        .on(DescribeServiceDeploymentsCommand)
        .resolves({ serviceDeployments: [{ deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 2, threshold: 3 } }] });
      failing(2);
      expect((await reader.read(['web'])).get('web')?.breakerCount).to.deep.equal({ failureCount: 2, threshold: 3, status: 'MONITORING' });
      expect(described()).to.deep.equal([[SD]]);
      expect(listed()[0]?.args[0].input).to.include({ cluster: 'MyCluster', service: 'web' });
      // More failures, the same deployments: not listed again.
      failing(3, 1);
      await reader.read(['web']);
      expect(listed()).to.have.length(1);
      expect(described()).to.have.length(2);
    });

    it('names the alarms behind a rollback from the deployment ListServiceDeployments says was rolled back', async () => {
      ecs.on(DescribeServicesCommand).resolves({
        services: [
          serviceJson('web', {
            deployments: [
              {
                id: 'ecs-svc/2',
                status: 'PRIMARY',
                taskDefinition: TD,
                desiredCount: 2,
                runningCount: 0,
                pendingCount: 0,
                failedTasks: 0,
                rolloutState: 'IN_PROGRESS',
                rolloutStateReason: 'ECS deployment alarm: rolling back to deploymentId ecs-svc/0.',
                createdAt: new Date(),
              },
            ],
          }),
        ],
      });
      ecs.on(ListServiceDeploymentsCommand).resolves({
        serviceDeployments: [
          { serviceDeploymentArn: SD, status: 'IN_PROGRESS', createdAt: new Date() },
          { serviceDeploymentArn: OLD_SD, status: 'ROLLBACK_IN_PROGRESS', createdAt: new Date(Date.now() - 120_000) },
        ],
      });
      ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] } }] });
      expect((await reader.read(['web'])).get('web')?.triggeredAlarms).to.deep.equal(['web-5xx']);
      expect(described()).to.deep.equal([[OLD_SD]]);
    });
  });

  it('joins bridge-mode tasks to instance targets through the container instance', async () => {
    const bridged: Task = {
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/MyCluster/bridged',
      taskDefinitionArn: TD,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/MyCluster/ci-1',
      containers: [{ name: 'web', networkBindings: [{ containerPort: 80, hostPort: 32768 }] }],
    };
    ecs.on(ListTasksCommand).resolves({ taskArns: [bridged.taskArn as string] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [bridged] });
    ecs
      .on(DescribeContainerInstancesCommand)
      .resolves({ containerInstances: [{ containerInstanceArn: bridged.containerInstanceArn, ec2InstanceId: 'i-0f76fade' }] });
    const snap = (await reader.read(['web'])).get('web');
    expect(snap?.tasks[0]?.targetKeys).to.deep.equal(['i-0f76fade:32768']);
  });

  it('names a missing service', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/MyCluster/nope', reason: 'MISSING' }] });
    const error = await reader.read(['nope']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AwsError);
    expect((error as Error).message).to.equal(
      'ECS service "nope" not found in cluster "MyCluster" (MISSING): check SERVICE_NAME, CLUSTER_NAME and the region.',
    );
  });

  describe('traffic shifting (blue/green, linear, canary)', () => {
    const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/9d0e3c3f1a2b4c5d';
    const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
    const DEPLOYMENT = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/MyCluster/web/ejGvqq2ilnbKT9qj0vLJe';
    const NEW_REVISION = 'arn:aws:ecs:us-east-1:123456789012:service-revision/MyCluster/web/1485800978477494678';
    const OLD_REVISION = 'arn:aws:ecs:us-east-1:123456789012:service-revision/MyCluster/web/4980306466373577095';
    let stage = 'PRODUCTION_TRAFFIC_SHIFT';

    /** A blue/green service; `current`: the currentServiceDeployment its answer names, if any. */
    const blueGreen = (current?: string) =>
      ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
        services: input.services.map((n) =>
          serviceJson(n, {
            deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 },
            loadBalancers: [
              {
                targetGroupArn: TG,
                containerName: 'web',
                containerPort: 80,
                advancedConfiguration: { alternateTargetGroupArn: GREEN, productionListenerRule: RULE },
              },
            ],
            ...(current ? { currentServiceDeployment: current } : {}),
          }),
        ),
        failures: [],
      }));

    beforeEach(() => {
      stage = 'PRODUCTION_TRAFFIC_SHIFT';
      blueGreen(DEPLOYMENT);
      ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
        serviceDeployments: [
          {
            serviceDeploymentArn: DEPLOYMENT,
            status: 'IN_PROGRESS',
            lifecycleStage: stage,
            createdAt: new Date(),
            targetServiceRevision: { arn: NEW_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0, requestedProductionTrafficWeight: 50 },
            sourceServiceRevisions: [{ arn: OLD_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }],
          },
        ],
      }));
      ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
        serviceRevisions: input.serviceRevisionArns.map((arn) => ({
          serviceRevisionArn: arn,
          taskDefinition: TD,
          resolvedConfiguration: { loadBalancers: [{ targetGroupArn: arn === NEW_REVISION ? GREEN : TG, productionListenerRule: RULE }] },
        })),
      }));
      elb.on(DescribeRulesCommand).resolves({
        Rules: [
          {
            RuleArn: RULE,
            Actions: [
              {
                Type: 'forward',
                ForwardConfig: {
                  TargetGroups: [
                    { TargetGroupArn: TG, Weight: 50 },
                    { TargetGroupArn: GREEN, Weight: 50 },
                  ],
                },
              },
            ],
          },
        ],
      });
    });

    it('without currentServiceDeployment in the answer, finds the deployment under way with ListServiceDeployments, once per change', async () => {
      const described = ecs.commandCalls(DescribeServicesCommand).length;
      blueGreen();
      ecs
        .on(ListServiceDeploymentsCommand)
        .resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS', createdAt: new Date() }] });
      const snap = (await reader.read(['web'])).get('web');
      expect(snap?.shift?.current).to.equal(DEPLOYMENT);
      expect(snap?.shift?.deployments[0]).to.deep.include({ arn: DEPLOYMENT, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' });
      await reader.read(['web']);
      expect(ecs.commandCalls(ListServiceDeploymentsCommand)).to.have.length(1);
      expect(ecs.commandCalls(DescribeServicesCommand).length - described).to.equal(2);
    });

    it('reads the service deployment, its revisions once, the production rule and only the new target group while traffic moves', async () => {
      const snap = (await reader.read(['web'])).get('web');
      expect(snap?.shift?.deployments[0]).to.deep.include({ arn: DEPLOYMENT, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' });
      expect(snap?.shift?.deployments[0]?.target).to.deep.include({ taskDefinitionArn: TD, targetGroupArns: [GREEN], listeners: [RULE] });
      expect(snap?.shift?.production).to.deep.equal([
        {
          arn: RULE,
          weights: [
            { targetGroupArn: TG, weight: 50 },
            { targetGroupArn: GREEN, weight: 50 },
          ],
        },
      ]);
      expect(elb.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input.TargetGroupArn)).to.deep.equal([GREEN]);
      expect(snap?.targetGroups.map((g) => g.arn)).to.deep.equal([GREEN]);
      // No task listing: the rolling rule is not what judges these services.
      expect(ecs.commandCalls(ListTasksCommand)).to.have.length(0);
      await reader.read(['web']);
      expect(ecs.commandCalls(DescribeServiceRevisionsCommand)).to.have.length(1);
      expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).to.have.length(2);
    });

    it('in a bake whose "live" is settled, reads DescribeServices and DescribeServiceDeployments only', async () => {
      stage = 'BAKE_TIME';
      await reader.read(['web']);
      ecs.resetHistory();
      elb.resetHistory();
      await reader.read(['web'], { settled: ['web'] });
      expect(ecs.calls().map((c) => c.args[0].constructor.name)).to.deep.equal(['DescribeServicesCommand', 'DescribeServiceDeploymentsCommand']);
      expect(elb.calls()).to.have.length(0);
    });

    it('does not read the listener before production traffic moves', async () => {
      stage = 'POST_TEST_TRAFFIC_SHIFT';
      await reader.read(['web']);
      expect(elb.commandCalls(DescribeRulesCommand)).to.have.length(0);
      expect(elb.commandCalls(DescribeTargetHealthCommand)).to.have.length(1);
    });
  });

  describe('CodeDeploy blue/green (CODE_DEPLOY controller)', () => {
    const cd = mockClient(CodeDeployClient);
    const OLD_SET = {
      id: 'ecs-svc/1111',
      status: 'PRIMARY',
      taskDefinition: TD,
      externalId: 'd-OLD00001',
      computedDesiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      createdAt: new Date(Date.now() - 86_400_000),
    };
    const NEW_SET = {
      id: 'ecs-svc/2222',
      status: 'ACTIVE',
      taskDefinition: TD,
      externalId: 'd-NEW00002',
      computedDesiredCount: 2,
      runningCount: 1,
      pendingCount: 1,
      createdAt: new Date(),
    };
    let taskSets = [OLD_SET];

    beforeEach(() => {
      cd.reset();
      taskSets = [OLD_SET];
      ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
        services: input.services.map((n) => serviceJson(n, { deploymentController: { type: 'CODE_DEPLOY' }, deployments: [], taskSets })),
        failures: [],
      }));
      cd.on(GetDeploymentCommand).callsFake((input: { deploymentId: string }) => ({
        deploymentInfo: { deploymentId: input.deploymentId, status: 'InProgress' },
      }));
      cd.on(GetDeploymentTargetCommand).callsFake((input: { deploymentId: string }) => ({
        deploymentTarget: {
          deploymentTargetType: 'ECSTarget',
          ecsTarget: {
            deploymentId: input.deploymentId,
            lifecycleEvents: [{ lifecycleEventName: 'Install', status: 'InProgress' }],
            taskSetsInfo: [{ identifer: 'ecs-svc/2222', taskSetLabel: 'Green', trafficWeight: 0, desiredCount: 2, runningCount: 1 }],
          },
        },
      }));
    });

    it('asks CodeDeploy nothing while the service rests on one task set', async () => {
      const snap = (await reader.read(['web'])).get('web');
      expect(snap?.taskSets?.map((t) => t.externalId)).to.deep.equal(['d-OLD00001']);
      expect(cd.calls()).to.have.length(0);
      expect(elb.calls()).to.have.length(0);
    });

    it('follows the deployment of the replacement task set: GetDeployment and GetDeploymentTarget (cluster:service) a poll', async () => {
      taskSets = [OLD_SET, NEW_SET];
      const snap = (await reader.read(['web'])).get('web');
      expect(snap?.codeDeploy?.map((d) => [d.id, d.status, d.events[0]?.name, d.taskSets[0]?.label])).to.deep.equal([
        ['d-NEW00002', 'InProgress', 'Install', 'Green'],
      ]);
      expect(cd.commandCalls(GetDeploymentTargetCommand)[0]?.args[0].input).to.deep.equal({ deploymentId: 'd-NEW00002', targetId: 'MyCluster:web' });
      expect(ecs.commandCalls(ListTasksCommand)).to.have.length(0);
      // Still followed once it is the only task set left (the original was terminated).
      taskSets = [{ ...NEW_SET, status: 'PRIMARY' }];
      cd.resetHistory();
      await reader.read(['web']);
      expect(cd.commandCalls(GetDeploymentCommand).map((c) => c.args[0].input.deploymentId)).to.deep.equal(['d-NEW00002']);
    });

    it('names the ECS target cluster:service also when CLUSTER_NAME is an ARN', async () => {
      taskSets = [OLD_SET, NEW_SET];
      const clients = {
        ecs: new ECSClient({ region: 'us-east-1' }),
        elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
        codeDeploy: async () => new CodeDeployClient({ region: 'us-east-1' }),
      };
      await new RolloutReader(clients, 'arn:aws:ecs:us-east-1:123456789012:cluster/MyCluster', (_op, call) => call(undefined), silent).read(['web']);
      expect(cd.commandCalls(GetDeploymentTargetCommand)[0]?.args[0].input.targetId).to.equal('MyCluster:web');
    });
  });
});
