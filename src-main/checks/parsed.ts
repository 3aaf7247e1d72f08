// One message parsed once for every offline check (lint, compatibility, DSN): headers, bodies, parts.
// A message mailparser cannot read still gets the checks that work on raw headers, plus the reason.
// Must not import electron, serve/ or another capability's folder.
import { simpleParser, type AddressObject, type Attachment } from 'mailparser';

export interface ParsedForChecks {
  raw: Buffer;
  /** Header names lower-cased; the first value of each (as text), and how many times each appears. */
  header(name: string): string | null;
  headerCount(name: string): number;
  subject: string;
  fromAddresses: string[];
  text: string | null;
  html: string | null;
  attachments: Attachment[];
  /** Why the MIME structure could not be read, when it could not. */
  problem: string | null;
}

/** Bytes of raw header text read when mailparser fails: headers past this are not worth linting. */
const MAX_FALLBACK_HEADER_BYTES = 256 * 1024;

export async function parseForChecks(raw: Buffer): Promise<ParsedForChecks> {
  try {
    const mail = await simpleParser(raw, {
      keepCidLinks: true,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
    const lines = new Map<string, string[]>();
    for (const line of mail.headerLines) {
      const list = lines.get(line.key) ?? [];
      list.push(line.line.slice(line.line.indexOf(':') + 1).trim());
      lines.set(line.key, list);
    }
    const from = ([] as AddressObject[]).concat(mail.from ?? []);
    return {
      raw,
      header: (name) => lines.get(name.toLowerCase())?.[0] ?? null,
      headerCount: (name) => lines.get(name.toLowerCase())?.length ?? 0,
      subject: mail.subject ?? '',
      fromAddresses: from.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean),
      text: typeof mail.text === 'string' ? mail.text : null,
      html: typeof mail.html === 'string' ? mail.html : null,
      attachments: mail.attachments,
      problem: null,
    };
  } catch (err) {
    return fallback(raw, err instanceof Error ? err.message : String(err));
  }
}

/** Headers read by hand (unfolded, undecoded) when mailparser throws. */
function fallback(raw: Buffer, problem: string): ParsedForChecks {
  const head = raw.subarray(0, MAX_FALLBACK_HEADER_BYTES).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const lines = new Map<string, string[]>();
  for (const field of (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const key = field.slice(0, colon).trim().toLowerCase();
    const list = lines.get(key) ?? [];
    list.push(field.slice(colon + 1).trim());
    lines.set(key, list);
  }
  const from = lines.get('from')?.[0] ?? '';
  return {
    raw,
    header: (name) => lines.get(name.toLowerCase())?.[0] ?? null,
    headerCount: (name) => lines.get(name.toLowerCase())?.length ?? 0,
    subject: lines.get('subject')?.[0] ?? '',
    fromAddresses: [...from.matchAll(/[^\s<>,"]+@[^\s<>,"]+/g)].map((m) => m[0]),
    text: null,
    html: null,
    attachments: [],
    problem: `The MIME structure could not be read (${problem}); only header checks ran.`,
  };
}
