// The few parts of `fetch` that @slack/web-api uses, over node:http(s) with the pipe's agents (so
// Slack goes through the same proxy as AWS). Node's global fetch (undici, with its WebAssembly
// HTTP parser) costs about 20 MB of resident memory on first use; the AWS SDK already loaded
// node:http(s), so this keeps the pipe's footprint small.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Agents } from '../net.ts';

interface Init {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  redirect?: string;
  signal?: AbortSignal;
}

class ResponseHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.raw)) yield [k, this.get(k) as string];
  }
}

/** A fetch over `agents` (default: Node's global agents). */
export function nodeFetchWith(agents?: Agents) {
  return (input: string | URL, init: Init = {}) => nodeFetch(input, init, agents);
}

export async function nodeFetch(input: string | URL, init: Init = {}, agents?: Agents) {
  const url = new URL(String(input));
  if (typeof init.body !== 'string' && init.body !== undefined) throw new TypeError('nodeFetch sends string bodies only');
  const https = url.protocol === 'https:';
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const options = { method: init.method ?? 'GET', headers: init.headers, signal: init.signal };
    const req = https
      ? httpsRequest(url, { ...options, ...(agents ? { agent: agents.https } : {}) }, resolve)
      : httpRequest(url, { ...options, ...(agents ? { agent: agents.http } : {}) }, resolve);
    req.on('error', reject);
    req.end(init.body);
  });
  const status = res.statusCode ?? 0;
  // Slack's API never redirects; following one could send the token elsewhere.
  if (status >= 300 && status < 400 && init.redirect === 'error') {
    res.resume();
    throw new TypeError(`redirect refused (HTTP ${status} to ${res.headers.location ?? 'nowhere'})`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(Buffer.from(chunk));
  const body = Buffer.concat(chunks);
  return {
    url: url.href,
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    headers: new ResponseHeaders(res.headers),
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
  };
}
