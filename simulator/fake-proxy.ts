// A forward proxy on the loopback interface, as a self-hosted runner's network has one: plain
// HTTP requests arrive in absolute form and are forwarded; HTTPS arrives as CONNECT and is
// tunnelled. It records the host of every request, so tests can prove nothing went around it.
import { request as httpRequest, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listen } from './listen.ts';

export class FakeProxy {
  /** `host:port` of each request, in order: `CONNECT host:port` for tunnels. */
  readonly seen: string[] = [];
  /** Local ports of the proxy's own connections onward: a request that arrives from one came through the proxy. */
  readonly onwardPorts = new Set<number>();
  /** Set to require this Proxy-Authorization (Basic user:password). */
  credentials?: { user: string; password: string };
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(): Promise<string> {
    const { server, url } = await listen((req, res) => {
      if (!this.authorized(req.headers['proxy-authorization'])) return void res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
      const target = new URL(req.url ?? '');
      this.seen.push(target.host);
      const { 'proxy-authorization': _auth, 'proxy-connection': _pc, ...headers } = req.headers;
      const upstream = httpRequest(target, { method: req.method, headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('socket', (socket) => socket.on('connect', () => socket.localPort && this.onwardPorts.add(socket.localPort)));
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req, client: Socket) => {
      if (!this.authorized(req.headers['proxy-authorization'])) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      this.seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        if (upstream.localPort) this.onwardPorts.add(upstream.localPort);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
    });
    this.server = server;
    this.url = url;
    return url;
  }

  private authorized(header: string | undefined): boolean {
    if (!this.credentials) return true;
    const expected = Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64');
    return header === `Basic ${expected}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
