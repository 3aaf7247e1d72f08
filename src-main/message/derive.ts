// Derivation for the store's summary and full-text index.
import type { MessageSummary } from '../../src-shared/index.js';
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
