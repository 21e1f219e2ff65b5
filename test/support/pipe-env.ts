// The pipe variables of an end-to-end run against the simulated account and workspace: shop-api:42
// deployed to production, polled every second.
import type { FakeAccount } from '../../simulator/fake-aws.ts';
import type { FakeSlack } from '../../simulator/fake-slack.ts';

export function pipeVariables(
  doubles: { aws: FakeAccount; slack: FakeSlack },
  secrets: { slackToken: string; secretAccessKey: string },
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    CLUSTER_NAME: 'prod',
    SERVICE_NAME: 'shop-api',
    TASK_DEFINITION: 'shop-api:42',
    ENVIRONMENT: 'production',
    BITBUCKET_BRANCH: 'main',
    BITBUCKET_COMMIT: '0123456789abcdef0123456789abcdef01234567',
    SLACK_TOKEN: secrets.slackToken,
    SLACK_CHANNEL: '#deploys',
    SLACK_API_URL: doubles.slack.url,
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEKEY000000001',
    AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
    AWS_ENDPOINT_URL: doubles.aws.url,
    POLL_INTERVAL: '1',
    WAIT_TIMEOUT: '60',
    ...extra,
  };
}
