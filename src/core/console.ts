// Addresses of the AWS console pages a reader of the message opens next: the service's deployments,
// a stopped task, a log stream, a CodeDeploy deployment. Pure; built only from names AWS gave or
// the configuration validated. The console has no API contract for these; they are its own
// addresses as it shows them in the browser (2026), and the worst a changed one does is 404.

const host = (region: string) => `https://${region}.console.aws.amazon.com`;
/** The last part of an ARN (`…:cluster/prod` → `prod`), or the name itself. */
const nameOf = (nameOrArn: string) => nameOrArn.split('/').pop() ?? nameOrArn;

/** The ECS console's deployments tab of a service. */
export function serviceDeploymentsUrl(region: string, cluster: string, service: string): string {
  return `${host(region)}/ecs/v2/clusters/${encodeURIComponent(nameOf(cluster))}/services/${encodeURIComponent(nameOf(service))}/deployments?region=${region}`;
}

/** The ECS console's page of a task (stopped ones stay visible for about an hour). */
export function taskUrl(region: string, cluster: string, taskId: string): string {
  return `${host(region)}/ecs/v2/clusters/${encodeURIComponent(nameOf(cluster))}/tasks/${encodeURIComponent(taskId)}/configuration?region=${region}`;
}

/**
 * The CloudWatch console's events of a log stream. Its fragment escapes names twice, with `$`
 * for `%` (`/ecs/shop-api` → `$252Fecs$252Fshop-api`).
 */
export function logStreamUrl(region: string, group: string, stream: string): string {
  const twice = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `${host(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${twice(group)}/log-events/${twice(stream)}`;
}

/** The CloudWatch console's page of a log group (a Lambda function's, whose streams are per instance). */
export function logGroupUrl(region: string, group: string): string {
  const twice = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `${host(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${twice(group)}`;
}

/** The CloudWatch console's page of an alarm (its graph and history). */
export function alarmUrl(region: string, name: string): string {
  return `${host(region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`;
}

/** The EC2 console's page of a target group (its targets' health and reason codes). */
export function targetGroupUrl(region: string, targetGroupArn: string): string {
  return `${host(region)}/ec2/home?region=${region}#TargetGroup:targetGroupArn=${targetGroupArn}`;
}

/** The CodeDeploy console's page of a deployment. */
export function codeDeployUrl(region: string, deploymentId: string): string {
  return `${host(region)}/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`;
}
