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

/** arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. */
const FUNCTION_ARN = /^arn:[^:]+:lambda:([^:]+):\d+:function:([^:]+)/;

/** A Lambda function's name and region, from its ARN, or its bare name (in `region`). */
export function lambdaFunctionOf(fn: string, region: string): { name: string; region: string } {
  const arn = FUNCTION_ARN.exec(fn);
  return arn?.[1] && arn[2] ? { name: arn[2], region: arn[1] } : { name: fn.split(':').pop() ?? fn, region };
}
