// Starts a double on the loopback interface, over HTTP or, given a certificate, HTTPS.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface Tls {
  key: string | Buffer;
  cert: string | Buffer;
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, tls?: Tls): Promise<{ server: Server; url: string }> {
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
}
