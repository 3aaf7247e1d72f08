// Turns the composer's fields into the exact bytes to send (nodemailer's MailComposer), checks every address
// with nodemailer's addressparser so a typo is a clear error naming its field, signs with DKIM, and rewrites
// the Message-ID and Date of a captured message being released.
import { hostname } from 'node:os';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import DKIM from 'nodemailer/lib/dkim/index.js';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { MailwrightError, type ComposedMessage } from '../../src-shared/index.js';

/** What every address must look like once parsed: a local part, an @ and a domain. */
const MAILBOX = /^[^\s@<>]+@[^\s@<>]+$/;
/** This machine's name, for Message-IDs. */
const LOCAL_DOMAIN = hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';

/**
 * MailComposer ignores `priority`: nodemailer's Mailer sets these headers (mail-message.js setPriorityHeaders), so
 * the composer sets the same three itself. Normal is no header at all, as there.
 */
const PRIORITY_HEADERS: Record<'high' | 'normal' | 'low', [string, string][]> = {
  high: [
    ['X-Priority', '1 (Highest)'],
    ['X-MSMail-Priority', 'High'],
    ['Importance', 'High'],
  ],
  normal: [],
  low: [
    ['X-Priority', '5 (Lowest)'],
    ['X-MSMail-Priority', 'Low'],
    ['Importance', 'Low'],
  ],
};

export interface BuiltMessage {
  raw: Buffer;
  messageId: string;
  /** Envelope recipients from To, Cc and Bcc. */
  envelope: { from: string; to: string[] };
}

/** Parses one header value holding addresses; throws naming `field` when any is not a mailbox. */
export function parseAddresses(value: string, field: string): string[] {
  const flat: string[] = [];
  const walk = (list: ReturnType<typeof addressparser>) => {
    for (const a of list) {
      if ('group' in a) walk(a.group);
      else if (a.address) flat.push(a.address);
      else
        throw new MailwrightError(
          'invalid_argument',
          `${field}: ${JSON.stringify(value)} is not an email address`,
          field,
        );
    }
  };
  walk(addressparser(value));
  if (flat.length === 0)
    throw new MailwrightError('invalid_argument', `${field}: ${JSON.stringify(value)} holds no address`, field);
  for (const a of flat) {
    if (!MAILBOX.test(a))
      throw new MailwrightError('invalid_argument', `${field}: ${JSON.stringify(a)} is not an email address`, field);
  }
  return flat;
}

export async function buildMessage(m: ComposedMessage, defaultFrom: string | undefined): Promise<BuiltMessage> {
  const from = m.from ?? defaultFrom;
  if (!from)
    throw new MailwrightError(
      'invalid_argument',
      'message.from: a sender is needed (or a default From in the profile)',
      'message.from',
    );
  parseAddresses(from, 'message.from');
  const lists = { to: m.to ?? [], cc: m.cc ?? [], bcc: m.bcc ?? [] };
  for (const [key, list] of Object.entries(lists)) list.forEach((a, i) => parseAddresses(a, `message.${key}.${i}`));
  if (m.replyTo) parseAddresses(m.replyTo, 'message.replyTo');
  const headers: { key: string; value: string }[] = (m.headers ?? []).map((h) => ({ key: h.name, value: h.value }));
  if (m.listUnsubscribe) headers.push({ key: 'List-Unsubscribe', value: m.listUnsubscribe });
  if (m.listUnsubscribePost) headers.push({ key: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
  const attachments = (m.attachments ?? []).map((a, i) => {
    const content = Buffer.from(a.content, 'base64');
    if (content.length === 0 && a.content.length > 0)
      throw new MailwrightError(
        'invalid_argument',
        `message.attachments.${i}.content is not base64`,
        `message.attachments.${i}.content`,
      );
    return {
      filename: a.filename,
      content,
      ...(a.contentType ? { contentType: a.contentType } : {}),
      ...(a.cid ? { cid: a.cid } : {}),
    };
  });
  const composer = new MailComposer({
    from,
    to: lists.to,
    cc: lists.cc,
    bcc: lists.bcc,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    subject: m.subject ?? '',
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.html !== undefined ? { html: m.html } : {}),
    headers,
    attachments,
    messageId: `<${randomBytes(12).toString('hex')}@${LOCAL_DOMAIN}>`,
  });
  const node = composer.compile();
  for (const [key, value] of PRIORITY_HEADERS[m.priority ?? 'normal']) node.setHeader(key, value);
  const envelope = node.getEnvelope();
  const raw = await new Promise<Buffer>((resolve, reject) =>
    node.build((err, out) => (err ? reject(err) : resolve(out))),
  );
  return { raw, messageId: node.messageId(), envelope: { from: envelope.from || '', to: envelope.to } };
}

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
}

/** RSA keys through nodemailer's signer; Ed25519 (RFC 8463), which nodemailer's signer lacks, through mailauth's. */
export async function signDkim(raw: Buffer, key: DkimKey): Promise<Buffer> {
  let type: string | undefined;
  try {
    type = createPrivateKey(key.privateKey).asymmetricKeyType;
  } catch (err) {
    throw new MailwrightError(
      'invalid_argument',
      `dkim.privateKey is not a private key: ${(err as Error).message}`,
      'dkim.privateKey',
    );
  }
  if (type === 'ed25519') {
    // Loaded on first use, like the checks' mailauth (~24 MB resident).
    const { dkimSign } = await import('mailauth/lib/dkim/sign.js');
    const result = await dkimSign(raw, {
      signingDomain: key.domain,
      selector: key.selector,
      privateKey: key.privateKey,
      canonicalization: 'relaxed/relaxed',
      algorithm: 'ed25519-sha256',
      signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey }],
    });
    if (result.errors?.length)
      throw new MailwrightError(
        'invalid_argument',
        `DKIM signing failed: ${String((result.errors[0] as { err?: unknown } | undefined)?.err ?? result.errors[0])}`,
        'dkim',
      );
    return Buffer.concat([Buffer.from(result.signatures, 'utf8'), raw]);
  }
  if (type !== 'rsa')
    throw new MailwrightError(
      'invalid_argument',
      `dkim.privateKey: ${type ?? 'this'} keys cannot sign DKIM (RSA or Ed25519)`,
      'dkim.privateKey',
    );
  const signer = new DKIM({ domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(raw) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The header block's end: the first empty line (CRLF or bare LF, as hostile input may have). */
function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1) return lf === -1 ? raw.length : lf + 1;
  if (lf === -1) return crlf + 2;
  return Math.min(crlf + 2, lf + 1);
}

/**
 * A released message with a fresh Message-ID and Date: those two fields (with their folded lines) are removed
 * from the header block and new ones put first; every other byte stays as it was.
 */
export function renewMessageId(raw: Buffer, domain: string): { raw: Buffer; messageId: string } {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString('latin1');
  const lines = head.split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && dropping) continue;
    dropping = /^(message-id|date)[ \t]*:/i.test(line);
    if (!dropping) kept.push(line);
  }
  const eol = head.includes('\r\n') ? '\r\n' : '\n';
  const messageId = `<${randomBytes(12).toString('hex')}@${domain}>`;
  const fresh = `Message-ID: ${messageId}${eol}Date: ${new Date().toUTCString().replace('GMT', '+0000')}${eol}`;
  return { raw: Buffer.concat([Buffer.from(fresh + kept.join(''), 'latin1'), raw.subarray(end)]), messageId };
}

/** The Message-ID header of raw bytes, or null. */
export function readMessageId(raw: Buffer): string | null {
  const head = raw.subarray(0, headerEnd(raw)).toString('latin1');
  const m = /^message-id[ \t]*:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}
