// Who may talk to the HTTP binding: Host allow-list (DNS rebinding), Origin checks (CSRF, cross-site WebSocket),
// the Content-Type rule (requests a page can send without a preflight), the access token and its cookie, and the
// security headers every response carries. docs/security.md is the threat model behind these rules.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { BASE_HEADERS } from '../core/rest.js';

export { BASE_HEADERS, DOWNLOAD_CSP, previewCsp } from '../core/rest.js';

/** The app's own pages: only our scripts, no plugins, no framing by anyone, and no forms posting anywhere. */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

export const TOKEN_COOKIE = 'mailwright_token';

/** Headers for app pages and API answers (anything but a preview). */
export const APP_HEADERS: OutgoingHttpHeaders = {
  ...BASE_HEADERS,
  'Content-Security-Policy': APP_CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

export interface AccessPolicy {
  /** The address the server is bound to. */
  boundHost: string;
  /** Extra host names the user allowed (a reverse proxy's name, a LAN name). */
  allowedHosts: readonly string[];
  token?: string | undefined;
}

/** 127.0.0.0/8, ::1 and the name localhost: the only binds that need no token. */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host.toLowerCase());
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

export function isWildcardHost(host: string): boolean {
  const h = stripBrackets(host);
  return h === '0.0.0.0' || h === '::' || h === '';
}

/** The host name part of a Host header (`name`, `name:port`, `[v6]:port`), lower-cased; null when malformed. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  if (!m) return null;
  return (m[1] ?? m[2] ?? '').toLowerCase().replace(/\.$/, '');
}

/**
 * A DNS-rebinding page reaches us under the attacker's name, so names are allow-listed: localhost
 * (and *.localhost, which browsers pin to loopback), the bound address and the user's --allowed-host names.
 * IP literals are allowed too (as Vite does): a browser only sends one when the page's own origin is that address,
 * which is not a rebinding, and it lets a token-protected 0.0.0.0 bind be reached by its LAN address. This is the
 * Host rule only; as an Origin, an IP literal is someone else's site (checkOrigin).
 */
export function isAllowedHostname(hostname: string, policy: AccessPolicy): boolean {
  const h = normalizeHostname(hostname);
  if (h === '') return false;
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) !== 0) return true;
  if (h === normalizeHostname(policy.boundHost)) return true;
  return policy.allowedHosts.some((a) => normalizeHostname(a) === h);
}

export function checkHost(req: IncomingMessage, policy: AccessPolicy): string | null {
  const hostname = hostnameOf(req.headers.host);
  if (hostname === null) return 'missing or malformed Host header';
  if (!isAllowedHostname(hostname, policy)) {
    return `host "${hostname}" is not allowed (DNS rebinding protection); start with --allowed-host ${hostname} if you trust it`;
  }
  return null;
}

/**
 * When a browser says where a request comes from, it must be this server itself: the exact Host it asked for, or
 * on the same port one of our own names (localhost, *.localhost, a loopback literal, the bound address, an
 * --allowed-host). Any other IP literal is someone else's site: a page served from http://203.0.113.7:8025 is not us
 * just because its port matches. `null` origins (sandboxed frames, file pages) never pass.
 */
export function checkOrigin(req: IncomingMessage, policy: AccessPolicy): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const refusal = `origin ${JSON.stringify(origin)} is not allowed (cross-site request)`;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return refusal;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refusal;
  const host = (req.headers.host ?? '').toLowerCase();
  if (url.host === host) return null;
  const requestPort = /:(\d{1,5})$/.exec(host)?.[1] ?? '80';
  const originPort = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (originPort !== requestPort) return refusal;
  const name = normalizeHostname(url.hostname);
  if (name === hostnameOf(host) || isOwnName(name, policy)) return null;
  return refusal;
}

function isOwnName(hostname: string, policy: AccessPolicy): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost') || isLoopbackHost(hostname)) return true;
  if (hostname === normalizeHostname(policy.boundHost)) return true;
  return policy.allowedHosts.some((a) => normalizeHostname(a) === hostname);
}

/**
 * Media types a state-changing request may carry. None is CORS-safelisted, so a page on another site can send one
 * only after a preflight, and we never approve a preflight. The raw types are the import route's file bodies.
 */
export const ACCEPTED_BODY_TYPES: readonly string[] = [
  'application/json',
  'application/octet-stream',
  'message/rfc822',
  'application/mbox',
];

/** A custom header forces a preflight too; it lets a body-less POST or DELETE through without a Content-Type. */
export const INTENT_HEADER = 'X-Mailwright-Request';

/**
 * A form post or a `no-cors` fetch can send text/plain, form-urlencoded, multipart or no body type at all without
 * asking first, so those never change state here, whatever their Origin says (old browsers and some extensions send none).
 */
export function checkRequestIntent(req: IncomingMessage): string | null {
  if (req.headers[INTENT_HEADER.toLowerCase()] !== undefined) return null;
  const given = req.headers['content-type'];
  const type = given?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && ACCEPTED_BODY_TYPES.includes(type)) return null;
  const what = given === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(given.slice(0, 100))}`;
  return (
    `${req.method ?? 'this request'} needs "Content-Type: application/json" (for a file: application/octet-stream, ` +
    `message/rfc822 or application/mbox) or the header "${INTENT_HEADER}: 1", and got ${what}: ` +
    'that is how this server tells a client from a web page'
  );
}

/**
 * Whether a route's compat client may skip the request-intent check: only with no Content-Type at all (a form type
 * is always refused), and a POST only where the route allows it and no Origin header came (see
 * RestRoute.acceptsNoContentType: browsers send Origin with every POST, so its absence means no page sent it).
 */
export function bareRequestAllowed(
  accepts: boolean | 'post-without-origin' | undefined,
  req: Pick<IncomingMessage, 'method' | 'headers'>,
): boolean {
  if (accepts === undefined || accepts === false || req.headers['content-type'] !== undefined) return false;
  if (req.method !== 'POST') return true;
  return accepts === 'post-without-origin' && req.headers.origin === undefined;
}

/** The shortest token we accept: 16 printable characters are beyond guessing through the rate limit. */
export const MIN_TOKEN_LENGTH = 16;

/** Why a token cannot be used, or null; `source` is the flag or variable it came from. */
export function tokenProblem(token: string, source: string): string | null {
  if (!/^[\x21-\x7e]+$/.test(token)) return `${source}: the token must be printable ASCII without spaces`;
  if (token.length < MIN_TOKEN_LENGTH)
    return `${source}: the token must be at least ${MIN_TOKEN_LENGTH} characters (it has ${token.length})`;
  return null;
}

/** What the client offered: a Bearer token, or the session cookie (which holds the derived value, never the token). */
export interface Credentials {
  bearer: string | null;
  cookie: string | null;
}

export function presentedCredentials(req: IncomingMessage): Credentials {
  let bearer: string | null = null;
  const auth = req.headers.authorization;
  if (auth) bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ?? '';
  return { bearer, cookie: parseCookies(req.headers.cookie)[TOKEN_COOKIE] ?? null };
}

export function credentialsMatch(offered: Credentials, token: string): boolean {
  if (offered.bearer !== null) return tokenMatches(offered.bearer, token);
  return tokenMatches(offered.cookie, cookieValue(token));
}

/** Constant-time compare: hashing first makes both sides the same length, so length does not leak either. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Cookies are not port-scoped: the app under test on 127.0.0.1:3000 receives ours. So the cookie holds an HMAC of
 * the token, which opens this server's API but does not reveal a token that may be reused elsewhere.
 */
export function cookieValue(token: string): string {
  return createHmac('sha256', token).update(COOKIE_LABEL).digest('base64url');
}

/** Changing the label signs every browser out, which is what a change of cookie format needs. */
const COOKIE_LABEL = 'mailwright session cookie v1';

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${cookieValue(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

/** A cookie header is client input: malformed pairs and bad escapes are skipped, never thrown. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

function normalizeHostname(host: string): string {
  return stripBrackets(host.toLowerCase()).replace(/\.$/, '');
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
