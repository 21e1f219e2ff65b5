// The few parts of `fetch` that @slack/web-api uses, over node:http(s) with the pipe's agents (so
// Slack goes through the same proxy as AWS). Node's global fetch (undici, with its WebAssembly
// HTTP parser) costs about 20 MB of resident memory on first use; the AWS SDK already loaded
// node:http(s), so this keeps the pipe's footprint small.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
// Types only: the client module itself is loaded at its first call.
import type { FetchFunction } from '@slack/web-api';

type FetchRequestInit = NonNullable<Parameters<FetchFunction>[1]>;

import type { Agents } from '../net.ts';

class ResponseHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.raw)) yield [k, this.get(k) ?? ''];
  }
}

/** A fetch over `agents` (default: Node's global agents). */
export function nodeFetchWith(agents?: Agents): FetchFunction {
  return (input, init = {}) => nodeFetch(input, init, agents);
}

export async function nodeFetch(input: string | URL, init: FetchRequestInit = {}, agents?: Agents) {
  const url = new URL(String(input));
  const body = init.body;
  if (typeof body !== 'string' && body !== undefined) throw new TypeError('nodeFetch sends string bodies only');
  const https = url.protocol === 'https:';
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const options = { method: init.method ?? 'GET', headers: init.headers, signal: init.signal };
    const req = https
      ? httpsRequest(url, { ...options, ...(agents ? { agent: agents.https } : {}) }, resolve)
      : httpRequest(url, { ...options, ...(agents ? { agent: agents.http } : {}) }, resolve);
    req.on('error', reject);
    req.end(body);
  });
  const status = res.statusCode ?? 0;
  // Slack's API never redirects; following one could send the token elsewhere.
  if (status >= 300 && status < 400 && init.redirect === 'error') {
    res.resume();
    throw new TypeError(`redirect refused (HTTP ${status} to ${res.headers.location ?? 'nowhere'})`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(Buffer.from(chunk));
  const answer = Buffer.concat(chunks);
  return {
    url: url.href,
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    headers: new ResponseHeaders(res.headers),
    text: async () => answer.toString('utf8'),
    json: async (): Promise<unknown> => JSON.parse(answer.toString('utf8')),
    arrayBuffer: async () => answer.buffer.slice(answer.byteOffset, answer.byteOffset + answer.byteLength),
  };
}
