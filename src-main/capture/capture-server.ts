// CaptureServer: the set of running SMTP listeners, applied and restarted as settings change.
// Owns: smtp-server setup, TLS material, the fast greeting, the in-flight byte budget all listeners share.
// Must not import electron, the store or any binding.
import type { CertificateInfo, ListenerStatus } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';
import { loadOrCreateCertificate, loadOrCreateWithSans, pemMaterial, type TlsMaterial } from './certificate.js';
import { FaultEngine } from './faults/index.js';
import { DEFAULT_MAX_IN_FLIGHT_BYTES, InFlightBudget } from './in-flight.js';
import type { FaultEvaluator } from './gate.js';
import { Listener, type ListenerRuntime } from './listener.js';
import { canonicalJson, certificateKey, validateListener, type ListenerConfig } from './listener-config.js';
import { stderrLogger, type CaptureLogger } from './log.js';
import type { SessionObserver } from './session-log.js';
import type { SharedCaptureState } from './shared-state.js';
import type { MessageSink } from './transaction.js';

/** SIZE default: 50 MB, what large-attachment test mail needs and well under what a desktop can buffer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;
/** Idle limit for a client that owes us input; smtp-server's own default, long enough for a paused debugger. */
export const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
/** How long stop() lets a transaction in flight finish before cutting it; quitting the app must not hang. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/**
 * Concurrent sessions per listener. Message bytes are bounded by the in-flight budget, not by this count; what a
 * session costs beyond its message is its socket, parser and session state (a few tens of KB), so 500 stays far
 * below any memory concern while a test suite can open hundreds of connections at once.
 */
export const DEFAULT_MAX_CLIENTS = 500;
/** Recipients per transaction: Postfix's smtpd_recipient_limit default; keeps a RCPT flood from growing without end. */
export const DEFAULT_MAX_RECIPIENTS = 1000;

/** The options every listener shares that settings may change while running; a change restarts every listener. */
export type SharedListenerOptions = Required<
  Pick<CaptureOptions, 'hostname' | 'maxMessageBytes' | 'earlyTalkerDelayMs'>
> &
  Pick<CaptureOptions, 'maxInFlightBytes'>;

export interface CaptureOptions {
  /** Folder where the generated certificate is kept (tls/cert.pem, tls/key.pem). */
  dataDir: string;
  listeners: ListenerConfig[];
  /** SIZE limit in bytes; a larger message gets 552 and nothing is stored. Default 50 MB. */
  maxMessageBytes?: number;
  /**
   * Message bytes all listeners together may hold in memory at once; a DATA transaction that would pass it is
   * read to its end and dropped, and gets 452 4.3.1. Default 256 MiB. Changing it restarts nothing.
   */
  maxInFlightBytes?: number;
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
  /** Fault rules evaluated at every stage (a FaultEngine). Default: an engine with no rules. */
  faults?: FaultEvaluator;
  /**
   * State several instances on one database share: AUTH lockout, and (handed to `faults`) fault-rule counters,
   * greylisting and throttles. Absent: all of it stays in this process's memory, synchronous (one instance).
   */
  shared?: SharedCaptureState;
  /** Session recording and live counts: called on the SMTP path, so every hook must be cheap. */
  sessions?: SessionObserver;
}

export class CaptureServer {
  #options: CaptureOptions;
  #listeners: Listener[];
  /** TLS material by certificateKey(): listeners with the same certificate settings share one. */
  readonly #certs = new Map<string, TlsMaterial>();
  readonly #faults: FaultEvaluator;
  /** One for every listener, kept across apply(): the bytes a transaction holds are given back to the same budget. */
  readonly #budget: InFlightBudget;
  #running = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: CaptureOptions) {
    validate(options);
    this.#options = options;
    this.#faults = options.faults ?? new FaultEngine([]);
    if (options.shared) this.#faults.shareState?.(options.shared);
    this.#budget = new InFlightBudget(options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES);
    this.#listeners = buildListeners(options.listeners);
  }

  /**
   * Starts every listener. A listener that cannot bind is reported in status() with its error; it does not throw.
   * Throws only when a certificate cannot be stored in dataDir.
   */
  start(): Promise<ListenerStatus[]> {
    // Start, stop and apply run one after the other, so a stop() issued mid-start closes what start() opened.
    return this.#enqueue(() => this.#start());
  }

  /** Closes every listener and session; bounded by closeTimeoutMs, then sockets are destroyed. */
  stop(): Promise<void> {
    return this.#enqueue(() => this.#stop());
  }

  /**
   * Replaces the listener set (and, when given, the settings every listener shares). Everything is validated
   * first: an invalid config throws MailwrightError('invalid_argument', …, field) and the running listeners stay
   * as they are. Then only listeners whose config changed are restarted, new ones started and removed ones
   * stopped; an unchanged listener keeps its open sessions. Changed listeners bind their new address before the
   * old ones stop wherever the ports allow, so a port in use (or no rights) usually leaves everything running
   * untouched; either way the whole change is undone and MailwrightError('conflict') names that listener's port.
   * A certificate that cannot be made in dataDir refuses the change before anything is touched
   * (MailwrightError('unavailable') naming `listeners.N.certificate`).
   */
  apply(listeners: ListenerConfig[], shared?: SharedListenerOptions): Promise<ListenerStatus[]> {
    let next: Listener[];
    try {
      validateIds(listeners);
      if (shared) validate({ ...this.#options, ...shared, listeners: [] });
      next = buildListeners(listeners);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#enqueue(async () => {
      const previous = this.#listeners;
      const previousOptions = this.#options;
      const nextOptions = shared ? { ...this.#options, ...shared } : this.#options;
      const sharedChanged = sharedSignature(nextOptions) !== sharedSignature(previousOptions);
      const old = new Map(previous.map((l) => [l.config.id, l]));
      const unchanged = (l: Listener): boolean => {
        const prev = old.get(l.config.id);
        return !!prev && !sharedChanged && prev.canonical === l.canonical;
      };
      // An unchanged listener that failed to bind before is tried again, but its failing again undoes nothing.
      const kept = next.map((l) =>
        unchanged(l) && old.get(l.config.id)!.status().state === 'listening' ? old.get(l.config.id)! : l,
      );
      const keptSet = new Set(kept);
      const retired = previous.filter((l) => !keptSet.has(l));
      const fresh = kept.filter((l) => !old.has(l.config.id) || old.get(l.config.id) !== l);
      // Certificates are made (written to dataDir) before anything changes: a folder that cannot be written or a
      // full disk refuses the whole change while every running listener keeps serving.
      if (this.#running) await this.#prepareCertificates(fresh, kept);
      this.#listeners = kept;
      this.#options = nextOptions;
      this.#budget.limit = nextOptions.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
      if (!this.#running) return this.status();
      const mustFail = (l: Listener) => fresh.includes(l) && !unchanged(l) && l.status().state === 'error';
      // Undo: the new listeners go, the previous set (and the options it ran with) is back, restarted where it was stopped.
      const undo = async (failed: Listener, started: Listener[], restart: Listener[]): Promise<never> => {
        await this.#stopAll(started);
        this.#listeners = previous;
        this.#options = previousOptions;
        this.#budget.limit = previousOptions.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
        await this.#startAll(restart);
        this.#emitStatus();
        const error = failed.status().error ?? 'cannot listen';
        throw new MailwrightError(
          'conflict',
          `${error}; the previous listeners keep running`,
          `listeners.${kept.indexOf(failed)}.port`,
        );
      };
      // First bind what needs no port a running listener holds: if that fails, nothing running was touched.
      const held = new Set(retired.filter((l) => l.status().state === 'listening').map((l) => l.status().port));
      const early = fresh.filter((l) => l.config.port === 0 || !held.has(l.config.port));
      await this.#startAll(early);
      const earlyFailure = early.find(mustFail);
      if (earlyFailure) await undo(earlyFailure, early, []);
      // Then the ones that want a port back from a listener they replace: stop first, then bind (a port-0 listener
      // restored by an undo here may get a new port).
      await this.#stopAll(retired);
      const late = fresh.filter((l) => !early.includes(l));
      await this.#startAll(late);
      const lateFailure = late.find(mustFail);
      if (lateFailure) await undo(lateFailure, fresh, retired);
      this.#forgetUnusedCertificates();
      this.#emitStatus();
      return this.status();
    });
  }

  async #prepareCertificates(fresh: Listener[], all: Listener[]): Promise<void> {
    for (const l of fresh) {
      try {
        await this.#material(l.config);
      } catch (err) {
        throw new MailwrightError(
          'unavailable',
          `[smtp] listener "${l.config.id}": ${(err as Error).message}; the previous listeners keep running`,
          `listeners.${all.indexOf(l)}.certificate`,
        );
      }
    }
  }

  #stopAll(listeners: Listener[]): Promise<unknown> {
    const grace = this.#options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    return Promise.all(listeners.map((l) => l.stop(grace)));
  }

  async #startAll(listeners: Listener[]): Promise<void> {
    const settings = this.#settings();
    await Promise.all(listeners.map(async (l) => l.start(settings, await this.#material(l.config))));
  }

  /** Certificates no listener presents any more are let go; each applied PEM or SAN list would pile up otherwise. */
  #forgetUnusedCertificates(): void {
    const inUse = new Set(['default', ...this.#listeners.map((l) => certificateKey(l.config.certificate))]);
    for (const key of this.#certs.keys()) if (!inUse.has(key)) this.#certs.delete(key);
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #start(): Promise<ListenerStatus[]> {
    if (this.#running) return this.status();
    const materials: TlsMaterial[] = [];
    for (const l of this.#listeners) materials.push(await this.#material(l.config));
    await this.#material(undefined); // the shared certificate is reported in certificate() even with no TLS listener
    this.#running = true;
    const settings = this.#settings();
    const started = this.#listeners.map((l, i) => l.start(settings, materials[i]!));
    this.#emitStatus();
    await Promise.all(started);
    this.#emitStatus();
    return this.status();
  }

  #settings(): ListenerRuntime {
    const o = this.#options;
    return {
      hostname: o.hostname ?? 'mailwright',
      minTlsVersion: o.minTlsVersion ?? 'TLSv1.2',
      maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      budget: this.#budget,
      earlyTalkerDelayMs: o.earlyTalkerDelayMs ?? 0,
      socketTimeoutMs: o.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
      closeTimeoutMs: o.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      maxClients: o.maxClients ?? DEFAULT_MAX_CLIENTS,
      maxRecipients: o.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
      traceProtocol: o.traceProtocol ?? false,
      sink: o.sink,
      logger: o.logger ?? stderrLogger,
      faults: this.#faults,
      shared: o.shared,
      sessions: o.sessions,
    };
  }

  /** The certificate a listener presents: shared generated, its own generated (by SANs) or supplied PEM. */
  async #material(config: ListenerConfig | undefined): Promise<TlsMaterial> {
    const c = config?.certificate;
    const key = certificateKey(c);
    let m = this.#certs.get(key);
    if (m) return m;
    if (key === 'default')
      m = await loadOrCreateCertificate(this.#options.dataDir, [this.#options.hostname ?? 'mailwright']);
    else if (c?.mode === 'pem') m = pemMaterial(c.cert, c.key);
    else m = await loadOrCreateWithSans(this.#options.dataDir, key, c?.mode === 'generated' ? (c.sans ?? []) : []);
    this.#certs.set(key, m);
    return m;
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

  /** Message bytes held in memory right now across every listener, the budget, and transactions it refused. */
  inFlight(): { bytes: number; limit: number; refused: number } {
    return { bytes: this.#budget.used, limit: this.#budget.limit, refused: this.#budget.refused };
  }

  /**
   * Without an id: the shared generated certificate (null until start() has loaded or made it). With an id:
   * the certificate that listener presents, null if it is unknown or not started yet.
   */
  certificate(listenerId?: string): CertificateInfo | null {
    const m = listenerId === undefined ? this.#certs.get('default') : this.#presented(listenerId)?.tls;
    return m ? { ...m.info } : null;
  }

  /** The PEM certificate (never the key) a listener presents, for clients to trust; null if not started. */
  certificatePem(listenerId: string): string | null {
    return this.#presented(listenerId)?.tls?.cert ?? null;
  }

  /** The listener with this id if it speaks TLS at all; a plain listener presents no certificate. */
  #presented(listenerId: string): Listener | undefined {
    const l = this.#listeners.find((x) => x.config.id === listenerId);
    return l && l.config.tls !== 'none' ? l : undefined;
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

function buildListeners(configs: ListenerConfig[]): Listener[] {
  return configs.map((config, i) => {
    const copy = structuredClone(config);
    return new Listener(copy, validateListener(copy, i), canonicalJson(copy));
  });
}

function validateIds(listeners: ListenerConfig[]): void {
  if (!Array.isArray(listeners))
    throw new MailwrightError('invalid_argument', '[smtp] listeners must be a list', 'listeners');
  const ids = new Set<string>();
  listeners.forEach((l, i) => {
    if (l && typeof l.id === 'string' && ids.has(l.id))
      throw new MailwrightError('invalid_argument', `[smtp] two listeners share the id "${l.id}"`, `listeners.${i}.id`);
    if (l && typeof l.id === 'string') ids.add(l.id);
  });
}

/** Configuration is checked once, here; each error names the area and the listener. */
function validate(o: CaptureOptions): void {
  validateIds(o.listeners);
  const positive = {
    maxMessageBytes: o.maxMessageBytes,
    maxInFlightBytes: o.maxInFlightBytes,
    socketTimeoutMs: o.socketTimeoutMs,
    maxClients: o.maxClients,
    maxRecipients: o.maxRecipients,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw new MailwrightError(
        'invalid_argument',
        `[smtp] ${name} must be a positive integer, got ${String(value)}`,
        name,
      );
  }
  for (const [name, value] of Object.entries({
    earlyTalkerDelayMs: o.earlyTalkerDelayMs,
    closeTimeoutMs: o.closeTimeoutMs,
  })) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new MailwrightError('invalid_argument', `[smtp] ${name} must be 0 or more, got ${String(value)}`, name);
  }
}

function sharedSignature(o: CaptureOptions): string {
  return JSON.stringify([
    o.hostname ?? null,
    o.maxMessageBytes ?? null,
    o.earlyTalkerDelayMs ?? null,
    o.minTlsVersion ?? null,
  ]);
}
