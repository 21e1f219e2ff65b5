// The pipe variables of an end-to-end test run: the simulator's, with shop-api:42 and the test's own
// secrets (which the tests then look for, masked, in everything the pipe printed or posted).
import { simulatedVariables } from '../../simulator/catalog.ts';
import type { FakeAccount } from '../../simulator/fake-aws.ts';
import type { FakeSlack } from '../../simulator/fake-slack.ts';

export function pipeVariables(
  doubles: { aws: FakeAccount; slack: FakeSlack },
  secrets: { slackToken: string; secretAccessKey: string },
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return simulatedVariables(
    { aws: doubles.aws.url, slack: doubles.slack.url },
    {
      TASK_DEFINITION: 'shop-api:42',
      SLACK_TOKEN: secrets.slackToken,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEKEY000000001',
      AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
      ...extra,
    },
  );
}
