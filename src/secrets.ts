// Every secret the run knows, and the shapes of credentials nobody registered, masked wherever
// text leaves the program: the pipeline log and everything sent to Slack (an AWS error can quote a
// signed request, session token included).

/** Shorter values are not masked: they would mask ordinary words. */
const MIN_SECRET_LENGTH = 4;
export const MASK = '***';

// Shapes of credentials that must never leave the program even if nobody registered them.
const SECRET_SHAPES = [
  /xox[abposre]-[A-Za-z0-9-]+/g, // Slack tokens
  /(?<=Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, // JWTs, e.g. an OIDC token
  /(?<=x-amz-security-token[:=]\s*)[^\s'"&,;]+/gi, // a session token quoted from a signed request
  /(?<=X-Amz-Signature[:=]\s*)[0-9a-f]+/gi,
  // What a crashing container may print (its log lines reach the failure thread).
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key IDs
  /(?<=(?:aws_secret_access_key|secretAccessKey|AWS_SECRET_ACCESS_KEY|aws_session_token|AWS_SESSION_TOKEN)["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/g,
];

export class Secrets {
  private known: string[] = [];

  constructor(values: Array<string | undefined> = []) {
    this.add(...values);
  }

  /** Registers values to mask from now on (credentials STS hands out mid-run, for example). */
  add(...values: Array<string | undefined>): void {
    const fresh = values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH && !this.known.includes(v));
    if (fresh.length) this.known = [...this.known, ...fresh].sort((a, b) => b.length - a.length);
  }

  readonly mask = (text: string): string => {
    let out = text;
    for (const s of this.known) out = out.split(s).join(MASK);
    for (const re of SECRET_SHAPES) out = out.replace(re, MASK);
    return out;
  };

  /** A copy of a JSON-like value with every string masked (Slack payloads: text, blocks, metadata). */
  maskDeep<T extends object>(value: T): T {
    const copy = structuredClone(value);
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, child] of Object.entries(node)) {
        if (typeof child === 'string') Reflect.set(node, key, this.mask(child));
        else walk(child);
      }
    };
    walk(copy);
    return copy;
  }
}
