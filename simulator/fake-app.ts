// The deployed service as its users reach it (VERIFY_URL): a version endpoint that answers which
// build serves the request, as many services expose one (`/version`, `/health` with the commit).
// What it answers is the test's to set: the new commit, or an old one when the traffic there is
// still on the old version (a CDN, another region, another listener).
import type { Server } from 'node:http';
import { listen } from './listen.ts';

export class FakeApp {
  /** The commit the endpoint answers with. */
  commit = '';
  /** Answer with this status instead (e.g. 503 while nothing serves). */
  status = 200;
  /** The requests it answered: when, and with which Authorization header (to show credentials pass, never printed). */
  readonly requests: Array<{ at: number; path: string; authorization?: string }> = [];
  url = '';
  private server?: Server;

  async start(): Promise<string> {
    const { server, url } = await listen((req, res) => {
      this.requests.push({ at: Date.now(), path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.writeHead(this.status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', build: { commit: this.commit } }));
    });
    this.server = server;
    this.url = url;
    return url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
