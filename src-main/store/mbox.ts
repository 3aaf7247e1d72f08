// Reading import files: one .eml, or an mbox (mboxo/mboxrd, LF or CRLF), into raw messages.
// Bytes pass through latin1 strings, which map every byte to one char and back, so nothing is re-encoded.
import { MailwrightError } from '../../src-shared/index.js';

export interface ImportedMessage {
  raw: Buffer;
  /** The sender from the mbox From_ line, '' for an .eml. */
  mailFrom: string;
}

/** A message part of an mbox that is not a message (no header line) fails alone, with this reason. */
export const NOT_A_MESSAGE = 'not an RFC 5322 message: it does not start with a header line';

/** A header field line: printable ASCII name, then a colon (RFC 5322 section 2.2). */
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/**
 * Splits an import file into messages. Throws invalid_argument for an empty file or one that is
 * neither an mbox nor an .eml, so the user learns why nothing was imported.
 */
export function splitImport(data: Buffer, filename: string): ImportedMessage[] {
  if (data.length === 0) throw new MailwrightError('invalid_argument', `${filename}: the file is empty`, 'data');
  const text = data.toString('latin1').replace(/^\xef\xbb\xbf/, '');
  if (text.startsWith('From ')) return splitMbox(text);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  if (!HEADER_LINE.test(firstLine)) {
    throw new MailwrightError(
      'invalid_argument',
      `${filename}: not an .eml or mbox file (an .eml starts with a header line such as "From: …", an mbox with "From ")`,
      'data',
    );
  }
  return [{ raw: data, mailFrom: '' }];
}

export function isMessage(raw: Buffer): boolean {
  const head = raw.subarray(0, 1000).toString('latin1');
  return HEADER_LINE.test(head.slice(0, head.search(/\r?\n|$/)));
}

function splitMbox(text: string): ImportedMessage[] {
  const lines = text.split(/(?<=\n)/);
  const out: ImportedMessage[] = [];
  let current: string[] | null = null;
  let mailFrom = '';
  const finish = (): void => {
    if (!current) return;
    // The blank line before the next From_ line belongs to the mbox, not to the message.
    const last = current.length - 1;
    if (last >= 0 && /^\r?\n$/.test(current[last]!)) current.pop();
    out.push({ raw: Buffer.from(current.join(''), 'latin1'), mailFrom });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isFromLine(lines, i)) {
      finish();
      current = [];
      mailFrom = fromLineSender(line);
      continue;
    }
    // mboxrd escapes every ">*From " with one more '>'; mboxo only "From ". Removing one '>' undoes both.
    current?.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  finish();
  return out;
}

/**
 * A From_ separator: "From " at the start of the file, or after a blank line and followed by a
 * header line. Unescaped "From " lines inside bodies (mboxo writers) therefore stay in the body.
 */
function isFromLine(lines: string[], i: number): boolean {
  if (!lines[i]!.startsWith('From ')) return false;
  if (i === 0) return true;
  if (!/^\r?\n$/.test(lines[i - 1]!)) return false;
  const next = lines[i + 1];
  return next !== undefined && HEADER_LINE.test(next);
}

function fromLineSender(line: string): string {
  const sender = line.slice(5).trim().split(/\s+/)[0] ?? '';
  // Writers put "-" or "MAILER-DAEMON" when there was no envelope sender.
  return sender === '-' || sender === 'MAILER-DAEMON' ? '' : Buffer.from(sender, 'latin1').toString('utf8');
}
