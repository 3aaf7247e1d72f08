// The embedded SQLite Store seen through the MessageStore contract: every call goes to the Store unchanged and
// resolves with its answer, so behaviour is exactly the Store's. Plus the SQLite SqlClient over better-sqlite3.
import type Database from 'better-sqlite3';
import type {
  Envelope,
  ImportResult,
  ListQuery,
  MessageDetail,
  MessageId,
  MessagePage,
  RetentionSettings,
} from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';
import type { ImportOptions, ImportSource } from './import.js';
import {
  operatorFor,
  type DialectMigration,
  type DialectSearchOperator,
  type MessageStore,
  type SessionRepository,
  type SqlClient,
  type SqlValue,
  type StoreStats,
} from './message-store.js';
import type { Store } from './store.js';
import type { StoredMessage } from './writer.js';

/** Prepared statements SqliteClient keeps; past this it starts again (SQL built per call would otherwise grow it). */
const MAX_CACHED_STATEMENTS = 500;

export class SqliteMessageStore implements MessageStore {
  readonly dialect = 'sqlite' as const;
  readonly location = 'SQLite in the data folder';
  readonly sessions: SessionRepository;
  readonly sql: SqlClient;
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
    this.sql = new SqliteClient(store.database);
    const s = store.sessions;
    this.sessions = {
      add: (input) => s.add(input),
      flush: () => settle(() => s.flush()),
      list: (q) => settle(() => s.list(q)),
      get: (id) => settle(() => s.get(id)),
    };
  }

  /** The Store underneath, for code not yet moved onto the contract. */
  get store(): Store {
    return this.#store;
  }

  ingest(raw: Buffer, envelope: Envelope): Promise<StoredMessage> {
    return this.#store.ingest(raw, envelope);
  }
  list(query: ListQuery): Promise<MessagePage> {
    return settle(() => this.#store.list(query));
  }
  get(id: MessageId): Promise<MessageDetail> {
    return this.#store.get(id);
  }
  raw(id: MessageId): Promise<Buffer> {
    return settle(() => this.#store.raw(id));
  }
  envelopes(ids: readonly MessageId[]): Promise<Map<MessageId, Envelope>> {
    return settle(() => this.#store.envelopes(ids));
  }
  matching(query: string, ids: readonly MessageId[]): Promise<MessageId[]> {
    return settle(() => this.#store.matching(query, ids));
  }
  markRead(ids: MessageId[], read: boolean): Promise<number> {
    return settle(() => this.#store.markRead(ids, read));
  }
  markAllRead(query: string | undefined): Promise<number> {
    return settle(() => this.#store.markAllRead(query));
  }
  delete(ids: MessageId[]): Promise<number> {
    return settle(() => this.#store.delete(ids));
  }
  deleteAll(): Promise<number> {
    return settle(() => this.#store.deleteAll());
  }
  import(source: ImportSource, options: ImportOptions): Promise<ImportResult> {
    return settle(() => this.#store.import(source, options));
  }
  reindex(): Promise<number> {
    return this.#store.reindex();
  }
  readSetting(key: string): Promise<unknown> {
    return settle(() => this.#store.readSetting(key));
  }
  writeSetting(key: string, value: unknown): Promise<void> {
    return settle(() => this.#store.writeSetting(key, value));
  }
  retention(): Promise<RetentionSettings> {
    return settle(() => this.#store.retention);
  }
  setRetention(r: RetentionSettings): Promise<void> {
    return settle(() => this.#store.setRetention(r));
  }
  stats(): Promise<StoreStats> {
    return settle(() => this.#store.stats());
  }
  statsNow(): StoreStats {
    return this.#store.stats();
  }
  idle(): Promise<void> {
    return this.#store.idle();
  }
  close(): Promise<void> {
    return this.#store.close();
  }
  addSearchOperator(name: string, operator: DialectSearchOperator): void {
    const op = operatorFor(operator, 'sqlite');
    if (op) this.#store.addSearchOperator(name, op);
  }
  migrateCapability(capability: string, migrations: readonly DialectMigration[]): Promise<number[]> {
    return settle(() => this.#store.migrateCapability(capability, migrations));
  }
}

/**
 * SqlClient over one better-sqlite3 connection (the store's own). Statements run synchronously and resolve at once;
 * prepared statements are kept per SQL text. A transaction holds the connection for the client's other callers
 * (they wait for it). Its function must await only its own statements: the store's writer shares the connection,
 * and a batch it committed while a capability's transaction waited on other I/O would become part of that
 * transaction (and be rolled back with it).
 */
export class SqliteClient implements SqlClient {
  readonly dialect = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** The open transaction's end, which other callers of this client wait for. */
  #busy: Promise<unknown> = Promise.resolve();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.#busy;
    return this.#prepare(sql).all(...params) as T[];
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    await this.#busy;
    return this.#prepare(sql).get(...params) as T | undefined;
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    await this.#busy;
    return { changes: this.#prepare(sql).run(...params).changes };
  }

  /** A prepared statement per SQL text (capabilities use a few dozen fixed texts; the cap guards against more). */
  #prepare(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }
  async exec(sql: string): Promise<void> {
    await this.#busy;
    this.#db.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const previous = this.#busy;
    let done!: () => void;
    this.#busy = new Promise<void>((resolve) => (done = resolve));
    await previous.catch(() => {});
    const db = this.#db;
    const prepare = (sql: string): Database.Statement => this.#prepare(sql);
    const tx: SqlClient = {
      dialect: 'sqlite',
      all: <R>(sql: string, params: readonly SqlValue[] = []) => settle(() => prepare(sql).all(...params) as R[]),
      get: <R>(sql: string, params: readonly SqlValue[] = []) =>
        settle(() => prepare(sql).get(...params) as R | undefined),
      run: (sql, params = []) => settle(() => ({ changes: prepare(sql).run(...params).changes })),
      exec: (sql) => settle(() => void db.exec(sql)),
      transaction: () => Promise.reject(new MailwrightError('internal', 'transactions do not nest')),
    };
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      done();
    }
  }
}

/** A synchronous call as a promise: its value resolved, its throw a rejection (never a synchronous throw). */
function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
