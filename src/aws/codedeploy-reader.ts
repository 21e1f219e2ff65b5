// CODE_DEPLOY services: CodeDeploy's account of each deployment behind a replacement task set
// (GetDeployment, GetDeploymentTarget), followed until the watch ends.
import type { CodeDeploySnapshot } from '../core/snapshot.ts';
import type { Counter } from './batch.ts';
import type { AwsClients } from './clients.ts';
import { codeDeployFrom } from './codedeploy-snapshot.ts';
import type { ServiceRead } from './to-snapshot.ts';

/** The cluster's name, also when CLUSTER_NAME is an ARN (CodeDeploy names an ECS target `cluster:service`). */
function clusterName(cluster: string): string {
  return cluster.split('/').pop() ?? cluster;
}

export class CodeDeployReader {
  /** Per service, every CodeDeploy deployment seen behind a replacement task set during this run. */
  private readonly followed = new Map<string, Set<string>>();

  constructor(
    private readonly clients: Pick<AwsClients, 'codeDeploy'>,
    private readonly cluster: string,
    private readonly count: Counter,
  ) {}

  /**
   * CODE_DEPLOY services: the CodeDeploy deployment behind each replacement task set (every task set
   * but the oldest), followed until the watch ends, with its ECS target (lifecycle events, traffic
   * weights). A service at rest (one task set) costs nothing here; one deployment costs
   * GetDeployment and GetDeploymentTarget a poll.
   */
  async read(states: readonly ServiceRead[]): Promise<Map<string, CodeDeploySnapshot[]>> {
    const out = new Map<string, CodeDeploySnapshot[]>();
    await Promise.all(
      states.map(async (st) => {
        const sets = [...(st.service.taskSets ?? [])].sort((a, b) => a.createdAt - b.createdAt);
        const followed = this.followed.get(st.id) ?? new Set<string>();
        for (const t of sets.slice(1)) if (t.externalId) followed.add(t.externalId);
        this.followed.set(st.id, followed);
        const targetId = `${clusterName(this.cluster)}:${st.service.name}`;
        const read = await Promise.all([...followed].map((id) => this.codeDeployment(id, targetId)));
        out.set(st.id, read);
      }),
    );
    return out;
  }

  private async codeDeployment(deploymentId: string, targetId: string): Promise<CodeDeploySnapshot> {
    const client = await this.clients.codeDeploy();
    const { GetDeploymentCommand, GetDeploymentTargetCommand, parseYaml } = await import('./extra-clients.ts');
    const [deployment, target] = await Promise.all([
      this.count('codedeploy:GetDeployment', (abortSignal) => client.send(new GetDeploymentCommand({ deploymentId }), { abortSignal })),
      this.count('codedeploy:GetDeploymentTarget', (abortSignal) => client.send(new GetDeploymentTargetCommand({ deploymentId, targetId }), { abortSignal })),
    ]);
    return codeDeployFrom(deployment.deploymentInfo ?? { deploymentId }, target.deploymentTarget?.ecsTarget, parseYaml);
  }
}
