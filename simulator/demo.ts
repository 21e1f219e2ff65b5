// `npm run demo [-- --scenario NAME]`: the real program (the bundle the image runs) against a
// simulated AWS account and Slack workspace. Shows the pipeline log as Bitbucket would and the
// Slack message as it is posted and updated.
import { parseArgs } from 'node:util';
import { pipeEnv, SCENARIOS, scenario, simulate } from './catalog.ts';
import { runPipe } from './run-pipe.ts';
import { ANSI, PLAIN, renderCall } from './terminal.ts';

const USAGE = 'npm run demo [-- --scenario NAME | --list | --help]';

/** What `--list` and `--help` print: every scenario and what it shows. */
function listScenarios(): void {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(width)}  ${s.summary}`);
}

let values: { scenario?: string; list?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      scenario: { type: 'string', short: 's', default: 'success' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  // An unknown option is a usage mistake, not a crash: say how to call it.
  console.error(`${error instanceof Error ? error.message : String(error)}\nUsage: ${USAGE}`);
  process.exit(2);
}

if (values.list || values.help) {
  if (values.help) console.log(`Usage: ${USAGE}\n\nScenarios:`);
  listScenarios();
  process.exit(0);
}

if (!SCENARIOS.some((s) => s.name === values.scenario)) {
  console.error(`No scenario "${values.scenario}". Usage: ${USAGE}\n\nScenarios:`);
  listScenarios();
  process.exit(2);
}
const chosen = scenario(values.scenario ?? 'success');
const style = process.stdout.isTTY && !process.env.NO_COLOR ? ANSI : PLAIN;
const { aws, slack, stop } = await simulate();
slack.onCall = (call) => console.log(`\n${renderCall(call, style)}\n`);

console.log(style.bold(`Scenario "${chosen.name}": ${chosen.summary}.`));
console.log(style.dim('Simulated AWS account and Slack workspace on 127.0.0.1; time is compressed (1 s ≈ 30 s of a real rollout).\n'));
chosen.start(aws);
chosen.people?.(slack);
const run = await runPipe(pipeEnv(chosen, aws.url, slack.url), { onLine: (line) => console.log(`${style.dim('pipeline │')} ${line}`) });
await stop();

const ok = run.code === chosen.expected.exitCode;
console.log(
  `\n${style.bold(`exit code ${run.code}`)}: ${ok ? 'as expected' : `expected ${chosen.expected.exitCode}`} for "${chosen.name}". ` +
    `${aws.calls.length} AWS calls, ${slack.calls.length} Slack calls. Other scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}.`,
);
if (run.stderr.trim()) console.error(run.stderr);
process.exitCode = ok ? 0 : 1;
