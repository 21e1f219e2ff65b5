// Turns the AWS errors that retrying cannot fix into messages that say what to check.
import { AwsError } from '../errors.ts';

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
]);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired']);
const OIDC = /^(InvalidIdentityToken|IDPRejectedClaim|IDPCommunicationError)(Exception)?$/;

export interface ErrorContext {
  cluster: string;
  region: string;
  oidcRoleArn?: string;
  /** How the run got its credentials: a chain that finds none is told the three ways to give them. */
  credentials?: 'static' | 'oidc' | 'default';
  /** The call that failed, as IAM names it (e.g. ecs:DescribeServices). */
  operation?: string;
  /** Where ECS calls go (AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL, else the region's): named when what answered was not AWS. */
  endpoint?: string;
}

/**
 * The SDK's name for an answer it could not read as an AWS error: an endpoint that is not an AWS
 * API (a proxy's or a mistyped AWS_ENDPOINT_URL's page), often with HTTP 404.
 */
const NOT_AWS = new Set(['UnknownError', 'Unknown']);
const HTTP_NOT_FOUND = 404;

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  return typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata && typeof metadata.httpStatusCode === 'number'
    ? metadata.httpStatusCode
    : undefined;
}

export function explainAwsError(error: unknown, ctx: ErrorContext): AwsError {
  if (error instanceof AwsError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error && error.message ? ` AWS said: ${error.message}` : '';
  if (name === 'ClusterNotFoundException') {
    return new AwsError(`ECS cluster "${ctx.cluster}" was not found in ${ctx.region}: check CLUSTER_NAME and AWS_DEFAULT_REGION.`, { cause: error });
  }
  if (name === 'ServiceNotFoundException' || name === 'ServiceNotActiveException') {
    return new AwsError(`ECS service not found or not active in cluster "${ctx.cluster}": check SERVICE_NAME.${detail}`, { cause: error });
  }
  if (OIDC.test(name) || (ctx.oidcRoleArn && ACCESS_DENIED.has(name) && /AssumeRoleWithWebIdentity/i.test(detail))) {
    return new AwsError(
      `Could not assume AWS_OIDC_ROLE_ARN ${ctx.oidcRoleArn} with the step's OIDC token: check the role's trust policy allows Bitbucket's OIDC identity provider for this repository.${detail}`,
      { cause: error },
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new AwsError(
      `Access denied: the AWS identity lacks ${ctx.operation ? `the permission ${iamAction(ctx.operation)}` : 'a read permission the pipe needs'} (examples/iam-policy.json has every read it makes; docs/troubleshooting.md).${detail}`,
      { cause: error },
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new AwsError(`AWS rejected the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_OIDC_ROLE_ARN).${detail}`, {
      cause: error,
    });
  }
  if (EXPIRED.has(name)) {
    return new AwsError(`The AWS credentials have expired: refresh AWS_SESSION_TOKEN or use AWS_OIDC_ROLE_ARN.${detail}`, { cause: error });
  }
  if (name === 'CredentialsProviderError' && ctx.credentials === 'default') {
    return new AwsError(
      'No AWS credentials: give them one of three ways: AWS_OIDC_ROLE_ARN on a step with "oidc: true" (recommended); AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or a runner that has its own (an ECS task role, an EC2 instance profile, AWS_PROFILE).',
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new AwsError(`No usable AWS credentials.${detail}`, { cause: error });
  }
  const status = httpStatusOf(error);
  if (NOT_AWS.has(name) || status === HTTP_NOT_FOUND) {
    const where = ctx.endpoint ? `${ctx.endpoint} ` : 'The AWS endpoint ';
    return new AwsError(
      `${where}answered${status ? ` HTTP ${status}` : ''} with no AWS error${ctx.operation ? ` to ${ctx.operation}` : ''}: is it an AWS API? Check AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_ECS), a proxy, and AWS_DEFAULT_REGION.${detail}`,
      { cause: error },
    );
  }
  return new AwsError(`AWS request failed (${name}).${detail}`, { cause: error });
}

/** The IAM action of an operation as the reader names it: `elbv2:` calls are `elasticloadbalancing:` actions. */
export function iamAction(operation: string): string {
  return operation.replace(/^elbv2:/, 'elasticloadbalancing:');
}
