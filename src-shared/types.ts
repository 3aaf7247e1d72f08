// Data types that travel between the core and every UI binding (IPC, HTTP, WebSocket).
// Owns: the names of the shapes. Each result shape is a zod schema beside its verb in contract/<capability>.ts (so the
// OpenAPI document and a test against real results check the same definition); the types here are inferred from
// those schemas through type-only imports, so importing this file bundles no zod.
// Must not import electron, node or DOM modules.
import type { z } from 'zod';
import type { PreviewView } from './bridge.js';
import type {
  addressSchema,
  attachmentInfoSchema,
  envelopeSchema,
  headerFieldSchema,
  importFailureSchema,
  importProgressSchema,
  importResultSchema,
  listQuerySchema,
  messageDetailSchema,
  messagePageSchema,
  messageSummarySchema,
  mimeNodeSchema,
} from './contract/messages.js';
import type {
  certificateInfoSchema,
  listenerStateSchema,
  listenerStatusSchema,
  liveFiguresSchema,
  metricsBucketSchema,
  serverStatusSchema,
} from './contract/server.js';
import type {
  sessionDetailSchema,
  sessionOutcomeSchema,
  sessionPageSchema,
  sessionSummarySchema,
  sessionTlsSchema,
  transcriptLineSchema,
} from './contract/sessions.js';

export type MessageId = number;

export type Address = z.output<typeof addressSchema>;

/** What the SMTP client said, as opposed to what the headers claim. */
export type Envelope = z.output<typeof envelopeSchema>;

export type MessageSummary = z.output<typeof messageSummarySchema>;

export type HeaderField = z.output<typeof headerFieldSchema>;

export type AttachmentInfo = z.output<typeof attachmentInfoSchema>;

/** Content type of the placeholder child that marks where a depth or part-count budget cut the MIME tree. */
export const MIME_TRUNCATED_TYPE = 'x-mailwright/truncated';

export type MimeNode = z.output<typeof mimeNodeSchema>;

export type MessageDetail = z.output<typeof messageDetailSchema>;

export type MessagePage = z.output<typeof messagePageSchema>;

/** Search syntax: free text, "phrases", from: to: subject: has:attachment is:unread before: after: */
export type ListQuery = z.input<typeof listQuerySchema>;

export type ImportFailure = z.output<typeof importFailureSchema>;

export type ImportResult = z.output<typeof importResultSchema>;

/** Pushed while an import runs (a few times a second) and once when it ends. */
export type ImportProgress = z.output<typeof importProgressSchema>;

export type ListenerState = z.output<typeof listenerStateSchema>;

export type ListenerStatus = z.output<typeof listenerStatusSchema>;

export type CertificateInfo = z.output<typeof certificateInfoSchema>;

export type ServerStatus = z.output<typeof serverStatusSchema>;

export interface PreviewOptions {
  allowRemote: boolean;
  /** Light with images when absent. */
  view?: PreviewView;
}

/** How an SMTP session ended. 'delivered' wins when any message was stored, even if others were refused. */
export type SessionOutcome = z.output<typeof sessionOutcomeSchema>;

export type SessionTls = z.output<typeof sessionTlsSchema>;

/** [direction, ms after start, text]: compact while buffered and stored, expanded only when a UI asks. */
export type RecordedLine = [dir: 'C' | 'S', at: number, text: string];

/** One finished SMTP session as the capture server hands it to the store: a summary before it has an id, times in epoch ms, plus its lines. */
export interface SessionRecord extends Omit<SessionSummary, 'id' | 'startedAt' | 'endedAt'> {
  startedAt: number;
  endedAt: number;
  lines: RecordedLine[];
  truncatedLines: number;
}

export type SessionSummary = z.output<typeof sessionSummarySchema>;

export type TranscriptLine = z.output<typeof transcriptLineSchema>;

export type SessionDetail = z.output<typeof sessionDetailSchema>;

export type SessionPage = z.output<typeof sessionPageSchema>;

/** One minute of the live figures; `minute` is the start of the minute (ISO). */
export type MetricsBucket = z.output<typeof metricsBucketSchema>;

/** Counters since the server started, plus the last 15 minutes for a rate. */
export type LiveFigures = z.output<typeof liveFiguresSchema>;
