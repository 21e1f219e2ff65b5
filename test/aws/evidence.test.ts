// The failure thread's evidence read at the edge, against mocked SDK clients: the alarms behind a
// rollback (DescribeAlarms) and a failed Lambda hook's last lines (FilterLogEvents), each a hint
// instead of an error whenever they cannot be had; and a CodeDeploy AppSpec's hook functions.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { parse } from 'yaml';
import { ALARMS_SHOWN, describeAlarms, recentDatapoints } from '../../src/aws/alarms.ts';
import { hookFunctionsOf } from '../../src/aws/codedeploy-snapshot.ts';
import { functionLines, HOOK_EXCERPTS_SHOWN, HOOK_LOG_PAGES, HOOK_LOG_SLACK_MS, HookLogs } from '../../src/aws/hook-logs.ts';
import { lambdaFunctionOf } from '../../src/core/arn.ts';
import { sample } from '../support/samples.ts';

const denied = () =>
  Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/notifier is not authorized to perform: x'), { name: 'AccessDeniedException' });
const signal = () => AbortSignal.timeout(5000);

describe('aws/alarms', () => {
  const cw = mockClient(CloudWatchClient);
  const clients = { cloudWatch: async () => new CloudWatchClient({ region: 'eu-west-1' }) };
  beforeEach(() => cw.reset());

  it('a metric alarm in full: metric, statistic, threshold, periods, state, and the values that breached it', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'api-5xx',
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Statistic: 'Sum',
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 10,
          Period: 60,
          EvaluationPeriods: 2,
          StateValue: 'ALARM',
          StateUpdatedTimestamp: new Date(1_700_000_000_000),
          StateReasonData: '{"version":"1.0","recentDatapoints":[57.0,42.0],"threshold":10.0}',
        },
      ],
      CompositeAlarms: [{ AlarmName: 'api-health', AlarmRule: 'ALARM(api-5xx) OR ALARM(api-latency)', StateValue: 'OK' }],
    });
    const out = await describeAlarms(
      clients,
      [
        { service: 'api', name: 'api-5xx' },
        { service: 'api', name: 'api-health' },
        { service: 'api', name: 'gone' },
      ],
      signal(),
    );
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).to.deep.equal({
      AlarmNames: ['api-5xx', 'api-health', 'gone'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(out).to.deep.equal([
      {
        service: 'api',
        name: 'api-5xx',
        metric: 'AWS/ApplicationELB HTTPCode_Target_5XX_Count',
        statistic: 'Sum',
        comparison: 'GreaterThanOrEqualToThreshold',
        threshold: 10,
        periodSeconds: 60,
        evaluationPeriods: 2,
        state: 'ALARM',
        stateSince: 1_700_000_000_000,
        breached: [57, 42],
      },
      { service: 'api', name: 'api-health', rule: 'ALARM(api-5xx) OR ALARM(api-latency)', state: 'OK' },
      { service: 'api', name: 'gone', hint: 'not found in this account and region (deleted since?)' },
    ]);
  });

  it('no breaching values once the alarm is OK again: its current reason data is not what breached it', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'a', MetricName: 'm', StateValue: 'OK', StateReasonData: '{"recentDatapoints":[1.0]}' }],
    });
    const [a] = await describeAlarms(clients, [{ service: 's', name: 'a' }], signal());
    expect(a).to.not.have.property('breached');
    expect(a?.state).to.equal('OK');
  });

  it('a missing permission is one line naming it, for each alarm; nothing asked when there is none', async () => {
    cw.on(DescribeAlarmsCommand).rejects(denied());
    expect(await describeAlarms(clients, [{ service: 's', name: 'a' }], signal())).to.deep.equal([
      { service: 's', name: 'a', hint: 'allow cloudwatch:DescribeAlarms to see its metric, threshold and the value that breached it here' },
    ]);
    expect(await describeAlarms(clients, [], signal())).to.deep.equal([]);
    expect(cw.commandCalls(DescribeAlarmsCommand)).to.have.length(1);
  });

  it(`details at most ${ALARMS_SHOWN} alarms`, async () => {
    cw.on(DescribeAlarmsCommand).resolves({});
    const many = Array.from({ length: ALARMS_SHOWN + 3 }, (_, i) => ({ service: 's', name: `a${i}` }));
    expect(await describeAlarms(clients, many, signal())).to.have.length(ALARMS_SHOWN);
  });

  it('reads the breaching datapoints loosely: not JSON, no list, or non-numbers', () => {
    expect(recentDatapoints('{"recentDatapoints":[3.5,"x",2]}')).to.deep.equal([3.5, 2]);
    expect(recentDatapoints('not json')).to.equal(undefined);
    expect(recentDatapoints('{"other":1}')).to.equal(undefined);
    expect(recentDatapoints(undefined)).to.equal(undefined);
  });
});

describe('aws/hook-logs', () => {
  const logs = mockClient(CloudWatchLogsClient);
  const regions: string[] = [];
  const client = new CloudWatchLogsClient({ region: 'eu-central-1' });
  const reader = new HookLogs(
    {
      logs: async (region) => {
        regions.push(region);
        return client;
      },
    },
    'eu-west-1',
    3,
  );
  const NOW = 1_700_000_600_000;
  const hook = {
    service: 'api',
    function: 'arn:aws:lambda:eu-central-1:123456789012:function:smoke-test:live',
    stage: 'POST_TEST_TRAFFIC_SHIFT',
    status: 'FAILED',
    from: 1_700_000_000_000,
    to: 1_700_000_300_000,
  };
  beforeEach(() => {
    logs.reset();
    regions.length = 0;
  });

  it("reads the function's log group in its own region, in the hook's window, keeping the last lines over every page", async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ message: 'START RequestId: 1\n' }, { message: 'check /health ok\n' }], nextToken: 'p2' })
      .resolvesOnce({ events: [{ message: 'check /orders: 500\nsmoke test failed' }, { message: 'END RequestId: 1\n' }] });
    const [e] = await reader.read([hook], NOW, signal());
    const inputs = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(inputs).to.deep.equal([
      { logGroupName: '/aws/lambda/smoke-test', startTime: hook.from - HOOK_LOG_SLACK_MS, endTime: hook.to + HOOK_LOG_SLACK_MS },
      { logGroupName: '/aws/lambda/smoke-test', startTime: hook.from - HOOK_LOG_SLACK_MS, endTime: hook.to + HOOK_LOG_SLACK_MS, nextToken: 'p2' },
    ]);
    expect(regions).to.deep.equal(['eu-central-1']);
    // The runtime's START and END lines are not the function's: the last three lines are what it printed.
    expect(e).to.deep.equal({
      ...hook,
      group: '/aws/lambda/smoke-test',
      region: 'eu-central-1',
      lines: ['check /health ok', 'check /orders: 500', 'smoke test failed'],
    });
  });

  it("keeps only what the function printed, in real logs (the runtime's START, END and REPORT lines dropped)", () => {
    const { logs: published }: { logs: Array<{ source: string; lines: Array<{ text: string; runtime?: boolean }> }> } = sample('lambda-hook-log-real');
    for (const log of published) {
      expect(functionLines(log.lines.map((l) => l.text)), log.source).to.deep.equal(log.lines.filter((l) => !l.runtime).map((l) => l.text));
    }
  });

  it('a window with nothing from the function says where else it may log (its own log group), naming how to find it', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ message: 'START RequestId: 1 Version: 3\n' }, { message: 'END RequestId: 1\n' }] });
    const [e] = await reader.read([hook], NOW, signal());
    expect(e).to.not.have.property('lines');
    expect(e?.hint).to.equal(
      'nothing in log group /aws/lambda/smoke-test while the hook ran: a function with its own log group logs there instead of /aws/lambda/smoke-test: `aws lambda get-function-configuration --function-name smoke-test --query LoggingConfig.LogGroup` names it',
    );
  });

  it(`stops after ${HOOK_LOG_PAGES} pages, and never reads past now`, async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ message: 'x' }], nextToken: 'more' });
    await reader.read([{ ...hook, to: NOW }], NOW, signal());
    const calls = logs.commandCalls(FilterLogEventsCommand);
    expect(calls).to.have.length(HOOK_LOG_PAGES);
    expect(calls[0]?.args[0].input.endTime).to.equal(NOW);
  });

  it('a missing permission or log group is one line saying what to do', async () => {
    logs
      .on(FilterLogEventsCommand)
      .rejectsOnce(denied())
      .rejectsOnce(Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' }));
    const [a] = await reader.read([hook], NOW, signal());
    const [b] = await reader.read([hook], NOW, signal());
    expect(a?.hint).to.equal('allow logs:FilterLogEvents on log group /aws/lambda/smoke-test to see its last lines here');
    expect(b?.hint).to.match(/^log group \/aws\/lambda\/smoke-test not found/);
    expect(a).to.not.have.property('lines');
  });

  it(`reads at most ${HOOK_EXCERPTS_SHOWN} hooks`, async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ message: 'smoke test failed' }] });
    const out = await reader.read(
      Array.from({ length: HOOK_EXCERPTS_SHOWN + 2 }, () => hook),
      NOW,
      signal(),
    );
    expect(out).to.have.length(HOOK_EXCERPTS_SHOWN);
    expect(out[0]?.lines).to.deep.equal(['smoke test failed']);
  });

  it('names a function from its ARN (qualifier dropped) or its bare name', () => {
    expect(lambdaFunctionOf(hook.function, 'eu-west-1')).to.deep.equal({ name: 'smoke-test', region: 'eu-central-1' });
    expect(lambdaFunctionOf('smoke-test', 'eu-west-1')).to.deep.equal({ name: 'smoke-test', region: 'eu-west-1' });
  });
});

describe('aws/codedeploy-snapshot: the hook functions of an inline AppSpec', () => {
  it('YAML and JSON AppSpecs; an AppSpec in S3 or without hooks names none', () => {
    const yaml = 'version: 0.0\nHooks:\n  - BeforeInstall: "pre"\n  - AfterAllowTestTraffic: "arn:aws:lambda:eu-west-1:123456789012:function:smoke"\n';
    expect(hookFunctionsOf({ revisionType: 'AppSpecContent', appSpecContent: { content: yaml } }, parse)).to.deep.equal({
      BeforeInstall: 'pre',
      AfterAllowTestTraffic: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke',
    });
    const json = JSON.stringify({ version: 0, Hooks: [{ AfterInstall: 'post' }] });
    expect(hookFunctionsOf({ revisionType: 'String', string: { content: json } }, parse)).to.deep.equal({ AfterInstall: 'post' });
    expect(hookFunctionsOf({ revisionType: 'S3', s3Location: { bucket: 'b', key: 'appspec.yaml' } }, parse)).to.equal(undefined);
    expect(hookFunctionsOf({ revisionType: 'AppSpecContent', appSpecContent: { content: 'version: 0.0' } }, parse)).to.equal(undefined);
    expect(hookFunctionsOf({ revisionType: 'AppSpecContent', appSpecContent: { content: '{ not: [yaml' } }, parse)).to.equal(undefined);
  });
});
