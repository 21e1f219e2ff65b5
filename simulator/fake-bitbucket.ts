// Bitbucket's pipelines proxy, as a pipe sees it: an HTTP proxy (BITBUCKET_API_PROXY) to which the
// pipe sends plain http://api.bitbucket.org/2.0/... requests, which Bitbucket forwards with the
// step's credentials. This double records them and answers as the Reports API does
// (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-reports/#api-repositories-workspace-repo-slug-commit-commit-reports-reportid-put)
// and "Get a user" does.
import type { Server } from 'node:http';
import { listen } from './listen.ts';

export interface BitbucketCall {
  method: string;
  /** The absolute URL the pipe asked the proxy for. */
  url: string;
  body: Record<string, unknown>;
}

/** A user as "Get a user" answers (GET /2.0/users/{selected_user}; https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-users-selected-user-get). */
function userJson(uuid: string, displayName: string) {
  const id = encodeURIComponent(uuid);
  return {
    type: 'user',
    display_name: displayName,
    uuid,
    account_id: '557058:2f1c7a1e-0000-4000-8000-00000000a11c',
    nickname: displayName.split(' ')[0]?.toLowerCase(),
    account_status: 'active',
    created_on: '2019-03-01T09:12:44.104374+00:00',
    links: {
      self: { href: `https://api.bitbucket.org/2.0/users/${id}` },
      html: { href: `https://bitbucket.org/${id}/` },
      avatar: { href: 'https://secure.gravatar.com/avatar/0000?d=identicon' },
    },
  };
}

/** The workspace member who deploys in the tests. */
export const DEPLOYER = { uuid: '{5f2d7c61-3a9e-4b8f-9c1d-2e6a7b8c9d0e}', name: 'Jane Doe' };

/** A commit of the repository's history, as "List commits" gives it. */
export interface FakeCommit {
  hash: string;
  message: string;
  author: string;
}

export class FakeBitbucket {
  readonly calls: BitbucketCall[] = [];
  /** The repository's history, oldest first (one line of commits, as a main branch is). */
  readonly history: FakeCommit[] = [];
  /** Users the API knows, by UUID (in braces, as Bitbucket writes them). */
  readonly users = new Map([[DEPLOYER.uuid, DEPLOYER.name]]);
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
      const user = /\/2\.0\/users\/([^/?]+)$/.exec(req.url ?? '')?.[1];
      if (req.method === 'GET' && user !== undefined) {
        const uuid = decodeURIComponent(user);
        const name = this.users.get(uuid);
        return void (name
          ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(userJson(uuid, name)))
          : res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { message: `${uuid} is not a user` } })));
      }
      // List commits: those reachable from `include` and not from `exclude`, newest first
      // (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commits/#api-repositories-workspace-repo-slug-commits-get).
      const commits = /\/2\.0\/repositories\/[^/]+\/[^/]+\/commits\?(.*)$/.exec(req.url ?? '')?.[1];
      if (req.method === 'GET' && commits !== undefined) {
        const listed = this.listCommits(new URLSearchParams(commits));
        return void (listed
          ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(listed))
          : res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { message: 'Commit not found' } })));
      }
      const report = /\/reports\/([^/?]+)$/.exec(req.url ?? '')?.[1];
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'report', uuid: '{8b1f6a0e-0000-4000-8000-000000000001}', external_id: report, ...JSON.parse(text || '{}') }));
    });
    this.server = server;
    this.url = url;
    return url;
  }

  private listCommits(q: URLSearchParams) {
    const at = (hash: string | null) => (hash ? this.history.findIndex((c) => c.hash.startsWith(hash)) : -1);
    const include = at(q.get('include'));
    const exclude = at(q.get('exclude'));
    // A commit the repository does not have is not found, as Bitbucket answers for an unknown revision.
    if (include < 0 || (q.get('exclude') && exclude < 0)) return undefined;
    const pagelen = Number(q.get('pagelen') ?? 30);
    const reachable = this.history.slice(exclude + 1, include + 1).reverse();
    const values = reachable.slice(0, pagelen).map((c) => ({
      type: 'commit',
      hash: c.hash,
      message: `${c.message}\n`,
      date: '2026-12-01T09:00:00+00:00',
      author: { type: 'author', raw: `${c.author} <${c.author.split(' ')[0]?.toLowerCase()}@example.com>`, user: { type: 'user', display_name: c.author } },
    }));
    return { values, pagelen, ...(reachable.length > pagelen ? { next: 'http://api.bitbucket.org/2.0/repositories/acme/shop-api/commits?page=2' } : {}) };
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
