// The last lines a failed container printed, for the failure thread: from the task definition's
// awslogs settings (group, region, stream prefix) to the stream `prefix/container/task-id`, read
// with GetLogEvents. Read once, when the watch ends failed or timed out; never fails the run:
// whatever stands in the way (another log driver, no stream prefix, a missing permission) becomes
// one line that says how to get the logs here.

import { DescribeTaskDefinitionCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { taskId } from '../core/arn.ts';
import { EVIDENCE_READ_BUDGET_MS } from '../core/budget.ts';
import type { LogExcerpt } from '../core/view.ts';
import type { StoppedTask } from '../core/vocabulary.ts';
import { awslogsOf } from './awslogs.ts';
import type { AwsClients } from './clients.ts';
import { describe as describeAwsError, isAccessDenied } from './retry.ts';

/** Failures whose logs are read: the failure thread has room for a few. */
export const LOG_EXCERPTS_SHOWN = 3;

export class ContainerLogs {
  private readonly definitions = new Map<string, Promise<TaskDefinition | undefined>>();

  constructor(
    private readonly clients: Pick<AwsClients, 'ecs' | 'logs'>,
    private readonly region: string,
    private readonly lines: number,
  ) {}

  /** One excerpt per failed task (at most LOG_EXCERPTS_SHOWN), never an error. */
  async read(
    tasks: ReadonlyArray<StoppedTask & { service: string }>,
    signal: AbortSignal = AbortSignal.timeout(EVIDENCE_READ_BUDGET_MS),
  ): Promise<LogExcerpt[]> {
    return Promise.all(tasks.slice(0, LOG_EXCERPTS_SHOWN).map((t) => this.excerpt(t, signal)));
  }

  private async excerpt(t: StoppedTask & { service: string }, signal: AbortSignal): Promise<LogExcerpt> {
    const base = { service: t.service, taskId: taskId(t.taskArn), container: t.container, what: t.what };
    let td: TaskDefinition | undefined;
    try {
      td = await this.definition(t.taskDefinitionArn, signal);
    } catch (error) {
      return { ...base, hint: `its log settings could not be read (${describeAwsError(error)})` };
    }
    const settings = td && awslogsOf(td, t.container);
    if (!settings) return { ...base, hint: `container ${t.container} is not in task definition ${t.taskDefinitionArn}` };
    if (settings.driver !== 'awslogs' || !settings.group) {
      return { ...base, hint: `its log driver is ${settings.driver}: only the awslogs driver's logs can be shown here` };
    }
    if (!settings.prefix) {
      return { ...base, hint: `its awslogs options have no awslogs-stream-prefix, so its log stream cannot be named: set one to see its last lines here` };
    }
    const stream = `${settings.prefix}/${t.container}/${base.taskId}`;
    const region = settings.region ?? this.region;
    const where = { group: settings.group, stream, region };
    try {
      const client = await this.clients.logs(region);
      const { GetLogEventsCommand } = await import('./extra-clients.ts');
      const out = await client.send(new GetLogEventsCommand({ logGroupName: settings.group, logStreamName: stream, limit: this.lines, startFromHead: false }), {
        abortSignal: signal,
      });
      // Newest last, as the container printed them; multi-line events keep their lines.
      const lines = (out.events ?? []).flatMap((e) => (e.message ?? '').replace(/\n+$/, '').split('\n')).slice(-this.lines);
      return { ...base, ...where, lines };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (isAccessDenied(error)) {
        return { ...base, ...where, hint: `allow logs:GetLogEvents on log group ${settings.group} to see its last lines here` };
      }
      if (name === 'ResourceNotFoundException') return { ...base, ...where, hint: `log stream ${stream} not found: the container may have printed nothing` };
      return { ...base, ...where, hint: `its log stream could not be read (${describeAwsError(error)})` };
    }
  }

  private definition(arn: string, signal: AbortSignal): Promise<TaskDefinition | undefined> {
    let found = this.definitions.get(arn);
    if (!found) {
      found = this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal: signal }).then((out) => out.taskDefinition);
      this.definitions.set(arn, found);
    }
    return found;
  }
}
