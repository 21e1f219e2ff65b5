// ECS Express Mode services (resourceManagementType ECS): the endpoint ECS gives the service
// (DescribeExpressGatewayService: activeConfigurations[].ingressPaths[], a public one first), read
// once a run to show in the message. A nicety: a policy without the permission loses it, not the
// watch, and after one refusal it is not asked again.
import { DescribeExpressGatewayServiceCommand } from '@aws-sdk/client-ecs';
import type { Logger } from '../logger.ts';
import type { Counter } from './batch.ts';
import type { AwsClients } from './clients.ts';
import type { ServiceRead } from './to-snapshot.ts';

export class ExpressReader {
  /** Service ARN → its endpoint (undefined: it has none). */
  private readonly endpoints = new Map<string, string | undefined>();
  private denied = false;

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs'>,
    private readonly count: Counter,
    private readonly log: Logger,
  ) {}

  /** The endpoint of each Express Mode service among `states`, by service id. */
  async read(states: readonly ServiceRead[]): Promise<Map<string, { endpoint?: string }>> {
    const express = states.filter((st) => st.service.expressMode);
    await Promise.all(express.filter((st) => !this.endpoints.has(st.service.arn) && !this.denied).map((st) => this.describe(st.service.arn)));
    const endpoint = (arn: string) => this.endpoints.get(arn);
    return new Map(
      express.map((st) => {
        const found = endpoint(st.service.arn);
        return [st.id, found ? { endpoint: found } : {}];
      }),
    );
  }

  private async describe(arn: string): Promise<void> {
    try {
      const out = await this.count(
        'ecs:DescribeExpressGatewayService',
        (abortSignal) => this.clients.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: arn }), { abortSignal }),
        { optional: true },
      );
      const paths = (out.service?.activeConfigurations ?? []).flatMap((c) => c.ingressPaths ?? []);
      const chosen = paths.find((p) => p.accessType === 'PUBLIC' && p.endpoint) ?? paths.find((p) => p.endpoint);
      this.endpoints.set(arn, chosen?.endpoint);
    } catch (error) {
      this.denied = true;
      this.log.warn(`The Express Mode service's endpoint is not shown: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
