// The pipeline log: one line per event, timestamped, with every known secret masked before it is
// written, whatever the caller passed in (error messages from libraries included). A reader that
// went away (closed pipe) ends the log, never the run.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Only with DEBUG=true. */
  debug(message: string): void;
}

/** `secrets`: what masks them (secrets.ts's Secrets). */
export function createLogger(options: { debug: boolean; secrets: { mask(text: string): string }; write?: (line: string) => void; now?: () => Date }): Logger {
  const write = options.write ?? writeStdout;
  const now = options.now ?? (() => new Date());
  const emit = (level: string, message: string) => {
    const time = now().toISOString().slice(11, 19);
    for (const line of options.secrets.mask(message).split('\n')) write(`${time} ${level}${line}`);
  };
  return {
    info: (m) => emit('', m),
    warn: (m) => emit('WARN ', m),
    error: (m) => emit('ERROR ', m),
    debug: (m) => {
      if (options.debug) emit('DEBUG ', m);
    },
  };
}

let stdoutGone = false;

/**
 * Writes to stdout unless its reader is gone. Writing to a closed pipe fails with EPIPE, raised
 * later as an 'error' event that would crash the program and report exit 1 ("failed").
 */
function writeStdout(line: string): void {
  if (stdoutGone) return;
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    stdoutGone = true;
  }
}

/** Installs the handler that turns a closed stdout into a quiet log instead of a crash. */
export function toleratesClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutGone = true;
  });
}
