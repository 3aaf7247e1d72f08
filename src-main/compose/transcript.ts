// The redacted transcript of one client connection, fed by nodemailer's logger. Credentials never reach it: a
// client line that starts AUTH keeps only its mechanism, every client line until AUTH ends becomes ***, and any
// known secret (and its base64 form) that still shows up anywhere is replaced as well.
import { format } from 'node:util';
import type { ClientTranscriptLine } from '../../src-shared/index.js';

/** A transcript is for reading: a conversation longer than this is summarised by its count of dropped lines. */
const MAX_LINES = 2000;
/** One line past this is cut; EHLO replies and greetings are far shorter. */
const MAX_LINE_CHARS = 2000;
const HIDDEN = '***';

/** The bunyan-like logger nodemailer calls: each level takes (entry, format, ...args). */
export type NodemailerLogger = Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', LogFn>;
type LogFn = (entry: { tnx?: string }, message: string, ...args: unknown[]) => void;

export class Transcript {
  readonly #started = performance.now();
  readonly #lines: ClientTranscriptLine[] = [];
  readonly #secrets: string[];
  #inAuth = false;
  #dropped = 0;

  constructor(secrets: readonly (string | undefined)[]) {
    // Longest first, so a secret that contains another is hidden whole.
    this.#secrets = secrets
      .filter((s): s is string => typeof s === 'string' && s.length >= 3)
      .flatMap((s) => [s, Buffer.from(s, 'utf8').toString('base64')])
      .sort((a, b) => b.length - a.length);
  }

  get lines(): ClientTranscriptLine[] {
    return this.#dropped
      ? [...this.#lines, { ms: this.elapsed(), dir: '*', text: `(${this.#dropped} more lines not kept)` }]
      : [...this.#lines];
  }

  elapsed(): number {
    return Math.round((performance.now() - this.#started) * 10) / 10;
  }

  note(text: string): void {
    this.#push('*', text);
  }

  client(text: string): void {
    if (/^AUTH\b/i.test(text)) {
      this.#inAuth = true;
      const mechanism = /^AUTH\s+(\S+)/i.exec(text)?.[1] ?? '';
      this.#push('C', `AUTH ${mechanism}${/^AUTH\s+\S+\s+\S/i.test(text) ? ` ${HIDDEN}` : ''}`);
      return;
    }
    this.#push('C', this.#inAuth ? HIDDEN : text);
  }

  server(text: string): void {
    for (const line of text.split(/\r?\n/)) {
      if (this.#inAuth && !/^334[ -]/.test(line)) this.#inAuth = false;
      this.#push('S', line);
    }
  }

  /** The logger to hand nodemailer (with transactionLog: true, never debug, so message bodies are not logged). */
  logger(): NodemailerLogger {
    return transcriptLogger(() => this);
  }

  /** First line from `dir` whose text matches, at or after `fromIndex`. */
  find(
    dir: ClientTranscriptLine['dir'],
    pattern: RegExp,
    fromIndex = 0,
  ): { index: number; line: ClientTranscriptLine } | null {
    for (let i = fromIndex; i < this.#lines.length; i++) {
      const line = this.#lines[i]!;
      if (line.dir === dir && pattern.test(line.text)) return { index: i, line };
    }
    return null;
  }

  /** The whole reply (all its lines) starting at the first server line at or after `fromIndex`. */
  replyAfter(fromIndex: number): { text: string; ms: number; endIndex: number } | null {
    const start = this.find('S', /./, fromIndex);
    if (!start) return null;
    const parts: string[] = [];
    let i = start.index;
    for (; i < this.#lines.length; i++) {
      const line = this.#lines[i]!;
      if (line.dir !== 'S') continue;
      parts.push(line.text);
      if (!/^\d{3}-/.test(line.text)) break;
    }
    const last = this.#lines[Math.min(i, this.#lines.length - 1)]!;
    return { text: parts.join('\n'), ms: last.ms, endIndex: i };
  }

  #push(dir: ClientTranscriptLine['dir'], raw: string): void {
    if (this.#lines.length >= MAX_LINES) {
      this.#dropped++;
      return;
    }
    let text = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}…` : raw;
    for (const secret of this.#secrets) if (text.includes(secret)) text = text.split(secret).join(HIDDEN);
    this.#lines.push({ ms: this.elapsed(), dir, text });
  }
}

/**
 * A nodemailer logger that writes to whichever transcript `target` names when a line arrives: a bulk run's
 * connection outlives its messages, and each message (each attempt) gets a transcript of its own.
 */
export function transcriptLogger(target: () => Transcript): NodemailerLogger {
  const log: LogFn = (entry, message, ...args) => {
    const text = format(message, ...args);
    if (entry.tnx === 'client') target().client(text);
    else if (entry.tnx === 'server') target().server(text);
    else if (entry.tnx === 'network') target().note(text);
  };
  const ignore: LogFn = () => undefined;
  return { trace: ignore, debug: log, info: log, warn: log, error: log, fatal: log };
}
