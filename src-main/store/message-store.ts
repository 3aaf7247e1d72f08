// The store contract both stores implement: the embedded SQLite Store (through SqliteMessageStore) and the shared
// PostgreSQL PgStore (postgres/). Promise results throughout, since a network database answers later; the SQLite
// adapter resolves at once. Plus the small SQL client capabilities use for their own tables, in either dialect.
import type {
  Envelope,
  ImportResult,
  ListQuery,
  MessageDetail,
  MessageId,
  MessagePage,
  RetentionSettings,
  SessionDetail,
  SessionPage,
} from '../../src-shared/index.js';
import type { ImportOptions, ImportSource } from './import.js';
import type { SearchOperator } from './search.js';
import type { SessionInput, SessionQuery } from './sessions.js';
import type { StoreEvent } from './store.js';
import type { StoredMessage } from './writer.js';

export type { StoreEvent, StoredMessage };

/** Which SQL a database speaks. */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * One capability's migration in both dialects, numbered alike: version N is the same change in either. `postgres`
 * may be missing only while a capability runs on SQLite alone; PgStore refuses such a capability by name.
 */
export interface DialectMigration {
  version: number;
  name: string;
  sqlite: string;
  postgres?: string;
}

/**
 * A search operator a capability adds (`tag:`), with its SQL per dialect: a condition over `m` (the messages
 * table) with `?` placeholders, or null when it does not handle that value. A plain function is SQLite only.
 */
export type DialectSearchOperator = SearchOperator | { sqlite: SearchOperator; postgres: SearchOperator };

export function operatorFor(op: DialectSearchOperator, dialect: SqlDialect): SearchOperator | null {
  if (typeof op === 'function') return dialect === 'sqlite' ? op : null;
  return op[dialect];
}

/** Recorded SMTP sessions (see sessions.ts): written in batches as they end. */
export interface SessionRepository {
  /** Queues an ended session; it is written with the others that end within a few ms. */
  add(s: SessionInput): void;
  /** Writes what is queued now. */
  flush(): Promise<void>;
  list(q: SessionQuery): Promise<SessionPage>;
  get(id: number): Promise<SessionDetail>;
}

export interface StoreStats {
  count: number;
  bytes: number;
  /** Messages committed but not yet derived and indexed, plus those waiting for their commit. */
  pending: number;
}

/** Every public operation of the message store, whatever the database. */
export interface MessageStore {
  readonly dialect: SqlDialect;
  /** Where the messages are, for people: "SQLite in the data folder", "PostgreSQL at host:port" (no password). */
  readonly location: string;
  readonly sessions: SessionRepository;
  /** The client for capabilities' own tables (created by their migrations). */
  readonly sql: SqlClient;
  /** Resolves once the raw bytes are durably committed (the SMTP 250 waits on it); rejects with 'unavailable'. */
  ingest(raw: Buffer, envelope: Envelope): Promise<StoredMessage>;
  list(query: ListQuery): Promise<MessagePage>;
  get(id: MessageId): Promise<MessageDetail>;
  /** The exact bytes received. */
  raw(id: MessageId): Promise<Buffer>;
  envelopes(ids: readonly MessageId[]): Promise<Map<MessageId, Envelope>>;
  /** Which of `ids` match `query`. */
  matching(query: string, ids: readonly MessageId[]): Promise<MessageId[]>;
  markRead(ids: MessageId[], read: boolean): Promise<number>;
  markAllRead(query: string | undefined): Promise<number>;
  delete(ids: MessageId[]): Promise<number>;
  deleteAll(): Promise<number>;
  import(source: ImportSource, options: ImportOptions): Promise<ImportResult>;
  reindex(): Promise<number>;
  readSetting(key: string): Promise<unknown>;
  writeSetting(key: string, value: unknown): Promise<void>;
  retention(): Promise<RetentionSettings>;
  setRetention(r: RetentionSettings): Promise<void>;
  stats(): Promise<StoreStats>;
  /** The same figures at once, where the store can count without waiting (SQLite); absent otherwise. */
  statsNow?(): StoreStats;
  /** Resolves when every committed message is derived and indexed. */
  idle(): Promise<void>;
  close(): Promise<void>;
  addSearchOperator(name: string, operator: DialectSearchOperator): void;
  /**
   * Passes a capability's event to the other instances on this database (they get it through their `onRelay`).
   * Absent where there are no others (SQLite). Events too large for one notification are not passed.
   */
  relay?(event: string, data: unknown): void;
  /** Applies a capability's migrations (its dialect's form) to its own tables; returns the versions applied. */
  migrateCapability(capability: string, migrations: readonly DialectMigration[]): Promise<number[]>;
}

export type SqlValue = string | number | bigint | boolean | Buffer | null;

/**
 * SQL for capabilities' own tables, in either database. Statements use `?` placeholders in both dialects (the
 * PostgreSQL client numbers them); `dialect` says which SQL to write where the two differ.
 */
export interface SqlClient {
  readonly dialect: SqlDialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement that returns no rows; `changes` counts the rows it touched. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Statements without parameters, run as written (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/**
 * `?` placeholders as PostgreSQL's `$1, $2…`, leaving those inside string literals, quoted identifiers, dollar
 * quoting and comments alone. `??` is a literal `?` (PostgreSQL's jsonb operators).
 */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closing(sql, i + 1, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64)) && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0];
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end < 0 ? sql.length : end + tag.length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?' && sql[i + 1] === '?') {
      out += '?';
      i += 2;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just past the quote that closes a literal opened before `from` (a doubled quote is part of it). */
function closing(sql: string, from: number, quote: string): number {
  let i = from;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
