// The message store: raw bytes as the truth, derived summary and FTS5 index, retention, import/export.
// Owns: the SQLite database in the data folder. Must not import electron, smtp or any binding.
import type {
  Envelope, ImportResult, ListQuery, MessageDetail, MessageId, MessagePage, MessageSummary, RetentionSettings,
} from '../../src-shared/index.js';
import type { Events } from '../../src-shared/index.js';

export type StoreEvent =
  | { event: 'messages.added'; data: Events['messages.added'] }
  | { event: 'messages.updated'; data: Events['messages.updated'] }
  | { event: 'messages.deleted'; data: Events['messages.deleted'] }
  | { event: 'messages.cleared'; data: Events['messages.cleared'] }
  | { event: 'messages.pruned'; data: Events['messages.pruned'] };

export interface StoreOptions {
  /** Folder that holds mailwright.db. Created if missing. */
  dataDir: string;
  retention?: RetentionSettings;
  /** better-sqlite3 `nativeBinding` (the Electron-ABI build in the desktop app). */
  nativeBinding?: string;
  onEvent?: (e: StoreEvent) => void;
}

export class Store {
  static open(options: StoreOptions): Store {
    void options;
    throw new Error('not implemented');
  }
  /** Resolves once the raw bytes are durably committed. Derivation (parse + index) happens after. */
  ingest(raw: Buffer, envelope: Envelope): Promise<MessageSummary> { void raw; void envelope; throw new Error('not implemented'); }
  list(query: ListQuery): MessagePage { void query; throw new Error('not implemented'); }
  get(id: MessageId): Promise<MessageDetail> { void id; throw new Error('not implemented'); }
  raw(id: MessageId): Buffer { void id; throw new Error('not implemented'); }
  markRead(ids: MessageId[], read: boolean): number { void ids; void read; throw new Error('not implemented'); }
  delete(ids: MessageId[]): number { void ids; throw new Error('not implemented'); }
  deleteAll(): number { throw new Error('not implemented'); }
  importFile(data: Buffer, filename: string): Promise<ImportResult> { void data; void filename; throw new Error('not implemented'); }
  reindex(): Promise<number> { throw new Error('not implemented'); }
  get retention(): RetentionSettings { throw new Error('not implemented'); }
  setRetention(r: RetentionSettings): void { void r; throw new Error('not implemented'); }
  stats(): { count: number; bytes: number; pending: number } { throw new Error('not implemented'); }
  /** Resolves when every committed message is derived and indexed. */
  idle(): Promise<void> { throw new Error('not implemented'); }
  close(): Promise<void> { throw new Error('not implemented'); }
}
