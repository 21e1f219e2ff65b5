// The failure thread's evidence in words: alarms in full, a failed Lambda hook's last lines, and how
// they sit beside the causes and the containers' lines, in Slack and in the log.
import { expect } from 'chai';
import type { AlarmDetail, HookExcerpt } from '../../src/core/view.ts';
import { renderDetails } from '../../src/slack/details.ts';
import { alarmText, hookTitle } from '../../src/slack/evidence.ts';
import { summaryLines } from '../../src/slack/summary.ts';
import { PLAIN_FORMAT, SLACK_FORMAT } from '../../src/slack/text.ts';
import { messageView, T0 } from '../support/message-view.ts';

const at = { region: 'eu-west-1' };
const alarm: AlarmDetail = {
  service: 'shop-api',
  name: 'api-5xx',
  metric: 'AWS/ApplicationELB HTTPCode_Target_5XX_Count',
  statistic: 'Sum',
  comparison: 'GreaterThanOrEqualToThreshold',
  threshold: 10,
  periodSeconds: 60,
  evaluationPeriods: 2,
  state: 'ALARM',
  stateSince: T0 + 90_000,
  breached: [57, 42],
};
const hook: HookExcerpt = {
  service: 'shop-api',
  function: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke-test',
  stage: 'POST_TEST_TRAFFIC_SHIFT',
  status: 'FAILED',
  group: '/aws/lambda/smoke-test',
  region: 'eu-west-1',
  lines: ['GET /orders -> 500', 'smoke test failed'],
};

describe('slack/evidence', () => {
  it('an alarm: the metric, its threshold and periods, the values that breached it and its state', () => {
    expect(alarmText(alarm, PLAIN_FORMAT, at)).to.equal(
      'alarm api-5xx (shop-api): Sum of AWS/ApplicationELB HTTPCode_Target_5XX_Count ≥ 10 over 2 × 60 s — breached at 57, 42 (in ALARM since 10:01 UTC) · alarm page (https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/api-5xx)',
    );
    const ok = { ...alarm, state: 'OK', breached: undefined, comparison: 'LessThanThreshold', statistic: undefined };
    expect(alarmText(ok, PLAIN_FORMAT, at)).to.match(
      /: AWS\/ApplicationELB HTTPCode_Target_5XX_Count < 10 over 2 × 60 s \(now OK since 10:01 UTC\) · alarm page/,
    );
    expect(alarmText({ service: 's', name: 'math', threshold: 1, comparison: 'GreaterThanUpperThreshold' }, PLAIN_FORMAT, at)).to.match(
      /: a metric math expression above the anomaly band 1 · /,
    );
    expect(alarmText({ service: 's', name: 'c', rule: 'ALARM(a) OR ALARM(b)', state: 'ALARM' }, PLAIN_FORMAT, at)).to.match(
      /: composite, ALARM\(a\) OR ALARM\(b\) \(in ALARM\) · /,
    );
    expect(alarmText({ service: 's', name: 'x', hint: 'allow cloudwatch:DescribeAlarms to see …' }, PLAIN_FORMAT, at)).to.match(
      /\(s\): allow cloudwatch:DescribeAlarms/,
    );
  });

  it("an alarm's name and rule are escaped for Slack; its link stays ours", () => {
    const text = alarmText({ service: 's', name: 'a<b>', rule: 'ALARM(x) & <!channel>' }, SLACK_FORMAT, at);
    expect(text).to.include('composite, ALARM(x) &amp; &lt;!channel&gt;');
    expect(text).to.match(/^alarm \*a&lt;b&gt;\* \(s\)/);
    expect(text).to.include('#alarmsV2:alarm/a%3Cb%3E|alarm page>');
  });

  it('a hook excerpt title: the function, its stage and status, the service and its log group', () => {
    expect(hookTitle(hook, PLAIN_FORMAT, at)).to.equal(
      'Last 2 lines of Lambda hook smoke-test (POST_TEST_TRAFFIC_SHIFT, FAILED), shop-api · log group (https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fsmoke-test)',
    );
    expect(hookTitle({ ...hook, lines: [] }, PLAIN_FORMAT, at)).to.match(/^Nothing printed by Lambda hook smoke-test/);
    expect(hookTitle({ ...hook, lines: undefined, hint: 'allow …' }, PLAIN_FORMAT, at)).to.match(/^Logs of Lambda hook smoke-test/);
  });

  it('the thread: alarms after the causes, then the hook, then the containers; the log likewise', () => {
    const v = messageView({ status: 'failed', done: true, services: [{ service: 'shop-api', status: 'failed', reason: 'rolled back' }] });
    const logs = [{ service: 'shop-api', taskId: 't1', container: 'web', what: 'exit code 1', lines: ['boom'] }];
    const thread = JSON.stringify(renderDetails(v, ['cause one'], [], { alarms: [alarm], hooks: [hook], logs }).blocks);
    expect(thread).to.match(/• cause one\\n\\n\*Alarms behind the rollback\*\\n• alarm \*api-5xx\* \(shop-api\): Sum of/);
    expect(thread.indexOf('Lambda hook *smoke-test*')).to.be.greaterThan(thread.indexOf('Alarms behind'));
    expect(thread.indexOf('*web* in task')).to.be.greaterThan(thread.indexOf('Lambda hook'));
    expect(thread).to.include('```\\nGET /orders -&gt; 500\\nsmoke test failed\\n```');

    const log = summaryLines(v, ['cause one'], { alarms: [alarm], hooks: [hook], logs });
    expect(log).to.include('  cause: cause one');
    const i = log.findIndex((l) => l.startsWith('  alarm api-5xx'));
    expect(i).to.be.greaterThan(log.indexOf('  cause: cause one'));
    expect(log.slice(i + 1, i + 4)).to.deep.equal([`  ${hookTitle(hook, PLAIN_FORMAT, at)}`, '    | GET /orders -> 500', '    | smoke test failed']);
  });
});
