// Webhook bodies. `mailwright`: {event, message} with the message summary (or the id of a deleted one).
// `mailpit`: the JSON Mailpit's own webhook posts for a new message (its MessageSummary), so receivers written
// for Mailpit work unchanged.
import type { MessageDetail, WebhookConfig, WebhookEvent } from '../../src-shared/index.js';

export function payloadFor(
  event: WebhookEvent,
  messageId: number,
  message: MessageDetail | null,
  format: WebhookConfig['format'],
): string {
  if (format === 'mailpit') return JSON.stringify(message ? mailpitSummary(message) : { ID: String(messageId) });
  if (event === 'message.deleted' || message === null) return JSON.stringify({ event, messageId });
  return JSON.stringify({ event, message: summaryOf(message) });
}

/** The summary fields of a detail: the same object the inbox list shows. */
function summaryOf(m: MessageDetail): Record<string, unknown> {
  const { envelope, headers, text, hasHtml, attachments, mimeTree, remoteResources, ...summary } = m;
  void [headers, text, hasHtml, mimeTree, remoteResources];
  return { ...summary, envelope, attachments: attachments.length };
}

const who = (a: { name: string; address: string }) => ({ Name: a.name, Address: a.address });

function header(m: MessageDetail, key: string): string {
  return m.headers.find((h) => h.key.toLowerCase() === key)?.value ?? '';
}

/** Mailpit v1.30's MessageSummary (internal/storage/structs.go). */
function mailpitSummary(m: MessageDetail): Record<string, unknown> {
  return {
    ID: String(m.id),
    MessageID: header(m, 'message-id').replace(/^<|>$/g, ''),
    Read: m.read,
    From: m.from ? who(m.from) : null,
    To: m.to.map(who),
    Cc: m.cc.map(who),
    Bcc: m.bcc.map((address) => ({ Name: '', Address: address })),
    ReplyTo: [],
    Subject: m.subject,
    Created: m.receivedAt,
    Username: m.envelope.authUser ?? '',
    Tags: [],
    Size: m.size,
    Attachments: m.attachments.length,
    Snippet: m.snippet,
  };
}
