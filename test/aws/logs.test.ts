// Reading a failed container's last lines against mocked SDK clients: which stream, which region,
// and a one-line hint instead of an error whenever the lines cannot be had.
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, ECSClient, type LogDriver, type TaskDefinition } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { awslogsOf } from '../../src/aws/awslogs.ts';
import { ContainerLogs, LOG_EXCERPTS_SHOWN } from '../../src/aws/logs.ts';
import { NEW_TD } from '../support/samples.ts';

const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/3f2a9c1b4d5e4f60a1b2c3d4e5f60718';
const failed = (what = 'exit code 1', container = 'web') => ({ service: 'shop-api', taskArn: TASK, taskDefinitionArn: NEW_TD, container, what });
const definition = (options: Record<string, string> | undefined, logDriver: LogDriver = 'awslogs'): TaskDefinition => ({
  taskDefinitionArn: NEW_TD,
  containerDefinitions: [{ name: 'web', ...(options ? { logConfiguration: { logDriver, options } } : {}) }, { name: 'sidecar' }],
});

describe('aws/logs', () => {
  const ecs = mockClient(ECSClient);
  const logs = mockClient(CloudWatchLogsClient);
  const regions: string[] = [];
  let reader: ContainerLogs;

  beforeEach(() => {
    ecs.reset();
    logs.reset();
    regions.length = 0;
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: definition({ 'awslogs-group': '/ecs/shop-api', 'awslogs-region': 'eu-central-1', 'awslogs-stream-prefix': 'ecs' }) });
    logs.on(GetLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: 'boot\n' },
        { timestamp: 2, message: 'Error: boom\n    at main (app.js:1)' },
      ],
    });
    const client = new CloudWatchLogsClient({ region: 'eu-central-1' });
    reader = new ContainerLogs(
      {
        ecs: new ECSClient({ region: 'eu-west-1' }),
        logs: async (region) => {
          regions.push(region);
          return client;
        },
      },
      'eu-west-1',
      20,
    );
  });

  it('reads the stream prefix/container/task-id in the awslogs region, newest last, multi-line events split', async () => {
    const [excerpt] = await reader.read([failed()]);
    expect(logs.commandCalls(GetLogEventsCommand)[0]?.args[0].input).to.deep.equal({
      logGroupName: '/ecs/shop-api',
      logStreamName: 'ecs/web/3f2a9c1b4d5e4f60a1b2c3d4e5f60718',
      limit: 20,
      startFromHead: false,
    });
    expect(regions).to.deep.equal(['eu-central-1']);
    expect(excerpt).to.deep.include({
      taskId: '3f2a9c1b4d5e4f60a1b2c3d4e5f60718',
      lines: ['boot', 'Error: boom', '    at main (app.js:1)'],
      region: 'eu-central-1',
    });
  });

  it('reads the task definition once for several failures, and at most LOG_EXCERPTS_SHOWN of them', async () => {
    const many = Array.from({ length: 5 }, (_, i) => failed(`exit code ${i + 1}`));
    expect(await reader.read(many)).to.have.length(LOG_EXCERPTS_SHOWN);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).to.have.length(1);
  });

  it('says how to get the lines, instead of failing: no prefix, another driver, no stream, no permission', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition({ 'awslogs-group': '/ecs/shop-api' }) });
    expect((await reader.read([failed()]))[0]?.hint).to.match(/no awslogs-stream-prefix/);

    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition({}, 'awsfirelens') });
    const other = new ContainerLogs({ ecs: new ECSClient({ region: 'eu-west-1' }), logs: async () => new CloudWatchLogsClient({}) }, 'eu-west-1', 20);
    expect((await other.read([failed()]))[0]?.hint).to.equal("its log driver is awsfirelens: only the awslogs driver's logs can be shown here");

    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition({ 'awslogs-group': '/ecs/shop-api', 'awslogs-stream-prefix': 'ecs' }) });
    logs.on(GetLogEventsCommand).rejects(Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' }));
    const fresh = () =>
      new ContainerLogs({ ecs: new ECSClient({ region: 'eu-west-1' }), logs: async () => new CloudWatchLogsClient({ region: 'eu-west-1' }) }, 'eu-west-1', 20);
    expect((await fresh().read([failed()]))[0]?.hint).to.match(/log stream ecs\/web\/\w+ not found: the container may have printed nothing/);

    logs
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error('User: x is not authorized to perform: logs:GetLogEvents'), { name: 'AccessDeniedException' }));
    expect((await fresh().read([failed()]))[0]?.hint).to.equal('allow logs:GetLogEvents on log group /ecs/shop-api to see its last lines here');
  });

  it('finds the container by name, and knows one without log settings', () => {
    const td = definition({ 'awslogs-group': '/g', 'awslogs-stream-prefix': 'p' });
    expect(awslogsOf(td, 'web')).to.deep.equal({ driver: 'awslogs', group: '/g', region: undefined, prefix: 'p' });
    expect(awslogsOf(td, 'sidecar')).to.deep.equal({ driver: 'none' });
    expect(awslogsOf(td, 'nope')).to.equal(undefined);
  });
});
