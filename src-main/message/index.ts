// Reading one message: parsing raw bytes into a summary, a detail view, attachments and a safe preview.
// Owns: everything derived from a single message's raw bytes. Must not import electron, the store or any binding.
import type { AttachmentInfo, Envelope, MessageDetail, MessageSummary, PreviewOptions } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';

/** What the indexer derives from raw bytes: the summary fields plus the text that goes into the full-text index. */
export interface DerivedMessage {
  from: MessageSummary['from'];
  to: MessageSummary['to'];
  cc: MessageSummary['cc'];
  subject: string;
  date: string | null;
  hasAttachments: boolean;
  snippet: string;
  parseError: string | null;
  /** Text for the FTS5 columns. */
  fts: { from: string; to: string; subject: string; body: string; headers: string };
}

/** Derive the summary and index text. Never throws: a broken message gets parseError and what could be read. */
export async function deriveMessage(raw: Buffer): Promise<DerivedMessage> {
  void raw;
  throw new MailwrightError('internal', 'not implemented');
}

/** Parse a message for the detail view. `base` carries the stored summary fields and envelope. */
export async function parseDetail(raw: Buffer, base: MessageSummary, envelope: Envelope): Promise<MessageDetail> {
  void raw; void base; void envelope;
  throw new MailwrightError('internal', 'not implemented');
}

export interface AttachmentContent extends AttachmentInfo {
  content: Buffer;
}

/** One attachment by part id; throws not_found when the part does not exist. */
export async function extractAttachment(raw: Buffer, partId: string): Promise<AttachmentContent> {
  void raw; void partId;
  throw new MailwrightError('internal', 'not implemented');
}

export interface PreviewDocument {
  /** A complete HTML document; cid: references are rewritten to data: URLs. */
  html: string;
  /** The Content-Security-Policy that must be sent with it (it includes `sandbox`, so no script can ever run). */
  csp: string;
}

/** The HTML body prepared for the sandboxed preview frame. */
export async function renderPreview(raw: Buffer, options: PreviewOptions): Promise<PreviewDocument> {
  void raw; void options;
  throw new MailwrightError('internal', 'not implemented');
}

/** A file name that is safe to create inside a folder the user picked. */
export function safeFilename(name: string, fallback = 'attachment'): string {
  void name;
  return fallback;
}
