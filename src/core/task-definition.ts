// Task definitions are named two ways: a full ARN, or `family:revision`. ECS always reports ARNs,
// so comparisons go through the family and revision.

import type { TaskDefinitionRef } from './vocabulary.ts';

const FAMILY = '[A-Za-z0-9_-]{1,255}';
const SHORT = new RegExp(`^(${FAMILY}):([1-9]\\d{0,9})$`);
const ARN = new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task-definition/(${FAMILY}):([1-9]\\d{0,9})$`);

/** `api:42` or an ARN; anything else (`api`, `api:latest`) is undefined. */
export function parseTaskDefinitionRef(value: string): TaskDefinitionRef | undefined {
  const arn = ARN.exec(value);
  if (arn?.[1]) return { family: arn[1], revision: Number(arn[2]), arn: value };
  const short = SHORT.exec(value);
  if (short?.[1]) return { family: short[1], revision: Number(short[2]) };
  return undefined;
}

/** `family:revision` of an ARN (or of a short name); the ARN itself if it does not parse. */
export function shortName(arnOrName: string): string {
  const ref = parseTaskDefinitionRef(arnOrName);
  return ref ? `${ref.family}:${ref.revision}` : arnOrName;
}

export function sameTaskDefinition(a: string, b: TaskDefinitionRef | string): boolean {
  const left = parseTaskDefinitionRef(a);
  const right = typeof b === 'string' ? parseTaskDefinitionRef(b) : b;
  if (!left || !right) return a === b;
  if (left.arn && right.arn) return left.arn === right.arn;
  return left.family === right.family && left.revision === right.revision;
}

/**
 * When `deployed` is an older revision of a task definition that ran before (`before`: the service's
 * earlier deployments), the newest of those it replaces: deploying `api:41` over `api:42` rolls
 * back. Another family, or a newer revision, is no rollback.
 */
export function rolledBackFrom(deployed: string, before: readonly string[]): string | undefined {
  const ours = parseTaskDefinitionRef(deployed);
  if (!ours) return undefined;
  const newer = before.flatMap((td) => {
    const ref = parseTaskDefinitionRef(td);
    return ref && ref.family === ours.family && ref.revision > ours.revision ? [ref] : [];
  });
  const newest = newer.reduce<TaskDefinitionRef | undefined>((a, r) => (a === undefined || r.revision > a.revision ? r : a), undefined);
  return newest ? `${newest.family}:${newest.revision}` : undefined;
}
