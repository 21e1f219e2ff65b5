// One request to the Bitbucket API through the pipelines proxy: a pipe sends plain
// http://api.bitbucket.org/2.0/... requests to it, and Bitbucket forwards them with the step's
// credentials, so no secret is needed. Bounded in time; the callers decide what a failure costs.
import { Agent, request } from 'node:http';

/** The API host the proxy forwards to (plain HTTP: the proxy adds the step's credentials and TLS). */
export const API_BASE = 'http://api.bitbucket.org/2.0';

export interface BitbucketAnswer {
  status: number;
  /** The answer's JSON, when it was JSON. */
  json?: unknown;
}

export class BitbucketApi {
  private readonly agent: Agent;

  constructor(proxy: string) {
    // Only the requests to Bitbucket go through this proxy (AWS and Slack keep HTTPS_PROXY's).
    this.agent = new Agent({ keepAlive: false, proxyEnv: { HTTP_PROXY: proxy } });
  }

  /** `path` below /2.0 (e.g. `/users/%7B…%7D`); rejects on a network error or after `timeoutMs`. */
  send(method: 'GET' | 'PUT', path: string, timeoutMs: number, body?: string): Promise<BitbucketAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${API_BASE}${path}`,
        {
          method,
          agent: this.agent,
          headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, ...(json !== undefined ? { json } : {}) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
