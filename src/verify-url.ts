// Asks VERIFY_URL once, from the pipe's container, through the pipe's agents (so a proxy applies as
// it does to AWS and Slack): a plain GET, no redirects followed, bounded in time and in what it
// reads. Never throws: no answer is an answer too (core/url-check.ts judges it).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UrlAnswer } from './core/url-check.ts';
import type { Agents } from './net.ts';

/** One ask waits this long for the whole answer. */
export const URL_ASK_TIMEOUT_MS = 5000;
/** Of an answer, this much is read: a version is near the top of a health or version page. */
export const URL_ANSWER_BYTES = 64 * 1024;

export function askUrl(url: string, agents: Agents, now: () => number, timeoutMs = URL_ASK_TIMEOUT_MS, maxBytes = URL_ANSWER_BYTES): Promise<UrlAnswer> {
  const at = now();
  return new Promise((resolve) => {
    const https = url.startsWith('https:');
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'GET',
        agent: https ? agents.https : agents.http,
        headers: { accept: 'application/json, text/plain, */*', 'user-agent': 'ecs-deploy-notifier' },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < maxBytes) chunks.push(c);
          size += c.length;
          if (size >= maxBytes) res.destroy();
        });
        const done = () => resolve({ at, status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8') });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    // The error names what went wrong (a refused connection, a time-out), never the URL.
    req.on('error', (error: Error & { code?: string }) =>
      resolve({
        at,
        error: error.name === 'AbortError' || error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (error.code ?? error.name),
      }),
    );
    req.end();
  });
}
