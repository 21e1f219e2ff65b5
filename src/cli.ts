// Entry point of the bundle: run, then leave with the exit code the pipeline should show. The exit
// is explicit (once the log is flushed): a call abandoned at a stop or at WAIT_TIMEOUT may still
// hold a socket open.
import { toleratesClosedStdout } from './logger.ts';
import { main } from './main.ts';

/** A log that cannot be flushed (its reader hangs) does not hold the exit longer than this. */
const FLUSH_TIMEOUT_MS = 500;

toleratesClosedStdout();
main().then((code) => {
  const exit = () => process.exit(code);
  setTimeout(exit, FLUSH_TIMEOUT_MS).unref();
  process.stdout.write('', exit);
});
