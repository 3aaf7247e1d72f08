// Session recording for one listener: a transcript per SMTP connection (secrets and message data elided),
// its outcome and the messages it delivered, handed to an observer once the connection closes.
// Fed by smtp-server's protocol log (the `logger` option). Must not import the store or electron.
import { format } from 'node:util';
import type { SessionRecord, SessionTls } from '../../src-shared/index.js';

/**
 * Transcript lines kept per session. A normal session is 10-20 lines; a client pipelining thousands of
 * RCPTs or NOOPs is recorded up to here and the rest counted, so one hostile client can't grow memory.
 */
export const MAX_TRANSCRIPT_LINES = 1000;
/** Characters kept per line: SMTP caps a command line at 512 octets (RFC 5321 4.5.3.1.4); longer is noise. */
export const MAX_LINE_CHARS = 512;
/**
 * Characters kept per session. Sessions are buffered in memory until they end; with smtp-server's 500
 * concurrent clients this caps the worst case at about 32 MB (64 KiB each), well under one large message.
 */
export const MAX_TRANSCRIPT_CHARS = 64 * 1024;

/** What smtp-server's protocol log writes in place of an AUTH secret. */
const SECURED = '/* secured */';
const TIMEOUT_TEXT = /timeout|time limit/i;

export type { RecordedLine, SessionRecord } from '../../src-shared/index.js';

/** Hooks the capture server's owner gives; each is cheap and called synchronously on the SMTP path. */
export interface SessionObserver {
  /** A connection was accepted. */
  opened?(listener: string): void;
  /** A refusal (4xx/5xx) that was not an AUTH failure, by reply code. */
  rejected?(code: number): void;
  authFailed?(): void;
  /** A message of this many bytes was stored. */
  accepted?(bytes: number): void;
  /** The connection closed; the record is complete and no longer referenced by the listener. */
  ended(record: SessionRecord): void;
}

type ClientStage = 'connect' | 'auth' | 'mail' | 'other';

/** One connection's recording. */
export class SessionRecorder {
  readonly record: SessionRecord;
  readonly #observer: SessionObserver;
  #chars = 0;
  #stage: ClientStage = 'connect';
  #quit = false;
  #timedOut = false;
  #lastAuthCode: number | null = null;
  #lastRejectCode: number | null = null;
  #pendingStores = 0;
  #closed = false;

  constructor(listener: string, clientAddress: string, clientPort: number, observer: SessionObserver) {
    const now = Date.now();
    this.#observer = observer;
    this.record = {
      listener,
      clientAddress,
      clientPort,
      tls: null,
      helo: '',
      authUser: null,
      startedAt: now,
      endedAt: now,
      outcome: 'dropped',
      outcomeCode: null,
      authFailures: 0,
      rejected: 0,
      messageIds: [],
      lines: [],
      truncatedLines: 0,
    };
    observer.opened?.(listener);
  }

  /** A command line as smtp-server logs it: AUTH arguments and continuation lines already read "/* secured *\/". */
  client(line: string, command: string): void {
    const verb = command.toUpperCase();
    if (verb === 'AUTH') this.#stage = 'auth';
    else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'DATA') this.#stage = 'mail';
    else this.#stage = 'other';
    if (verb === 'QUIT') this.#quit = true;
    if (verb === 'EHLO' || verb === 'HELO' || verb === 'LHLO')
      this.record.helo = line.slice(5, 5 + MAX_LINE_CHARS).trim();
    this.#push('C', line.includes(SECURED) ? line.replace(SECURED, '***') : line);
  }

  /** The DATA content itself is never recorded, only its size. */
  data(bytes: number): void {
    this.#stage = 'mail';
    this.#push('C', `<message data: ${bytes} bytes>`);
  }

  /** A reply line exactly as written to the socket. */
  server(payload: string): void {
    this.#push('S', payload);
    const code = Number(payload.slice(0, 3));
    if (!(code >= 400)) return;
    if (code === 421 && TIMEOUT_TEXT.test(payload)) {
      this.#timedOut = true;
      return;
    }
    if (this.#stage === 'auth') {
      this.record.authFailures++;
      this.#lastAuthCode = code;
      this.#observer.authFailed?.();
      return;
    }
    // 500-504 are the client's syntax and sequence mistakes, not the server refusing anything.
    if (code >= 500 && code <= 504 && this.#stage !== 'connect') return;
    this.record.rejected++;
    this.#lastRejectCode = code;
    this.#observer.rejected?.(code);
  }

  tls(info: SessionTls): void {
    this.record.tls = info;
  }

  authenticated(user: string): void {
    this.record.authUser = user;
  }

  /**
   * A store is under way; the record waits for it so a client that hangs up early still links its message.
   * Returns the function to call once with the stored id (null when storing failed).
   */
  storing(): (id: number | null, bytes: number) => void {
    this.#pendingStores++;
    let done = false;
    return (id, bytes) => {
      if (done) return;
      done = true;
      this.#stored(id, bytes);
    };
  }

  #stored(id: number | null, bytes: number): void {
    this.#pendingStores--;
    if (id !== null) {
      this.record.messageIds.push(id);
      this.#observer.accepted?.(bytes);
    }
    if (this.#closed && this.#pendingStores === 0) this.#finish();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.record.endedAt = Date.now();
    if (this.#pendingStores === 0) this.#finish();
  }

  #finish(): void {
    const r = this.record;
    if (r.messageIds.length > 0) r.outcome = 'delivered';
    else if (this.#timedOut) r.outcome = 'timedOut';
    else if (r.authFailures > 0) r.outcome = 'authFailed';
    else if (r.rejected > 0) r.outcome = 'rejected';
    else r.outcome = this.#quit ? 'quit' : 'dropped';
    r.outcomeCode =
      r.outcome === 'timedOut'
        ? 421
        : r.outcome === 'authFailed'
          ? this.#lastAuthCode
          : r.outcome === 'rejected'
            ? this.#lastRejectCode
            : null;
    this.#observer.ended(r);
  }

  #push(dir: 'C' | 'S', text: string): void {
    const r = this.record;
    if (r.lines.length >= MAX_TRANSCRIPT_LINES || this.#chars >= MAX_TRANSCRIPT_CHARS) {
      r.truncatedLines++;
      return;
    }
    const line = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… (${text.length} chars)` : text;
    this.#chars += line.length;
    r.lines.push([dir, Date.now() - r.startedAt, line]);
  }
}

interface LogEntry {
  tnx?: unknown;
  cid?: unknown;
  command?: unknown;
  bytes?: unknown;
}

/** smtp-server's bunyan-style call: a data object first, then a format string and its arguments. */
type LogFn = (...params: unknown[]) => void;
export interface ProtocolLogger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}

/**
 * The listener's recorders by connection id, and the smtp-server `logger` that feeds them. smtp-server
 * 3.21.6 logs every command ('command', secrets already elided), every reply as written ('send') and
 * the DATA size ('data') at debug level; that is the one place that sees each line exactly once.
 */
export class SessionLog {
  readonly #byId = new Map<string, SessionRecorder>();

  constructor(
    readonly listener: string,
    readonly observer: SessionObserver,
  ) {}

  open(id: string, clientAddress: string, clientPort: number): SessionRecorder {
    const recorder = new SessionRecorder(this.listener, clientAddress, clientPort, this.observer);
    this.#byId.set(id, recorder);
    return recorder;
  }

  get(id: string): SessionRecorder | undefined {
    return this.#byId.get(id);
  }

  close(id: string): void {
    const recorder = this.#byId.get(id);
    this.#byId.delete(id);
    recorder?.close();
  }

  /** For `server.logger`. With `trace`, every entry is also printed, as smtp-server's own console logger would. */
  logger(trace: boolean): ProtocolLogger {
    const print: LogFn = trace
      ? (...p) => console.log(format(...(typeof p[0] === 'string' ? p : p.slice(1))))
      : () => undefined;
    const debug: LogFn = (...p) => {
      const entry = (typeof p[0] === 'object' && p[0] !== null ? p[0] : {}) as LogEntry;
      const recorder = typeof entry.cid === 'string' ? this.#byId.get(entry.cid) : undefined;
      if (recorder) {
        // Every protocol line arrives as (entry, 'C:' or 'S:', line).
        if (entry.tnx === 'command') recorder.client(String(p[2] ?? ''), String(entry.command ?? ''));
        else if (entry.tnx === 'send') recorder.server(String(p[2] ?? ''));
        else if (entry.tnx === 'data') recorder.data(Number(entry.bytes) || 0);
      }
      print(...p);
    };
    return { trace: print, debug, info: print, warn: print, error: print, fatal: print };
  }
}
