// STS, Query protocol: AssumeRoleWithWebIdentity, accepting any JWT-shaped token and handing out
// fixed role credentials (which the tests look for in every output, masked).
import { type AccountModel, esc } from './model.ts';

export const ROLE_KEY_ID = 'ASIAFAKEROLEKEY00001';
export const ROLE_SECRET = 'stsRoleSecretAccessKeyFromAssumeRole01';
export const ROLE_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEFakeStsSessionTokenFromAssumeRole';

export function stsApi(a: AccountModel, form: Record<string, string>): { status: number; body: string } {
  if (!form.WebIdentityToken?.startsWith('eyJ')) {
    return {
      status: 400,
      body: "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn't retrieve verification key from your identity provider</Message></Error><RequestId>r</RequestId></ErrorResponse>",
    };
  }
  a.webIdentityTokens.push(form.WebIdentityToken);
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  return {
    status: 200,
    body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${ROLE_KEY_ID}</AccessKeyId><SecretAccessKey>${ROLE_SECRET}</SecretAccessKey><SessionToken>${ROLE_SESSION_TOKEN}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${esc(form.RoleArn ?? '')}/${esc(form.RoleSessionName ?? '')}</Arn><AssumedRoleId>AROAFAKE:${esc(form.RoleSessionName ?? '')}</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
  };
}
