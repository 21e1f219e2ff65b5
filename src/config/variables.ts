// Every variable the pipe reads, with its validator, default and description: README.md and
// pipe.yml document exactly these (test/docs.test.ts holds them to it).
import type { ValidatorSpec } from 'envalid';
import {
  accessKeyId,
  bitbucketUuid,
  boolean,
  buildNumber,
  channelRules,
  clusterName,
  commitHash,
  decimal,
  integer,
  mentionIds,
  messageForm,
  noProxyList,
  proxyUrl,
  region,
  regionRules,
  roleArn,
  roleRules,
  secretValue,
  serviceList,
  slackApiUrl,
  slackChannel,
  slackToken,
  taskDefinitionList,
  text,
  verifyMode,
  verifyUrl,
  waitUntil,
} from './validators.ts';

/** Variables whose values must never be printed. */
export const SECRET_VARIABLES = ['SLACK_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'BITBUCKET_STEP_OIDC_TOKEN'];

/** Variables that may hold a password (a proxy's or VERIFY_URL's `user:password@`): the password is masked. */
export const URL_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'VERIFY_URL'];

/** The passwords in proxy URLs, raw and decoded, for the masker. */
export function urlPasswords(env: Record<string, string | undefined>): string[] {
  return URL_VARIABLES.flatMap((name) => {
    try {
      const password = new URL(env[name]?.trim() ?? '').password;
      return password ? [password, decodeURIComponent(password)] : [];
    } catch {
      return [];
    }
  });
}

const optional = { default: undefined } as const;

/** The whole-number variables' ranges [min, max]: validated here, and stated in the README's table (a test holds both to these). */
export const INTEGER_RANGES = {
  WAIT_TIMEOUT: [1, 86_400],
  POLL_INTERVAL: [1, 300],
  DEPLOYMENT_GRACE_PERIOD: [0, 600],
  CRASH_LOOP_LIMIT: [2, 1000],
  LOG_LINES: [0, 100],
  VERIFY_MINUTES: [0, 60],
  VERIFY_MIN_REQUESTS: [1, 1_000_000],
  VERIFY_MAX_LATENCY_INCREASE: [1, 1000],
} satisfies Record<string, [number, number]>;

/** The specs of every variable the pipe reads; README.md and pipe.yml document exactly these. */
export const VARIABLE_SPECS = {
  CLUSTER_NAME: clusterName({ desc: 'ECS cluster name or ARN.' }),
  SERVICE_NAME: serviceList({ desc: 'ECS service name(s) or ARN(s): one, several comma-separated, or a YAML list; at most 150.' }),
  TASK_DEFINITION: taskDefinitionList({
    ...optional,
    desc: "Deployed task definition (ARN or family:revision), one per service in the same order. Default: each service's PRIMARY deployment at start.",
  }),
  ENVIRONMENT: text('an environment name', 100)({ desc: 'Deployment environment name, e.g. staging or production.' }),
  BRANCH: text('a branch name')({ ...optional, desc: 'Deployed branch. Default: BITBUCKET_BRANCH.' }),
  TAG: text('a tag name')({ ...optional, desc: 'Deployed tag; wins over the branch. Default: BITBUCKET_TAG.' }),
  COMMIT: commitHash({ ...optional, desc: 'Deployed commit. Default: BITBUCKET_COMMIT.' }),
  DEPLOYED_BY: bitbucketUuid({
    ...optional,
    desc: "Who triggered the deploy: the deploy step's BITBUCKET_STEP_TRIGGERER_UUID, passed on. The message names them (read through the pipelines proxy).",
  }),
  DEPLOY_BUILD_NUMBER: buildNumber({
    ...optional,
    desc: "The deploy pipeline's BITBUCKET_BUILD_NUMBER, passed on: the message's Pipeline link goes to the deploy, the notifier's own run is its watch log.",
  }),
  SLACK_TOKEN: slackToken({ desc: 'Bot User OAuth Token (xoxb-…) of the custom Slack app. Secret.' }),
  SLACK_CHANNEL: slackChannel({ desc: 'Default Slack channel (#name or ID).' }),
  SLACK_CHANNELS: channelRules({
    ...optional,
    desc: 'Per-environment channels: pattern=channel pairs, comma-separated; pattern is an environment name or a glob with *. First match wins, else SLACK_CHANNEL.',
  }),
  SLACK_API_URL: slackApiUrl({ default: 'https://slack.com/api/', desc: 'Slack Web API base URL (GovSlack, proxies, tests).' }),
  SLACK_MENTION_ON_FAILURE: mentionIds({
    ...optional,
    desc: 'Slack user IDs (U…) or user group IDs (S…) to mention in the thread when the rollout fails or times out.',
  }),
  AWS_DEFAULT_REGION: region({ ...optional, desc: 'AWS region of the cluster (AWS_REGION is accepted too).' }),
  AWS_REGION: region({ ...optional, desc: 'Alternative to AWS_DEFAULT_REGION.' }),
  AWS_REGIONS: regionRules({
    ...optional,
    desc: 'Per-environment regions: pattern=region pairs, comma-separated, matched like SLACK_CHANNELS; else AWS_DEFAULT_REGION.',
  }),
  AWS_ACCESS_KEY_ID: accessKeyId({
    ...optional,
    desc: "Static credentials: access key ID. Without keys or AWS_OIDC_ROLE_ARN, the runner's own credentials are used (the AWS SDK's default provider chain).",
  }),
  AWS_SECRET_ACCESS_KEY: secretValue({ ...optional, desc: 'Static credentials: secret access key. Secret.' }),
  AWS_SESSION_TOKEN: secretValue({ ...optional, desc: 'Static credentials: session token of temporary credentials. Secret.' }),
  AWS_OIDC_ROLE_ARN: roleArn({ ...optional, desc: 'IAM role to assume with the step\'s OIDC token (needs "oidc: true" on the step).' }),
  AWS_OIDC_ROLE_ARNS: roleRules({
    ...optional,
    desc: 'Per-environment roles (one AWS account per environment): pattern=role-ARN pairs, comma-separated, matched like SLACK_CHANNELS; else AWS_OIDC_ROLE_ARN.',
  }),
  BITBUCKET_STEP_OIDC_TOKEN: secretValue({ ...optional, desc: 'Set by Bitbucket on steps with "oidc: true".' }),
  WAIT_TIMEOUT: integer(...INTEGER_RANGES.WAIT_TIMEOUT)({ default: 1800, desc: 'Seconds to wait for the rollout before reporting a time-out.' }),
  POLL_INTERVAL: integer(...INTEGER_RANGES.POLL_INTERVAL)({ default: 10, desc: 'Seconds between polls of ECS and the load balancer.' }),
  DEPLOYMENT_GRACE_PERIOD: integer(...INTEGER_RANGES.DEPLOYMENT_GRACE_PERIOD)({
    default: 60,
    desc: 'Seconds to wait for the deployment of TASK_DEFINITION to appear in the service before reporting it missing.',
  }),
  CRASH_LOOP_LIMIT: integer(
    ...INTEGER_RANGES.CRASH_LOOP_LIMIT,
    'stops',
  )({
    ...optional,
    desc: "Fail as soon as new tasks have stopped this many times the same way (exit code or reason), without waiting for ECS's circuit breaker. Default: off (wait for ECS or WAIT_TIMEOUT).",
  }),
  LOG_LINES: integer(
    ...INTEGER_RANGES.LOG_LINES,
    'lines',
  )({
    default: 20,
    desc: "Last lines of a failed container's awslogs output, and of a failed Lambda lifecycle hook's log, shown in the failure thread, per distinct failure; 0 turns it off.",
  }),
  WAIT_UNTIL: waitUntil({
    default: 'retired',
    desc: 'retired: follow the rollout until the old version is gone (after a blue/green bake, too); live: end the watch (exit 0) as soon as the new version takes all production traffic.',
  }),
  VERIFY: verifyMode({
    default: 'fail',
    desc: "Traffic verification on the load balancer's metrics (CloudWatch): fail: a regression of the new version against the old fails the run (exit 1); warn: it is said, the run passes; off: nothing is measured.",
  }),
  VERIFY_MINUTES: integer(
    ...INTEGER_RANGES.VERIFY_MINUTES,
    'minutes',
  )({
    default: 0,
    desc: 'Minutes to go on measuring after live, when the rollout ends sooner (WAIT_UNTIL=live, a short drain). The drain, bakes and traffic steps are measured anyway.',
  }),
  VERIFY_MIN_REQUESTS: integer(
    ...INTEGER_RANGES.VERIFY_MIN_REQUESTS,
    'requests',
  )({ default: 300, desc: 'Fewer requests on the new version (or its baseline) is "not measured", never verified.' }),
  VERIFY_MAX_5XX_INCREASE: decimal(
    0,
    100,
    'percentage points',
  )({ default: 1, desc: "Percentage points the new version's 5xx (and connection error) rate may exceed the baseline's (0–100)." }),
  VERIFY_MAX_LATENCY_INCREASE: integer(
    ...INTEGER_RANGES.VERIFY_MAX_LATENCY_INCREASE,
    'percent',
  )({ default: 50, desc: "Percent the new version's p95 response time may exceed the baseline's." }),
  VERIFY_URL: verifyUrl({
    ...optional,
    desc: 'A URL that answers with the deployed version (e.g. a health endpoint), asked from the pipe once live: 3 answers in a row must carry VERIFY_EXPECT, within 10 asks 5 s apart. Its user, password and query are never shown.',
  }),
  VERIFY_EXPECT: text(
    'a text or $.json.path=value',
    200,
  )({
    ...optional,
    desc: "What VERIFY_URL's answer must contain: a text, or a JSON path and its value ($.build.commit=9f2c1e7). Default: the deployed commit's first 7 characters.",
  }),
  MESSAGE_FORM: messageForm({
    default: 'auto',
    desc: 'full: the card with every field; compact: one line, updated in place; auto: full for an environment that looks like production (prod, prd, production, live), compact for the others.',
  }),
  APPROVERS: mentionIds({
    ...optional,
    desc: 'Slack user IDs (U…) who may continue (✅ reaction) or roll back (⏪) a deployment paused at a PAUSE lifecycle hook, from the message. Without it nobody can act from Slack.',
  }),
  CHECK_ONLY: boolean({
    default: false,
    desc: 'true: check the setup (every AWS read this service needs, the Slack token, scopes and channel, a sample message) in seconds, posting nothing and watching nothing; exit 0 only when everything holds.',
  }),
  CODE_INSIGHTS: boolean({
    default: true,
    desc: 'Inside Bitbucket: a Code Insights report on COMMIT (pending while it rolls out, then passed or failed, with a link to the Slack message); false turns it off.',
  }),
  BITBUCKET_API_PROXY: proxyUrl({
    default: 'http://host.docker.internal:29418',
    desc: "The proxy through which a pipe reaches the Bitbucket API without a secret (Bitbucket's pipelines proxy); for self-hosted runners and tests.",
  }),
  DEBUG: boolean({ default: false, desc: 'Verbose log (never shows secrets).' }),
  HTTPS_PROXY: proxyUrl({ ...optional, desc: 'Proxy for HTTPS requests (AWS and Slack); https_proxy is accepted too.' }),
  HTTP_PROXY: proxyUrl({ ...optional, desc: 'Proxy for plain HTTP requests (only custom endpoints use http); http_proxy is accepted too.' }),
  NO_PROXY: noProxyList({ ...optional, desc: 'Hosts reached without the proxy, comma-separated; no_proxy is accepted too.' }),
} satisfies Record<string, ValidatorSpec<unknown>>;
