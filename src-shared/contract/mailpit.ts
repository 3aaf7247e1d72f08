// The one verb the Mailpit compatibility layer adds: Mailpit's send API, which captures a message built from JSON
// as if it had arrived by SMTP. Every other Mailpit route maps onto existing verbs (src-main/compat/mailpit).
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import { MAX_INLINE_IMPORT_BYTES } from './messages.js';

/** An address is at most 254 characters (RFC 5321 path limit); a display name past 256 is not a name. */
const email = z.string().min(1).max(254);
const name = z.string().max(256);
const address = z.object({ Email: email, Name: name.optional() }).strict();
/** Recipients of one sent message: a test sends to a handful, Mailpit itself sets no limit; 1000 is generous. */
const MAX_SEND_RECIPIENTS = 1000;
/** Body text as Mailpit's send API carries it: inline JSON, so the same budget as an inline import. */
const MAX_SEND_BODY_CHARS = MAX_INLINE_IMPORT_BYTES;

export const mailpitSendSchema = z
  .object({
    From: address,
    To: z.array(address).max(MAX_SEND_RECIPIENTS).optional(),
    Cc: z.array(address).max(MAX_SEND_RECIPIENTS).optional(),
    /** Mailpit takes Bcc as bare addresses. */
    Bcc: z.array(email).max(MAX_SEND_RECIPIENTS).optional(),
    ReplyTo: z.array(address).max(MAX_SEND_RECIPIENTS).optional(),
    Subject: z.string().max(998).optional(),
    Text: z.string().max(MAX_SEND_BODY_CHARS).optional(),
    HTML: z.string().max(MAX_SEND_BODY_CHARS).optional(),
    Attachments: z
      .array(
        z
          .object({
            /** Base64. */
            Content: z.string().max(Math.ceil(MAX_INLINE_IMPORT_BYTES / 3) * 4),
            Filename: z.string().min(1).max(255),
            ContentType: z.string().max(255).optional(),
            ContentID: z.string().max(255).optional(),
          })
          .strict(),
      )
      .max(50)
      .optional(),
    Headers: z.record(z.string().max(128), z.string().max(998)).optional(),
    Tags: z.array(z.string().max(256)).max(50).optional(),
  })
  .strict();
export type MailpitSendRequest = z.infer<typeof mailpitSendSchema>;

export const mailpitVerbs = {
  /** Builds the message (nodemailer's MailComposer) and stores it like an SMTP delivery; answers Mailpit's {ID}. */
  'mailpit.send': verb(mailpitSendSchema, z.object({ ID: z.string() })),
} as const;

/**
 * The `compat` settings section. Mailpit and MailHog both serve `GET`/`DELETE /api/v1/messages` with different
 * shapes; Mailpit's answers unless `mailhog` is on (MailHog's routes are also always under /api/mailhog).
 */
export const compatSettingsSchema = z
  .object({
    /** `/api/v1/messages` answers as MailHog does (a bare array; an empty 200 on delete). */
    mailhog: z.boolean(),
  })
  .strict();
export type CompatSettings = z.infer<typeof compatSettingsSchema>;
export const DEFAULT_COMPAT_SETTINGS: CompatSettings = { mailhog: false };
