// Mailwright's messages in MailHog's JSON shape (mailhog/data message.go): the SMTP envelope as paths, the raw
// header block as a map of undecoded values, and multipart bodies split into their raw, still-encoded parts.
// No library keeps parts encoded (mailparser and mailsplit decode them), so the split is here, with its budgets.
import type { Envelope } from '../../../src-shared/index.js';

export interface MailhogPath {
  Relays: null;
  Mailbox: string;
  Domain: string;
  Params: string;
}

export interface MailhogContent {
  Headers: Record<string, string[]>;
  Body: string;
  Size: number;
  MIME: { Parts: MailhogContent[] } | null;
}

export interface MailhogMessage {
  ID: string;
  From: MailhogPath;
  To: MailhogPath[];
  Content: MailhogContent;
  Created: string;
  MIME: { Parts: MailhogContent[] } | null;
  Raw: { From: string; To: string[]; Data: string; Helo: string };
}

/** Multipart nesting followed; real mail nests a few levels, hostile mail dozens (the MIME tree stops at 32 too). */
const MAX_DEPTH = 16;
/** Parts listed per multipart; matches the MIME tree's node budget (message/mime.ts). */
const MAX_PARTS = 500;
/** Header lines read per part: a header block of thousands of lines is an attack, not mail. */
const MAX_HEADER_LINES = 2000;

export function mailhogPath(address: string): MailhogPath {
  const at = address.lastIndexOf('@');
  return {
    Relays: null,
    Mailbox: at < 0 ? address : address.slice(0, at),
    Domain: at < 0 ? '' : address.slice(at + 1),
    Params: '',
  };
}

export function mailhogMessage(id: number, receivedAt: string, raw: Buffer, envelope: Envelope): MailhogMessage {
  const data = raw.toString('utf8');
  const content = parseContent(data, 0);
  const mime = content.MIME;
  return {
    ID: String(id),
    From: mailhogPath(envelope.mailFrom),
    To: envelope.rcptTo.map(mailhogPath),
    // MailHog keeps the top-level parts on the message, not on its content.
    Content: { ...content, MIME: null },
    Created: receivedAt,
    MIME: mime,
    Raw: { From: envelope.mailFrom, To: envelope.rcptTo, Data: data, Helo: envelope.heloName },
  };
}

function parseContent(text: string, depth: number): MailhogContent {
  const { head, body } = splitHead(text);
  const headers = parseHeaders(head);
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1][0] ?? '';
  let mime: MailhogContent['MIME'] = null;
  const boundary = /^\s*multipart\//i.test(type) ? /boundary\s*=\s*"?([^";\r\n]{1,200})/i.exec(type)?.[1] : undefined;
  if (boundary && depth < MAX_DEPTH) {
    mime = { Parts: splitParts(body, boundary).map((part) => parseContent(part, depth + 1)) };
  }
  return { Headers: headers, Body: body, Size: Buffer.byteLength(body), MIME: mime };
}

function splitHead(text: string): { head: string; body: string } {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return { head: text, body: '' };
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { head: text.slice(0, crlf), body: text.slice(crlf + 4) };
  return { head: text.slice(0, lf), body: text.slice(lf + 2) };
}

/** `Name: value` lines, unfolded, values as written (MailHog does not decode encoded words). */
function parseHeaders(head: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let key = '';
  let value = '';
  const flush = (): void => {
    if (!key) return;
    (out[key] ??= []).push(value);
  };
  for (const line of head.split(/\r?\n/, MAX_HEADER_LINES)) {
    if (/^[ \t]/.test(line) && key) {
      value += ' ' + line.trim();
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    key = colon > 0 ? line.slice(0, colon).trim() : '';
    value = colon > 0 ? line.slice(colon + 1).trim() : '';
  }
  flush();
  return out;
}

/** The parts between `--boundary` lines, without the preamble, the epilogue or the line break around each. */
function splitParts(body: string, boundary: string): string[] {
  const pieces = body.split(`--${boundary}`);
  const parts: string[] = [];
  // pieces[0] is the preamble; a piece starting with `--` is the closing delimiter and what follows it.
  for (let i = 1; i < pieces.length && parts.length < MAX_PARTS; i++) {
    const piece = pieces[i]!;
    if (piece.startsWith('--')) break;
    parts.push(piece.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}
