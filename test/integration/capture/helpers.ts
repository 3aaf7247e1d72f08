// Shared by the capture server tests: a running CaptureServer on port 0 with a temp data folder and a
// recording sink, plus a tiny raw SMTP client for speaking the protocol byte by byte.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Envelope } from '../../../src-shared/index.js';
import {
  CaptureServer,
  silentLogger,
  type CaptureOptions,
  type ListenerConfig,
  type MessageSink,
} from '../../../src-main/capture/index.js';

export interface Recorded {
  raw: Buffer;
  envelope: Envelope;
}

export interface Harness {
  server: CaptureServer;
  messages: Recorded[];
  dataDir: string;
  port(id?: string): number;
  close(): Promise<void>;
}

export const PLAIN: ListenerConfig = { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' };
export const IMPLICIT: ListenerConfig = { id: 'smtps', host: '127.0.0.1', port: 0, tls: 'implicit' };

/** A recording sink unless the test brings its own. */
export async function startCapture(options: Partial<CaptureOptions> & { sink?: MessageSink } = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mw-smtp-'));
  const messages: Recorded[] = [];
  const sink: MessageSink = options.sink ?? {
    ingest: async (raw, envelope) => {
      messages.push({ raw, envelope });
      return { id: messages.length };
    },
  };
  const server = new CaptureServer({ listeners: [PLAIN, IMPLICIT], logger: silentLogger, ...options, dataDir, sink });
  await server.start();
  return {
    server,
    messages,
    dataDir,
    port(id = 'smtp') {
      const l = server.status().find((s) => s.id === id);
      if (!l || l.state !== 'listening') throw new Error(`listener ${id} is not listening: ${JSON.stringify(l)}`);
      return l.port;
    },
    async close() {
      await server.stop();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every RFC 5321 reply ends with a line "ddd text" (space after the code). */
const REPLY_END = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n$/;
/** A reply longer than this is not SMTP; the test fails instead of buffering forever. */
const MAX_REPLY_BYTES = 64 * 1024;

/** A minimal SMTP client: write raw bytes, read whole replies. Every wait is bounded by the socket closing. */
export class RawClient {
  readonly socket: net.Socket;
  #buffer = '';
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      if (this.#buffer.length > MAX_REPLY_BYTES) socket.destroy(new Error('reply too long'));
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects; with `first` the bytes are written in the connect callback, before any reply was read. */
  static connect(port: number, first?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        if (first) socket.write(first);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** What arrived and was not yet returned by reply(); '' when the server said nothing more. */
  get unread(): string {
    return this.#buffer;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves with the next complete reply (all its lines), or whatever arrived when the server closed. */
  async reply(): Promise<string> {
    for (;;) {
      const m = REPLY_END.exec(this.#buffer);
      if (m) {
        const reply = this.#buffer;
        this.#buffer = '';
        return reply;
      }
      if (this.#closed) {
        const rest = this.#buffer;
        this.#buffer = '';
        return rest;
      }
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** Sends one command and returns its reply. */
  async command(line: string): Promise<string> {
    this.write(line + '\r\n');
    return this.reply();
  }

  /** Resolves when the server closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.#closed) await new Promise<void>((r) => this.#waiters.push(r));
  }

  end(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

/** Opens a session up to the 354 of DATA: greeting, EHLO, MAIL, RCPT, DATA. */
export async function openData(port: number, rcpt = 'rcpt@example.com'): Promise<RawClient> {
  const c = await RawClient.connect(port);
  expectCode(await c.reply(), 220);
  expectCode(await c.command('EHLO raw.test'), 250);
  expectCode(await c.command('MAIL FROM:<raw@example.com>'), 250);
  expectCode(await c.command(`RCPT TO:<${rcpt}>`), 250);
  expectCode(await c.command('DATA'), 354);
  return c;
}

export function expectCode(reply: string, code: number): void {
  if (!reply.startsWith(String(code))) throw new Error(`expected ${code}, got ${JSON.stringify(reply)}`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real client program; a non-zero exit is a result to assert on, not a thrown error. */
export function run(file: string, args: string[], input?: string, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : null
        : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** What swaks sends unless a test says otherwise. */
export interface SwaksMessage {
  from?: string;
  to?: string;
  subject?: string;
  body?: string;
}

/** swaks against a loopback listener with a known sender, recipient and body; `extra` flags (TLS, AUTH) come last. */
export function swaks(port: number, extra: string[] = [], message: SwaksMessage = {}): Promise<RunResult> {
  return run('/usr/bin/swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(port),
    '--helo',
    'swaks.test',
    '--timeout',
    '20',
    '--from',
    message.from ?? 'swaks@example.com',
    '--to',
    message.to ?? 'rcpt@example.com',
    ...(message.subject === undefined ? [] : ['--header', `Subject: ${message.subject}`]),
    '--body',
    message.body ?? 'swaks body',
    ...extra,
  ]);
}

/** Message bytes as they must arrive: CRLF line ends, ending in CRLF. */
export function toCrlf(message: Buffer): Buffer {
  const text = message.toString('latin1').replace(/\r?\n/g, '\r\n');
  return Buffer.from(text.endsWith('\r\n') ? text : text + '\r\n', 'latin1');
}

/** What a client puts on the wire for DATA: dot-stuffed lines and the final dot. */
export function dotStuff(crlfMessage: Buffer): Buffer {
  const text = crlfMessage.toString('latin1').replace(/^\./gm, '..');
  return Buffer.from(text + '.\r\n', 'latin1');
}
