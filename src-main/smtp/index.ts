// The capture server: SMTP listeners that accept mail from the app under test and hand it to a sink.
// Owns: smtp-server setup, TLS material, the fast greeting. Must not import electron, the store or any binding.
import type { CertificateInfo, ListenerStatus } from '../../src-shared/index.js';
import { loadOrCreateCertificate, type TlsMaterial } from './certificate.js';
import { Listener, type ListenerConfig } from './listener.js';
import { stderrLogger, type CaptureLogger } from './log.js';
import type { MessageSink } from './transaction.js';

export type { ListenerConfig } from './listener.js';
export type { MessageSink } from './transaction.js';
export type { CaptureLogger } from './log.js';
export { silentLogger, stderrLogger } from './log.js';
export { tlsPaths } from './certificate.js';

/** SIZE default: 50 MB, what large-attachment test mail needs and well under what a desktop can buffer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;
/** Idle limit for a client that owes us input; smtp-server's own default, long enough for a paused debugger. */
export const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
/** How long stop() lets a transaction in flight finish before cutting it; quitting the app must not hang. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** Concurrent sessions per listener: each may buffer up to maxMessageBytes, so the count needs a ceiling. */
export const DEFAULT_MAX_CLIENTS = 500;
/** Recipients per transaction: Postfix's smtpd_recipient_limit default; keeps a RCPT flood from growing without end. */
export const DEFAULT_MAX_RECIPIENTS = 1000;

export interface CaptureOptions {
  /** Folder where the generated certificate is kept (tls/cert.pem, tls/key.pem). */
  dataDir: string;
  listeners: ListenerConfig[];
  /** SIZE limit in bytes; a larger message gets 552 and nothing is stored. Default 50 MB. */
  maxMessageBytes?: number;
  /** Minimum TLS version. Default TLSv1.2. */
  minTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Name used in the greeting and the EHLO reply. Default 'mailwright'. */
  hostname?: string;
  /** Delay before the greeting that catches early talkers; 0 (default) greets at once. */
  earlyTalkerDelayMs?: number;
  /** Idle timeout of a session. Default 60 s. */
  socketTimeoutMs?: number;
  /** Grace stop() gives a transaction in flight. Default 5 s. */
  closeTimeoutMs?: number;
  /** Concurrent sessions per listener before new ones get 421. Default 500. */
  maxClients?: number;
  /** Recipients per message before RCPT gets 452. Default 1000. */
  maxRecipients?: number;
  /** Listener-level problems (bind failures, storage failures). Default: warnings and errors to stderr. */
  logger?: CaptureLogger;
  /** Logs every SMTP command and reply through smtp-server's console logger; for debugging only. */
  traceProtocol?: boolean;
  sink: MessageSink;
  onStatus?: (listeners: ListenerStatus[]) => void;
}

export class CaptureServer {
  readonly #options: CaptureOptions;
  readonly #listeners: Listener[];
  #tls: TlsMaterial | null = null;
  #running = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: CaptureOptions) {
    validate(options);
    this.#options = options;
    this.#listeners = options.listeners.map((config) => new Listener({ ...config }));
  }

  /**
   * Starts every listener. A listener that cannot bind is reported in status() with its error; it does not throw.
   * Throws only when the certificate cannot be stored in dataDir.
   */
  start(): Promise<ListenerStatus[]> {
    // Start and stop run one after the other, so a stop() issued mid-start closes what start() opened.
    const run = this.#queue.then(() => this.#start());
    this.#queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Closes every listener and session; bounded by closeTimeoutMs, then sockets are destroyed. */
  stop(): Promise<void> {
    const run = this.#queue.then(() => this.#stop());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #start(): Promise<ListenerStatus[]> {
    if (this.#running) return this.status();
    const o = this.#options;
    const hostname = o.hostname ?? 'mailwright';
    this.#tls ??= await loadOrCreateCertificate(o.dataDir, [hostname]);
    this.#running = true;
    const settings = {
      hostname,
      key: this.#tls.key,
      cert: this.#tls.cert,
      minTlsVersion: o.minTlsVersion ?? 'TLSv1.2',
      maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      earlyTalkerDelayMs: o.earlyTalkerDelayMs ?? 0,
      socketTimeoutMs: o.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
      closeTimeoutMs: o.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      maxClients: o.maxClients ?? DEFAULT_MAX_CLIENTS,
      maxRecipients: o.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
      traceProtocol: o.traceProtocol ?? false,
      sink: o.sink,
      logger: o.logger ?? stderrLogger,
    } as const;
    const started = this.#listeners.map((l) => l.start(settings));
    this.#emitStatus();
    await Promise.all(started);
    this.#emitStatus();
    return this.status();
  }

  async #stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const grace = this.#options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    await Promise.all(this.#listeners.map((l) => l.stop(grace)));
    this.#emitStatus();
  }

  status(): ListenerStatus[] {
    return this.#listeners.map((l) => l.status());
  }

  /** The certificate every TLS listener presents; null until start() has loaded or made it. */
  certificate(): CertificateInfo | null {
    return this.#tls ? { ...this.#tls.info } : null;
  }

  #emitStatus(): void {
    try {
      this.#options.onStatus?.(this.status());
    } catch (err) {
      // A faulty observer must not take the listeners down with it.
      (this.#options.logger ?? stderrLogger).warn(`onStatus failed: ${(err as Error).message}`);
    }
  }
}

/** Configuration is checked once, here; each error names the area and the listener. */
function validate(o: CaptureOptions): void {
  const ids = new Set<string>();
  for (const l of o.listeners) {
    if (!l.id) throw new Error('[smtp] every listener needs an id');
    if (ids.has(l.id)) throw new Error(`[smtp] two listeners share the id "${l.id}"`);
    ids.add(l.id);
    if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535) {
      throw new Error(`[smtp] listener "${l.id}": port must be 0-65535, got ${String(l.port)}`);
    }
    if (l.tls !== 'starttls' && l.tls !== 'implicit') {
      throw new Error(`[smtp] listener "${l.id}": tls must be 'starttls' or 'implicit', got ${String(l.tls)}`);
    }
  }
  const positive = { maxMessageBytes: o.maxMessageBytes, socketTimeoutMs: o.socketTimeoutMs, maxClients: o.maxClients, maxRecipients: o.maxRecipients };
  for (const [name, value] of Object.entries(positive)) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new Error(`[smtp] ${name} must be a positive integer, got ${String(value)}`);
  }
  for (const [name, value] of Object.entries({ earlyTalkerDelayMs: o.earlyTalkerDelayMs, closeTimeoutMs: o.closeTimeoutMs })) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new Error(`[smtp] ${name} must be 0 or more, got ${String(value)}`);
  }
}
