// Thin construction of the AWS SDK clients. Endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS …) and
// CA bundles keep working because the SDK reads them itself; the proxy is net.ts's; the credentials come from the
// validated configuration (trimmed, so a pasted trailing newline cannot reach a header) or, when it
// gives none, from the SDK's default chain (the runner's own), and
// the timeouts and retries are ours: no request may hang, and retry.ts does all the waiting.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
// The default chain every SDK client already carries, and the web-identity provider for OIDC,
// imported directly: the credential-providers index loads them all.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { fromWebToken } from '@aws-sdk/credential-provider-web-identity';
import type { AttributedAwsCredentialIdentity, AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { Config, DefaultSource } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import type { Agents } from '../net.ts';
import type { Secrets } from '../secrets.ts';
import { VERSION } from '../version.ts';

/** Connecting takes milliseconds in a region; a host that does not accept within this is down. */
export const AWS_CONNECT_TIMEOUT_MS = 3000;
/** The longest a describe call may take, answer included: well under the 10 s default poll. */
export const AWS_REQUEST_TIMEOUT_MS = 5000;

export interface AwsClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  /** Built at the first CodeDeploy call: only CODE_DEPLOY services need it, and a client costs start-up time and memory. */
  codeDeploy(): Promise<CodeDeployClient>;
  /** CloudWatch Logs in a region (a container may log to another one), built at the first read of a failed container's logs. */
  logs(region: string): Promise<CloudWatchLogsClient>;
  /** ECR in a region (an image's registry may be in another one), built at the first read of an image's labels. */
  ecr(region: string): Promise<ECRClient>;
  /** CloudWatch, built at the first read of the alarms behind a rollback. */
  cloudWatch(): Promise<CloudWatchClient>;
}

function requestHandlerFor(agents: Agents | undefined) {
  return {
    connectionTimeout: AWS_CONNECT_TIMEOUT_MS,
    requestTimeout: AWS_REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    // Through the proxy, when one is configured (net.ts).
    ...(agents ? { httpAgent: agents.http, httpsAgent: agents.https } : {}),
  };
}

/** The SDK's names for where the default chain found credentials ($source), as the log says them. */
const SOURCES: Array<[feature: string, label: string]> = [
  ['CREDENTIALS_HTTP', 'container credentials'],
  ['CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN', 'web identity token file'],
  ['CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN', 'web identity token file'],
  ['CREDENTIALS_SSO', 'SSO'],
  ['CREDENTIALS_PROFILE_SSO', 'SSO'],
  ['CREDENTIALS_PROCESS', 'credential_process'],
  ['CREDENTIALS_PROFILE_PROCESS', 'credential_process'],
  ['CREDENTIALS_PROFILE', 'shared config profile'],
];

/** Which source served: the SDK's own mark where it sets one, else where the environment pointed. */
export function sourceOf(identity: AttributedAwsCredentialIdentity, expected: DefaultSource): string {
  const marks = Object.keys(identity.$source ?? {});
  return SOURCES.find(([feature]) => marks.includes(feature))?.[1] ?? expected;
}

/**
 * The credentials of the run. Every set the pipe obtains is registered with `secrets`: STS and the
 * runner hand out new ones, which must be masked wherever text leaves the program as much as
 * configured ones.
 */
export function credentialsFor(aws: Config['aws'], secrets: Secrets, agents?: Agents, log?: Logger): AwsCredentialIdentityProvider {
  const onCredentials = (c: AwsCredentialIdentity) => secrets.add(c.secretAccessKey, c.sessionToken);
  const credentials = aws.credentials;
  if (credentials.kind === 'static') {
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    const identity = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    onCredentials(identity);
    return async () => identity;
  }
  const provider =
    credentials.kind === 'oidc'
      ? // Bitbucket's OIDC token for this step, exchanged at STS for short-lived role credentials.
        fromWebToken({
          roleArn: credentials.roleArn,
          webIdentityToken: credentials.webIdentityToken,
          roleSessionName: credentials.sessionName,
          clientConfig: { region: aws.region, maxAttempts: 1, requestHandler: requestHandlerFor(agents) },
        })
      : // The runner's own: container credentials, instance profile, AWS_PROFILE, SSO.
        defaultProvider({ clientConfig: { region: aws.region } });
  let told = false;
  const seen: AwsCredentialIdentityProvider = async (options) => {
    const identity = await provider(options);
    onCredentials(identity);
    if (credentials.kind === 'default' && !told) {
      told = true;
      log?.info(`AWS credentials: the runner's own, from its ${sourceOf(identity, credentials.expected)} (default provider chain)`);
    }
    return identity;
  };
  // Once for every client, and again only when they near expiry. memoizeIdentityProvider is typed
  // to pass `undefined` through; ours is a function.
  return memoizeIdentityProvider(seen, isIdentityExpired, doesIdentityRequireRefresh) ?? seen;
}

export function createAwsClients(aws: Config['aws'], options: { secrets: Secrets; agents?: Agents; log?: Logger }): AwsClients {
  const common = {
    region: aws.region,
    credentials: credentialsFor(aws, options.secrets, options.agents, options.log),
    customUserAgent: `ecs-deploy-notifier/${VERSION}`,
    // One attempt per send: retry.ts retries, capped by the poll interval and WAIT_TIMEOUT.
    maxAttempts: 1,
    requestHandler: requestHandlerFor(options.agents),
  };
  let codeDeploy: Promise<CodeDeployClient> | undefined;
  let cloudWatch: Promise<CloudWatchClient> | undefined;
  const logs = perRegion((region) => import('./extra-clients.ts').then(({ CloudWatchLogsClient }) => new CloudWatchLogsClient({ ...common, region })));
  const ecr = perRegion((region) => import('./extra-clients.ts').then(({ ECRClient }) => new ECRClient({ ...common, region })));
  return {
    ecs: new ECSClient(common),
    elb: new ElasticLoadBalancingV2Client(common),
    codeDeploy: () => {
      codeDeploy ??= import('./extra-clients.ts').then(({ CodeDeployClient }) => new CodeDeployClient(common));
      return codeDeploy;
    },
    cloudWatch: () => {
      cloudWatch ??= import('./cloudwatch-client.ts').then(({ CloudWatchClient }) => new CloudWatchClient(common));
      return cloudWatch;
    },
    logs,
    ecr,
  };
}

/** One client per region, built at its first use (a log group or a registry may be in another region than the cluster). */
function perRegion<T>(make: (region: string) => Promise<T>): (region: string) => Promise<T> {
  const made = new Map<string, Promise<T>>();
  return (region) => {
    let client = made.get(region);
    if (!client) {
      client = make(region);
      made.set(region, client);
    }
    return client;
  };
}
