// The pipeline log: one line per event, timestamped, with every known secret masked before it is
// written, whatever the caller passed in (error messages from libraries included).

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Only with DEBUG=true. */
  debug(message: string): void;
}

// Shapes of credentials that must never reach the log even if nobody registered them.
const SECRET_SHAPES = [/xox[abposre]-[A-Za-z0-9-]+/g, /(?<=Bearer\s+)[A-Za-z0-9._~+/=-]+/gi];

export function createMasker(secrets: Array<string | undefined>): (text: string) => string {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of known) out = out.split(s).join('***');
    for (const re of SECRET_SHAPES) out = out.replace(re, '***');
    return out;
  };
}

export function createLogger(options: {
  debug: boolean;
  secrets: Array<string | undefined>;
  write?: (line: string) => void;
  now?: () => Date;
}): Logger {
  const mask = createMasker(options.secrets);
  const write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const emit = (level: string, message: string) => {
    const time = now().toISOString().slice(11, 19);
    for (const line of mask(message).split('\n')) write(`${time} ${level}${line}`);
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
