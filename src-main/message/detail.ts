// The detail view of one message.
import type { Envelope, MessageDetail, MessageSummary } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';

/** Parse a message for the detail view. `base` carries the stored summary fields; `envelope` the SMTP envelope. */
export async function parseDetail(raw: Buffer, base: MessageSummary, envelope: Envelope): Promise<MessageDetail> {
  void raw; void base; void envelope;
  throw new MailwrightError('internal', 'not implemented');
}
