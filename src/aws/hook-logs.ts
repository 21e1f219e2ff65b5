// The last lines a failed Lambda lifecycle hook printed, for the failure thread: from the function's
// ARN (or name) to its log group `/aws/lambda/<name>`, read with FilterLogEvents in the window AWS
// says the hook ran in. Read once, when the watch ends failed; never fails the run: a missing
// permission or a missing log group becomes one line that says how to get the lines here.
import { lambdaFunctionOf } from '../core/arn.ts';
import type { HookExcerpt } from '../core/view.ts';
import type { FailedHook } from '../core/vocabulary.ts';
import type { AwsClients } from './clients.ts';
import { describe as describeAwsError, isAccessDenied } from './retry.ts';

/** Failed hooks whose logs are read: the failure thread has room for a few. */
export const HOOK_EXCERPTS_SHOWN = 2;
/** The window around the hook's run, both sides: AWS's times are those of the deployment's stage, not of the invocation. */
export const HOOK_LOG_SLACK_MS = 60_000;
/** Pages of FilterLogEvents read at most (each up to 10,000 events): a hook's window holds few invocations. */
export const HOOK_LOG_PAGES = 5;

/**
 * The lines the Lambda runtime writes around every invocation, not the function: `START RequestId:
 * … Version: 1`, `END RequestId: …`, `REPORT RequestId: … Duration: …` and `INIT_START Runtime
 * Version: …` (Lambda developer guide, "Sending Lambda function logs to CloudWatch Logs"; a 2026
 * capture in test/fixtures/aws/lambda-hook-log-real.json). Kept, they would fill the excerpt.
 */
const RUNTIME_LINE = /^(START|END|REPORT)\s+RequestId: |^INIT_START /;

/** What the function itself printed: the log without the runtime's lines. */
export function functionLines(lines: readonly string[]): string[] {
  return lines.filter((l) => !RUNTIME_LINE.test(l));
}

/** Where a function logs when not to `/aws/lambda/<name>`, and how to find it. */
function ownGroupHint(group: string, name: string): string {
  return `a function with its own log group logs there instead of ${group}: \`aws lambda get-function-configuration --function-name ${name} --query LoggingConfig.LogGroup\` names it`;
}

export class HookLogs {
  constructor(
    private readonly clients: Pick<AwsClients, 'logs'>,
    private readonly region: string,
    private readonly lines: number,
  ) {}

  /** One excerpt per failed hook (at most HOOK_EXCERPTS_SHOWN), never an error. */
  async read(hooks: ReadonlyArray<FailedHook & { service: string }>, now: number, signal: AbortSignal): Promise<HookExcerpt[]> {
    return Promise.all(hooks.slice(0, HOOK_EXCERPTS_SHOWN).map((h) => this.excerpt(h, now, signal)));
  }

  private async excerpt(h: FailedHook & { service: string }, now: number, signal: AbortSignal): Promise<HookExcerpt> {
    const fn = lambdaFunctionOf(h.function, this.region);
    const group = `/aws/lambda/${fn.name}`;
    const where = { ...h, group, region: fn.region };
    try {
      const client = await this.clients.logs(fn.region);
      const { FilterLogEventsCommand } = await import('./extra-clients.ts');
      const startTime = (h.from ?? now) - HOOK_LOG_SLACK_MS;
      const endTime = Math.min(now, (h.to ?? now) + HOOK_LOG_SLACK_MS);
      // Oldest first, page by page: the last lines of the window are what the hook said when it failed.
      let kept: string[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < HOOK_LOG_PAGES; page++) {
        const out = await client.send(new FilterLogEventsCommand({ logGroupName: group, startTime, endTime, ...(nextToken ? { nextToken } : {}) }), {
          abortSignal: signal,
        });
        kept = [...kept, ...functionLines((out.events ?? []).flatMap((e) => (e.message ?? '').replace(/\n+$/, '').split('\n')))].slice(-this.lines);
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
      if (!kept.length) return { ...where, hint: `nothing in log group ${group} while the hook ran: ${ownGroupHint(group, fn.name)}` };
      return { ...where, lines: kept };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (isAccessDenied(error)) {
        return { ...where, hint: `allow logs:FilterLogEvents on log group ${group} to see its last lines here` };
      }
      if (name === 'ResourceNotFoundException') {
        return { ...where, hint: `log group ${group} not found: ${ownGroupHint(group, fn.name)}` };
      }
      return { ...where, hint: `its log could not be read (${describeAwsError(error)})` };
    }
  }
}
