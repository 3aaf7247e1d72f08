// The webhooks capability: POSTs to URLs the user sets when mail arrives or is deleted, queued durably, signed
// with HMAC-SHA256 when a secret is set, retried with exponential backoff, every attempt logged.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import { secretInput, secretText, wholeSection } from '../settings-section.js';

export const WEBHOOK_EVENTS = ['message.received', 'message.deleted'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_FORMATS = ['mailwright', 'mailpit'] as const;
/** Endpoints at once: each adds a delivery per message; more is a misconfiguration, not a test setup. */
export const MAX_WEBHOOKS = 16;
/** Browsers and proxies cap URLs near 2-8 KB; a webhook URL is far shorter. */
const MAX_URL_CHARS = 2048;
/** Shown per page of the delivery log. */
const MAX_LOG_PAGE = 500;

/** http:// or https:// with a host: anything else (file:, ftp:, javascript:) is refused naming the field. */
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:@[^\s/?#]+)?(?:[/?#]\S*)?$/i;

function webhookSchema<S extends z.ZodType>(secret: S) {
  return z
    .object({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'id must be 1-64 letters, digits, "-", "_" or "."'),
      enabled: z.boolean(),
      /**
       * Where to POST. Loopback and private addresses are allowed on purpose (a local tool calls local services);
       * the Settings page says so.
       */
      url: z.string().max(MAX_URL_CHARS).regex(HTTP_URL, 'url must be an http:// or https:// URL'),
      events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
      /** `mailpit`: the body Mailpit's webhook sends (its message summary); `mailwright`: {event, message}. */
      format: z.enum(WEBHOOK_FORMATS),
      /** Signs each body: X-Mailwright-Signature: sha256=<hex HMAC-SHA256 of the body>. */
      secret: secret.optional(),
    })
    .strict();
}

export const webhookConfigSchema = webhookSchema(secretText);
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/** The settings section `webhooks` (registered in src-shared/settings.ts). */
export const webhooksSection = wholeSection({
  file: z.array(webhookConfigSchema).max(MAX_WEBHOOKS),
  edit: z.array(webhookSchema(secretInput)).max(MAX_WEBHOOKS),
  secretPaths: ['*.secret'],
  items: { '': { key: 'id' } },
  defaults: [],
});

/** One try: `at` is when it was sent; `status` null when no response came (refused, timed out). */
export const webhookAttemptSchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
});
export type WebhookAttempt = z.infer<typeof webhookAttemptSchema>;

/** `nextAttemptAt`: ISO time of the next try while pending. */
export const webhookDeliverySchema = z.object({
  id: z.number().int(),
  webhookId: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  messageId: z.number().int(),
  state: z.enum(['pending', 'delivered', 'failed']),
  createdAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  attempts: z.array(webhookAttemptSchema),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhooksVerbs = {
  /** The delivery log, newest first, each delivery with every attempt. */
  'webhooks.deliveries': verb(
    z
      .object({
        webhookId: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(MAX_LOG_PAGE).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.object({ deliveries: z.array(webhookDeliverySchema), total: z.number().int() }),
  ),
} as const;

export interface WebhooksEvents {
  /** Deliveries were queued (pending) or attempted; the log re-fetches (coalesced). One event per queued batch. */
  'webhooks.delivery': { ids: number[]; state: WebhookDelivery['state'] };
}
