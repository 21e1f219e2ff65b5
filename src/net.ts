// The HTTP agents every request of the pipe goes through, AWS and Slack alike: kept-alive
// connections, and the proxy of HTTPS_PROXY / HTTP_PROXY / NO_PROXY through Node's built-in proxy
// support (`proxyEnv`, Node 24.5 and later), so that a self-hosted runner behind a proxy reaches
// both. CONNECT tunnels carry https; plain http goes to the proxy in absolute form.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/** Where requests go through, in the shape Node's agents read (`proxyEnv`); the configuration resolves it. */
export type ProxySettings = {
  HTTP_PROXY?: string;
  HTTPS_PROXY?: string;
  NO_PROXY?: string;
};

export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

export function createAgents(proxy: ProxySettings): Agents {
  // An empty proxyEnv disables proxying; process.env is never read here (config is read once).
  return {
    http: new HttpAgent({ keepAlive: true, proxyEnv: proxy }),
    https: new HttpsAgent({ keepAlive: true, proxyEnv: proxy }),
  };
}
