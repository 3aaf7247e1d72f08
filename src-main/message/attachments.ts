// Attachment extraction by MIME part id, and the AttachmentInfo shape the detail view lists.
import libmime from 'libmime';
import type { AttachmentInfo } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';
import { safeFilename } from './filenames.js';
import { walkMime, type MimePart } from './mime.js';

export interface AttachmentContent extends AttachmentInfo {
  content: Buffer;
}

/**
 * One part's decoded bytes by part id (the ids parseDetail lists in attachments and mimeTree). Any leaf part
 * can be fetched, so the MIME tree can offer every part for download; throws MailwrightError('not_found').
 */
export async function extractAttachment(raw: Buffer, partId: string): Promise<AttachmentContent> {
  const walk = await walkMime(raw, (p) => p.partId === partId);
  const part = walk.parts.find((p) => p.partId === partId && p.isLeaf);
  if (!part)
    throw new MailwrightError('not_found', `this message has no MIME part ${JSON.stringify(partId)}`, 'partId');
  return { ...attachmentInfo(part), content: part.content ?? Buffer.alloc(0) };
}

export function attachmentInfo(part: MimePart): AttachmentInfo {
  const filename = part.filename ?? '';
  return {
    partId: part.partId,
    filename,
    safeFilename: safeFilename(filename, fallbackName(part)),
    contentType: part.contentType,
    size: part.decodedSize,
    contentId: part.contentId,
    inline: part.isInline,
  };
}

/** "part-1.2.png" for a part that gives no name, so a download still gets a useful extension. */
function fallbackName(part: MimePart): string {
  const ext = part.contentType === 'message/rfc822' ? 'eml' : libmime.detectExtension(part.contentType) || 'bin';
  return `part-${part.partId}.${ext}`;
}
