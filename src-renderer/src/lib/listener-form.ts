// A listener as the Settings page edits it: text boxes hold strings (lists one entry per line), empty number boxes
// hold null, and stored secrets are flags beside an empty box. Converts to and from the contract's ListenerEdit.
// Pure: no Svelte, no DOM, no api module.
import type {
  AuthMechanism,
  AuthPolicyName,
  ListenerConfig,
  ListenerEdit,
  StoredSecret,
  TlsMode,
  TlsVersion,
} from '../../../src-shared/settings.js';
import { compact, lines, nextKey, optLines, optNum, uniqueId } from './form-values.js';
import { DEFAULT_AUTH_MECHANISMS } from '../../../src-shared/settings-names.js';

// The contract's lists live next to its zod schemas; importing them would bundle zod into the renderer, so
// they are spelled here as records over the contract's types: a new value is a type error until it has a label.
export const TLS_MODE_LABELS: Record<TlsMode, string> = {
  none: 'None',
  starttls: 'STARTTLS optional',
  'starttls-required': 'STARTTLS required',
  implicit: 'Implicit TLS',
};
export const TLS_VERSION_LABELS: Record<TlsVersion, string> = { 'TLSv1.2': 'TLS 1.2 (default)', 'TLSv1.3': 'TLS 1.3' };
export const AUTH_POLICY_LABELS: Record<AuthPolicyName, string> = {
  off: 'Off',
  optional: 'Optional',
  required: 'Required',
};
export const MECHANISMS = Object.keys({ PLAIN: 1, LOGIN: 1, 'CRAM-MD5': 1, XOAUTH2: 1 } satisfies Record<
  AuthMechanism,
  1
>) as AuthMechanism[];

const STORED: StoredSecret = { stored: true };

export interface CredentialForm {
  username: string;
  /** Empty with `passwordStored` keeps the stored password; typing replaces it. */
  password: string;
  passwordStored: boolean;
  token: string;
  tokenStored: boolean;
}

/** 'shared': the data folder's generated certificate (no `certificate` block). */
export type CertMode = 'shared' | 'generated' | 'pem';

export interface LimitsForm {
  maxMessageBytes: number | null;
  maxRecipients: number | null;
  maxConnections: number | null;
  connectionsPerMinutePerClient: number | null;
  messagesPerMinutePerClient: number | null;
  idleTimeoutSeconds: number | null;
  sessionTimeoutSeconds: number | null;
  /** One entry per line. */
  allowClients: string;
  senderAllow: string;
  senderDeny: string;
  recipientAllow: string;
  recipientDeny: string;
}

export interface ListenerForm {
  /** Identifies the form across edits (the listener id is itself editable). */
  key: number;
  /** A preset's remark (moved port), shown until applied. */
  presetNote: string | null;
  id: string;
  host: string;
  port: number | null;
  tls: TlsMode;
  minTlsVersion: TlsVersion;
  certMode: CertMode;
  /** One subject alternative name per line. */
  sans: string;
  cert: string;
  pemKey: string;
  pemKeyStored: boolean;
  authPolicy: AuthPolicyName;
  mechanisms: AuthMechanism[];
  anyCredentials: boolean;
  credentials: CredentialForm[];
  allowPlaintext: boolean;
  lockout: boolean;
  maxFailures: number | null;
  windowSeconds: number | null;
  lockSeconds: number | null;
  limits: LimitsForm;
}

type Secret = string | StoredSecret | undefined;
const isStored = (s: Secret): s is StoredSecret => typeof s === 'object' && s !== null && s.stored === true;

/** A listener as a form. Without an `auth` block a listener offers PLAIN/LOGIN, optional, to anyone, also in plaintext. */
export function toListenerForm(l: ListenerEdit | ListenerConfig, presetNote: string | null = null): ListenerForm {
  const auth = l.auth;
  const cert = l.certificate;
  const limits = l.limits ?? {};
  return {
    key: nextKey(),
    presetNote,
    id: l.id,
    host: l.host,
    port: l.port,
    tls: l.tls,
    minTlsVersion: l.minTlsVersion ?? 'TLSv1.2',
    certMode: cert ? cert.mode : 'shared',
    sans: cert?.mode === 'generated' ? lines(cert.sans) : '',
    cert: cert?.mode === 'pem' ? cert.cert : '',
    pemKey: cert?.mode === 'pem' && !isStored(cert.key) ? cert.key : '',
    pemKeyStored: cert?.mode === 'pem' && isStored(cert.key),
    authPolicy: auth?.policy ?? 'optional',
    mechanisms: auth ? [...auth.mechanisms] : [...DEFAULT_AUTH_MECHANISMS],
    anyCredentials: !auth?.credentials,
    credentials: (auth?.credentials ?? []).map((c) => ({
      username: c.username,
      password: isStored(c.password) ? '' : (c.password ?? ''),
      passwordStored: isStored(c.password),
      token: isStored(c.token) ? '' : (c.token ?? ''),
      tokenStored: isStored(c.token),
    })),
    allowPlaintext: auth ? auth.allowPlaintext === true : true,
    lockout: !!auth?.lockout,
    maxFailures: auth?.lockout?.maxFailures ?? null,
    windowSeconds: auth?.lockout?.windowSeconds ?? null,
    lockSeconds: auth?.lockout?.lockSeconds ?? null,
    limits: {
      maxMessageBytes: limits.maxMessageBytes ?? null,
      maxRecipients: limits.maxRecipients ?? null,
      maxConnections: limits.maxConnections ?? null,
      connectionsPerMinutePerClient: limits.connectionsPerMinutePerClient ?? null,
      messagesPerMinutePerClient: limits.messagesPerMinutePerClient ?? null,
      idleTimeoutSeconds: limits.idleTimeoutSeconds ?? null,
      sessionTimeoutSeconds: limits.sessionTimeoutSeconds ?? null,
      allowClients: lines(limits.allowClients),
      senderAllow: lines(limits.senderAllow),
      senderDeny: lines(limits.senderDeny),
      recipientAllow: lines(limits.recipientAllow),
      recipientDeny: lines(limits.recipientDeny),
    },
  };
}

const secret = (value: string, stored: boolean): Secret => (value !== '' ? value : stored ? STORED : undefined);

/**
 * The listener a form describes. Empty optional fields are left out; a missing required one (an empty port)
 * is left out too, so the server names that field in its error. Fields the form hides (the certificate without
 * TLS, mechanisms and credentials with AUTH off) are not sent.
 */
export function fromListenerForm(f: ListenerForm): ListenerEdit {
  const l = compact({ id: f.id.trim(), host: f.host.trim(), port: optNum(f.port), tls: f.tls }) as ListenerEdit;
  if (f.tls !== 'none') {
    if (f.minTlsVersion !== 'TLSv1.2') l.minTlsVersion = f.minTlsVersion;
    if (f.certMode === 'generated') l.certificate = compact({ mode: 'generated' as const, sans: optLines(f.sans) });
    // An empty key without a stored one is sent as '' so the server names certificate.key.
    if (f.certMode === 'pem')
      l.certificate = { mode: 'pem', cert: f.cert.trim(), key: secret(f.pemKey.trim(), f.pemKeyStored) ?? '' };
  }
  if (f.authPolicy === 'off') {
    l.auth = { policy: 'off', mechanisms: [] };
  } else {
    l.auth = compact({
      policy: f.authPolicy,
      mechanisms: MECHANISMS.filter((m) => f.mechanisms.includes(m)),
      credentials: f.anyCredentials
        ? undefined
        : f.credentials.map((c) =>
            compact({
              username: c.username.trim(),
              password: secret(c.password, c.passwordStored),
              token: secret(c.token, c.tokenStored),
            }),
          ),
      allowPlaintext: f.allowPlaintext ? true : undefined,
      lockout: f.lockout
        ? (compact({
            maxFailures: optNum(f.maxFailures),
            windowSeconds: optNum(f.windowSeconds),
            lockSeconds: optNum(f.lockSeconds),
          }) as never)
        : undefined,
    });
  }
  const m = f.limits;
  const limits = compact({
    maxMessageBytes: optNum(m.maxMessageBytes),
    maxRecipients: optNum(m.maxRecipients),
    maxConnections: optNum(m.maxConnections),
    connectionsPerMinutePerClient: optNum(m.connectionsPerMinutePerClient),
    messagesPerMinutePerClient: optNum(m.messagesPerMinutePerClient),
    idleTimeoutSeconds: optNum(m.idleTimeoutSeconds),
    sessionTimeoutSeconds: optNum(m.sessionTimeoutSeconds),
    allowClients: optLines(m.allowClients),
    senderAllow: optLines(m.senderAllow),
    senderDeny: optLines(m.senderDeny),
    recipientAllow: optLines(m.recipientAllow),
    recipientDeny: optLines(m.recipientDeny),
  });
  if (Object.keys(limits).length) l.limits = limits;
  return l;
}

/** A new blank listener: STARTTLS, default AUTH, and port 0 so it never collides (status shows the bound port). */
export function blankListener(takenIds: Iterable<string>): ListenerConfig {
  return { id: uniqueId('listener', takenIds), host: '127.0.0.1', port: 0, tls: 'starttls' };
}
