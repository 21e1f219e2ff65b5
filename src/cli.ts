// Entry point of the bundle: run, then leave with the exit code the pipeline should show.
import { main } from './main.ts';

main().then((code) => {
  process.exitCode = code;
});
