// Attachment extraction by MIME part id.
import type { AttachmentInfo } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';

export interface AttachmentContent extends AttachmentInfo {
  content: Buffer;
}

/** One attachment by part id; throws MailwrightError('not_found') when the part does not exist. */
export async function extractAttachment(raw: Buffer, partId: string): Promise<AttachmentContent> {
  void raw; void partId;
  throw new MailwrightError('internal', 'not implemented');
}
