// The detail view of one message: headers, text, attachments, MIME tree and the count of blocked remote content.
import type { Envelope, MessageDetail, MessageSummary } from '../../src-shared/index.js';
import { attachmentInfo } from './attachments.js';
import { parseBodies } from './bodies.js';
import { decodeHeaderLines } from './headers.js';
import { countRemoteResources } from './html-scan.js';
import { walkMime } from './mime.js';

// Leaves that mailparser reads as the message's text rather than as attachments.
const PLAIN_TYPES = new Set(['text/plain', 'message/delivery-status']);

/**
 * Parse a message for the detail view. `base` carries the stored summary fields; `envelope` the SMTP envelope.
 * Never throws on bad input: what could be read is returned and the reason goes to parseError.
 */
export async function parseDetail(raw: Buffer, base: MessageSummary, envelope: Envelope): Promise<MessageDetail> {
  const [walk, bodies] = await Promise.all([walkMime(raw), parseBodies(raw)]);
  const hasTextPart = walk.parts.some((p) => p.isLeaf && !p.isAttachment && PLAIN_TYPES.has(p.contentType));
  // mailparser answers '' for an HTML-only message (no conversion asked for); that is "no text part".
  const text = bodies.text || (hasTextPart ? (bodies.text ?? '') : null);
  const problem = bodies.error ?? walk.error;
  return {
    ...base,
    parseError: base.parseError ?? (problem ? `MIME structure could not be read completely: ${problem}` : null),
    envelope,
    headers: decodeHeaderLines(walk.headerLines),
    text,
    hasHtml: bodies.html !== null,
    attachments: walk.parts.filter((p) => p.isAttachment).map(attachmentInfo),
    mimeTree: walk.root,
    remoteResources: bodies.html ? countRemoteResources(bodies.html) : 0,
  };
}
