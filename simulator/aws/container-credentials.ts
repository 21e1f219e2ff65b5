// The container credentials endpoint an ECS task (or a Bitbucket runner hosted on ECS) gets its
// role's credentials from: GET on AWS_CONTAINER_CREDENTIALS_FULL_URI (or the agent's relative URI),
// with AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header when one is set. The answer's
// shape is the one the SDK's container provider reads (AccessKeyId, SecretAccessKey, Token,
// Expiration): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html and
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html.

/** Where the double serves them: AWS_CONTAINER_CREDENTIALS_FULL_URI = the account's URL + this path. */
export const CONTAINER_CREDENTIALS_PATH = '/v2/credentials/task-role';
export const CONTAINER_KEY_ID = 'ASIACONTAINERKEY0001';
export const CONTAINER_SECRET = 'containerRoleSecretAccessKeyFromEcsAgent';
export const CONTAINER_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEFakeContainerSessionTokenFromEcsAgent';
/** The token the runner's environment carries (AWS_CONTAINER_AUTHORIZATION_TOKEN); anything else is refused. */
export const CONTAINER_AUTHORIZATION_TOKEN = 'container-authorization-token-0001';

export function containerCredentialsApi(authorization: string | undefined): { status: number; body: unknown } {
  if (authorization !== CONTAINER_AUTHORIZATION_TOKEN) return { status: 403, body: { code: 'AccessDenied', message: 'Invalid authorization token' } };
  return {
    status: 200,
    body: {
      AccessKeyId: CONTAINER_KEY_ID,
      SecretAccessKey: CONTAINER_SECRET,
      Token: CONTAINER_SESSION_TOKEN,
      Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      RoleArn: 'arn:aws:iam::123456789012:role/bitbucket-runner-task-role',
    },
  };
}
