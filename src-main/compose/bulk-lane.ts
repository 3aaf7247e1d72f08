// One lane of a bulk run: a worker's SMTP connection (nodemailer's SMTPConnection over a socket with Nagle off),
// opened on first use, reused for the run's messages per connection, closed after an error. Each attempt gets a
// redacted transcript of its own: the connection's logger writes to the attempt in progress, so the first
// message on a connection carries the greeting, EHLO, STARTTLS and AUTH, and every message its own MAIL, RCPT
// and DATA. Message bodies are never logged (transactionLog, not debug).
import net from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { BulkSettings, ClientTranscriptLine, ProfileConfig } from '../../src-shared/index.js';
import { Transcript, transcriptLogger } from './transcript.js';

/** nodemailer's codes for a connection that failed or dropped without a reply: worth another attempt. */
const NETWORK_ERRORS = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  rejectedErrors?: SmtpError[];
  recipient?: string;
}

export interface LaneAttempt {
  /** Some recipient accepted and the message taken (DATA answered 2xx). */
  ok: boolean;
  /** A failure of the whole message (no per-recipient replies) worth another attempt: a 4xx, or no reply at all. */
  transient: boolean;
  /** The reply to the message (DATA's, or the one that refused it), null without one. */
  reply: string | null;
  code: string | undefined;
  accepted: string[];
  /** Recipients refused at RCPT, each with its reply. */
  rejected: { address: string; reply: string }[];
  error: string | null;
  ms: number;
  transcript: ClientTranscriptLine[];
}

/**
 * A TCP connection with Nagle off. The end of DATA goes out as its own small segment; with Nagle on it waits
 * for the server's delayed ACK (~40 ms on Linux), so every message would cost 40 ms whatever the server does.
 */
function connectNoDelay(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        Object.assign(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      );
    }, timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(Object.assign(err, { code: (err as NodeJS.ErrnoException).code ?? 'ECONNECTION' }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

export class Lane {
  readonly #p: ProfileConfig;
  readonly #address: string;
  readonly #perConnection: number;
  readonly #secrets: (string | undefined)[];
  #conn: SMTPConnection | null = null;
  #sent = 0;
  #log: Transcript;

  constructor(profile: ProfileConfig, address: string, settings: BulkSettings) {
    this.#p = profile;
    this.#address = address;
    this.#perConnection = settings.messagesPerConnection;
    this.#secrets = [profile.auth.password, profile.auth.accessToken, profile.tls.clientKey, profile.dkim?.privateKey];
    this.#log = new Transcript(this.#secrets);
  }

  async attempt(envelope: { from: string; to: readonly string[] }, raw: Buffer): Promise<LaneAttempt> {
    this.#log = new Transcript(this.#secrets);
    const t0 = performance.now();
    const result = (r: Omit<LaneAttempt, 'ms' | 'transcript'>): LaneAttempt => ({
      ...r,
      ms: performance.now() - t0,
      transcript: this.#log.lines,
    });
    try {
      const conn = this.#conn ?? (await this.#open());
      const info = await new Promise<{ accepted: string[]; response?: string; rejectedErrors?: SmtpError[] }>(
        (resolve, reject) => {
          const onEnd = () =>
            reject(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }));
          conn.once('error', reject);
          conn.once('end', onEnd);
          // A copy: nodemailer writes its bookkeeping (rejectedErrors) into the envelope it is given.
          conn.send({ from: envelope.from, to: [...envelope.to] }, raw, (err, sent) => {
            conn.removeListener('error', reject);
            conn.removeListener('end', onEnd);
            if (err) reject(err);
            else resolve(sent);
          });
        },
      );
      if (++this.#sent >= this.#perConnection) this.close();
      return result({
        ok: true,
        transient: false,
        reply: info.response ?? null,
        code: undefined,
        accepted: info.accepted.map(String),
        rejected: (info.rejectedErrors ?? []).map((e) => ({
          address: e.recipient ?? '',
          reply: e.response ?? e.message,
        })),
        error: null,
      });
    } catch (e) {
      // After any failure the connection is closed, as nodemailer's pool does: the next attempt starts afresh.
      this.#drop();
      const err = e as SmtpError;
      const rejected = (err.rejectedErrors ?? []).map((r) => ({
        address: r.recipient ?? '',
        reply: r.response ?? r.message,
      }));
      const reply = rejected.length > 0 ? null : (err.response ?? null);
      return result({
        ok: false,
        transient: rejected.length === 0 && (reply ? /^4/.test(reply) : NETWORK_ERRORS.has(err.code ?? '')),
        reply,
        code: err.code,
        accepted: [],
        rejected,
        error: err.message,
      });
    }
  }

  /** Ends the connection politely (QUIT), if there is one. */
  close(): void {
    const conn = this.#conn;
    this.#conn = null;
    this.#sent = 0;
    if (conn) conn.quit();
  }

  #drop(): void {
    const conn = this.#conn;
    this.#conn = null;
    this.#sent = 0;
    conn?.close();
  }

  async #open(): Promise<SMTPConnection> {
    const p = this.#p;
    const name = p.tls.servername || p.host;
    const implicit = p.security === 'implicit';
    const socket = await connectNoDelay(this.#address, p.port, (p.connectionTimeoutSeconds ?? 30) * 1000);
    const conn = new SMTPConnection({
      connection: socket,
      host: this.#address,
      port: p.port,
      secure: implicit,
      ignoreTLS: p.security === 'none',
      requireTLS: p.security === 'starttls-required',
      ...(p.localName ? { name: p.localName } : {}),
      connectionTimeout: (p.connectionTimeoutSeconds ?? 30) * 1000,
      greetingTimeout: (p.greetingTimeoutSeconds ?? 30) * 1000,
      socketTimeout: 60_000,
      tls: {
        rejectUnauthorized: p.tls.verify,
        ...(net.isIP(name) ? {} : { servername: name }),
        ...(p.tls.ca ? { ca: p.tls.ca } : {}),
        ...(p.tls.clientCert ? { cert: p.tls.clientCert } : {}),
        ...(p.tls.clientKey ? { key: p.tls.clientKey } : {}),
        ...(p.tls.minVersion ? { minVersion: p.tls.minVersion } : {}),
      },
      logger: transcriptLogger(() => this.#log) as unknown as SMTPConnection.Options['logger'],
      transactionLog: true,
    });
    // An error between messages (the server timing the idle connection out) is met by the next send.
    conn.on('error', () => undefined);
    conn.once('end', () => {
      if (this.#conn === conn) this.#conn = null;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const onEnd = () =>
          reject(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }));
        conn.once('error', reject);
        conn.once('end', onEnd);
        conn.connect(() => {
          conn.removeListener('error', reject);
          conn.removeListener('end', onEnd);
          resolve();
        });
      });
      if (p.auth.mechanism !== 'none') await this.#login(conn);
    } catch (err) {
      conn.close();
      throw err;
    }
    this.#conn = conn;
    this.#sent = 0;
    return conn;
  }

  #login(conn: SMTPConnection): Promise<void> {
    const p = this.#p;
    const user = p.auth.user ?? '';
    const auth =
      p.auth.mechanism === 'XOAUTH2'
        ? {
            user,
            method: 'XOAUTH2',
            oauth2: {
              // No refresh: a refused token is reported, not silently retried.
              getToken: (renew: boolean, cb: (err: Error | null, token?: string) => void) =>
                renew ? cb(new Error('the server refused the access token')) : cb(null, p.auth.accessToken ?? ''),
              buildXOAuth2Token: (token: string) =>
                Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`, 'utf8').toString('base64'),
            },
          }
        : { user, pass: p.auth.password ?? '', method: p.auth.mechanism };
    return new Promise((resolve, reject) => {
      conn.once('error', reject);
      conn.login(auth as unknown as SMTPConnection.AuthenticationCredentials, (err) => {
        conn.removeListener('error', reject);
        if (err) reject(err);
        else resolve();
      });
    });
  }
}
