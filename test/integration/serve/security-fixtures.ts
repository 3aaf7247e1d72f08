// Fixtures of the security tests: every Origin shape, a core that records what reached it, a WebSocket handshake
// that reports its status, and the route table with its path parameters filled in.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { Core } from '../../../src-main/core/core.js';
import { ROUTES, type CoreApi, type Route } from '../../../src-main/serve/routes.js';

/**
 * Every Origin shape a browser (or a forger) can send, and whether it is this server. The pure check and the live
 * server (HTTP and WebSocket) are held to the same table, for a server bound to 127.0.0.1 with --allowed-host
 * mail.team.test, asked for as Host 127.0.0.1:PORT.
 */
/** [Host header, Origin header, is it this server?] */
export type OriginShape = [host: string, origin: string, own: boolean];

export function originShapes(port: number): OriginShape[] {
  const host = `127.0.0.1:${port}`;
  const own = (origin: string): OriginShape => [host, origin, true];
  const foreign = (origin: string): OriginShape => [host, origin, false];
  return [
    own(`http://127.0.0.1:${port}`),
    own(`http://localhost:${port}`),
    own(`http://LOCALHOST:${port}`),
    own(`http://app.localhost:${port}`),
    own(`http://[::1]:${port}`),
    own(`http://127.0.0.2:${port}`),
    own(`http://mail.team.test:${port}`),
    // The exploit of issue 7: any IP-addressed site on the same port.
    foreign(`http://203.0.113.7:${port}`),
    foreign(`http://192.168.1.20:${port}`),
    foreign(`http://10.0.0.1:${port}`),
    foreign(`http://0.0.0.0:${port}`),
    foreign(`http://[2001:db8::1]:${port}`),
    foreign(`http://[::ffff:203.0.113.7]:${port}`),
    foreign(`http://evil.example:${port}`),
    foreign(`http://localhost.evil.example:${port}`),
    foreign(`http://127.0.0.1.nip.io:${port}`),
    foreign(`http://mail.team.test.evil.example:${port}`),
    // Our names on other ports: the app under test on :3000 shares cookies with us, not an origin.
    foreign('http://127.0.0.1:3000'),
    foreign('http://localhost:9999'),
    foreign('http://127.0.0.1'),
    foreign('https://127.0.0.1'),
    // Other schemes and opaque origins.
    foreign('null'),
    foreign('file://'),
    foreign(`ftp://127.0.0.1:${port}`),
    foreign(`ws://127.0.0.1:${port}`),
    foreign('chrome-extension://abcdefghijklmnop'),
    foreign('not a url'),
    foreign(''),
  ];
}

/** The real core behind a recorder: a refused request must leave `calls` empty, whatever route or verb it aimed at. */
export function recordingCore(core: Core): { api: CoreApi; calls: string[] } {
  const calls: string[] = [];
  const api = new Proxy(core, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { api, calls };
}

/** Resolves with the HTTP status of a refused handshake (and its Retry-After), or 101 when it opened. */
export function wsHandshake(
  url: string,
  headers: Record<string, string>,
  localAddress?: string,
): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      const retryAfter = res.headers['retry-after'];
      resolve({ status: res.statusCode ?? 0, ...(retryAfter ? { retryAfter } : {}) });
    });
    ws.on('error', (err) => reject(err));
  });
}

/** Sample values for path parameters; `name` is the verb of the confirmed exploit. */
const SAMPLE_PARAMS: Record<string, string> = { id: '1', partId: '1', listenerId: 'smtp', name: 'settings.update' };

export interface ConcreteRoute {
  route: Route;
  path: string;
}

/** Every route that can change state, read from the table itself so a new route is covered the day it is added. */
export function stateChangingRoutes(): ConcreteRoute[] {
  return ROUTES.filter((route) => route.method !== 'GET').map((route) => ({
    route,
    path: route.path.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x'),
  }));
}
