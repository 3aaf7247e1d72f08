// The message store: raw bytes as the truth, derived summary and FTS5 index, search, retention, streamed import,
// SMTP session records and the settings table's rows.
// Owns: the SQLite database in the data folder. Must not import electron, capture or any binding. This file only re-exports.
export { DEFAULT_RETENTION } from './retention.js';
export type { SessionInput, SessionQuery, SessionStore } from './sessions.js';
export type { ImportCounts, ImportOptions, ImportSource } from './import.js';
export { type StoreEvent, type StoreOptions, Store } from './store.js';
export type {
  DialectMigration,
  DialectSearchOperator,
  MessageStore,
  SessionRepository,
  SqlClient,
  SqlDialect,
  SqlValue,
  StoreStats,
} from './message-store.js';
export { SqliteClient, SqliteMessageStore } from './sqlite-message-store.js';
