// One client connection to an SMTP server through a profile, step by step: DNS (every address), TCP, implicit TLS
// or STARTTLS, greeting, EHLO, AUTH. nodemailer's SMTPConnection speaks the protocol; this class owns the socket
// up to the greeting so each step has its own timing, reads the TLS chain with verification off and refuses to
// go on (before anything but EHLO is sent) when the profile verifies and the certificate fails.
import net from 'node:net';
import tls from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { ConnectionReport, ConnectionStep, ProfileConfig, TlsReport } from '../../src-shared/index.js';
import { explainFailure } from './explain.js';
import type { HostResolver } from './resolver.js';
import { tlsReport, verificationProblem } from './tls-report.js';
import { Transcript } from './transcript.js';

/** nodemailer's own defaults are 2 minutes and 30 s; a test tool should say sooner that nothing answers. */
const DEFAULT_CONNECTION_TIMEOUT_S = 15;
const DEFAULT_GREETING_TIMEOUT_S = 15;
/** A name with more addresses is tried on its first few only; each costs a full timeout when it fails. */
const MAX_ADDRESSES_TRIED = 4;

export type Capabilities = NonNullable<ConnectionReport['capabilities']>;

export interface SessionFailure {
  step: ConnectionStep['name'] | 'send';
  code: string | undefined;
  message: string;
  reply: string | undefined;
  explanation: string;
}

interface NodeError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
}

export class SmtpSession {
  readonly transcript: Transcript;
  readonly steps: ConnectionStep[] = [];
  addresses: string[] = [];
  tls: TlsReport | null = null;
  capabilities: Capabilities | null = null;
  failure: SessionFailure | null = null;
  connection: SMTPConnection | null = null;
  readonly #profile: ProfileConfig;
  readonly #resolve: HostResolver;
  #socket: net.Socket | null = null;

  constructor(profile: ProfileConfig, resolve: HostResolver) {
    this.#profile = profile;
    this.#resolve = resolve;
    this.transcript = new Transcript([
      profile.auth.password,
      profile.auth.accessToken,
      profile.tls.clientKey,
      profile.dkim?.privateKey,
    ]);
  }

  get profile(): ProfileConfig {
    return this.#profile;
  }

  /** Up to and including EHLO (and STARTTLS). False when a step failed; `failure` says which and why. */
  async open(): Promise<boolean> {
    const p = this.#profile;
    const connectMs = (p.connectionTimeoutSeconds ?? DEFAULT_CONNECTION_TIMEOUT_S) * 1000;
    const greetingMs = (p.greetingTimeoutSeconds ?? DEFAULT_GREETING_TIMEOUT_S) * 1000;
    if (!(await this.#dns(connectMs))) return false;
    const socket = await this.#tcp(connectMs);
    if (!socket) return false;
    let secured: net.Socket = socket;
    if (p.security === 'implicit') {
      const tlsSocket = await this.#implicitTls(socket, greetingMs);
      if (!tlsSocket) return false;
      secured = tlsSocket;
    }
    return this.#smtp(secured, connectMs, greetingMs);
  }

  /** AUTH with the profile's mechanism; true when there is none to do. */
  async authenticate(): Promise<boolean> {
    const p = this.#profile;
    const conn = this.connection;
    if (!conn) return false;
    if (p.auth.mechanism === 'none') return true;
    const started = this.transcript.elapsed();
    const offered = this.capabilities?.auth ?? [];
    const mechanism = p.auth.mechanism;
    const user = p.auth.user ?? '';
    const secret = mechanism === 'XOAUTH2' ? p.auth.accessToken : p.auth.password;
    if (!user || !secret) {
      const missing = !user ? 'a user name' : mechanism === 'XOAUTH2' ? 'an access token' : 'a password';
      const message = `the profile has no ${missing} for AUTH ${mechanism}`;
      this.steps.push({ name: 'auth', ok: false, ms: 0, detail: message });
      this.failure = {
        step: 'auth',
        code: 'EAUTH',
        message,
        reply: undefined,
        explanation: `Enter ${missing} in the profile, or set AUTH to none.`,
      };
      return false;
    }
    const auth =
      mechanism === 'XOAUTH2'
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
        : { user, pass: p.auth.password ?? '', method: mechanism };
    const err = await new Promise<NodeError | null>((resolve) => {
      const onError = (e: NodeError) => resolve(e);
      conn.once('error', onError);
      conn.login(auth as unknown as SMTPConnection.AuthenticationCredentials, (e) => {
        conn.removeListener('error', onError);
        resolve((e as NodeError | null | undefined) ?? null);
      });
    });
    const ms = this.transcript.elapsed() - started;
    const notOffered = offered.includes(mechanism) ? '' : ` (the server did not offer ${mechanism})`;
    if (err) {
      const reply = err.response;
      this.#fail('auth', ms, `AUTH ${mechanism} as ${JSON.stringify(user)} failed${notOffered}`, err, reply);
      return false;
    }
    this.steps.push({
      name: 'auth',
      ok: true,
      ms,
      detail: `AUTH ${mechanism} as ${JSON.stringify(user)} accepted${notOffered}`,
    });
    return true;
  }

  /** QUIT and close; never throws. */
  close(): void {
    const conn = this.connection;
    if (conn) {
      conn.on('error', () => undefined);
      try {
        conn.quit();
      } catch {
        conn.close();
      }
      // QUIT's reply is not worth waiting for; the socket closes either way.
      setTimeout(() => conn.close(), 1000).unref();
    } else this.#socket?.destroy();
  }

  report(): ConnectionReport {
    const p = this.#profile;
    return {
      ok: this.failure === null,
      host: p.host,
      port: p.port,
      security: p.security,
      addresses: this.addresses,
      steps: this.steps,
      capabilities: this.capabilities,
      tls: this.tls,
      transcript: this.transcript.lines,
      explanation: this.failure?.explanation ?? null,
      ms: this.transcript.elapsed(),
    };
  }

  async #dns(timeoutMs: number): Promise<boolean> {
    const host = this.#profile.host;
    const started = this.transcript.elapsed();
    if (net.isIP(host)) {
      this.addresses = [host];
      this.steps.push({ name: 'dns', ok: true, ms: 0, detail: `${host} is an IP address: no lookup` });
      return true;
    }
    try {
      this.addresses = await withTimeout(this.#resolve(host), timeoutMs, 'ETIMEDOUT', `no DNS answer for ${host}`);
      if (this.addresses.length === 0)
        throw Object.assign(new Error(`${host} has no A or AAAA record`), { code: 'ENODATA' });
      const ms = this.transcript.elapsed() - started;
      this.transcript.note(`DNS ${host}: ${this.addresses.join(', ')}`);
      this.steps.push({ name: 'dns', ok: true, ms, detail: `${host} resolves to ${this.addresses.join(', ')}` });
      return true;
    } catch (e) {
      const err = e as NodeError;
      this.#fail('dns', this.transcript.elapsed() - started, `${host} did not resolve: ${err.message}`, {
        ...err,
        message: err.message,
        code: err.code === 'ETIMEDOUT' ? 'EAI_AGAIN' : err.code,
      });
      return false;
    }
  }

  async #tcp(timeoutMs: number): Promise<net.Socket | null> {
    const port = this.#profile.port;
    const started = this.transcript.elapsed();
    const tried: string[] = [];
    let last: NodeError | null = null;
    for (const address of this.addresses.slice(0, MAX_ADDRESSES_TRIED)) {
      try {
        const socket = await connectTcp(address, port, timeoutMs);
        this.#socket = socket;
        const ms = this.transcript.elapsed() - started;
        const local = `${socket.localAddress}:${socket.localPort}`;
        this.transcript.note(`connected to ${address}:${port} from ${local}`);
        const failedFirst = tried.length ? ` (after ${tried.join('; ')})` : '';
        this.steps.push({ name: 'tcp', ok: true, ms, detail: `connected to ${address}:${port}${failedFirst}` });
        return socket;
      } catch (e) {
        last = e as NodeError;
        tried.push(`${address}: ${last.code ?? last.message}`);
        this.transcript.note(`could not connect to ${address}:${port}: ${last.message}`);
      }
    }
    this.#fail(
      'tcp',
      this.transcript.elapsed() - started,
      `could not connect: ${tried.join('; ')}`,
      last ?? new Error('no address'),
    );
    return null;
  }

  async #implicitTls(socket: net.Socket, timeoutMs: number): Promise<tls.TLSSocket | null> {
    const started = this.transcript.elapsed();
    try {
      const tlsSocket = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({ ...this.#tlsOptions(), socket });
        const timer = setTimeout(() => {
          s.destroy();
          reject(Object.assign(new Error('no TLS handshake within the greeting timeout'), { code: 'ETIMEDOUT' }));
        }, timeoutMs);
        s.once('secureConnect', () => {
          clearTimeout(timer);
          s.removeListener('error', onError);
          resolve(s);
        });
        const onError = (e: Error) => {
          clearTimeout(timer);
          reject(e);
        };
        s.once('error', onError);
      });
      this.#socket = tlsSocket;
      return this.#checkTls(tlsSocket, 'tls', this.transcript.elapsed() - started) ? tlsSocket : null;
    } catch (e) {
      const err = e as NodeError;
      this.#fail('tls', this.transcript.elapsed() - started, `TLS handshake failed: ${err.message}`, {
        ...err,
        message: err.message,
        code: err.code === 'ETIMEDOUT' || err.code === 'ECONNRESET' ? err.code : 'ETLS',
      });
      socket.destroy();
      return null;
    }
  }

  /** Records the TLS report; false (and a failed step) when the profile verifies and the certificate fails. */
  #checkTls(socket: tls.TLSSocket, step: 'tls' | 'starttls', ms: number): boolean {
    const report = tlsReport(socket, this.#expectedName());
    this.tls = report;
    this.transcript.note(`TLS ${report.protocol ?? '?'} ${report.cipher ?? ''}`.trim());
    const problem = verificationProblem(report);
    const chain = report.chain[0] ? ` for ${report.chain[0].subject}` : '';
    if (problem && this.#profile.tls.verify) {
      this.transcript.note(`certificate refused: ${problem}`);
      this.steps.push({
        name: step,
        ok: false,
        ms,
        detail: `${report.protocol ?? 'TLS'}: certificate${chain} refused`,
      });
      this.failure = {
        step,
        code: report.verifyError ?? 'ERR_TLS_CERT_ALTNAME_INVALID',
        message: problem,
        reply: undefined,
        explanation: `The certificate was refused: ${problem}`,
      };
      socket.destroy();
      return false;
    }
    const note = problem ? ` (not verified, as the profile asks: ${problem})` : ', verified';
    this.steps.push({
      name: step,
      ok: true,
      ms,
      detail: `${report.protocol ?? 'TLS'} ${report.cipher ?? ''}, certificate${chain}${note}`,
    });
    return true;
  }

  #expectedName(): string {
    return this.#profile.tls.servername || this.#profile.host;
  }

  #tlsOptions(): tls.ConnectionOptions {
    const t = this.#profile.tls;
    const name = this.#expectedName();
    return {
      // Verified by #checkTls after the handshake, so the report can show a chain that fails.
      rejectUnauthorized: false,
      ...(net.isIP(name) ? {} : { servername: name }),
      ...(t.ca ? { ca: t.ca } : {}),
      ...(t.clientCert ? { cert: t.clientCert } : {}),
      ...(t.clientKey ? { key: t.clientKey } : {}),
      ...(t.minVersion ? { minVersion: t.minVersion } : {}),
    };
  }

  async #smtp(socket: net.Socket, connectMs: number, greetingMs: number): Promise<boolean> {
    const p = this.#profile;
    const implicit = p.security === 'implicit';
    const started = this.transcript.elapsed();
    const conn = new SMTPConnection({
      connection: socket,
      host: p.host,
      port: p.port,
      secure: implicit,
      secured: implicit,
      ignoreTLS: p.security === 'none',
      requireTLS: p.security === 'starttls-required',
      ...(p.localName ? { name: p.localName } : {}),
      connectionTimeout: connectMs,
      greetingTimeout: greetingMs,
      socketTimeout: Math.max(greetingMs, 60_000),
      tls: this.#tlsOptions(),
      logger: this.transcript.logger() as unknown as SMTPConnection.Options['logger'],
      transactionLog: true,
    });
    this.connection = conn;
    const err = await new Promise<NodeError | null>((resolve) => {
      const onError = (e: NodeError) => resolve(e);
      conn.once('error', onError);
      conn.once('end', () =>
        resolve(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' })),
      );
      conn.connect(() => {
        conn.removeListener('error', onError);
        resolve(null);
      });
    });
    // The later 'error' events of a session are read by whoever sends next; an unheard one must not crash.
    conn.on('error', () => undefined);
    this.#stepsFromTranscript(started, err);
    if (err) {
      const step = this.#failedStep();
      const reply = err.response ?? (step === 'greeting' ? this.transcript.replyAfter(0)?.text : undefined);
      const startTlsMissing =
        p.security === 'starttls-required' && step === 'starttls' && !this.#firstEhloOffersStartTls();
      if (startTlsMissing) {
        const message = 'the server does not offer STARTTLS, and this profile requires it';
        this.#failRaw(
          step,
          message,
          err.code,
          reply,
          `The server does not offer STARTTLS, and the profile's security mode requires it: nothing but EHLO was sent in plain text. Use a server or port that offers STARTTLS (or implicit TLS on 465).`,
        );
      } else this.#fail(step, 0, err.message, err, reply, false);
      conn.close();
      return false;
    }
    if (!implicit && conn.secure) {
      const upgraded = (conn as unknown as { _socket: tls.TLSSocket })._socket;
      const step = this.steps.find((s) => s.name === 'starttls');
      const idx = step ? this.steps.indexOf(step) : -1;
      if (idx >= 0) this.steps.splice(idx, 1);
      if (!this.#checkTls(upgraded, 'starttls', step?.ms ?? 0)) {
        conn.close();
        return false;
      }
    } else if (p.security === 'starttls') {
      this.steps.push({
        name: 'starttls',
        ok: true,
        ms: 0,
        detail: 'not offered by the server: the session goes on in plain text',
      });
    }
    this.capabilities = this.#parseCapabilities();
    return true;
  }

  /** Greeting, EHLO and STARTTLS steps, timed from the transcript nodemailer's logger filled. */
  #stepsFromTranscript(started: number, err: NodeError | null): void {
    const t = this.transcript;
    const greeting = t.replyAfter(0);
    if (!greeting) return;
    const greetOk = /^220[ -]/.test(greeting.text) && !(err && this.#failedStep() === 'greeting');
    this.steps.push({
      name: 'greeting',
      ok: greetOk,
      ms: greeting.ms - started,
      detail: firstLine(greeting.text),
      reply: greeting.text,
    });
    const ehlo = t.find('C', /^(EHLO|HELO|LHLO)\b/);
    if (!ehlo) return;
    const ehloReply = t.replyAfter(ehlo.index);
    if (!ehloReply) return;
    const ehloOk = /^250[ -]/.test(ehloReply.text);
    this.steps.push({
      name: 'ehlo',
      ok: ehloOk,
      ms: ehloReply.ms - ehlo.line.ms,
      detail: `${ehlo.line.text}: ${firstLine(ehloReply.text)}`,
      reply: ehloReply.text,
    });
    const starttls = t.find('C', /^STARTTLS\b/i, ehlo.index);
    if (!starttls) return;
    const starttlsReply = t.replyAfter(starttls.index);
    const nextEhlo = t.find('C', /^(EHLO|HELO)\b/, starttls.index);
    const end = nextEhlo?.line.ms ?? t.elapsed();
    const ok = !!starttlsReply && /^220[ -]/.test(starttlsReply.text) && !!nextEhlo;
    this.steps.push({
      name: 'starttls',
      ok,
      ms: end - starttls.line.ms,
      detail: starttlsReply ? firstLine(starttlsReply.text) : 'no reply to STARTTLS',
      ...(starttlsReply ? { reply: starttlsReply.text } : {}),
    });
  }

  #failedStep(): ConnectionStep['name'] {
    const t = this.transcript;
    if (!t.replyAfter(0)) return 'greeting';
    const ehlo = t.find('C', /^(EHLO|HELO|LHLO)\b/);
    if (!ehlo || !t.replyAfter(ehlo.index)) return ehlo ? 'ehlo' : 'greeting';
    if (t.find('C', /^STARTTLS\b/i)) return 'starttls';
    return 'ehlo';
  }

  #firstEhloOffersStartTls(): boolean {
    const ehlo = this.transcript.find('C', /^EHLO\b/);
    const reply = ehlo ? this.transcript.replyAfter(ehlo.index) : null;
    return !!reply && /^250[ -]STARTTLS\b/im.test(reply.text);
  }

  #parseCapabilities(): Capabilities {
    const t = this.transcript;
    let last: { index: number } | null = null;
    for (let from = 0; ;) {
      const found = t.find('C', /^(EHLO|HELO|LHLO)\b/, from);
      if (!found) break;
      last = found;
      from = found.index + 1;
    }
    const reply = last ? (t.replyAfter(last.index)?.text ?? '') : '';
    const lines = reply
      .split('\n')
      .slice(1)
      .map((l) => l.replace(/^\d{3}[ -]/, '').trim())
      .filter(Boolean);
    const has = (name: string) => lines.some((l) => l.toUpperCase().split(/\s+/)[0] === name);
    const sizeLine = lines.find((l) => /^SIZE\b/i.test(l));
    const size = sizeLine ? Number(sizeLine.split(/\s+/)[1]) || null : null;
    const authLine = lines.find((l) => /^AUTH[ =]/i.test(l));
    return {
      lines,
      size,
      pipelining: has('PIPELINING'),
      eightBitMime: has('8BITMIME'),
      smtpUtf8: has('SMTPUTF8'),
      startTls: has('STARTTLS'),
      auth: authLine
        ? authLine
            .slice(5)
            .trim()
            .toUpperCase()
            .split(/[\s=]+/)
            .filter(Boolean)
        : [],
    };
  }

  #fail(step: ConnectionStep['name'], ms: number, detail: string, err: NodeError, reply?: string, push = true): void {
    if (push) this.steps.push({ name: step, ok: false, ms, detail, ...(reply ? { reply } : {}) });
    this.#failRaw(
      step,
      err.message,
      err.code,
      reply,
      explainFailure({
        host: this.#profile.host,
        port: this.#profile.port,
        security: this.#profile.security,
        step,
        ...(err.code ? { code: err.code } : {}),
        message: err.message,
        ...(reply ? { reply } : {}),
      }),
    );
  }

  #failRaw(
    step: SessionFailure['step'],
    message: string,
    code: string | undefined,
    reply: string | undefined,
    explanation: string,
  ): void {
    const existing = this.steps.find((s) => s.name === step);
    if (existing) existing.ok = false;
    else if (step !== 'send')
      this.steps.push({ name: step, ok: false, ms: 0, detail: message, ...(reply ? { reply } : {}) });
    this.failure = { step, code, message, reply, explanation };
    this.transcript.note(`failed at ${step}: ${message}`);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    socket.once('error', onError);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, code: string, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(message), { code })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
