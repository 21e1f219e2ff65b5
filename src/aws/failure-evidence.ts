// What the failure thread shows beside the causes, read once when the watch ends failed or timed
// out, all at once within one budget: failed containers' and Lambda hooks' last lines (LOG_LINES > 0)
// and the alarms behind a rollback. Every part is a nicety that never fails the run.
import type { FailureEvidence, RolloutView } from '../core/view.ts';
import { describeAlarms } from './alarms.ts';
import type { AwsClients } from './clients.ts';
import { HookLogs } from './hook-logs.ts';
import { ContainerLogs } from './logs.ts';

export class FailureEvidenceReader {
  private readonly containers: ContainerLogs;
  private readonly hooks: HookLogs;

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs' | 'logs' | 'cloudWatch'>,
    region: string,
    private readonly lines: number,
  ) {
    this.containers = new ContainerLogs(clients, region, lines);
    this.hooks = new HookLogs(clients, region, lines);
  }

  async read(view: Pick<RolloutView, 'stoppedTasks' | 'failedHooks' | 'alarms'>, now: number, signal: AbortSignal): Promise<FailureEvidence> {
    const logsWanted = this.lines > 0;
    const [logs, hooks, alarms] = await Promise.all([
      logsWanted && view.stoppedTasks.length ? this.containers.read(view.stoppedTasks, signal) : [],
      logsWanted && view.failedHooks.length ? this.hooks.read(view.failedHooks, now, signal) : [],
      view.alarms.length ? describeAlarms(this.clients, view.alarms, signal) : [],
    ]);
    return { logs, hooks, alarms };
  }
}
