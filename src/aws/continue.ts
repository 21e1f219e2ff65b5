// Acting on a deployment paused at a PAUSE lifecycle hook: ContinueServiceDeployment, CONTINUE or
// ROLLBACK (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html).
// One attempt: an action is never repeated blind.
import { ContinueServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import type { CallOptions, Counter } from './batch.ts';
import type { AwsClients } from './clients.ts';

/** The one call the pipe makes that changes something, and only when an APPROVER asked for it. */
const ONCE: CallOptions = { optional: true };

export async function continueServiceDeployment(
  clients: Pick<AwsClients, 'ecs'>,
  count: Counter,
  request: { serviceDeploymentArn: string; hookId: string; action: 'CONTINUE' | 'ROLLBACK' },
): Promise<void> {
  await count('ecs:ContinueServiceDeployment', (abortSignal) => clients.ecs.send(new ContinueServiceDeploymentCommand(request), { abortSignal }), ONCE);
}
