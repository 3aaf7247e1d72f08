// A captured message as a draft ("Edit as new"): its addresses, subject, text and HTML bodies, attachments and
// inline images (cid: links kept), priority, List-Unsubscribe and the custom headers a new message may carry.
// Also reads the default envelope of a whole message sent as it is. mailparser reads the bytes.
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import {
  MAX_ATTACHMENTS,
  MAX_BODY_CHARS,
  MAX_HEADER_CHARS,
  MailwrightError,
  draftSchema,
  type Draft,
} from '../../src-shared/index.js';

/** Custom headers a draft keeps: the composer's own limit. */
const MAX_DRAFT_HEADERS = 100;

/**
 * Headers a new message makes for itself (addresses, dates, ids, MIME structure), or that only a transport or a
 * verifier adds (trace, signatures, authentication results); the composer's own fields carry priority and
 * List-Unsubscribe. Everything else is kept as a custom header.
 */
const NOT_CARRIED = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'content-description',
  'received',
  'return-path',
  'delivered-to',
  'x-original-to',
  'dkim-signature',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'authentication-results',
  'received-spf',
  'x-priority',
  'x-msmail-priority',
  'importance',
  'priority',
  'list-unsubscribe',
  'list-unsubscribe-post',
]);

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const walk = (list: { name: string; address?: string; group?: { name: string; address?: string }[] }[]) => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address) out.push(a.name ? `"${a.name.replace(/["\\\r\n]/g, '')}" <${a.address}>` : a.address);
    }
  };
  for (const o of value === undefined ? [] : Array.isArray(value) ? value : [value]) walk(o.value);
  return out;
}

/** One header line's value as written, unfolded. */
function headerValue(line: string): string {
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

async function parse(raw: Buffer, what: string): Promise<ParsedMail> {
  try {
    return await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (err) {
    throw new MailwrightError(
      'invalid_argument',
      `${what} could not be read as a message: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export async function draftFromMessage(raw: Buffer, id: number): Promise<Draft> {
  const mail = await parse(raw, `message ${id}`);
  const lines = mail.headerLines.map((h) => ({
    key: h.key,
    name: h.line.slice(0, h.line.indexOf(':')).trim(),
    value: headerValue(h.line),
  }));
  const first = (key: string) => lines.find((h) => h.key === key)?.value;
  const headers = lines
    .filter((h) => !NOT_CARRIED.has(h.key) && h.value.length <= MAX_HEADER_CHARS && /^[!-9;-~]{1,76}$/.test(h.name))
    .map((h) => ({ name: h.name, value: h.value }))
    .slice(0, MAX_DRAFT_HEADERS);
  const from = addresses(mail.from)[0];
  const replyTo = addresses(mail.replyTo)[0];
  const listUnsubscribe = first('list-unsubscribe');
  // mailparser reads X-Priority, X-MSMail-Priority, Importance and Priority into one `priority` header.
  const priority = mail.headers.get('priority');
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  const text = typeof mail.text === 'string' && mail.text !== '' ? mail.text : undefined;
  if ((html?.length ?? 0) > MAX_BODY_CHARS || (text?.length ?? 0) > MAX_BODY_CHARS)
    throw new MailwrightError(
      'invalid_argument',
      `message ${id}: a body is over ${MAX_BODY_CHARS} characters, more than the composer takes`,
      'id',
    );
  if (mail.attachments.length > MAX_ATTACHMENTS)
    throw new MailwrightError(
      'invalid_argument',
      `message ${id} has ${mail.attachments.length} attachments; the composer takes ${MAX_ATTACHMENTS}`,
      'id',
    );
  const draft = {
    message: {
      ...(from ? { from } : {}),
      to: addresses(mail.to),
      cc: addresses(mail.cc),
      bcc: addresses(mail.bcc),
      ...(replyTo ? { replyTo } : {}),
      subject: (mail.subject ?? '').slice(0, MAX_HEADER_CHARS),
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      headers,
      ...(priority === 'high' || priority === 'low' ? { priority } : {}),
      ...(listUnsubscribe ? { listUnsubscribe } : {}),
      ...(first('list-unsubscribe-post') ? { listUnsubscribePost: true } : {}),
      attachments: mail.attachments.map((a, i) => ({
        filename: (a.filename ?? '').slice(0, 255) || `attachment-${i + 1}`,
        contentType: a.contentType.slice(0, 255),
        content: a.content.toString('base64'),
        // Only an image the HTML refers to stays inline; any other Content-ID is just an attachment's label.
        ...(a.cid && html?.includes(`cid:${a.cid}`) ? { cid: a.cid.slice(0, 255) } : {}),
      })),
    },
  };
  const parsed = draftSchema.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MailwrightError(
      'invalid_argument',
      `message ${id} cannot be edited as new: ${issue.path.join('.')}: ${issue.message}`,
      'id',
    );
  }
  return parsed.data;
}

/** The envelope a whole message goes with when none is given (its From, and its To, Cc and Bcc), and its subject. */
export async function envelopeOf(raw: Buffer): Promise<{ from: string | null; to: string[]; subject: string }> {
  const mail = await parse(raw, 'the message');
  const bare = (v: AddressObject | AddressObject[] | undefined) =>
    (v === undefined ? [] : Array.isArray(v) ? v : [v])
      .flatMap((o) => o.value)
      .flatMap((a) => (a.group ? a.group : [a]))
      .map((a) => a.address)
      .filter((a): a is string => Boolean(a));
  return {
    from: bare(mail.from)[0] ?? null,
    to: [...bare(mail.to), ...bare(mail.cc), ...bare(mail.bcc)],
    subject: mail.subject ?? '',
  };
}
