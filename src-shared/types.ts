// Data types that travel between the core and every UI binding (IPC, HTTP, WebSocket).
// Owns: plain data shapes only. Must not import electron, node or DOM modules.

import type { AuthMechanism, AuthPolicyName, TlsMode } from './settings.js';

export type MessageId = number;

export interface Address {
  name: string;
  address: string;
}

/** What the SMTP client said, as opposed to what the headers claim. */
export interface Envelope {
  /** MAIL FROM; '' for the null sender `<>`. */
  mailFrom: string;
  /** Every RCPT TO, in order. */
  rcptTo: string[];
  /** The name the client gave in HELO/EHLO. */
  heloName: string;
  clientAddress: string;
  clientPort: number;
  /** Null when the session was plaintext. */
  tls: { protocol: string; cipher: string } | null;
  /** The username of a successful AUTH, or null. */
  authUser: string | null;
  /** Id of the listener that took the message; 'import' for imported mail. */
  listener: string;
}

export interface MessageSummary {
  id: MessageId;
  /** ISO time the message was committed to the store. */
  receivedAt: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  /** Envelope recipients that appear in no To/Cc header (Bcc). */
  bcc: string[];
  subject: string;
  /** ISO form of the Date header, or null when absent or unparseable. */
  date: string | null;
  /** Size of the raw message in bytes. */
  size: number;
  read: boolean;
  hasAttachments: boolean;
  snippet: string;
  /** False until the parsed summary and full-text index are derived from the raw bytes. */
  indexed: boolean;
  /** Set when the raw bytes could not be parsed; the raw message is still kept. */
  parseError: string | null;
}

export interface HeaderField {
  key: string;
  value: string;
}

export interface AttachmentInfo {
  /** Stable id of the MIME part inside the message, e.g. "1.2". */
  partId: string;
  /** The file name as the message gives it (may be hostile; display only). */
  filename: string;
  /** A name safe to write into a folder: no separators, no traversal, no reserved names. */
  safeFilename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

/** Content type of the placeholder child that marks where a depth or part-count budget cut the MIME tree. */
export const MIME_TRUNCATED_TYPE = 'x-mailwright/truncated';

export interface MimeNode {
  partId: string;
  contentType: string;
  disposition: string | null;
  filename: string | null;
  charset: string | null;
  encoding: string | null;
  size: number;
  children: MimeNode[];
}

export interface MessageDetail extends MessageSummary {
  envelope: Envelope;
  headers: HeaderField[];
  text: string | null;
  hasHtml: boolean;
  attachments: AttachmentInfo[];
  mimeTree: MimeNode | null;
  /** Remote URLs (images, CSS, fonts) found in the HTML; they stay blocked until allowed. */
  remoteResources: number;
}

export interface MessagePage {
  /** Messages matching the query. */
  total: number;
  /** Unread messages in the whole inbox (the badge), whatever the query. */
  unread: number;
  messages: MessageSummary[];
}

export interface ListQuery {
  /** Search syntax: free text, "phrases", from: to: subject: has:attachment is:unread before: after: */
  query?: string;
  limit?: number;
  offset?: number;
}

export interface ImportFailure {
  /** 0-based position of the message in its file (of the file in a multi-file import, when the whole file failed). */
  index: number;
  /** Byte offset in the file where the message starts; absent when the whole file failed. */
  offset?: number;
  error: string;
}

export interface ImportResult {
  imported: number;
  /** Ids of the first MAX_IMPORT_RESULT_IDS messages imported, in file order. */
  ids: MessageId[];
  /** The first MAX_IMPORT_RESULT_FAILURES failures; failedCount counts them all. */
  failed: ImportFailure[];
  failedCount: number;
  bytesRead: number;
}

/** Pushed while an import runs (a few times a second) and once when it ends. */
export interface ImportProgress {
  /** Counts up from 1 per process: ties the events of one import together. */
  importId: number;
  filename: string;
  bytesRead: number;
  /** The file's size when known (its Content-Length, or the file on disk), else null. */
  totalBytes: number | null;
  imported: number;
  failed: number;
  done: boolean;
}

export type ListenerState = 'starting' | 'listening' | 'stopped' | 'error';

export interface ListenerStatus {
  id: string;
  host: string;
  port: number;
  tls: TlsMode;
  state: ListenerState;
  error: string | null;
  /** AUTH policy and the mechanisms offered. */
  auth: { policy: AuthPolicyName; mechanisms: AuthMechanism[]; anyCredentials: boolean };
  /** The certificate this listener presents (null until started, or with TLS 'none'). */
  certificate: CertificateInfo | null;
}

export interface CertificateInfo {
  subject: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

export interface ServerStatus {
  version: string;
  listeners: ListenerStatus[];
  certificate: CertificateInfo | null;
  messageCount: number;
  totalBytes: number;
  /** How many messages retention has removed since start-up. */
  prunedSinceStart: number;
}

export interface PreviewOptions {
  allowRemote: boolean;
}

/** How an SMTP session ended. 'delivered' wins when any message was stored, even if others were refused. */
export type SessionOutcome = 'delivered' | 'rejected' | 'authFailed' | 'dropped' | 'timedOut' | 'quit';

export interface SessionTls {
  protocol: string;
  cipher: string;
}

/** [direction, ms after start, text]: compact while buffered and stored, expanded only when a UI asks. */
export type RecordedLine = [dir: 'C' | 'S', at: number, text: string];

/** One finished SMTP session as the capture server hands it to the store: a summary before it has an id, times in epoch ms, plus its lines. */
export interface SessionRecord extends Omit<SessionSummary, 'id' | 'startedAt' | 'endedAt'> {
  startedAt: number;
  endedAt: number;
  lines: RecordedLine[];
  truncatedLines: number;
}

export interface SessionSummary {
  id: number;
  listener: string;
  clientAddress: string;
  clientPort: number;
  tls: SessionTls | null;
  helo: string;
  authUser: string | null;
  startedAt: string;
  endedAt: string;
  outcome: SessionOutcome;
  /** The reply code behind 'rejected' / 'authFailed' / 'timedOut' (the last refusal); null otherwise. */
  outcomeCode: number | null;
  authFailures: number;
  /** Refusals (4xx/5xx replies) other than AUTH failures. */
  rejected: number;
  messageIds: MessageId[];
}

export interface TranscriptLine {
  /** C: what the client sent (secrets and message data elided), S: what the server replied. */
  dir: 'C' | 'S';
  text: string;
  /** Milliseconds after startedAt. */
  at: number;
}

export interface SessionDetail extends SessionSummary {
  transcript: TranscriptLine[];
  /** Lines left out once the session passed the recording budget; 0 for a complete transcript. */
  truncatedLines: number;
}

export interface SessionPage {
  total: number;
  sessions: SessionSummary[];
}

/** One minute of the live figures; `minute` is the start of the minute (ISO). */
export interface MetricsBucket {
  minute: string;
  sessions: number;
  accepted: number;
  rejected: number;
  authFailures: number;
  bytes: number;
}

/** Counters since the server started, plus the last 15 minutes for a rate. */
export interface LiveFigures {
  startedAt: string;
  sessions: number;
  messagesAccepted: number;
  /** Refusals by reply code ("552": 3). */
  rejectedByCode: Record<string, number>;
  authFailures: number;
  bytesReceived: number;
  activeConnections: number;
  /** Hits per fault-rule id, from the fault engine. */
  faultRuleHits: Record<string, number>;
  /** Oldest first, one per minute, the current minute last. */
  perMinute: MetricsBucket[];
}
