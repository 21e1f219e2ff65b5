// Which service deployment is the service's current one, and which came before it this run, when
// DescribeServices does not say. Real 2026 answers for rolling services carry
// `currentServiceRevisions` but no `currentServiceDeployment`
// (test/fixtures/aws/describe-services-forced-redeploy-same-td-2026.json); ListServiceDeployments
// is the other way in (API_ListServiceDeployments.html; list-service-deployments.json). Asked again
// only when the service's deployments change, so a quiet poll costs nothing more.
import { ListServiceDeploymentsCommand, type ServiceDeploymentBrief } from '@aws-sdk/client-ecs';
import type { Counter } from './batch.ts';
import type { AwsClients } from './clients.ts';
import type { ServiceRead } from './to-snapshot.ts';

/** One service deployment as ListServiceDeployments lists it. */
export interface DeploymentBrief {
  arn: string;
  status: string;
  createdAt: number;
}

/** A service deployment still under way: the one DescribeServices would call current (ServiceDeploymentStatus). */
const UNDER_WAY: ReadonlySet<string> = new Set(['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
/** Rolled back, or rolling back: what an alarm or the circuit breaker did to a deployment. */
export const ROLLED_BACK: ReadonlySet<string> = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
/**
 * How far before the oldest deployment DescribeServices lists a service deployment may have been
 * created: the two are created by the same UpdateService, their timestamps a moment apart.
 */
const CREATED_SLACK_MS = 60_000;
/** ListServiceDeployments' page: the newest deployments of a rollout are a handful. */
const LIST_PAGE = 20;

export class ServiceDeployments {
  /** Per service: the deployments DescribeServices listed when last asked, and what the list said then. */
  private readonly lists = new Map<string, { key: string; briefs: Promise<DeploymentBrief[]> }>();

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs'>,
    private readonly cluster: string,
    private readonly count: Counter,
  ) {}

  /** The current service deployment: DescribeServices' when it gives one, else the newest under way (or the newest) of the list. */
  async current(st: ServiceRead, optional: boolean): Promise<string | undefined> {
    if (st.service.currentServiceDeployment) return st.service.currentServiceDeployment;
    const briefs = await this.recent(st, optional);
    return (briefs.find((b) => UNDER_WAY.has(b.status)) ?? briefs[0])?.arn;
  }

  /**
   * The service deployments created since the oldest deployment DescribeServices lists, newest
   * first. Listed again only when those deployments (their ids and states) change.
   */
  recent(st: ServiceRead, optional: boolean): Promise<DeploymentBrief[]> {
    const deployments = st.service.deployments;
    const key = JSON.stringify(deployments.map((d) => [d.id, d.status, d.rolloutState]));
    const known = this.lists.get(st.id);
    if (known?.key === key) return known.briefs;
    const after = Math.min(...deployments.map((d) => d.createdAt)) - CREATED_SLACK_MS;
    const briefs = this.count(
      'ecs:ListServiceDeployments',
      (abortSignal) =>
        this.clients.ecs.send(
          new ListServiceDeploymentsCommand({
            cluster: this.cluster,
            service: st.service.name || st.id,
            ...(Number.isFinite(after) ? { createdAt: { after: new Date(after) } } : {}),
            maxResults: LIST_PAGE,
          }),
          { abortSignal },
        ),
      { optional },
    ).then((out) => (out.serviceDeployments ?? []).flatMap(briefFrom).sort((a, b) => b.createdAt - a.createdAt));
    // A failed list is asked again next time, not kept.
    briefs.catch(() => {
      if (this.lists.get(st.id)?.briefs === briefs) this.lists.delete(st.id);
    });
    this.lists.set(st.id, { key, briefs });
    return briefs;
  }
}

function briefFrom(d: ServiceDeploymentBrief): DeploymentBrief[] {
  if (!d.serviceDeploymentArn) return [];
  return [{ arn: d.serviceDeploymentArn, status: d.status ?? '', createdAt: d.createdAt?.getTime() ?? 0 }];
}
