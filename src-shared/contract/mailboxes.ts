// The mailboxes capability: every envelope recipient is a mailbox (plus-addresses fold to their base unless the
// toggle is off), and disposable addresses under a domain the user sets.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import { fieldsSection } from '../settings-section.js';
import { messagePageSchema } from './messages.js';

/** The inbox's page budget (core.ts MAX_PAGE_SIZE); not imported, since settings.ts imports this file and core.ts imports settings.ts. */
const MAX_PAGE_SIZE = 1000;
/** RFC 5321's limit on a forward-path is 256 octets; no recipient is longer. */
export const MAX_MAILBOX_ADDRESS = 256;
/** A DNS name is at most 253 characters. */
const MAX_DOMAIN = 253;

export const mailboxesSettingsSchema = z
  .object({
    /** `alice+signup@x` is listed under `alice@x`. */
    foldPlusAddressing: z.boolean(),
    /** The domain of new disposable addresses; any name the app under test accepts (it never has to resolve). */
    disposableDomain: z
      .string()
      .max(MAX_DOMAIN)
      .regex(
        /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
        'disposableDomain must be a domain name (letters, digits, "-" and ".")',
      ),
  })
  .strict();
export type MailboxesSettings = z.infer<typeof mailboxesSettingsSchema>;

/** The settings section `mailboxes` (registered in src-shared/settings.ts). */
export const mailboxesSection = fieldsSection(mailboxesSettingsSchema, {
  foldPlusAddressing: true,
  disposableDomain: 'mailwright.test',
});

/** lastReceived: ISO time of the newest message. */
export const mailboxSchema = z.object({
  address: z.string(),
  count: z.number().int(),
  unread: z.number().int(),
  lastReceived: z.string(),
});
export type Mailbox = z.infer<typeof mailboxSchema>;

const address = z.string().min(3).max(MAX_MAILBOX_ADDRESS);
/** Absent: the `foldPlusAddressing` setting decides. */
const fold = z.boolean().optional();

export const mailboxesVerbs = {
  /** A page of mailboxes, most recently used first (default 200); `total` is how many there are. */
  'mailboxes.list': verb(
    z
      .object({
        foldPlus: fold,
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.object({ mailboxes: z.array(mailboxSchema), total: z.number().int(), foldPlus: z.boolean() }),
  ),
  'mailboxes.messages': verb(
    z
      .object({
        address,
        foldPlus: fold,
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    messagePageSchema,
  ),
  /** A fresh random address under the disposable domain (or `domain`); its mailbox is empty until mail comes. */
  'mailboxes.newAddress': verb(
    z.object({ domain: mailboxesSettingsSchema.shape.disposableDomain.optional() }).strict(),
    z.object({ address: z.string() }),
  ),
} as const;
