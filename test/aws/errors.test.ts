import { expect } from 'chai';
import { explainAwsError } from '../../src/aws/errors.ts';

const ctx = { cluster: 'prod', region: 'eu-west-1', oidcRoleArn: 'arn:aws:iam::123456789012:role/notifier' };
const err = (name: string, message = 'details') => Object.assign(new Error(message), { name });

describe('aws/errors', () => {
  const table: Array<[string, RegExp]> = [
    ['ClusterNotFoundException', /^ECS cluster "prod" was not found in eu-west-1: check CLUSTER_NAME and AWS_DEFAULT_REGION\.$/],
    ['AccessDeniedException', /^Access denied: .* \(examples\/iam-policy\.json has every read it makes; docs\/troubleshooting\.md\)\. AWS said: details$/],
    ['AccessDenied', /^Access denied/],
    ['InvalidIdentityTokenException', /^Could not assume AWS_OIDC_ROLE_ARN arn:aws:iam::123456789012:role\/notifier .*trust policy/],
    ['UnrecognizedClientException', /^AWS rejected the credentials: check AWS_ACCESS_KEY_ID/],
    ['ExpiredTokenException', /^The AWS credentials have expired/],
    ['SomethingNew', /^AWS request failed \(SomethingNew\)\. AWS said: details$/],
  ];
  for (const [name, expected] of table) {
    it(`explains ${name}`, () => {
      const e = explainAwsError(err(name), ctx);
      expect(e.message).to.match(expected);
      expect(e.exitCode).to.equal(3);
    });
  }

  it('an answer that is not an AWS error (HTTP 404 from a wrong endpoint) names the endpoint and what it answered', () => {
    const notFound = Object.assign(err('UnknownError', 'UnknownError'), { $metadata: { httpStatusCode: 404 } });
    const e = explainAwsError(notFound, { ...ctx, operation: 'ecs:DescribeServices', endpoint: 'http://proxy.internal:8080' });
    expect(e.message).to.equal(
      'http://proxy.internal:8080 answered HTTP 404 with no AWS error to ecs:DescribeServices: is it an AWS API? Check AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_ECS), a proxy, and AWS_DEFAULT_REGION. AWS said: UnknownError',
    );
    expect(e.exitCode).to.equal(3);
  });

  it('names the IAM action that was denied, as the policy spells it', () => {
    expect(explainAwsError(err('AccessDeniedException'), { ...ctx, operation: 'ecs:DescribeServiceDeployments' }).message).to.match(
      /lacks the permission ecs:DescribeServiceDeployments/,
    );
    expect(explainAwsError(err('AccessDenied'), { ...ctx, operation: 'elbv2:DescribeRules' }).message).to.match(
      /lacks the permission elasticloadbalancing:DescribeRules/,
    );
  });
});
