// Mailwright's messages in Mailpit v1.30's JSON shapes (internal/storage/structs.go, server/apiv1/structs.go):
// PascalCase keys, string IDs, `{Name, Address}` addresses. Shape mapping only; the data comes from verbs.
import { createHash } from 'node:crypto';
import type { Address, HeaderField, MessageDetail, MessageSummary } from '../../../src-shared/index.js';

export interface MailpitAddress {
  Name: string;
  Address: string;
}

export interface MailpitAttachment {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
  Checksums: { MD5: string; SHA1: string; SHA256: string };
}

export function mailpitAddress(a: Address | null): MailpitAddress {
  return { Name: a?.name ?? '', Address: a?.address ?? '' };
}

/** One row of GET /api/v1/messages and /api/v1/search. */
export function listItem(m: MessageSummary, tags: string[], attachmentCount?: number) {
  return {
    ID: String(m.id),
    // Not in Mailwright's summary (it would cost a header read per row); GET /api/v1/message/{id} has it.
    MessageID: '',
    Read: m.read,
    From: mailpitAddress(m.from),
    To: m.to.map(mailpitAddress),
    Cc: m.cc.map(mailpitAddress),
    Bcc: m.bcc.map((address) => ({ Name: '', Address: address })),
    ReplyTo: [] as MailpitAddress[],
    Subject: m.subject,
    Created: m.receivedAt,
    Tags: tags,
    Size: m.size,
    // The summary knows whether there are attachments, not how many (unless the caller counted them).
    Attachments: attachmentCount ?? (m.hasAttachments ? 1 : 0),
    Snippet: m.snippet,
  };
}

export interface MessageExtras {
  html: string;
  tags: string[];
  /** Decoded bytes of each attachment part by part id, for the checksums Mailpit lists. */
  contents: Map<string, Buffer>;
}

/** GET /api/v1/message/{id}. */
export function messageDetail(d: MessageDetail, extra: MessageExtras) {
  const header = (name: string): string => d.headers.find((h) => h.key.toLowerCase() === name)?.value ?? '';
  const attachment = (a: MessageDetail['attachments'][number]): MailpitAttachment => {
    const content = extra.contents.get(a.partId) ?? Buffer.alloc(0);
    const hash = (alg: string): string => createHash(alg).update(content).digest('hex');
    return {
      PartID: a.partId,
      FileName: a.filename,
      ContentType: a.contentType,
      ContentID: a.contentId ?? '',
      Size: a.size,
      Checksums: { MD5: hash('md5'), SHA1: hash('sha1'), SHA256: hash('sha256') },
    };
  };
  const unsubscribe = header('list-unsubscribe');
  return {
    ID: String(d.id),
    MessageID: header('message-id').replace(/^\s*<|>\s*$/g, ''),
    From: mailpitAddress(d.from),
    To: d.to.map(mailpitAddress),
    Cc: d.cc.map(mailpitAddress),
    Bcc: d.bcc.map((address) => ({ Name: '', Address: address })),
    ReplyTo: splitAddresses(header('reply-to')),
    ReturnPath: header('return-path').replace(/^\s*<|>\s*$/g, '') || d.envelope.mailFrom,
    Subject: d.subject,
    ListUnsubscribe: {
      Header: unsubscribe,
      Links: [...unsubscribe.matchAll(/<([^>]{1,2048})>/g)].map((m) => m[1]!),
      Errors: '',
      HeaderPost: header('list-unsubscribe-post'),
    },
    Date: d.date ?? d.receivedAt,
    Tags: extra.tags,
    ...(d.envelope.authUser ? { Username: d.envelope.authUser } : {}),
    Text: d.text ?? '',
    HTML: extra.html,
    Size: d.size,
    Inline: d.attachments.filter((a) => a.inline).map(attachment),
    Attachments: d.attachments.filter((a) => !a.inline).map(attachment),
  };
}

/** `Name <a@b>, c@d` as Mailpit addresses; a simple split, enough for Reply-To (quoted commas stay together). */
function splitAddresses(value: string): MailpitAddress[] {
  if (!value.trim()) return [];
  const parts = value.match(/(?:"[^"]*"|[^,])+/g) ?? [];
  return parts
    .map((p) => {
      // Split by index rather than one pattern: a lazy name group before `\s*<` backtracks quadratically.
      const open = p.lastIndexOf('<');
      const close = p.lastIndexOf('>');
      if (open < 0 || close < open) return { Name: '', Address: p.trim() };
      return { Name: p.slice(0, open).trim().replace(/^"|"$/g, ''), Address: p.slice(open + 1, close).trim() };
    })
    .filter((a) => a.Address !== '');
}

/**
 * GET /api/v1/message/{id}/headers: Go's net/mail map, keys in Go's canonical form (`Message-Id`, `X-Mailer`),
 * values in order; JSON object keys come out sorted as Go writes them.
 */
export function headersObject(headers: HeaderField[]): Record<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of headers) {
    const key = canonicalKey(h.key);
    const list = out.get(key);
    if (list) list.push(h.value);
    else out.set(key, [h.value]);
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function canonicalKey(key: string): string {
  return key
    .toLowerCase()
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('-');
}
