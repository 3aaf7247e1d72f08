// Reading import files as a byte stream: one .eml, or an mbox (mboxo/mboxrd, LF or CRLF), split into raw
// messages as the bytes arrive. Works on Buffers only, so no file and no line ever becomes a string: memory is
// one message (at most maxMessageBytes) plus the chunk being read, whatever the size of the file.
import { MailwrightError } from '../../src-shared/index.js';

/** One message found in an import file. */
export interface SplitMessage {
  /** 0-based position of the message in the file. */
  index: number;
  /** Byte offset in the file where the message starts (after its From_ line), for error reports. */
  offset: number;
  /** The sender from the mbox From_ line, '' for an .eml. */
  mailFrom: string;
  /** The message bytes; null when it was larger than maxMessageBytes (then only its size was counted). */
  raw: Buffer | null;
  size: number;
}

/** A message part of an mbox that is not a message (no header line) fails alone, with this reason. */
export const NOT_A_MESSAGE = 'not an RFC 5322 message: it does not start with a header line';

/**
 * Bytes of a line's start that decide what it is (header line, From_ line). RFC 5322 lines stop at 998
 * characters, so a header name that has not met its colon by then is not a header name.
 */
const LINE_PROBE_BYTES = 998;
const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_ = Buffer.from('From ', 'latin1');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A header field line: printable ASCII name without colon, optional blanks, then a colon (RFC 5322 section 2.2). */
export function isHeaderLine(line: Buffer): boolean {
  const end = Math.min(line.length, LINE_PROBE_BYTES);
  let i = 0;
  while (i < end && line[i]! >= 0x21 && line[i]! <= 0x7e && line[i] !== 0x3a) i++;
  if (i === 0) return false;
  while (i < end && (line[i] === 0x20 || line[i] === 0x09)) i++;
  return i < end && line[i] === 0x3a;
}

/** Whether a message starts with a header line, as every RFC 5322 message does. */
export function isMessage(raw: Buffer): boolean {
  return isHeaderLine(raw);
}

function isBlank(line: Buffer): boolean {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === CR && line[1] === LF);
}

function startsWithFrom(line: Buffer, at = 0): boolean {
  return line.length - at >= FROM_.length && line.compare(FROM_, 0, FROM_.length, at, at + FROM_.length) === 0;
}

/** mboxrd escapes every ">*From " with one more '>'; mboxo only "From ". Removing one '>' undoes both. */
function isEscapedFrom(line: Buffer): boolean {
  let i = 0;
  while (i < line.length && line[i] === GT) i++;
  return i > 0 && startsWithFrom(line, i);
}

function fromLineSender(line: Buffer): string {
  const text = line.subarray(FROM_.length, Math.min(line.length, LINE_PROBE_BYTES)).toString('latin1');
  const sender = text.trim().split(/\s+/)[0] ?? '';
  // Writers put "-" or "MAILER-DAEMON" when there was no envelope sender.
  return sender === '-' || sender === 'MAILER-DAEMON' ? '' : Buffer.from(sender, 'latin1').toString('utf8');
}

/** A complete line, or the probe-sized start of one that was too long to keep (`length` says how long it was). */
interface Line {
  bytes: Buffer;
  length: number;
  truncated: boolean;
}

class MessageBuilder {
  readonly index: number;
  readonly offset: number;
  readonly mailFrom: string;
  #parts: Buffer[] = [];
  #size = 0;
  #oversize = false;
  /** Length of the last line when it was blank: the blank line before a From_ line belongs to the mbox. */
  #trailingBlank = 0;
  readonly #max: number;

  constructor(index: number, offset: number, mailFrom: string, max: number) {
    this.index = index;
    this.offset = offset;
    this.mailFrom = mailFrom;
    this.#max = max;
  }

  /** Adds non-blank content. */
  add(bytes: Buffer, length = bytes.length): void {
    this.#trailingBlank = 0;
    this.#grow(bytes, length);
  }

  addBlank(line: Buffer): void {
    this.#grow(line, line.length);
    this.#trailingBlank = line.length;
  }

  /** The finished message; `dropTrailingBlank` for mbox messages, whose last blank line separates them. */
  finish(dropTrailingBlank: boolean): SplitMessage {
    const size = this.#size - (dropTrailingBlank ? this.#trailingBlank : 0);
    const raw = this.#oversize ? null : Buffer.concat(this.#parts, size);
    this.#parts = [];
    return { index: this.index, offset: this.offset, mailFrom: this.mailFrom, raw, size };
  }

  #grow(bytes: Buffer, length: number): void {
    this.#size += length;
    if (this.#oversize) return;
    if (this.#size > this.#max || length !== bytes.length) {
      // Past the limit only the size is counted; the bytes kept so far are let go at once.
      this.#oversize = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(bytes);
  }
}

/**
 * Splits an import file fed in chunks. push() and end() return the messages completed so far, in file order.
 * Throws invalid_argument for an empty file or one that is neither an mbox nor an .eml, so the user learns
 * why nothing was imported. Bytes handed to push() must not be changed afterwards (messages may point into them).
 */
export class ImportSplitter {
  readonly #filename: string;
  readonly #max: number;
  #mode: 'detect' | 'eml' | 'mbox' = 'detect';
  /** File bytes seen so far; the offset of the next chunk's first byte. */
  #offset = 0;
  /** The start of the file while its format is not known yet. */
  #head: Buffer[] = [];
  #headBytes = 0;
  #out: SplitMessage[] = [];
  #message: MessageBuilder | null = null;
  #nextIndex = 0;
  // mbox line state
  /** The pieces of a line that a chunk boundary cut, and where it started in the file. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #partialOffset = 0;
  #partialTruncated = false;
  #previousBlank = false;
  /** A "From " line after a blank line: a separator only if a header line follows, else body text. */
  #candidate: Line | null = null;
  #firstLine = true;

  constructor(filename: string, maxMessageBytes: number) {
    this.#filename = filename;
    this.#max = maxMessageBytes;
  }

  push(chunk: Buffer): SplitMessage[] {
    if (chunk.length === 0) return this.#take();
    if (this.#mode === 'detect') {
      this.#head.push(chunk);
      this.#headBytes += chunk.length;
      if (!this.#detect(false)) return [];
      return this.#take();
    }
    this.#feed(chunk);
    return this.#take();
  }

  end(): SplitMessage[] {
    if (this.#mode === 'detect') this.#detect(true);
    if (this.#mode === 'mbox') {
      if (this.#partialBytes > 0 || this.#partialTruncated) this.#line(this.#takePartial(), this.#partialOffset);
      const candidate = this.#candidate;
      this.#candidate = null;
      if (candidate) this.#message?.add(candidate.bytes, candidate.length);
      this.#finishMessage();
    } else if (this.#mode === 'eml') {
      this.#finishMessage();
    }
    return this.#take();
  }

  /** Decides the format once the first line (or the end of the file) is in; false while more bytes are needed. */
  #detect(atEnd: boolean): boolean {
    const head = Buffer.concat(this.#head, this.#headBytes);
    const bom = head.length >= BOM.length && head.compare(BOM, 0, BOM.length, 0, BOM.length) === 0 ? BOM.length : 0;
    const firstLineEnd = head.indexOf(LF, bom);
    const known = atEnd || firstLineEnd !== -1 || head.length - bom >= LINE_PROBE_BYTES;
    if (!known) return false;
    this.#head = [];
    this.#headBytes = 0;
    if (head.length === 0)
      throw new MailwrightError('invalid_argument', `${this.#filename}: the file is empty`, 'data');
    if (startsWithFrom(head, bom)) {
      this.#mode = 'mbox';
      this.#offset = bom;
      this.#feed(head.subarray(bom));
      return true;
    }
    if (!isHeaderLine(head.subarray(bom))) {
      throw new MailwrightError(
        'invalid_argument',
        `${this.#filename}: not an .eml or mbox file (an .eml starts with a header line such as "From: …", an mbox with "From ")`,
        'data',
      );
    }
    // An .eml is kept exactly as it is, byte order mark included.
    this.#mode = 'eml';
    this.#message = new MessageBuilder(this.#nextIndex++, 0, '', this.#max);
    this.#feed(head);
    return true;
  }

  #feed(chunk: Buffer): void {
    const chunkOffset = this.#offset;
    this.#offset += chunk.length;
    if (this.#mode === 'eml') {
      this.#message!.add(chunk);
      return;
    }
    let pos = 0;
    if (this.#partialBytes > 0 || this.#partialTruncated) {
      const newline = chunk.indexOf(LF);
      if (newline === -1) {
        this.#keepPartial(chunk, chunkOffset);
        return;
      }
      this.#keepPartial(chunk.subarray(0, newline + 1), chunkOffset);
      this.#line(this.#takePartial(), this.#partialOffset);
      pos = newline + 1;
    }
    // Ordinary lines (most of a file) are not looked at one by one: a run of them joins the message as one slice.
    let runStart = pos;
    while (pos < chunk.length) {
      const newline = chunk.indexOf(LF, pos);
      if (newline === -1) break;
      const first = chunk[pos];
      if (
        this.#candidate === null &&
        !this.#firstLine &&
        first !== 0x46 /* F */ &&
        first !== GT &&
        first !== CR &&
        first !== LF
      ) {
        pos = newline + 1;
        continue;
      }
      this.#addRun(chunk, runStart, pos);
      this.#line(
        { bytes: chunk.subarray(pos, newline + 1), length: newline + 1 - pos, truncated: false },
        chunkOffset + pos,
      );
      pos = newline + 1;
      runStart = pos;
    }
    this.#addRun(chunk, runStart, pos);
    if (pos < chunk.length) this.#keepPartial(chunk.subarray(pos), chunkOffset + pos);
  }

  #addRun(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.#message?.add(chunk.subarray(start, end));
    this.#previousBlank = false;
  }

  /** One complete line that may be a separator, an escape, a blank line, or the line after a From_ candidate. */
  #line(line: Line, offset: number): void {
    if (this.#firstLine) {
      this.#firstLine = false;
      this.#startMessage(fromLineSender(line.bytes), offset + line.length);
      return;
    }
    const candidate = this.#candidate;
    if (candidate) {
      this.#candidate = null;
      if (isHeaderLine(line.bytes)) {
        this.#finishMessage();
        this.#startMessage(fromLineSender(candidate.bytes), offset);
      } else {
        this.#message?.add(candidate.bytes, candidate.length);
      }
      this.#previousBlank = false;
    }
    if (isBlank(line.bytes)) {
      this.#message?.addBlank(line.bytes);
      this.#previousBlank = true;
      return;
    }
    const afterBlank = this.#previousBlank;
    this.#previousBlank = false;
    if (afterBlank && startsWithFrom(line.bytes)) {
      this.#candidate = line;
      return;
    }
    if (!line.truncated && isEscapedFrom(line.bytes)) this.#message?.add(line.bytes.subarray(1));
    else this.#message?.add(line.bytes, line.length);
  }

  #startMessage(mailFrom: string, offset: number): void {
    this.#message = new MessageBuilder(this.#nextIndex++, offset, mailFrom, this.#max);
  }

  #finishMessage(): void {
    if (!this.#message) return;
    this.#out.push(this.#message.finish(this.#mode === 'mbox'));
    this.#message = null;
  }

  /**
   * Keeps the cut line's pieces. A line longer than any message may be is kept as its first bytes only: that is
   * enough to know what it is, and the message it belongs to is too large anyway.
   */
  #keepPartial(piece: Buffer, offset: number): void {
    if (this.#partialBytes === 0 && !this.#partialTruncated) this.#partialOffset = offset;
    this.#partialBytes += piece.length;
    if (this.#partialTruncated) return;
    this.#partial.push(piece);
    if (this.#partialBytes > this.#max + 2) {
      this.#partial = [Buffer.concat(this.#partial).subarray(0, LINE_PROBE_BYTES)];
      this.#partialTruncated = true;
    }
  }

  #takePartial(): Line {
    const bytes = this.#partial.length === 1 ? this.#partial[0]! : Buffer.concat(this.#partial);
    const line = { bytes, length: this.#partialBytes, truncated: this.#partialTruncated };
    this.#partial = [];
    this.#partialBytes = 0;
    this.#partialTruncated = false;
    return line;
  }

  #take(): SplitMessage[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }
}
