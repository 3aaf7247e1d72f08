// The headless binding's HTTP server: access checks, then the route table (routes.ts), the WebSocket
// (websocket.ts) or the built renderer (static.ts). Holds no contract logic: everything goes through the core.
// Must not import electron.
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { MAX_IMPORT_BYTES, MailwrightError, httpRoutes, toApiError, type ApiError } from '../../src-shared/index.js';
import { json, thrownReply, type Reply } from '../core/rest.js';
import { ROUTES, type CoreApi, type Method, type Route, type RouteContext } from './routes.js';
import { FailedAttempts } from './failed-attempts.js';
import {
  APP_HEADERS,
  bareRequestAllowed,
  checkHost,
  checkOrigin,
  checkRequestIntent,
  credentialsMatch,
  isLoopbackHost,
  isWildcardHost,
  presentedCredentials,
  tokenCookie,
  tokenMatches,
  tokenProblem,
  type AccessPolicy,
} from './security.js';
import { NOT_BUILT_PAGE, defaultRendererDir, resolveStatic, sendFile } from './static.js';
import { createEventSocket } from './websocket.js';

export interface HttpBindingOptions {
  host: string;
  port: number;
  /** Required for any bind that is not loopback. */
  token?: string | undefined;
  allowedHosts?: readonly string[];
  /** The built renderer; defaults to ../renderer beside the running script (out/renderer). Without one, `/` explains how to build it. */
  rendererDir?: string | undefined;
  /** Budget for POST /api/messages/import; defaults to the contract's MAX_IMPORT_BYTES. */
  maxImportBytes?: number;
}

export interface HttpBinding {
  /** A URL a local browser can open (a wildcard bind is shown as loopback). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

function compile(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { ...route, pattern: new RegExp(`^${source}$`), names };
  });
}

export async function startHttpBinding(core: CoreApi, options: HttpBindingOptions): Promise<HttpBinding> {
  const token = options.token === '' ? undefined : options.token;
  if (!token && !isLoopbackHost(options.host)) {
    throw new MailwrightError(
      'forbidden',
      `[http] binding ${options.host} makes your captured mail reachable from the network: ` +
        'pass --token TOKEN (or set MAILWRIGHT_TOKEN), or bind 127.0.0.1',
    );
  }
  const weak = token === undefined ? null : tokenProblem(token, 'the access token');
  if (weak) throw new MailwrightError('invalid_argument', `[http] ${weak}`);
  const policy: AccessPolicy = { boundHost: options.host, allowedHosts: options.allowedHosts ?? [], token };
  const table = compile([...ROUTES, ...core.routes()]);
  const events = createEventSocket(core.events);
  const maxImportBytes = options.maxImportBytes ?? MAX_IMPORT_BYTES;
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const failures = new FailedAttempts();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req.url);
    // /metrics sits beside the API (where Prometheus looks by default) and passes the same Host and token checks;
    // so do the few paths Mailpit serves outside /api (its /view/ pages and health probes).
    const isApi =
      url !== null && (url.pathname === '/api' || url.pathname.startsWith('/api/') || isRootApiPath(url.pathname));
    if (url === null) return write(res, denial(400, 'invalid_argument', 'malformed request target', true));

    const hostProblem = checkHost(req, policy);
    if (hostProblem) return write(res, denial(403, 'forbidden', hostProblem, isApi));

    // A preflight is a browser asking on behalf of another origin's page: never approved, refused outright if foreign.
    const isPreflight = req.method === 'OPTIONS';
    if (isPreflight || STATE_CHANGING.has(req.method ?? '')) {
      const originProblem = checkOrigin(req, policy);
      if (originProblem) return write(res, denial(403, 'forbidden', originProblem, isApi));
    }

    if (token) {
      const wait = failures.retryAfterMs(req.socket.remoteAddress);
      if (wait > 0) return write(res, tooManyAttempts(wait, isApi));
      const offered = url.searchParams.get('token');
      if (!isApi && offered !== null && (req.method === 'GET' || req.method === 'HEAD'))
        return signIn(req, res, url, offered, token);
      if (!authorized(req, token)) {
        const reply = denial(
          401,
          'unauthorized',
          'access token required: send "Authorization: Bearer TOKEN", or open /?token=TOKEN once in this browser',
          isApi,
        );
        return write(res, { ...reply, headers: { ...reply.headers, 'WWW-Authenticate': 'Bearer realm="mailwright"' } });
      }
    }

    if (isPreflight) return write(res, { status: 204, headers: { Allow: 'GET, HEAD, POST, PUT, DELETE' } });

    if (isApi) {
      const reply = await dispatch(req, url);
      return reply.stream ? writeStream(res, reply) : write(res, reply);
    }
    return serveStatic(req, res, url);
  }

  /** Checks the Bearer token or cookie; a wrong one counts against the address (none at all is not a guess). */
  function authorized(req: IncomingMessage, expected: string): boolean {
    const credentials = presentedCredentials(req);
    if (credentialsMatch(credentials, expected)) return true;
    if (credentials.bearer !== null || credentials.cookie !== null) failures.recordFailure(req.socket.remoteAddress);
    return false;
  }

  async function dispatch(req: IncomingMessage, url: URL): Promise<Reply> {
    const method = (req.method === 'HEAD' ? 'GET' : req.method) as Method;
    const allowed: string[] = [];
    for (const route of table) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      // Checked once a route is found, so a wrong path or method still gets its 404 or 405.
      const intentProblem =
        STATE_CHANGING.has(method) && !bareRequestAllowed(route.acceptsNoContentType, req)
          ? checkRequestIntent(req)
          : null;
      if (intentProblem) return json({ error: { code: 'unsupported', message: intentProblem } }, 415);
      try {
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => (params[name] = decodeParam(m[i + 1] ?? '', name)));
        const context: RouteContext = { core, req, params, query: url.searchParams, maxImportBytes };
        return await route.handler(context);
      } catch (err) {
        return thrownReply(err, `${req.method ?? ''} ${url.pathname}`);
      }
    }
    if (allowed.length > 0) {
      const reply = json({ error: { code: 'unsupported', message: `method ${req.method} is not allowed here` } }, 405);
      return { ...reply, headers: { ...reply.headers, Allow: allowed.join(', ') } };
    }
    return json({ error: { code: 'not_found', message: `no route ${url.pathname}` } }, 404);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return write(res, { ...denial(405, 'unsupported', 'only GET here', false), headers: { Allow: 'GET, HEAD' } });
    }
    const hit = rendererDir ? await resolveStatic(rendererDir, url.pathname) : ({ kind: 'not_built' } as const);
    if (hit.kind === 'file') {
      return sendFile(res, hit, APP_HEADERS, req.method === 'HEAD');
    }
    if (hit.kind === 'bad_path') return write(res, denial(400, 'invalid_argument', 'bad path', false));
    if (hit.kind === 'not_found') return write(res, denial(404, 'not_found', 'not found', false));
    return write(res, {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' },
      body: NOT_BUILT_PAGE,
    });
  }

  /** `/?token=…` sets the session cookie and redirects, so the token does not stay in the address bar or history. */
  function signIn(req: IncomingMessage, res: ServerResponse, url: URL, offered: string, expected: string): void {
    if (!tokenMatches(offered, expected)) {
      failures.recordFailure(req.socket.remoteAddress);
      return write(res, denial(401, 'unauthorized', 'wrong access token', false));
    }
    url.searchParams.delete('token');
    // Collapsing leading slashes keeps the redirect on this server (`//evil.example` would be another host).
    const location = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
    const headers = { 'Set-Cookie': tokenCookie(expected), 'Cache-Control': 'no-store' };
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      // A link from another site: a browser withholds a SameSite=Strict cookie on the rest of that redirect chain,
      // so the hop to the app is made from this page instead (a same-origin navigation that sends the cookie).
      return write(res, {
        status: 200,
        headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' },
        body: continuePage(location),
      });
    }
    write(res, { status: 303, headers: { ...headers, Location: location } });
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    const refuse = (status: number, message: string, extraHeaders = ''): void => {
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `${extraHeaders}Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
      );
    };
    const hostProblem = checkHost(req, policy);
    if (hostProblem) return refuse(403, hostProblem);
    // Browsers always send Origin on WebSocket handshakes; a page on another site must not read our events.
    const originProblem = checkOrigin(req, policy);
    if (originProblem) return refuse(403, originProblem);
    if (token) {
      const wait = failures.retryAfterMs(req.socket.remoteAddress);
      if (wait > 0) return refuse(429, TOO_MANY_ATTEMPTS, `Retry-After: ${retryAfterSeconds(wait)}\r\n`);
      if (!authorized(req, token)) return refuse(401, 'access token required');
    }
    if (url?.pathname !== httpRoutes.events) return refuse(404, 'no WebSocket here');
    events.handleUpgrade(req, socket, head);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) write(res, thrownReply(err, `${req.method ?? ''} ${req.url ?? ''}`));
      else {
        toApiError(err, `${req.method ?? ''} ${req.url ?? ''} (reply already started)`);
        res.destroy();
      }
    });
  });
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(describeListenError(err, options.host, options.port));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // After start-up an 'error' (EMFILE, say) must be reported, not crash the process that also holds the SMTP listeners.
  server.on('error', (err) => console.error('[http] server error:', err));

  return {
    url: `http://${browsableHost(options.host)}:${port}/`,
    host: options.host,
    port,
    async close() {
      await events.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function write(res: ServerResponse, reply: Reply): void {
  const headers = { ...APP_HEADERS, ...reply.headers };
  if (reply.body !== undefined) headers['Content-Length'] = Buffer.byteLength(reply.body);
  // An oversized upload is refused mid-stream; closing the connection spares reading the rest of it.
  if (reply.status === 413) headers.Connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** A streamed reply (server-sent events): no length, each chunk as it comes, ended when the client leaves. */
async function writeStream(res: ServerResponse, reply: Reply): Promise<void> {
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  res.writeHead(reply.status, { ...APP_HEADERS, ...reply.headers });
  try {
    for await (const chunk of reply.stream!(gone.signal)) {
      if (gone.signal.aborted) break;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } finally {
    res.end();
  }
}

function denial(status: number, code: ApiError['code'], message: string, asJson: boolean): Reply {
  if (asJson) return json({ error: { code, message } }, status);
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    body: `${message}\n`,
  };
}

const TOO_MANY_ATTEMPTS = 'too many wrong access tokens from this address: wait, then try again with the right one';

function tooManyAttempts(waitMs: number, asJson: boolean): Reply {
  const reply = denial(429, 'unavailable', TOO_MANY_ATTEMPTS, asJson);
  return { ...reply, headers: { ...reply.headers, 'Retry-After': String(retryAfterSeconds(waitMs)) } };
}

function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

function continuePage(location: string): string {
  const href = location.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Mailwright</title>` +
    `<p>Signed in. <a href="${href}">Continue to Mailwright</a>.</p>`
  );
}

/** Paths outside /api that are API routes: /metrics, and Mailpit's /view/ pages and probes. */
function isRootApiPath(pathname: string): boolean {
  return pathname === '/metrics' || pathname === '/livez' || pathname === '/readyz' || pathname.startsWith('/view/');
}

function parseUrl(target: string | undefined): URL | null {
  try {
    // A run of leading slashes is one (`//view/1.html` from clients that join paths carelessly); as it stands the
    // URL parser would read `//view` as a host name.
    return new URL((target ?? '/').replace(/^\/{2,}/, '/'), 'http://mailwright.invalid');
  } catch {
    return null;
  }
}

function decodeParam(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new MailwrightError('invalid_argument', `${name} is not valid percent-encoding`, name);
  }
}

function browsableHost(host: string): string {
  if (isWildcardHost(host)) return host.includes(':') ? '[::1]' : '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (err.code === 'EADDRINUSE')
    return new Error(
      `[http] ${where} is in use: pass --http ${host.includes(':') ? `[${host}]` : host}:0 or another port`,
    );
  if (err.code === 'EACCES') return new Error(`[http] ${where} needs privileges: pick a port above 1023`);
  if (err.code === 'EADDRNOTAVAIL') return new Error(`[http] ${host} is not an address of this machine`);
  return new Error(`[http] cannot listen on ${where}: ${err.message}`);
}
