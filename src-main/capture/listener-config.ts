// A listener's configuration: the shape users write, its validation (once, at apply time, with field-named
// errors) and the resolved form the listener runs on. Must not import smtp-server, the store or electron.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { MailwrightError } from '../../src-shared/index.js';
import { compileGlobs, compileCidrs, type GlobList } from './policy.js';
import { isIP, type BlockList } from 'node:net';

import type { AuthConfig, CertificateConfig, ListenerConfig } from '../../src-shared/index.js';
import { AUTH_MECHANISMS, MAX_CREDENTIALS, MAX_PEM_CHARS, MAX_TIMEOUT_SECONDS } from '../../src-shared/index.js';
export type {
  AuthConfig,
  AuthMechanism,
  CertificateConfig,
  Credential,
  LimitsConfig,
  ListenerConfig,
  TlsMode,
} from '../../src-shared/index.js';
export { AUTH_MECHANISMS } from '../../src-shared/index.js';

/** The policy parts compiled once, so a session never parses a CIDR or a pattern. */
export interface CompiledPolicy {
  allowClients: BlockList | null;
  senderAllow: GlobList | null;
  senderDeny: GlobList | null;
  recipientAllow: GlobList | null;
  recipientDeny: GlobList | null;
}

/** SANs in one certificate: browsers and TLS stacks cope with hundreds; a local test server needs a handful. */
const MAX_SANS = 100;

function fail(l: { id: string }, message: string, field: string): never {
  throw new MailwrightError('invalid_argument', `[smtp] listener "${l.id}": ${message}`, field);
}

function positiveInt(l: ListenerConfig, value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!(Number.isInteger(value) && (value as number) > 0 && (value as number) <= max)) {
    fail(l, `${field.split('.').pop()} must be a whole number from 1 to ${max}, got ${String(value)}`, field);
  }
}

/** Throws MailwrightError('invalid_argument', '[smtp] listener "x": …', field) for the first problem found. */
export function validateListener(l: ListenerConfig, index: number): CompiledPolicy {
  const at = `listeners.${index}`;
  if (!l || typeof l.id !== 'string' || !l.id)
    throw new MailwrightError('invalid_argument', '[smtp] every listener needs an id', `${at}.id`);
  if (typeof l.host !== 'string' || !l.host) fail(l, 'host is missing', `${at}.host`);
  if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535)
    fail(l, `port must be 0-65535, got ${String(l.port)}`, `${at}.port`);
  if (!['none', 'starttls', 'starttls-required', 'implicit'].includes(l.tls)) {
    fail(l, `tls must be 'none', 'starttls', 'starttls-required' or 'implicit', got ${String(l.tls)}`, `${at}.tls`);
  }
  if (l.minTlsVersion !== undefined && l.minTlsVersion !== 'TLSv1.2' && l.minTlsVersion !== 'TLSv1.3') {
    fail(l, `minTlsVersion must be 'TLSv1.2' or 'TLSv1.3', got ${String(l.minTlsVersion)}`, `${at}.minTlsVersion`);
  }
  if (l.certificate !== undefined) validateCertificate(l, l.certificate, `${at}.certificate`);
  if (l.auth !== undefined) validateAuth(l, l.auth, `${at}.auth`);
  const lim = l.limits ?? {};
  for (const key of [
    'maxMessageBytes',
    'maxRecipients',
    'maxConnections',
    'connectionsPerMinutePerClient',
    'messagesPerMinutePerClient',
  ] as const) {
    positiveInt(l, lim[key], `${at}.limits.${key}`);
  }
  positiveInt(l, lim.idleTimeoutSeconds, `${at}.limits.idleTimeoutSeconds`, MAX_TIMEOUT_SECONDS);
  positiveInt(l, lim.sessionTimeoutSeconds, `${at}.limits.sessionTimeoutSeconds`, MAX_TIMEOUT_SECONDS);
  const globs = (key: 'senderAllow' | 'senderDeny' | 'recipientAllow' | 'recipientDeny') => {
    const field = `${at}.limits.${key}`;
    const r = compileGlobs(lim[key]);
    if (typeof r === 'string') fail(l, `${key}: ${r}`, field);
    return r;
  };
  const cidrs = compileCidrs(lim.allowClients);
  if (typeof cidrs === 'string') fail(l, `allowClients: ${cidrs}`, `${at}.limits.allowClients`);
  return {
    allowClients: cidrs,
    senderAllow: globs('senderAllow'),
    senderDeny: globs('senderDeny'),
    recipientAllow: globs('recipientAllow'),
    recipientDeny: globs('recipientDeny'),
  };
}

function validateAuth(l: ListenerConfig, a: AuthConfig, at: string): void {
  if (!['off', 'optional', 'required'].includes(a.policy))
    fail(l, `auth.policy must be 'off', 'optional' or 'required', got ${String(a.policy)}`, `${at}.policy`);
  if (!Array.isArray(a.mechanisms)) fail(l, 'auth.mechanisms must be a list', `${at}.mechanisms`);
  for (const m of a.mechanisms) {
    if (!AUTH_MECHANISMS.includes(m))
      fail(l, `unknown AUTH mechanism ${JSON.stringify(m)} (PLAIN, LOGIN, CRAM-MD5, XOAUTH2)`, `${at}.mechanisms`);
  }
  if (a.policy !== 'off' && a.mechanisms.length === 0)
    fail(l, `auth.policy '${a.policy}' needs at least one mechanism`, `${at}.mechanisms`);
  if (a.credentials !== undefined) {
    if (!Array.isArray(a.credentials) || a.credentials.length > MAX_CREDENTIALS)
      fail(l, `credentials must be a list of at most ${MAX_CREDENTIALS}`, `${at}.credentials`);
    a.credentials.forEach((c, i) => {
      if (!c || typeof c.username !== 'string')
        fail(l, 'each credential needs a username', `${at}.credentials.${i}.username`);
      if (c.password === undefined && c.token === undefined)
        fail(l, `credential "${c.username}" needs a password or a token`, `${at}.credentials.${i}`);
    });
  }
  if (l.tls === 'none' && a.policy !== 'off' && a.allowPlaintext !== true) {
    fail(
      l,
      `AUTH ${a.policy} on a listener without TLS needs allowPlaintext: true, or no client could ever authenticate`,
      `${at}.allowPlaintext`,
    );
  }
  if (a.lockout !== undefined) {
    // 100: a lockout is for brute force; more tolerated failures would make the per-client log heavy.
    positiveInt(l, a.lockout.maxFailures, `${at}.lockout.maxFailures`, 100);
    positiveInt(l, a.lockout.windowSeconds, `${at}.lockout.windowSeconds`, MAX_TIMEOUT_SECONDS);
    positiveInt(l, a.lockout.lockSeconds, `${at}.lockout.lockSeconds`, MAX_TIMEOUT_SECONDS);
  }
}

function validateCertificate(l: ListenerConfig, c: CertificateConfig, at: string): void {
  if (c.mode === 'generated') {
    if (c.sans === undefined) return;
    if (!Array.isArray(c.sans) || c.sans.length > MAX_SANS)
      fail(l, `certificate.sans must be a list of at most ${MAX_SANS} names`, `${at}.sans`);
    c.sans.forEach((s, i) => {
      if (typeof s !== 'string' || !isSan(s))
        fail(l, `certificate SAN ${JSON.stringify(s)} is neither a DNS name nor an IP address`, `${at}.sans.${i}`);
    });
    return;
  }
  if (c.mode !== 'pem')
    fail(
      l,
      `certificate.mode must be 'generated' or 'pem', got ${String((c as { mode?: unknown }).mode)}`,
      `${at}.mode`,
    );
  if (typeof c.cert !== 'string' || c.cert.length > MAX_PEM_CHARS)
    fail(l, 'certificate.cert must be PEM text under 64 KB', `${at}.cert`);
  if (typeof c.key !== 'string' || c.key.length > MAX_PEM_CHARS)
    fail(l, 'certificate.key must be PEM text under 64 KB', `${at}.key`);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(c.cert);
  } catch (err) {
    fail(l, `certificate.cert is not a PEM certificate (${(err as Error).message})`, `${at}.cert`);
  }
  let key;
  try {
    key = createPrivateKey(c.key);
  } catch (err) {
    fail(l, `certificate.key is not a PEM private key (${(err as Error).message})`, `${at}.key`);
  }
  if (!x509.checkPrivateKey(key)) fail(l, 'certificate.key does not belong to certificate.cert', `${at}.key`);
}

const DNS_NAME =
  /^(?=.{1,253}$)(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;
function isSan(s: string): boolean {
  return isIP(s) !== 0 || DNS_NAME.test(s);
}

/** Key order and array order as written; two configs are the same listener iff these strings are equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Which certificate a listener presents; equal keys share one TlsMaterial. */
export function certificateKey(c: CertificateConfig | undefined): string {
  if (!c || (c.mode === 'generated' && !c.sans?.length)) return 'default';
  const material =
    c.mode === 'generated'
      ? `gen:${[...new Set(c.sans!.map((s) => s.toLowerCase()))].sort().join(',')}`
      : `pem:${c.cert}\n${c.key}`;
  return `${c.mode}:${createHash('sha256').update(material).digest('hex').slice(0, 16)}`;
}
