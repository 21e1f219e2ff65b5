// Bitbucket's pipelines proxy, as a pipe sees it: an HTTP proxy (BITBUCKET_API_PROXY) to which the
// pipe sends plain http://api.bitbucket.org/2.0/... requests, which Bitbucket forwards with the
// step's credentials. This double records them and answers as the Reports API does
// (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-reports/#api-repositories-workspace-repo-slug-commit-commit-reports-reportid-put).
import type { Server } from 'node:http';
import { listen } from './listen.ts';

export interface BitbucketCall {
  method: string;
  /** The absolute URL the pipe asked the proxy for. */
  url: string;
  body: Record<string, unknown>;
}

export class FakeBitbucket {
  readonly calls: BitbucketCall[] = [];
  /** Answer every request with this status instead (a proxy or API that refuses). */
  failWith?: number;
  private server?: Server;
  url = '';

  async start(): Promise<string> {
    const { server, url } = await listen(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(Buffer.from(c));
      const text = Buffer.concat(chunks).toString('utf8');
      this.calls.push({ method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : {} });
      if (this.failWith) return void res.writeHead(this.failWith, { 'content-type': 'application/json' }).end('{"type":"error","error":{"message":"refused"}}');
      const report = /\/reports\/([^/?]+)$/.exec(req.url ?? '')?.[1];
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'report', uuid: '{8b1f6a0e-0000-4000-8000-000000000001}', external_id: report, ...JSON.parse(text || '{}') }));
    });
    this.server = server;
    this.url = url;
    return url;
  }

  /** The reports sent, in order. */
  get reports(): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.method === 'PUT' && c.url.includes('/reports/')).map((c) => c.body);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
