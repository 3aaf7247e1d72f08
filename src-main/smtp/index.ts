// The capture server: SMTP listeners that accept mail from the app under test and hand it to a sink.
// Owns: smtp-server setup, TLS material, the fast greeting. Must not import electron, the store or any binding.
import type { CertificateInfo, Envelope, ListenerStatus } from '../../src-shared/index.js';

/** Where accepted mail goes. The promise must resolve only once the bytes are durably stored: the 250 waits for it. */
export interface MessageSink {
  ingest(raw: Buffer, envelope: Envelope): Promise<{ id: number }>;
}

export interface ListenerConfig {
  id: string;
  host: string;
  /** 0 picks a free port; the bound port is reported in status(). */
  port: number;
  tls: 'starttls' | 'implicit';
}

export interface CaptureOptions {
  /** Folder where the generated certificate is kept (tls/cert.pem, tls/key.pem). */
  dataDir: string;
  listeners: ListenerConfig[];
  /** SIZE limit in bytes; a larger message gets 552 and nothing is stored. Default 50 MB. */
  maxMessageBytes?: number;
  /** Minimum TLS version. Default TLSv1.2. */
  minTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Name used in the greeting and Received header. Default 'mailwright'. */
  hostname?: string;
  /** Delay before the greeting that catches early talkers; 0 (default) greets at once. */
  earlyTalkerDelayMs?: number;
  sink: MessageSink;
  onStatus?: (listeners: ListenerStatus[]) => void;
}

export class CaptureServer {
  constructor(options: CaptureOptions) { void options; }
  /** Starts every listener. A listener that cannot bind is reported in status() with its error; it does not throw. */
  start(): Promise<ListenerStatus[]> { throw new Error('not implemented'); }
  stop(): Promise<void> { throw new Error('not implemented'); }
  status(): ListenerStatus[] { throw new Error('not implemented'); }
  certificate(): CertificateInfo | null { throw new Error('not implemented'); }
}
