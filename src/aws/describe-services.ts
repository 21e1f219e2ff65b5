// DescribeServices for every watched service, in batches of ten side by side. A service the answer
// neither describes nor reports as a failure is asked about once more; one still missing ends the
// watch, naming what to check.
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import { AwsError } from '../errors.ts';
import { type Counter, chunks, DESCRIBE_SERVICES_BATCH } from './batch.ts';
import type { AwsClients } from './clients.ts';

/**
 * The services named by `ids` (names or ARNs), each under the id it was asked by.
 */
export async function describeServices(ids: string[], ecs: AwsClients['ecs'], cluster: string, count: Counter): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  await Promise.all(chunks(ids, DESCRIBE_SERVICES_BATCH).map((batch) => describeBatch(batch, found, true)));
  return found;

  async function describeBatch(batch: string[], found: Map<string, Service>, again: boolean): Promise<void> {
    const out = await count('ecs:DescribeServices', (abortSignal) => ecs.send(new DescribeServicesCommand({ cluster, services: batch }), { abortSignal }));
    for (const id of batch) {
      const s = out.services?.find((x) => x.serviceName === id || x.serviceArn === id);
      if (s) found.set(id, s);
    }
    const missing = batch.filter((id) => !found.has(id));
    if (!missing.length) return;
    const failureOf = (id: string) => out.failures?.find((f) => f.arn?.endsWith(`/${id}`) || f.arn === id);
    // A service neither described nor reported as a failure is a glitch of the answer: ask once more.
    const unexplained = missing.filter((id) => !failureOf(id));
    if (unexplained.length && again) return describeBatch(unexplained, found, false).then(() => failMissing(batch, found, failureOf));
    failMissing(batch, found, failureOf);
  }

  function failMissing(batch: string[], found: Map<string, Service>, failureOf: (id: string) => { reason?: string } | undefined): void {
    const missing = batch.filter((id) => !found.has(id));
    if (!missing.length) return;
    const reasons = missing.map((id) => failureOf(id)?.reason ?? 'not in the answer');
    throw new AwsError(
      `ECS service${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found in cluster "${cluster}" (${[...new Set(reasons)].join(', ')}): check SERVICE_NAME, CLUSTER_NAME and the region.`,
    );
  }
}
