// Thin construction of the AWS SDK clients. Standard SDK environment (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_ECS, AWS_MAX_ATTEMPTS, proxies, CA bundles) keeps working because the SDK reads
// it itself; we only choose the credentials explicitly so that nothing else is picked up by accident.
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
// The two providers we use, imported directly: the credential-providers index loads them all.
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromWebToken } from '@aws-sdk/credential-provider-web-identity';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Config } from '../config.ts';
import { VERSION } from '../version.ts';

export interface AwsClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
}

export function credentialsFor(aws: Config['aws']): AwsCredentialIdentityProvider {
  if (aws.credentials.kind === 'oidc') {
    // Bitbucket's OIDC token for this step, exchanged at STS for short-lived role credentials,
    // once for both clients (and again only when they near expiry).
    const assume = fromWebToken({
      roleArn: aws.credentials.roleArn,
      webIdentityToken: aws.credentials.webIdentityToken,
      roleSessionName: aws.credentials.sessionName,
      clientConfig: { region: aws.region },
    });
    return memoizeIdentityProvider(assume, isIdentityExpired, doesIdentityRequireRefresh) as AwsCredentialIdentityProvider;
  }
  return fromEnv();
}

export function createAwsClients(aws: Config['aws']): AwsClients {
  const common = {
    region: aws.region,
    credentials: credentialsFor(aws),
    customUserAgent: `ecs-deploy-notifier/${VERSION}`,
  };
  return { ecs: new ECSClient(common), elb: new ElasticLoadBalancingV2Client(common) };
}
