// Store: the SQLite message store of one data folder (raw bytes, derived rows, search, retention, import, sessions).
// Must not import electron, capture or any binding.
import type Database from 'better-sqlite3';
import type {
  Envelope,
  ImportResult,
  ListQuery,
  MessageDetail,
  MessageId,
  MessagePage,
  MessageSummary,
  RetentionSettings,
} from '../../src-shared/index.js';
import type { Events } from '../../src-shared/index.js';
import { MAX_PAGE_SIZE, MailwrightError } from '../../src-shared/index.js';
import { parseDetail } from '../message/index.js';
import { openDatabase } from './db.js';
import { IdleCheckpointer } from './checkpoint.js';
import { Indexer } from './indexer.js';
import { ImportQueue, importStream, type ImportOptions, type ImportSource } from './import.js';
import { loadRetention, saveRetention, selectPrunable } from './retention.js';
import { headerSummary, rowEnvelope, rowToSummary, SUMMARY_COLUMNS, type MessageRow } from './rows.js';
import { migrateCapability, type CapabilityMigrationSql } from './migrate.js';
import { compileQuery, type SearchOperator } from './search.js';
import { SessionStore } from './sessions.js';
import { readSetting, writeSetting } from './settings-table.js';
import { Writer, type CommitResult, type StoredMessage } from './writer.js';

export type StoreEvent =
  /** Lazy: the summaries are read from the headers only if someone listens (see headerSummary). */
  | { event: 'messages.added'; data: () => Events['messages.added'] }
  | { event: 'messages.updated'; data: Events['messages.updated'] }
  | { event: 'messages.deleted'; data: Events['messages.deleted'] }
  | { event: 'messages.cleared'; data: Events['messages.cleared'] }
  | { event: 'messages.pruned'; data: Events['messages.pruned'] }
  | { event: 'sessions.added'; data: Events['sessions.added'] };

export interface StoreOptions {
  /** Folder that holds mailwright.db. Created if missing. */
  dataDir: string;
  retention?: RetentionSettings;
  /** better-sqlite3 `nativeBinding` (the Electron-ABI build in the desktop app). */
  nativeBinding?: string;
  onEvent?: (e: StoreEvent) => void;
  /**
   * A failure of work nobody waits on (a failed commit's clients already got 451; session writes, indexing,
   * checkpoints, retention run from timers): one line for the user. The details go to stderr.
   */
  onProblem?: (text: string) => void;
}

const DEFAULT_PAGE_SIZE = 50;
/** A commit this recent (ms) means mail is arriving, and the indexer takes smaller slices of the loop. */
const INGEST_BUSY_MS = 100;
/** Distinct list query shapes kept prepared; shapes repeat (the values are bound parameters). */
const STATEMENT_CACHE_SIZE = 64;

export class Store {
  /** Recorded SMTP sessions; they share the message retention (maxMessages caps their count too). */
  readonly sessions: SessionStore;
  readonly #db: Database.Database;
  readonly #onEvent: (e: StoreEvent) => void;
  readonly #writer: Writer;
  readonly #indexer: Indexer;
  readonly #checkpointer: IdleCheckpointer;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #imports = new ImportQueue();
  readonly #searchOperators = new Map<string, SearchOperator>();
  #retention: RetentionSettings;
  #count: number;
  /** Unread messages, kept in step with every write, so no list pays for counting them (the badge). */
  #unread: number;
  #bytes: number;
  #totalPruned = 0;
  #closed = false;
  readonly #problem: (text: string) => void;

  private constructor(db: Database.Database, options: StoreOptions) {
    this.#db = db;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#retention = options.retention ? saveRetention(db, options.retention) : loadRetention(db);
    const totals = db
      .prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS b, coalesce(sum(read = 0), 0) AS u FROM messages')
      .get() as { n: number; b: number; u: number };
    this.#count = totals.n;
    this.#unread = totals.u;
    this.#bytes = totals.b;
    const problem = (text: string): void => {
      try {
        options.onProblem?.(`[store] ${text}`);
      } catch (err) {
        console.error('[store] problem report failed:', err);
      }
    };
    this.#problem = problem;
    this.#checkpointer = new IdleCheckpointer(db, problem);
    this.sessions = new SessionStore(
      db,
      () => this.#retention.maxMessages,
      (ids) => this.#emit({ event: 'sessions.added', data: { ids } }),
      problem,
    );
    this.#writer = new Writer(db, (r) => this.#committed(r));
    this.#indexer = new Indexer(
      db,
      (ids) => this.#emit({ event: 'messages.updated', data: { ids } }),
      () => this.#writer.queued > 0,
      () => this.#writer.activeWithin(INGEST_BUSY_MS),
      problem,
    );
  }

  static open(options: StoreOptions): Store {
    const db = openDatabase(options.dataDir, options.nativeBinding);
    let store: Store;
    try {
      store = new Store(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
    store.#prune();
    // Messages committed before the last shutdown but not yet derived resume here.
    store.#indexer.wake();
    return store;
  }

  /**
   * The connection, for capabilities' own tables (each created by that capability's migrations, see
   * migrateCapability). The store's own tables are its business: read them through the methods here.
   */
  get database(): Database.Database {
    return this.#db;
  }

  /** Applies a capability's migrations to its own tables; returns the versions applied. */
  migrateCapability(capability: string, migrations: readonly CapabilityMigrationSql[]): number[] {
    return migrateCapability(this.#db, capability, migrations);
  }

  /**
   * Adds an operator to the search syntax (`tag:` from the tags capability), so the store need not know the
   * capability's tables. A later call for the same name replaces it.
   */
  addSearchOperator(name: string, operator: SearchOperator): void {
    if (!/^[a-z]{1,10}$/.test(name)) throw new Error(`search operator names are 1-10 lowercase letters: ${name}`);
    this.#searchOperators.set(name, operator);
  }

  /** Which of `ids` match `query` (search syntax), e.g. for rules applied to newly indexed mail. */
  matching(query: string, ids: readonly MessageId[]): MessageId[] {
    this.#open();
    if (ids.length === 0) return [];
    const { match, where, params } = compileQuery(query, this.#searchOperators);
    const only = 'm.id IN (SELECT value FROM json_each(?))';
    const cond = where ? `${where} AND ${only}` : only;
    const sql =
      match === null
        ? `SELECT m.id FROM messages m WHERE ${cond}`
        : `SELECT m.id FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ? AND ${cond}`;
    const args = match === null ? [...params, JSON.stringify(ids)] : [match, ...params, JSON.stringify(ids)];
    return this.#statement(sql)
      .pluck()
      .all(...args) as MessageId[];
  }

  /** Resolves once the raw bytes are durably committed. Derivation (parse + index) happens after. */
  ingest(raw: Buffer, envelope: Envelope): Promise<StoredMessage> {
    if (this.#closed) return Promise.reject(new MailwrightError('unavailable', '[store] the store is closed'));
    return this.#writer.enqueue(raw, envelope);
  }

  /**
   * One page, newest first. `total` counts the matches; `unread` is the whole inbox's unread count
   * (the badge, as in Mailpit), so it stays cheap whatever the query matches.
   */
  list(query: ListQuery): MessagePage {
    this.#open();
    const limit = clampInt(query.limit, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const offset = clampInt(query.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    const { match, where, params } = compileQuery(query.query, this.#searchOperators);
    const and = where ? ` AND ${where}` : '';
    let rows: MessageRow[];
    let total: number;
    if (match === null) {
      const cond = where ? `WHERE ${where}` : '';
      rows = this.#statement(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m ${cond} ORDER BY m.id DESC LIMIT ? OFFSET ?`,
      ).all(...params, limit, offset) as MessageRow[];
      total = where ? this.#count1(`SELECT count(*) FROM messages m ${cond}`, params) : this.#count;
    } else {
      // FTS5 walks its doclists in rowid order, so the newest page stops after `limit` matches.
      // CROSS JOIN keeps the index as the outer loop: probing FTS once per message row is far slower.
      const from = 'FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?';
      rows = this.#statement(
        `SELECT ${SUMMARY_COLUMNS} ${from}${and} ORDER BY messages_fts.rowid DESC LIMIT ? OFFSET ?`,
      ).all(match, ...params, limit, offset) as MessageRow[];
      // Every indexed row is a live message (delete removes both), so text alone is counted in the index.
      total = where
        ? this.#count1(`SELECT count(*) ${from}${and}`, [match, ...params])
        : this.#count1('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?', [match]);
    }
    return { total, unread: this.#unread, messages: rows.map((row) => this.#summary(row)) };
  }

  async get(id: MessageId): Promise<MessageDetail> {
    this.#open();
    const row = this.#statement(`SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id = ?`).get(id) as
      MessageRow | undefined;
    if (!row) throw notFound(id);
    // Someone is looking at it: make it searchable ahead of the backlog.
    if (row.indexed === 0) this.#indexer.prioritize([id]);
    return parseDetail(this.raw(id), this.#summary(row), rowEnvelope(row));
  }

  /** The exact bytes received. */
  raw(id: MessageId): Buffer {
    this.#open();
    const row = this.#statement('SELECT data FROM message_raw WHERE id = ?').get(id) as { data: Buffer } | undefined;
    if (!row) throw notFound(id);
    return row.data;
  }

  /** The SMTP envelopes of these messages (those that exist), without reading their bytes. */
  envelopes(ids: readonly MessageId[]): Map<MessageId, Envelope> {
    this.#open();
    const rows = this.#statement('SELECT id, envelope FROM messages WHERE id IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(ids),
    ) as { id: number; envelope: string }[];
    return new Map(rows.map((r) => [r.id, rowEnvelope(r)]));
  }

  markRead(ids: MessageId[], read: boolean): number {
    this.#open();
    const json = JSON.stringify(ids);
    const { rows, flipped } = this.#db.transaction(() => ({
      flipped: this.#count1(
        'SELECT count(*) FROM messages WHERE id IN (SELECT value FROM json_each(?)) AND read <> ?',
        [json, read ? 1 : 0],
      ),
      rows: this.#statement(
        'UPDATE messages SET read = ? WHERE id IN (SELECT value FROM json_each(?)) RETURNING id',
      ).all(read ? 1 : 0, json) as { id: number }[],
    }))();
    this.#unread += read ? -flipped : flipped;
    if (rows.length) this.#emit({ event: 'messages.updated', data: { ids: rows.map((r) => r.id) } });
    return rows.length;
  }

  /** Marks every unread message the search matches as read (every one without a query); returns how many. */
  markAllRead(query: string | undefined): number {
    this.#open();
    const { match, where, params } = compileQuery(query);
    const unread = `m.read = 0${where ? ` AND ${where}` : ''}`;
    const select =
      match === null
        ? `SELECT m.id FROM messages m WHERE ${unread}`
        : `SELECT m.id FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ? AND ${unread}`;
    const rows = this.#statement(`UPDATE messages SET read = 1 WHERE id IN (${select}) RETURNING id`).all(
      ...(match === null ? params : [match, ...params]),
    ) as { id: number }[];
    this.#unread -= rows.length;
    if (rows.length) this.#emit({ event: 'messages.updated', data: { ids: rows.map((r) => r.id) } });
    return rows.length;
  }

  delete(ids: MessageId[]): number {
    this.#open();
    this.#writer.flush();
    const deleted = this.#deleteIds(ids);
    if (deleted.length) this.#emit({ event: 'messages.deleted', data: { ids: deleted } });
    return deleted.length;
  }

  deleteAll(): number {
    this.#open();
    this.#writer.flush();
    const deleted = this.#db.transaction(() => {
      const n = (this.#db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
      // Whole-table deletes take SQLite's truncate path; 'delete-all' empties the contentless index.
      this.#db.exec(
        "DELETE FROM messages; DELETE FROM message_raw; INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');",
      );
      return n;
    })();
    this.#count = 0;
    this.#unread = 0;
    this.#bytes = 0;
    this.#emit({ event: 'messages.cleared', data: { deleted } });
    return deleted;
  }

  /**
   * Imports a single .eml or an mbox file read as a stream; each message goes through the normal commit path.
   * Imports run one at a time: a second waits for the first (see ImportQueue).
   */
  import(source: ImportSource, options: ImportOptions): Promise<ImportResult> {
    this.#open();
    return this.#imports.run(async () => {
      this.#open();
      return importStream(source, options, (raw, envelope) => this.ingest(raw, envelope));
    });
  }

  /** Rebuilds every summary and index row from the raw bytes; resolves with the count when done. */
  async reindex(): Promise<number> {
    this.#open();
    this.#writer.flush();
    const n = this.#db.prepare('UPDATE messages SET indexed = 0').run().changes;
    this.#indexer.wake();
    await this.#indexer.idle();
    return n;
  }

  /** A saved settings document of another module (JSON), or undefined when none was saved or it is unreadable. */
  readSetting(key: string): unknown {
    this.#open();
    return readSetting(this.#db, key);
  }

  writeSetting(key: string, value: unknown): void {
    this.#open();
    writeSetting(this.#db, key, value);
  }

  get retention(): RetentionSettings {
    return { ...this.#retention };
  }

  setRetention(r: RetentionSettings): void {
    this.#open();
    this.#retention = saveRetention(this.#db, r);
    this.#prune();
    this.sessions.prune();
  }

  stats(): { count: number; bytes: number; pending: number } {
    if (this.#closed) return { count: this.#count, bytes: this.#bytes, pending: 0 };
    return { count: this.#count, bytes: this.#bytes, pending: this.#indexer.pending() + this.#writer.queued };
  }

  /** Resolves when every committed message is derived and indexed. */
  idle(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#indexer.idle();
  }

  /** Commits what is queued, lets the batch being indexed finish, and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#writer.flush();
    this.sessions.close();
    this.#closed = true;
    await this.#indexer.stop();
    this.#writer.failAll(new MailwrightError('unavailable', '[store] the store is closed'));
    this.#checkpointer.stop();
    this.#statements.clear();
    // Closing the last connection checkpoints the WAL into the database file.
    this.#db.close();
  }

  #committed({ committed, bytes, error }: CommitResult): void {
    if (error)
      this.#problem(
        `could not save mail, so SMTP clients were answered 451 (nothing acknowledged was lost): ${error.message}`,
      );
    if (committed.length) {
      this.#checkpointer.noteCommit();
      this.#count += committed.length;
      this.#unread += committed.length; // new mail is unread
      this.#bytes += bytes;
      const data = (): Events['messages.added'] => ({
        messages: committed.map(({ id, receivedAt, size, raw, envelope }) =>
          headerSummary(unindexed(id, receivedAt, size), raw, envelope),
        ),
      });
      this.#emit({ event: 'messages.added', data });
      try {
        this.#prune();
      } catch (err) {
        // Runs from a timer after the commit: a failed prune is retried after the next batch, never fatal.
        console.error('[store] retention prune failed:', err);
        this.#problem(
          `could not remove old messages for retention: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    this.#indexer.wake();
  }

  /** A row's summary; one the indexer has not reached yet is read from the message's headers. */
  #summary(row: MessageRow): MessageSummary {
    const summary = rowToSummary(row);
    if (summary.indexed) return summary;
    return headerSummary(summary, this.raw(row.id), rowEnvelope(row));
  }

  #prune(): void {
    for (const p of selectPrunable(this.#db, this.#retention, this.#count, this.#bytes)) {
      const ids = this.#deleteIds(p.ids);
      this.#totalPruned += ids.length;
      if (ids.length)
        this.#emit({ event: 'messages.pruned', data: { ids, reason: p.reason, totalPruned: this.#totalPruned } });
    }
  }

  #deleteIds(ids: MessageId[]): MessageId[] {
    if (ids.length === 0) return [];
    const json = JSON.stringify(ids);
    const rows = this.#db.transaction(() => {
      const gone = this.#statement(
        'DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?)) RETURNING id, size, read',
      ).all(json) as {
        id: number;
        size: number;
        read: number;
      }[];
      this.#statement('DELETE FROM message_raw WHERE id IN (SELECT value FROM json_each(?))').run(json);
      this.#statement('DELETE FROM messages_fts WHERE rowid IN (SELECT value FROM json_each(?))').run(json);
      return gone;
    })();
    this.#count -= rows.length;
    this.#unread -= rows.filter((r) => r.read === 0).length;
    this.#bytes -= rows.reduce((n, r) => n + r.size, 0);
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  #count1(sql: string, params: unknown[]): number {
    return this.#statement(sql)
      .pluck()
      .get(...params) as number;
  }

  #statement(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear();
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  #emit(e: StoreEvent): void {
    try {
      this.#onEvent(e);
    } catch (err) {
      // A failing subscriber must not undo a commit that already happened.
      console.error('[store] event listener failed:', err);
    }
  }

  #open(): void {
    if (this.#closed) throw new MailwrightError('unavailable', '[store] the store is closed');
  }
}

function notFound(id: MessageId): MailwrightError {
  return new MailwrightError('not_found', `message ${id} does not exist`, 'id');
}

function clampInt(n: number | undefined, min: number, max: number, fallback: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}

function unindexed(
  id: MessageId,
  receivedAt: string,
  size: number,
): Omit<MessageSummary, 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'date'> {
  return { id, receivedAt, size, read: false, hasAttachments: false, snippet: '', indexed: false, parseError: null };
}
