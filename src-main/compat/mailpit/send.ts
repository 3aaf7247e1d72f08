// Mailpit's POST /api/v1/send: the JSON body becomes a MIME message (nodemailer's MailComposer) and is stored
// through the same commit as SMTP, so it is listed, indexed, ruled and announced like any delivery.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Envelope, MailpitSendRequest } from '../../../src-shared/index.js';
import { MailwrightError } from '../../../src-shared/index.js';

type Addr = { Email: string; Name?: string | undefined };
const fmt = (a: Addr): { name: string; address: string } => ({ name: a.Name ?? '', address: a.Email });

export async function composeSend(req: MailpitSendRequest): Promise<{ raw: Buffer; envelope: Envelope }> {
  const to = req.To ?? [];
  const cc = req.Cc ?? [];
  const bcc = req.Bcc ?? [];
  const recipients = [...to.map((a) => a.Email), ...cc.map((a) => a.Email), ...bcc];
  if (recipients.length === 0) throw new MailwrightError('invalid_argument', 'no recipients (To, Cc or Bcc)', 'To');
  const headers: Record<string, string> = { ...(req.Headers ?? {}) };
  const composer = new MailComposer({
    from: fmt(req.From),
    to: to.map(fmt),
    cc: cc.map(fmt),
    // Bcc stays out of the headers, as with SMTP: it is only in the envelope.
    replyTo: (req.ReplyTo ?? []).map(fmt),
    subject: req.Subject ?? '',
    ...(req.Text !== undefined ? { text: req.Text } : {}),
    ...(req.HTML !== undefined ? { html: req.HTML } : {}),
    headers,
    attachments: (req.Attachments ?? []).map((a) => ({
      filename: a.Filename,
      content: Buffer.from(a.Content, 'base64'),
      ...(a.ContentType ? { contentType: a.ContentType } : {}),
      ...(a.ContentID ? { cid: a.ContentID } : {}),
    })),
  });
  const raw = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  return {
    raw,
    envelope: {
      mailFrom: req.From.Email,
      rcptTo: recipients,
      heloName: 'mailpit-send-api',
      clientAddress: '127.0.0.1',
      clientPort: 0,
      tls: null,
      authUser: null,
      listener: 'api',
    },
  };
}
