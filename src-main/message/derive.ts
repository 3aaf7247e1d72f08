// Derivation for the store's summary and full-text index, plus the cheap header-only summary the
// ingest path shows before derivation has run. Must not import electron, the store or any binding.
import { parseAddressHeader, simpleParser, type AddressObject } from 'mailparser';
import libmime from 'libmime';
import type { Address, MessageSummary } from '../../src-shared/index.js';
import { stripHtml } from './html-to-text.js';

/** What the indexer derives from raw bytes: the summary fields plus the text that goes into the full-text index. */
export interface DerivedMessage {
  from: MessageSummary['from'];
  to: MessageSummary['to'];
  cc: MessageSummary['cc'];
  subject: string;
  date: string | null;
  hasAttachments: boolean;
  snippet: string;
  parseError: string | null;
  /** Text for the FTS5 columns. */
  fts: { from: string; to: string; subject: string; body: string; headers: string };
}

/**
 * Version of what deriveMessage produces. Bump it when the derived fields or index text change: the
 * store then re-derives every message from its raw bytes on the next start.
 */
export const DERIVE_VERSION = 1;

/** The header fields the list shows, read without MIME parsing. */
export type QuickSummary = Pick<DerivedMessage, 'from' | 'to' | 'cc' | 'subject' | 'date'>;

/** The ingest path reads at most this much header: a 200 KB header must not slow every SMTP reply; the indexer reads the rest. */
const QUICK_HEADER_BYTES = 64 * 1024;
/** Body text indexed per message: enough for any real test mail, while a 50 MB text part cannot make one index write take seconds. */
const FTS_BODY_CHARS = 1024 * 1024;
/** Header text indexed per message: headers are searchable, but a hostile 200 KB header gains nothing past this. */
const FTS_HEADER_CHARS = 64 * 1024;
/** HTML stripped for the text of an HTML-only message; twice the body budget since tags are dropped. */
const STRIP_HTML_CHARS = 2 * FTS_BODY_CHARS;
const SNIPPET_CHARS = 200;
/** Addresses kept per header in the summary: a To with 10,000 recipients is a list row, not a database. */
const MAX_ADDRESSES = 500;

/** From/To/Cc/Subject/Date from the header block only; cheap enough to run on the SMTP commit path. */
export function quickSummary(raw: Buffer): QuickSummary {
  const head = headerBlock(raw);
  const fields = new Map<string, string[]>();
  for (const [key, value] of unfold(head)) {
    if (key !== 'from' && key !== 'to' && key !== 'cc' && key !== 'subject' && key !== 'date') continue;
    const list = fields.get(key) ?? [];
    list.push(value);
    fields.set(key, list);
  }
  const first = (k: string): string | undefined => fields.get(k)?.[0];
  return {
    from: addresses(safeAddressHeader(first('from')))[0] ?? null,
    to: addresses(safeAddressHeader(fields.get('to'))),
    cc: addresses(safeAddressHeader(fields.get('cc'))),
    subject: decodeWords(first('subject') ?? '').trim(),
    date: isoDate(first('date')),
  };
}

/** Decoded values of the named fields (lower-case names), from the header block only (the same budget as above). */
export function quickHeaders(raw: Buffer, names: ReadonlySet<string>): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const [key, value] of unfold(headerBlock(raw))) {
    if (!names.has(key)) continue;
    const list = fields.get(key) ?? [];
    list.push(decodeWords(value));
    fields.set(key, list);
  }
  return fields;
}

/** Derive the summary and index text. Never throws: a broken message gets parseError and what could be read. */
export async function deriveMessage(raw: Buffer): Promise<DerivedMessage> {
  const quick = safeQuick(raw);
  try {
    const parsed = await simpleParser(raw, {
      // The index needs text, not rendered HTML or links: these conversions cost more than the parse.
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      checksumAlgo: false,
    });
    let body = parsed.text ?? '';
    if (!body.trim() && typeof parsed.html === 'string') body = stripHtml(parsed.html.slice(0, STRIP_HTML_CHARS));
    body = body.slice(0, FTS_BODY_CHARS);
    const from = addresses(parsed.from)[0] ?? quick.from;
    const to = addresses(parsed.to);
    const cc = addresses(parsed.cc);
    const bcc = addresses(parsed.bcc);
    const subject = (parsed.subject ?? quick.subject).trim();
    const headers = parsed.headerLines
      .map((h) => h.line)
      .join('\n')
      .slice(0, FTS_HEADER_CHARS);
    return {
      from,
      to,
      cc,
      subject,
      // mailparser turns a bad Date into "now"; the summary must say it is unknown instead.
      date: quick.date,
      hasAttachments: parsed.attachments.some((a) => !a.related),
      snippet: snippet(body),
      parseError: null,
      fts: {
        from: addressText(from ? [from] : []),
        to: addressText([...to, ...cc, ...bcc]),
        subject,
        body,
        headers: decodeWords(headers),
      },
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const headers = headerBlock(raw).slice(0, FTS_HEADER_CHARS);
    const body = raw.subarray(headerEnd(raw), headerEnd(raw) + FTS_BODY_CHARS).toString('utf8');
    return {
      ...quick,
      hasAttachments: false,
      snippet: snippet(body),
      parseError: message || 'unparseable message',
      fts: {
        from: addressText(quick.from ? [quick.from] : []),
        to: addressText([...quick.to, ...quick.cc]),
        subject: quick.subject,
        body,
        headers,
      },
    };
  }
}

function safeQuick(raw: Buffer): QuickSummary {
  try {
    return quickSummary(raw);
  } catch {
    return { from: null, to: [], cc: [], subject: '', date: null };
  }
}

/** The header block as text (UTF-8, invalid bytes replaced), including the blank line that ends it. */
function headerBlock(raw: Buffer): string {
  return raw.subarray(0, headerEnd(raw)).toString('utf8');
}

/** Byte offset just past the blank line that ends the header, or the header budget when none is found in it. */
function headerEnd(raw: Buffer): number {
  const window = raw.subarray(0, Math.min(raw.length, QUICK_HEADER_BYTES));
  const crlf = window.indexOf('\r\n\r\n');
  const lf = window.indexOf('\n\n');
  const candidates = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((n) => n >= 0);
  return candidates.length ? Math.min(...candidates) : window.length;
}

/** Header fields as [lower-case key, unfolded value]; lines that are not `name: value` are skipped. */
function* unfold(head: string): Generator<[string, string]> {
  let key = '';
  let value = '';
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && key) {
      value += ' ' + line.trim();
      continue;
    }
    if (key) yield [key, value];
    const colon = line.indexOf(':');
    if (colon > 0 && /^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon))) {
      key = line.slice(0, colon).toLowerCase();
      value = line.slice(colon + 1).trim();
    } else {
      key = '';
    }
  }
  if (key) yield [key, value];
}

// The parts of a simple address, each a single character class, so every test below is linear.
const ADDR_SPEC = /^[^\s<>",;:\\@()]+@[^\s<>",;:\\@()]+$/;
const BARE_ADDR_SPEC = /^[^\s<>",;:\\@()=]+@[^\s<>",;:\\@()]+$/;
const PLAIN_DISPLAY_NAME = /^[^"<>,;:\\=@()]*$/;
const QUOTED_DISPLAY_NAME = /^"[^"\\]*"$/;

/**
 * `Name <a@b>`, `"Name" <a@b>` or `a@b`: no encoded words, groups, comments or lists; null for anything else.
 * Split by hand rather than one pattern: `^\s*(name*?)\s*<…` backtracked through every split of a run of
 * spaces between the name and `<`, so a From of a word and 60,000 spaces took seconds (issue 7).
 */
function simpleAddress(value: string): Address | null {
  const v = value.trim();
  if (!v.endsWith('>')) return BARE_ADDR_SPEC.test(v) ? { name: '', address: v } : null;
  // The address holds no '<', so the last one opens it.
  const open = v.lastIndexOf('<');
  const address = v.slice(open + 1, -1);
  if (open < 0 || !ADDR_SPEC.test(address)) return null;
  const display = v.slice(0, open).trim();
  if (QUOTED_DISPLAY_NAME.test(display)) return { name: display.slice(1, -1).trim(), address };
  return PLAIN_DISPLAY_NAME.test(display) ? { name: display, address } : null;
}

function safeAddressHeader(value: string | string[] | undefined): AddressObject | undefined {
  if (value === undefined) return undefined;
  // The common single address skips addressparser, which costs more than the rest of quickSummary.
  const single = typeof value === 'string' ? value : value.length === 1 ? value[0]! : null;
  const simple = single !== null && !single.includes('xn--') ? simpleAddress(single) : null;
  if (simple) return { value: [simple], html: '', text: '' };
  try {
    return parseAddressHeader(value);
  } catch {
    return undefined;
  }
}

/** Flattens mailparser's address objects (and groups) into the contract's Address list. */
function addresses(obj: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = [];
  const walk = (list: { name?: string; address?: string; group?: unknown[] }[]): void => {
    for (const a of list) {
      if (out.length >= MAX_ADDRESSES) return;
      if (Array.isArray(a.group)) walk(a.group as typeof list);
      else if (a.address || a.name) out.push({ name: a.name ?? '', address: a.address ?? '' });
    }
  };
  for (const o of Array.isArray(obj) ? obj : obj ? [obj] : []) walk(o.value ?? []);
  return out;
}

function addressText(list: Address[]): string {
  return list.map((a) => `${a.name} ${a.address}`.trim()).join(' ');
}

function decodeWords(text: string): string {
  try {
    return libmime.decodeWords(text);
  } catch {
    return text;
  }
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(withoutTrailingComment(value));
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/**
 * A Date without its trailing comment ("… +0000 (UTC)"), found with two index searches: the pattern
 * `\s*\([^)]*\)\s*$` retried from every space of a long run and took seconds on 60,000 of them (issue 7).
 */
function withoutTrailingComment(value: string): string {
  const v = value.trimEnd();
  if (!v.endsWith(')')) return value;
  // The comment opens at the first '(' after the previous ')', as the leftmost match of the pattern did.
  const open = v.indexOf('(', v.lastIndexOf(')', v.length - 2) + 1);
  return open < 0 ? value : v.slice(0, open).trimEnd();
}

function snippet(text: string): string {
  // Control characters (NUL in hostile mail) have no place in a one-line preview.
  return text
    .slice(0, SNIPPET_CHARS * 4)
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim()
    .slice(0, SNIPPET_CHARS);
}
