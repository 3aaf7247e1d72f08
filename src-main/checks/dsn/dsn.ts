// Reading a delivery status notification (RFC 3464): the message/delivery-status part's per-message fields and
// one group of fields per recipient, each status explained; the original's Message-ID from the returned message.
// Must not import electron, serve/ or another capability's folder.
import type { DsnReport } from '../../../src-shared/contract/checks.js';
import type { ParsedForChecks } from '../parsed.js';

/** A delivery-status part is a few hundred bytes per recipient; more than this is not a report. */
const MAX_STATUS_BYTES = 256 * 1024;
/** Recipients listed from one report. */
const MAX_RECIPIENTS = 500;

const CLASS_WORDS: Record<string, string> = {
  '2': 'Delivered',
  '4': 'Temporary failure (the sender will retry)',
  '5': 'Permanent failure (the message was not delivered)',
};

/** RFC 3463 subjects and the details senders meet most; others fall back to their subject. */
const DETAIL_WORDS: Record<string, string> = {
  '0.0': 'other or undefined status',
  '1.0': 'other address status',
  '1.1': 'the mailbox does not exist',
  '1.2': 'the destination domain does not exist or accepts no mail',
  '1.3': 'the address is not valid syntax',
  '1.6': 'the mailbox has moved',
  '1.10': 'the recipient address has a null MX (RFC 7505): the domain accepts no mail',
  '2.0': 'mailbox problem',
  '2.1': 'the mailbox is disabled',
  '2.2': 'the mailbox is full',
  '2.3': 'the message is larger than the mailbox accepts',
  '3.0': 'mail system problem',
  '3.4': 'the message is too big for the system',
  '4.0': 'network or routing problem',
  '4.1': 'no answer from the destination host',
  '4.2': 'the connection was dropped',
  '4.4': 'the destination could not be routed',
  '4.7': 'the message was too old to deliver',
  '5.0': 'protocol problem',
  '6.0': 'content problem',
  '7.0': 'security or policy problem',
  '7.1': 'delivery not authorized: the message was refused by policy',
  '7.8': 'authentication credentials are invalid',
  '7.23': 'SPF validation failed',
  '7.25': 'reverse DNS validation failed',
  '7.26': 'multiple authentication checks failed (DKIM/SPF/DMARC)',
  '7.27': 'the sender address has a null MX',
};

export function explainStatus(status: string | null): string {
  const m = status ? /^([245])\.(\d{1,3})\.(\d{1,3})/.exec(status.trim()) : null;
  if (!m) return status ? `"${status}" is not an RFC 3463 status code.` : 'No status given.';
  const [, cls = '', subject = '', detail = ''] = m;
  const words = DETAIL_WORDS[`${subject}.${detail}`] ?? DETAIL_WORDS[`${subject}.0`] ?? 'unlisted status';
  return `${CLASS_WORDS[cls] ?? cls}: ${words}.`;
}

/** Null unless the message is a multipart/report with a delivery-status part. */
export function readDsn(m: ParsedForChecks): DsnReport | null {
  const statusText = deliveryStatusPart(m.raw);
  if (statusText === null) return null;
  const groups = fieldGroups(statusText);
  const perMessage = groups[0] ?? new Map<string, string>();
  const recipients = groups
    .slice(1)
    .filter((g) => g.has('final-recipient') || g.has('original-recipient') || g.has('action'))
    .slice(0, MAX_RECIPIENTS)
    .map((g) => ({
      finalRecipient: typed(g.get('final-recipient')),
      originalRecipient: typed(g.get('original-recipient')),
      action: g.get('action')?.toLowerCase() ?? null,
      status: g.get('status') ?? null,
      statusExplained: explainStatus(g.get('status') ?? null),
      diagnosticCode: typed(g.get('diagnostic-code')),
      remoteMta: typed(g.get('remote-mta')),
    }));
  const original = m.attachments.find((a) => /^(message\/(global|rfc822)|text\/rfc822-headers)$/i.test(a.contentType));
  const originalMessageId = original ? messageIdOf(original.content) : null;
  return {
    reportingMta: typed(perMessage.get('reporting-mta')),
    arrivalDate: perMessage.get('arrival-date') ?? null,
    originalMessageId,
    originalId: null, // the caller links it: finding it needs the store
    recipients,
  };
}

/** Bytes of the raw message searched for the status part (it comes right after the human-readable part). */
const MAX_SEARCH_BYTES = 4 * 1024 * 1024;

/**
 * The body of the message/delivery-status part, found in the raw bytes: mailparser folds that part into the text
 * body, so its field groups cannot be told from the notification's prose there.
 */
function deliveryStatusPart(raw: Buffer): string | null {
  const text = raw.subarray(0, MAX_SEARCH_BYTES).toString('latin1');
  const header = /^content-type:[ \t]*message\/(?:global-)?delivery-status\b/im.exec(text);
  if (!header) return null;
  const headEnd = /\r?\n\r?\n/g;
  headEnd.lastIndex = header.index;
  const blank = headEnd.exec(text);
  if (!blank) return null;
  const partHead = text.slice(text.lastIndexOf('\n--', header.index) + 1, blank.index);
  const bodyStart = blank.index + blank[0].length;
  const next = text.indexOf('\n--', bodyStart);
  let body = text.slice(bodyStart, next < 0 ? undefined : next).slice(0, MAX_STATUS_BYTES);
  if (/^content-transfer-encoding:[ \t]*base64/im.test(partHead))
    body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1');
  return Buffer.from(body, 'latin1').toString('utf8');
}

/** Field groups separated by blank lines, folded lines joined; names lower-cased, first value kept. */
function fieldGroups(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((g) => g.size > 0);
}

/** `rfc822; a@b` and `smtp; 550 …` carry a type before the value; the value is what people read. */
function typed(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semi = /^[a-z0-9-]{1,20};\s*/i.exec(value);
  return semi ? value.slice(semi[0].length) : value;
}

function messageIdOf(content: Buffer): string | null {
  const head = content.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const unfolded = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(<[^>\r\n]{1,998}>)/im.exec(unfolded);
  return m?.[1] ?? null;
}
