// Names inside AWS ARNs, as the message and the console links show them. Pure string work.

/** The task ID of a task ARN (`…:task/prod/0123abcd` → `0123abcd`). */
export function taskId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** The name of a target group ARN (`…:targetgroup/shop-api/c60a…` → `shop-api`). */
export function targetGroupName(arn: string): string {
  return /targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

/** The region of an ARN (`arn:aws:ecs:REGION:…`). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}
