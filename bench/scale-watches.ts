// The scale bench's watches: N runs of the program in this one process, each as a pipe would run
// it (its own variables, its own clients), side by side against one simulated account. Started by
// bench/scale.ts; writes each run's exit code, and this process's peak memory, as JSON to the file
// named by SCALE_OUT. The runs' logs go nowhere: 400 of them would only bury the numbers.
import { writeFileSync } from 'node:fs';
import { main } from '../src/main.ts';

const services = (process.env.SCALE_SERVICES ?? '').split(',').filter(Boolean);
const out = process.env.SCALE_OUT;
if (!out || !services.length) throw new Error('SCALE_SERVICES and SCALE_OUT are required');

// Every run listens for the step's stop signals and for its stdout closing; 400 of each are expected here.
process.setMaxListeners(0);
process.stdout.setMaxListeners(0);
process.stdout.write = () => true;

const started = Date.now();
const exitCodes = await Promise.all(
  services.map((service) =>
    main({
      ...process.env,
      SERVICE_NAME: service,
      TASK_DEFINITION: `${service}:42`,
    }),
  ),
);
writeFileSync(
  out,
  JSON.stringify({
    exitCodes: Object.fromEntries(services.map((s, i) => [s, exitCodes[i]])),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ms: Date.now() - started,
  }),
);
process.exit(0);
