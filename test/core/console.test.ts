// The console addresses the message links, as the console shows them in the browser.
import { expect } from 'chai';
import { codeDeployUrl, logStreamUrl, serviceDeploymentsUrl, targetGroupUrl, taskUrl } from '../../src/core/console.ts';

describe('console links', () => {
  it("a service's deployments tab and a task's page, also for a cluster or service given as an ARN", () => {
    expect(serviceDeploymentsUrl('eu-west-1', 'prod', 'shop-api')).to.equal(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/shop-api/deployments?region=eu-west-1',
    );
    expect(
      serviceDeploymentsUrl('eu-west-1', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod', 'arn:aws:ecs:eu-west-1:123456789012:service/prod/shop-api'),
    ).to.equal('https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/shop-api/deployments?region=eu-west-1');
    expect(taskUrl('us-east-1', 'prod', '3f2a9c1b4d5e')).to.equal(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/tasks/3f2a9c1b4d5e/configuration?region=us-east-1',
    );
  });

  it('a log stream, its names escaped twice with $ for %, as the CloudWatch console writes them', () => {
    expect(logStreamUrl('eu-west-1', '/ecs/shop-api', 'ecs/web/3f2a9c1b')).to.equal(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fshop-api/log-events/ecs$252Fweb$252F3f2a9c1b',
    );
  });

  it('a target group', () => {
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-api/73e2d6bc24d8a067';
    expect(targetGroupUrl('eu-west-1', arn)).to.equal(`https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#TargetGroup:targetGroupArn=${arn}`);
  });

  it('a CodeDeploy deployment', () => {
    expect(codeDeployUrl('eu-west-1', 'd-A1B2C3D4E')).to.equal(
      'https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=eu-west-1',
    );
  });
});
