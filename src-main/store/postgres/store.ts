// PgStore: the message store on a shared PostgreSQL database, for several Mailwright instances at once. Raw bytes
// in bytea are the truth; a background indexer derives summaries and the tsvector; events cross instances by
// LISTEN/NOTIFY. Must not import electron, capture or any binding.
import crypto from 'node:crypto';
import pg from 'pg';
import type {
  Envelope,
  ImportResult,
  ListQuery,
  MessageDetail,
  MessageId,
  MessagePage,
  MessageSummary,
  RetentionSettings,
} from '../../../src-shared/index.js';
import { MAX_PAGE_SIZE, MailwrightError } from '../../../src-shared/index.js';
import { parseDetail } from '../../message/index.js';
import { DERIVE_VERSION, deriveMessage, type DerivedMessage } from '../../message/derive.js';
import { ImportQueue, importStream, type ImportOptions, type ImportSource } from '../import.js';
import {
  operatorFor,
  type DialectMigration,
  type DialectSearchOperator,
  type MessageStore,
  type SqlClient,
  type StoreStats,
} from '../message-store.js';
import { DEFAULT_RETENTION } from '../retention.js';
import { headerSummary, rowEnvelope, rowToSummary, SUMMARY_COLUMNS, type MessageRow } from '../rows.js';
import type { SearchOperator } from '../search.js';
import type { StoreEvent } from '../store.js';
import type { StoredMessage } from '../writer.js';
import {
  clientConfig,
  describeTarget,
  explainPgError,
  isConnectionLoss,
  parseStoreUrl,
  PgClient,
  type PgTarget,
} from './connection.js';
import { LOCK_INGEST, LOCK_RETENTION, LOCK_SPACE, migrateCapabilityPg, migratePg } from './schema.js';
import { compilePgQuery, foldText } from './search.js';
import { PgSessions } from './sessions.js';

export interface PgStoreOptions {
  /** postgres://USER:PASSWORD@HOST:PORT/DB */
  url: string;
  /** Written to the shared settings when given (as Store's option); otherwise the saved one applies. */
  retention?: RetentionSettings;
  onEvent?: (e: StoreEvent) => void;
  /** A failure of work nobody waits on (indexing, retention, sessions): one line for the user. */
  onProblem?: (text: string) => void;
  /** The database went away (available: false, with why) or came back: for the UI to show the outage. */
  onAvailability?: (available: boolean, reason?: string) => void;
  /** Another instance (or this one) saved a setting: the wiring re-reads it and re-applies what changed. */
  onSettingChanged?: (key: string) => void;
  /**
   * Whether anyone here would use the summaries of mail another instance took (a window, a wait); absent: always.
   * Reading them costs every instance a query per batch of the others' mail.
   */
  wantsAdded?: () => boolean;
  /** A capability event another instance relayed (`relay`). */
  onRelay?: (event: string, data: unknown) => void;
  /** Connections per instance (default 6): the writer, the indexer and readers share them. */
  poolSize?: number;
}

const DEFAULT_PAGE_SIZE = 50;
/** Messages per commit and bytes per commit, as the SQLite writer. */
const MAX_BATCH_MESSAGES = 256;
const MAX_BATCH_BYTES = 64 * 1024 * 1024;
/** Messages the indexer claims per transaction, and its parse budget per batch (ms). */
const INDEX_BATCH = 50;
const INDEX_BATCH_MS = 20;
/**
 * While mail is arriving (a commit within INGEST_BUSY_MS), the indexer takes a small parse budget and pauses
 * between batches, as the SQLite indexer does: parsing shares the event loop with the SMTP sessions, and accepting
 * mail comes first. New mail is listed at once from its headers and becomes searchable as the flood ebbs.
 */
const INGEST_BUSY_MS = 100;
const BUSY_BATCH_MS = 2;
const BUSY_PAUSE_MS = 40;
/**
 * Rows indexed since the last ANALYZE past which the indexer runs one: a table that grew from empty keeps the
 * planner's "tiny table" estimate until autovacuum gets to it (up to a minute), and searches seq-scan meanwhile
 * (measured: 30 ms instead of <1 ms for a rare word at 3,000 messages).
 */
const ANALYZE_AFTER_ROWS = 2000;
/** The LISTEN/NOTIFY channel; payloads stay under PostgreSQL's 8000-byte limit by sending ids in slices. */
const CHANNEL = 'mailwright_store';
const NOTIFY_IDS = 500;
/** How long another instance's new mail is left to that instance's indexer before this one helps (ms). */
const REMOTE_INDEX_GRACE_MS = 2000;
/** Distinct list counts kept at once (queries people run); past this they start again. */
const MAX_KEPT_COUNTS = 64;
const MAX_NOTIFY_BYTES = 7900;
/** Reconnect backoff after the database was lost (ms): doubles from the first to the last. */
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** Retention runs at most this often after commits (ms). */
const PRUNE_DELAY_MS = 200;

type Notice =
  | { o: string; e: 'messages.added' | 'messages.updated' | 'messages.deleted' | 'sessions.added'; ids: number[] }
  | { o: string; e: 'messages.pruned'; ids: number[]; reason: 'maxMessages' | 'maxBytes'; total: number }
  | { o: string; e: 'messages.cleared'; deleted: number }
  | { o: string; e: 'settings.changed'; key: string }
  | { o: string; e: 'relay'; name: string; data: unknown };

interface Pending {
  raw: Buffer;
  envelope: Envelope;
  resolve: (s: StoredMessage) => void;
  reject: (e: Error) => void;
}

/**
 * One statement commits a batch: ids drawn from the sequence, both tables written, and the NOTIFY for other
 * instances sent, atomically (a data-modifying CTE is one implicit transaction). The result arrives after COMMIT.
 * The ingest lock, taken before the first id is drawn and held to COMMIT, makes ids become visible in order
 * across instances: without it instance B could commit id 11 while A's id 10 is in flight, and everything that
 * reads new mail by id (mailbox catch-up, tag rules, waits, webhooks) could step past 10 for good. Each instance
 * commits whole batches, so the lock is taken once per batch, not per message.
 */
const INGEST_SQL = `
WITH ordered AS MATERIALIZED (SELECT pg_advisory_xact_lock(${LOCK_SPACE}, ${LOCK_INGEST})),
input AS MATERIALIZED (
  SELECT nextval('messages_id_seq') AS id, t.size, t.envelope, t.data, t.ord
  FROM ordered, unnest($2::bigint[], $3::text[], $4::bytea[]) WITH ORDINALITY AS t(size, envelope, data, ord)
),
m AS (INSERT INTO messages (id, received_at, size, envelope) SELECT id, $1, size, envelope FROM input),
r AS (INSERT INTO message_raw (id, data) SELECT id, data FROM input),
n AS (SELECT pg_notify('${CHANNEL}', json_build_object('o', $5::text, 'e', 'messages.added',
  'ids', (SELECT json_agg(id ORDER BY id) FROM input))::text) AS sent)
SELECT input.id, input.ord FROM input, n ORDER BY input.ord`;

export class PgStore implements MessageStore {
  readonly dialect = 'postgres' as const;
  readonly sessions: PgSessions;
  readonly sql: PgClient;
  readonly #target: PgTarget;
  readonly #url: string;
  readonly #pool: pg.Pool;
  readonly #instance = crypto.randomUUID();
  readonly #options: PgStoreOptions;
  readonly #searchOperators = new Map<string, SearchOperator>();
  readonly #imports = new ImportQueue();
  #listener: pg.Client | null = null;
  #indexSoon: NodeJS.Timeout | null = null;
  /** List counts by query, until the messages change (see #count). */
  readonly #counts = new Map<string, number>();
  #countGeneration = 0;
  #queue: Pending[] = [];
  #committing: Promise<void> | null = null;
  #scheduled = false;
  #closed = false;
  #available = true;
  #reconnecting = false;
  #pruneTimer: NodeJS.Timeout | null = null;
  #totalPruned = 0;
  // Indexer state.
  #indexing: Promise<void> | null = null;
  #indexAgain = false;
  #lastCommit = -Infinity;
  #indexedSinceAnalyze = 0;
  readonly #urgent = new Set<MessageId>();

  private constructor(options: PgStoreOptions, target: PgTarget) {
    this.#options = options;
    this.#target = target;
    this.#url = options.url;
    // Idle connections stay open: a new one pays a SCRAM handshake (milliseconds) on the next list page.
    this.#pool = new pg.Pool({ ...clientConfig(options.url), max: options.poolSize ?? 6, idleTimeoutMillis: 0 });
    // An idle pooled connection that dies (server restart) must not become an uncaught exception.
    this.#pool.on('error', (err) => this.#lost(err));
    this.sql = new PgClient(this.#pool, this.#pool, (err) => this.#explain(err));
    this.sessions = new PgSessions(
      this.#pool,
      async () => (await this.retention()).maxMessages,
      async (ids) => {
        this.#emit({ event: 'sessions.added', data: { ids } });
        await this.#notifyIds('sessions.added', ids);
      },
      (text) => this.#problem(text),
    );
  }

  /**
   * Connects, migrates (under an advisory lock) and starts listening. Throws 'unavailable' naming host and port
   * when the server cannot be reached, and saying so when the password is wrong; never shows the password.
   */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const target = parseStoreUrl(options.url);
    const store = new PgStore(options, target);
    try {
      await migratePg(store.#pool);
      await store.#markStaleDerivations();
      if (options.retention) await store.setRetention(options.retention);
      await store.#listen();
    } catch (err) {
      await store.#pool.end().catch(() => {});
      await store.#listener?.end().catch(() => {});
      throw store.#explain(err);
    }
    store.#schedulePrune();
    store.#wakeIndexer();
    return store;
  }

  /** Where this store is, for messages: "PostgreSQL at host:port". */
  get target(): string {
    return describeTarget(this.#target);
  }

  get location(): string {
    return this.target;
  }

  get available(): boolean {
    return this.#available;
  }

  addSearchOperator(name: string, operator: DialectSearchOperator): void {
    if (!/^[a-z]{1,10}$/.test(name)) throw new Error(`search operator names are 1-10 lowercase letters: ${name}`);
    const op = operatorFor(operator, 'postgres');
    if (!op) throw new Error(`the ${name}: search operator has no PostgreSQL form`);
    this.#searchOperators.set(name, op);
  }

  migrateCapability(capability: string, migrations: readonly DialectMigration[]): Promise<number[]> {
    return migrateCapabilityPg(this.#pool, capability, migrations);
  }

  // --- ingest: group commit ------------------------------------------------------------------------------

  ingest(raw: Buffer, envelope: Envelope): Promise<StoredMessage> {
    if (this.#closed) return Promise.reject(new MailwrightError('unavailable', '[store] the store is closed'));
    if (!this.#available) {
      return Promise.reject(
        new MailwrightError('unavailable', `[store] ${this.target} is unreachable; reconnecting, try again later`),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ raw, envelope, resolve, reject });
      if (!this.#committing && !this.#scheduled) {
        // A turn of the loop lets the other sessions' messages of this moment join the batch.
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  /** Commits the queue in batches, one statement at a time; what arrives meanwhile forms the next batch. */
  #flush(): void {
    if (this.#committing || this.#queue.length === 0) return;
    let n = 0;
    let bytes = 0;
    while (n < this.#queue.length && n < MAX_BATCH_MESSAGES && (n === 0 || bytes < MAX_BATCH_BYTES)) {
      bytes += this.#queue[n]!.raw.length;
      n++;
    }
    const batch = this.#queue.splice(0, n);
    this.#committing = this.#commit(batch).finally(() => {
      this.#committing = null;
      this.#flush();
    });
  }

  async #commit(batch: Pending[]): Promise<void> {
    const receivedAt = new Date().toISOString();
    let ids: number[];
    try {
      const r = await this.#pool.query({
        name: 'mailwright_ingest',
        text: INGEST_SQL,
        values: [
          receivedAt,
          batch.map((p) => p.raw.length),
          batch.map((p) => JSON.stringify(p.envelope)),
          batch.map((p) => p.raw),
          this.#instance,
        ],
      });
      ids = (r.rows as { id: number }[]).map((row) => row.id);
    } catch (err) {
      const error = this.#explain(err);
      const lost = isConnectionLoss(err);
      const failure = new MailwrightError('unavailable', `[store] could not save the message: ${error.message}`);
      for (const p of batch) p.reject(failure);
      this.#problem(
        `could not save mail, so SMTP clients were answered 451 (nothing acknowledged was lost): ${error.message}`,
      );
      if (lost) this.#lost(err);
      return;
    }
    this.#lastCommit = performance.now();
    // Resolve after COMMIT: the caller may now answer 250.
    batch.forEach((p, i) => p.resolve({ id: ids[i]!, receivedAt, size: p.raw.length }));
    const committed = batch.map((p, i) => ({ id: ids[i]!, raw: p.raw, envelope: p.envelope, size: p.raw.length }));
    this.#emit({
      event: 'messages.added',
      data: () => ({
        messages: committed.map(({ id, size, raw, envelope }) =>
          headerSummary(unindexed(id, receivedAt, size), raw, envelope),
        ),
      }),
    });
    this.#schedulePrune();
    this.#wakeIndexer();
  }

  // --- reads -------------------------------------------------------------------------------------------------

  async list(query: ListQuery): Promise<MessagePage> {
    this.#open();
    const limit = clampInt(query.limit, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const offset = clampInt(query.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    const { match, where, params } = compilePgQuery(query.query, this.#searchOperators);
    const conds = [...(match !== null ? ['s.doc @@ ?::tsquery'] : []), ...(where ? [where] : [])];
    const from = match !== null ? 'FROM messages m JOIN message_search s ON s.id = m.id' : 'FROM messages m';
    const cond = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
    const args = match !== null ? [match, ...params] : params;
    const [rows, total, unread] = await Promise.all([
      this.sql.all<MessageRow>(`SELECT ${SUMMARY_COLUMNS} ${from} ${cond} ORDER BY m.id DESC LIMIT ? OFFSET ?`, [
        ...(args as never[]),
        limit,
        offset,
      ]),
      // Every indexed document is a live message (delete removes both), so words alone are counted in the index.
      match !== null && !where
        ? this.#count('SELECT count(*) AS n FROM message_search s WHERE s.doc @@ ?::tsquery', [match])
        : this.#count(`SELECT count(*) AS n ${from} ${cond}`, args),
      this.#count('SELECT count(*) AS n FROM messages m WHERE m.read = 0', []),
    ]);
    return { total, unread, messages: await this.#summaries(rows) };
  }

  /**
   * A count for a list page, kept until the messages change. PostgreSQL counts by visiting every matching row
   * (100,000 rows: 80-300 ms), while the page itself takes under a millisecond; paging, re-fetching after events and
   * several windows ask the same counts again and again. Every change to messages, here or on another instance,
   * reaches #emit and drops them all; a count that was running while something changed is not kept.
   */
  async #count(sql: string, params: readonly unknown[]): Promise<number> {
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    const kept = this.#counts.get(key);
    if (kept !== undefined) return kept;
    const generation = this.#countGeneration;
    const row = await this.sql.get<{ n: number }>(sql, params as never[]);
    const n = row?.n ?? 0;
    if (generation === this.#countGeneration) {
      if (this.#counts.size >= MAX_KEPT_COUNTS) this.#counts.clear();
      this.#counts.set(key, n);
    }
    return n;
  }

  /** The messages changed (or may have, while the database was away): counts are read again. */
  #forgetCounts(): void {
    this.#countGeneration++;
    this.#counts.clear();
  }

  async matching(query: string, ids: readonly MessageId[]): Promise<MessageId[]> {
    this.#open();
    if (ids.length === 0) return [];
    const { match, where, params } = compilePgQuery(query, this.#searchOperators);
    const conds = [
      ...(match !== null ? ['m.id IN (SELECT id FROM message_search WHERE doc @@ ?::tsquery)'] : []),
      ...(where ? [where] : []),
      'm.id = ANY(?::bigint[])',
    ];
    const args = [...(match !== null ? [match] : []), ...params, [...ids]];
    const rows = await this.sql.all<{ id: number }>(
      `SELECT m.id FROM messages m WHERE ${conds.join(' AND ')} ORDER BY m.id`,
      args as never[],
    );
    return rows.map((r) => r.id);
  }

  async get(id: MessageId): Promise<MessageDetail> {
    this.#open();
    const row = await this.sql.get<MessageRow & { data: Buffer }>(
      `SELECT ${SUMMARY_COLUMNS}, r.data FROM messages m JOIN message_raw r ON r.id = m.id WHERE m.id = ?`,
      [id],
    );
    if (!row) throw notFound(id);
    if (row.indexed === 0) {
      // Someone is looking at it: make it searchable ahead of the backlog.
      this.#urgent.add(id);
      this.#wakeIndexer();
    }
    const summary =
      row.indexed === 1 ? rowToSummary(row) : headerSummary(rowToSummary(row), row.data, rowEnvelope(row));
    return parseDetail(row.data, summary, rowEnvelope(row));
  }

  async raw(id: MessageId): Promise<Buffer> {
    this.#open();
    const row = await this.sql.get<{ data: Buffer }>('SELECT data FROM message_raw WHERE id = ?', [id]);
    if (!row) throw notFound(id);
    return row.data;
  }

  async envelopes(ids: readonly MessageId[]): Promise<Map<MessageId, Envelope>> {
    this.#open();
    if (ids.length === 0) return new Map();
    const rows = await this.sql.all<{ id: number; envelope: string }>(
      'SELECT id, envelope FROM messages WHERE id = ANY(?::bigint[])',
      [[...ids]] as never[],
    );
    return new Map(rows.map((r) => [r.id, rowEnvelope(r)]));
  }

  // --- writes ------------------------------------------------------------------------------------------------

  async markRead(ids: MessageId[], read: boolean): Promise<number> {
    this.#open();
    if (ids.length === 0) return 0;
    const rows = await this.sql.all<{ id: number }>(
      'UPDATE messages SET read = ? WHERE id = ANY(?::bigint[]) RETURNING id',
      [read ? 1 : 0, ids] as never[],
    );
    return this.#updated(rows.map((r) => r.id).sort((a, b) => a - b));
  }

  async markAllRead(query: string | undefined): Promise<number> {
    this.#open();
    const { match, where, params } = compilePgQuery(query, this.#searchOperators);
    const conds = [
      'm.read = 0',
      ...(match !== null ? ['m.id IN (SELECT id FROM message_search WHERE doc @@ ?::tsquery)'] : []),
      ...(where ? [where] : []),
    ];
    const rows = await this.sql.all<{ id: number }>(
      `UPDATE messages SET read = 1 WHERE id IN (SELECT m.id FROM messages m WHERE ${conds.join(' AND ')}) RETURNING id`,
      match !== null ? [match, ...params] : params,
    );
    return this.#updated(rows.map((r) => r.id).sort((a, b) => a - b));
  }

  async delete(ids: MessageId[]): Promise<number> {
    this.#open();
    const gone = await this.#deleteIds(ids);
    if (gone.length) {
      this.#emit({ event: 'messages.deleted', data: { ids: gone } });
      await this.#notifyIds('messages.deleted', gone);
    }
    return gone.length;
  }

  async deleteAll(): Promise<number> {
    this.#open();
    await this.#drainWrites();
    const deleted = await this.sql.transaction(async (tx) => {
      // The lock orders this after commits in flight on other instances, and before theirs that follow.
      await tx.exec('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
      const n = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM messages'))!.n;
      // TRUNCATE keeps the id sequence: an id is never reused.
      await tx.exec('TRUNCATE messages, message_raw, message_search');
      await tx.get('SELECT pg_notify(?, ?)', [
        CHANNEL,
        JSON.stringify({ o: this.#instance, e: 'messages.cleared', deleted: n }),
      ]);
      return n;
    });
    this.#emit({ event: 'messages.cleared', data: { deleted } });
    return deleted;
  }

  import(source: ImportSource, options: ImportOptions): Promise<ImportResult> {
    this.#open();
    return this.#imports.run(async () => {
      this.#open();
      return importStream(source, options, (raw, envelope) => this.ingest(raw, envelope));
    });
  }

  async reindex(): Promise<number> {
    this.#open();
    await this.#drainWrites();
    const n = (await this.sql.run('UPDATE messages SET indexed = 0')).changes;
    this.#wakeIndexer();
    await this.idle();
    return n;
  }

  async readSetting(key: string): Promise<unknown> {
    this.#open();
    const row = await this.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Saves a setting and tells every instance (onSettingChanged), in one transaction. */
  async writeSetting(key: string, value: unknown): Promise<void> {
    this.#open();
    await this.sql.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, JSON.stringify(value)],
      );
      await tx.get('SELECT pg_notify(?, ?)', [
        CHANNEL,
        JSON.stringify({ o: this.#instance, e: 'settings.changed', key }),
      ]);
    });
    this.#settingChanged(key);
  }

  /** The shared retention limits (every instance reads the same row). */
  async retention(): Promise<RetentionSettings> {
    const v = (await this.readSetting('retention')) as Partial<RetentionSettings> | undefined;
    if (!v || typeof v !== 'object') return { ...DEFAULT_RETENTION };
    return {
      maxMessages: isLimit(v.maxMessages) ? v.maxMessages : DEFAULT_RETENTION.maxMessages,
      maxBytes: isLimit(v.maxBytes) ? v.maxBytes : DEFAULT_RETENTION.maxBytes,
    };
  }

  async setRetention(r: RetentionSettings): Promise<void> {
    this.#open();
    if (!isLimit(r.maxMessages))
      throw new MailwrightError('invalid_argument', 'maxMessages must be a whole number >= 0', 'retention.maxMessages');
    if (!isLimit(r.maxBytes))
      throw new MailwrightError('invalid_argument', 'maxBytes must be a whole number >= 0', 'retention.maxBytes');
    await this.writeSetting('retention', { maxMessages: r.maxMessages, maxBytes: r.maxBytes });
    await this.#prune();
    await this.sessions.prune();
  }

  async stats(): Promise<StoreStats> {
    const row = await this.sql.get<{ n: number; b: number; p: number }>(
      'SELECT count(*) AS n, coalesce(sum(size), 0) AS b, count(*) FILTER (WHERE indexed = 0) AS p FROM messages',
    );
    return { count: row?.n ?? 0, bytes: row?.b ?? 0, pending: (row?.p ?? 0) + this.#queue.length };
  }

  /**
   * Resolves when every committed message is derived and indexed, by this instance or another (rows another
   * instance is indexing are locked; their commit is awaited by polling, bounded by the time the work takes).
   */
  async idle(): Promise<void> {
    if (this.#closed) return;
    await this.#drainWrites();
    for (let round = 0; ; round++) {
      this.#wakeIndexer();
      await this.#indexing;
      const row = await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE indexed = 0');
      if (!row || row.n === 0 || this.#closed) return;
      // Claimed by another instance (SKIP LOCKED passed them by): give its transaction time to commit.
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * (round + 1))));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#drainWrites();
    await this.sessions.close();
    this.#closed = true;
    if (this.#pruneTimer) clearTimeout(this.#pruneTimer);
    if (this.#indexSoon) clearTimeout(this.#indexSoon);
    await this.#indexing;
    for (const p of this.#queue.splice(0)) p.reject(new MailwrightError('unavailable', '[store] the store is closed'));
    const listener = this.#listener;
    this.#listener = null;
    await listener?.end().catch(() => {});
    await this.#pool.end();
  }

  // --- internals ---------------------------------------------------------------------------------------------

  async #drainWrites(): Promise<void> {
    for (let i = 0; i < 1000 && (this.#committing || this.#queue.length || this.#scheduled); i++) {
      if (this.#committing) await this.#committing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Summaries of rows; those the indexer has not reached are read from their headers (one query for their bytes). */
  async #summaries(rows: MessageRow[]): Promise<MessageSummary[]> {
    const unindexed = rows.filter((r) => r.indexed === 0).map((r) => r.id);
    const raws = new Map<number, Buffer>();
    if (unindexed.length) {
      const got = await this.sql.all<{ id: number; data: Buffer }>(
        'SELECT id, data FROM message_raw WHERE id = ANY(?::bigint[])',
        [unindexed] as never[],
      );
      for (const r of got) raws.set(r.id, r.data);
    }
    return rows.map((row) => {
      const summary = rowToSummary(row);
      const raw = raws.get(row.id);
      return summary.indexed || !raw ? summary : headerSummary(summary, raw, rowEnvelope(row));
    });
  }

  async #updated(ids: MessageId[]): Promise<number> {
    if (ids.length) {
      this.#emit({ event: 'messages.updated', data: { ids } });
      await this.#notifyIds('messages.updated', ids);
    }
    return ids.length;
  }

  async #deleteIds(ids: MessageId[], client: SqlClient = this.sql): Promise<MessageId[]> {
    if (ids.length === 0) return [];
    const rows = await client.all<{ id: number }>(
      `WITH gone AS (DELETE FROM messages WHERE id = ANY(?::bigint[]) RETURNING id),
         r AS (DELETE FROM message_raw WHERE id IN (SELECT id FROM gone)),
         s AS (DELETE FROM message_search WHERE id IN (SELECT id FROM gone))
       SELECT id FROM gone`,
      [ids] as never[],
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  relay(event: string, data: unknown): void {
    if (this.#closed || !this.#available) return;
    const payload = JSON.stringify({ o: this.#instance, e: 'relay', name: event, data });
    // PostgreSQL refuses payloads of 8000 bytes or more; such an event stays on this instance.
    if (Buffer.byteLength(payload) >= MAX_NOTIFY_BYTES) return;
    this.sql.get('SELECT pg_notify(?, ?)', [CHANNEL, payload]).catch((err: unknown) => {
      this.#problem(`could not tell other instances (${event}): ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  async #notifyIds(e: 'messages.updated' | 'messages.deleted' | 'sessions.added', ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += NOTIFY_IDS) {
      const payload = JSON.stringify({ o: this.#instance, e, ids: ids.slice(i, i + NOTIFY_IDS) });
      await this.sql.get('SELECT pg_notify(?, ?)', [CHANNEL, payload]).catch((err: unknown) => {
        this.#problem(`could not tell other instances (${e}): ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }

  // Retention: one instance at a time (a transaction-scoped advisory lock; the others skip this round).
  #schedulePrune(): void {
    if (this.#pruneTimer || this.#closed) return;
    this.#pruneTimer = setTimeout(() => {
      this.#pruneTimer = null;
      this.#prune().catch((err: unknown) => {
        if (!isConnectionLoss(err))
          this.#problem(
            `could not remove old messages for retention: ${err instanceof Error ? err.message : String(err)}`,
          );
      });
    }, PRUNE_DELAY_MS);
    this.#pruneTimer.unref();
  }

  async #prune(): Promise<void> {
    const r = await this.retention();
    if (r.maxMessages === 0 && r.maxBytes === 0) return;
    const pruned = await this.sql.transaction(async (tx) => {
      const got = await tx.get<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(?, ?) AS ok', [
        LOCK_SPACE,
        LOCK_RETENTION,
      ]);
      if (!got?.ok) return [];
      const out: { reason: 'maxMessages' | 'maxBytes'; ids: number[] }[] = [];
      const totals = (await tx.get<{ n: number; b: number }>(
        'SELECT count(*) AS n, coalesce(sum(size), 0) AS b FROM messages',
      ))!;
      let bytes = totals.b;
      let skip = 0;
      if (r.maxMessages > 0 && totals.n > r.maxMessages) {
        const rows = await tx.all<{ id: number; size: number }>('SELECT id, size FROM messages ORDER BY id LIMIT ?', [
          totals.n - r.maxMessages,
        ]);
        out.push({ reason: 'maxMessages', ids: rows.map((x) => x.id) });
        bytes -= rows.reduce((n, x) => n + x.size, 0);
        skip = rows.length;
      }
      if (r.maxBytes > 0 && bytes > r.maxBytes) {
        // The oldest messages whose removal is still needed: those where the bytes freed before them fall short.
        const rows = await tx.all<{ id: number }>(
          `SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY id) - size AS before
             FROM (SELECT id, size FROM messages ORDER BY id OFFSET ?) o) w WHERE before < ?`,
          [skip, bytes - r.maxBytes],
        );
        if (rows.length) out.push({ reason: 'maxBytes', ids: rows.map((x) => x.id) });
      }
      const done: { reason: 'maxMessages' | 'maxBytes'; ids: number[] }[] = [];
      for (const p of out) {
        const ids = await this.#deleteIds(p.ids, tx);
        if (!ids.length) continue;
        done.push({ reason: p.reason, ids });
        for (let i = 0; i < ids.length; i += NOTIFY_IDS) {
          const payload = {
            o: this.#instance,
            e: 'messages.pruned',
            ids: ids.slice(i, i + NOTIFY_IDS),
            reason: p.reason,
          };
          await tx.get('SELECT pg_notify(?, ?)', [CHANNEL, JSON.stringify({ ...payload, total: 0 })]);
        }
      }
      return done;
    });
    for (const p of pruned) {
      this.#totalPruned += p.ids.length;
      this.#emit({ event: 'messages.pruned', data: { ids: p.ids, reason: p.reason, totalPruned: this.#totalPruned } });
    }
  }

  // The indexer: claims pending rows with FOR UPDATE SKIP LOCKED, so instances share the work without doing it twice.
  /** Wakes the indexer after REMOTE_INDEX_GRACE_MS, once for however many notices arrive meanwhile. */
  #wakeIndexerSoon(): void {
    if (this.#indexSoon) return;
    this.#indexSoon = setTimeout(() => {
      this.#indexSoon = null;
      this.#wakeIndexer();
    }, REMOTE_INDEX_GRACE_MS);
    this.#indexSoon.unref();
  }

  #wakeIndexer(): void {
    if (this.#closed || !this.#available) return;
    if (this.#indexing) {
      this.#indexAgain = true;
      return;
    }
    this.#indexing = this.#indexRun()
      .catch((err: unknown) => {
        if (isConnectionLoss(err)) this.#lost(err);
        else
          this.#problem(
            `indexing stopped (messages stay listed, and become searchable once it resumes): ${err instanceof Error ? err.message : String(err)}`,
          );
      })
      .finally(() => {
        this.#indexing = null;
        if (this.#indexAgain) {
          this.#indexAgain = false;
          this.#wakeIndexer();
        }
      });
  }

  async #indexRun(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.#closed && this.#available) {
      this.#indexAgain = false;
      const busy = this.#ingestBusy();
      const n = await this.#indexBatch(busy ? BUSY_BATCH_MS : INDEX_BATCH_MS);
      this.#indexedSinceAnalyze += n;
      if (n === 0) break;
      await new Promise((resolve) => (busy ? setTimeout(resolve, BUSY_PAUSE_MS) : setImmediate(resolve)));
    }
    if (this.#indexedSinceAnalyze >= ANALYZE_AFTER_ROWS && !this.#closed && !this.#ingestBusy()) {
      this.#indexedSinceAnalyze = 0;
      await this.sql.exec('ANALYZE messages, message_search');
    }
  }

  /** Derives and indexes one batch in one transaction; returns how many rows it claimed. */
  #ingestBusy(): boolean {
    return this.#queue.length > 0 || this.#committing !== null || performance.now() - this.#lastCommit < INGEST_BUSY_MS;
  }

  async #indexBatch(budgetMs: number): Promise<number> {
    const urgent = [...this.#urgent].slice(0, INDEX_BATCH);
    for (const id of urgent) this.#urgent.delete(id);
    const updated = await this.sql.transaction(async (tx) => {
      // Opened messages first, then the newest pending; rows another instance holds are passed by, not waited on.
      const claimed = urgent.length
        ? await tx.all<{ id: number; envelope: string }>(
            'SELECT id, envelope FROM messages WHERE indexed = 0 AND id = ANY(?::bigint[]) FOR UPDATE SKIP LOCKED',
            [urgent] as never[],
          )
        : [];
      claimed.push(
        ...(await tx.all<{ id: number; envelope: string }>(
          `SELECT id, envelope FROM messages WHERE indexed = 0 AND NOT (id = ANY(?::bigint[]))
           ORDER BY id DESC LIMIT ? FOR UPDATE SKIP LOCKED`,
          [urgent, INDEX_BATCH - claimed.length] as never[],
        )),
      );
      if (claimed.length === 0) return null;
      const started = performance.now();
      const done: { id: number; d: DerivedMessage; envelope: Envelope }[] = [];
      for (const c of claimed) {
        const row = await tx.get<{ data: Buffer }>('SELECT data FROM message_raw WHERE id = ?', [c.id]);
        if (!row) {
          await tx.run("UPDATE messages SET parse_error = 'the raw message is missing', indexed = 1 WHERE id = ?", [
            c.id,
          ]);
          continue;
        }
        done.push({ id: c.id, d: await deriveMessage(row.data), envelope: rowEnvelope(c) });
        if (performance.now() - started > budgetMs) break;
      }
      if (done.length === 0) return [];
      const col = <T>(f: (x: (typeof done)[number]) => T): T[] => done.map(f);
      await tx.run(
        `UPDATE messages m SET sender = u.sender, recipients_to = u.rto, recipients_cc = u.rcc, subject = u.subject,
           date = u.date, has_attachments = u.att, snippet = u.snippet, parse_error = u.perr, indexed = 1
         FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[])
           AS u(id, sender, rto, rcc, subject, date, att, snippet, perr)
         WHERE m.id = u.id`,
        [
          col((x) => x.id),
          col((x) => (x.d.from ? JSON.stringify(x.d.from) : null)),
          col((x) => JSON.stringify(x.d.to)),
          col((x) => JSON.stringify(x.d.cc)),
          col((x) => x.d.subject),
          col((x) => x.d.date),
          col((x) => (x.d.hasAttachments ? 1 : 0)),
          col((x) => x.d.snippet),
          col((x) => x.d.parseError),
        ] as never[],
      );
      // The envelope joins the header addresses so from:/to: also find MAIL FROM and Bcc recipients.
      await tx.run(
        `INSERT INTO message_search (id, doc)
         SELECT u.id, setweight(to_tsvector('simple', u.a), 'A') || setweight(to_tsvector('simple', u.b), 'B')
           || setweight(to_tsvector('simple', u.c), 'C') || setweight(to_tsvector('simple', u.d), 'D')
         FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u(id, a, b, c, d)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
        [
          col((x) => x.id),
          col((x) => foldText(`${x.d.fts.from} ${x.envelope.mailFrom}`)),
          col((x) => foldText(`${x.d.fts.to} ${x.envelope.rcptTo.join(' ')}`)),
          col((x) => foldText(x.d.fts.subject)),
          col((x) => `${foldText(x.d.fts.body)} ${foldText(x.d.fts.headers)}`),
        ] as never[],
      );
      const ids = col((x) => x.id).sort((a, b) => a - b);
      await tx.get('SELECT pg_notify(?, ?)', [
        CHANNEL,
        JSON.stringify({ o: this.#instance, e: 'messages.updated', ids }),
      ]);
      return ids;
    });
    if (updated === null) return 0;
    if (updated.length) this.#emit({ event: 'messages.updated', data: { ids: updated } });
    return Math.max(1, updated.length);
  }

  async #markStaleDerivations(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const row = await tx.get<{ value: string }>("SELECT value FROM settings WHERE key = 'derive_version' FOR UPDATE");
      if (row?.value === String(DERIVE_VERSION)) return;
      if (row) await tx.run('UPDATE messages SET indexed = 0');
      await tx.run(
        "INSERT INTO settings (key, value) VALUES ('derive_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [String(DERIVE_VERSION)],
      );
    });
  }

  // Events from other instances.
  async #listen(): Promise<void> {
    const client = new pg.Client(clientConfig(this.#url));
    client.on('error', (err) => this.#lost(err));
    client.on('notification', (n) => {
      if (n.channel === CHANNEL && n.payload) void this.#received(n.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#listener = client;
  }

  async #received(payload: string): Promise<void> {
    let n: Notice;
    try {
      n = JSON.parse(payload) as Notice;
    } catch {
      return;
    }
    if (n.o === this.#instance || this.#closed) return;
    // Another instance changed messages: counts go at once, before the event is read and passed on.
    if (n.e.startsWith('messages.')) this.#forgetCounts();
    try {
      switch (n.e) {
        case 'messages.added': {
          // The instance that took them indexes them; if it died meanwhile, this one picks them up a little later
          // (claiming at once would split the owner's batches and double the commits per message).
          this.#wakeIndexerSoon();
          // Reading the new rows costs every instance per message; only for someone listening (a window, a wait).
          if (this.#options.wantsAdded && !this.#options.wantsAdded()) break;
          const rows = await this.sql.all<MessageRow>(
            `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id = ANY(?::bigint[]) ORDER BY m.id`,
            [n.ids] as never[],
          );
          const messages = await this.#summaries(rows);
          if (messages.length) this.#emit({ event: 'messages.added', data: () => ({ messages }) });
          break;
        }
        case 'messages.updated':
          this.#emit({ event: 'messages.updated', data: { ids: n.ids } });
          break;
        case 'messages.deleted':
          this.#emit({ event: 'messages.deleted', data: { ids: n.ids } });
          break;
        case 'sessions.added':
          this.#emit({ event: 'sessions.added', data: { ids: n.ids } });
          break;
        case 'messages.pruned':
          this.#totalPruned += n.ids.length;
          this.#emit({
            event: 'messages.pruned',
            data: { ids: n.ids, reason: n.reason, totalPruned: this.#totalPruned },
          });
          break;
        case 'messages.cleared':
          this.#emit({ event: 'messages.cleared', data: { deleted: n.deleted } });
          break;
        case 'settings.changed':
          this.#settingChanged(n.key);
          break;
        case 'relay':
          this.#options.onRelay?.(n.name, n.data);
          break;
      }
    } catch (err) {
      if (isConnectionLoss(err)) this.#lost(err);
      else
        this.#problem(
          `could not pass on another instance's ${n.e}: ${err instanceof Error ? err.message : String(err)}`,
        );
    }
  }

  // Outage: the database was lost. Ingest refuses at once (451) until a probe connects again, with backoff.
  #lost(err: unknown): void {
    if (this.#closed) return;
    const reason = this.#explain(err).message;
    if (this.#available) {
      this.#available = false;
      this.#problem(`lost the database; mail is refused with 451 until it is back: ${reason}`);
      try {
        this.#options.onAvailability?.(false, reason);
      } catch (e) {
        console.error('[store] availability listener failed:', e);
      }
    }
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    void this.#reconnect().finally(() => (this.#reconnecting = false));
  }

  async #reconnect(): Promise<void> {
    const old = this.#listener;
    this.#listener = null;
    await old?.end().catch(() => {});
    let wait = BACKOFF_FIRST_MS;
    while (!this.#closed) {
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
      if (this.#closed) return;
      try {
        await this.#pool.query('SELECT 1');
        await this.#listen();
        break;
      } catch {
        const l = this.#listener as pg.Client | null;
        this.#listener = null;
        await l?.end().catch(() => {});
        wait = Math.min(BACKOFF_MAX_MS, wait * 2);
      }
    }
    if (this.#closed) {
      // Closed while the probe connected: the new listener must not outlive the store.
      const l = this.#listener as pg.Client | null;
      this.#listener = null;
      await l?.end().catch(() => {});
      return;
    }
    this.#available = true;
    this.#forgetCounts();
    this.#problem(`the database is back (${this.target}); mail is accepted again`);
    try {
      this.#options.onAvailability?.(true);
    } catch (e) {
      console.error('[store] availability listener failed:', e);
    }
    this.#wakeIndexer();
  }

  #settingChanged(key: string): void {
    try {
      this.#options.onSettingChanged?.(key);
    } catch (err) {
      console.error('[store] settings listener failed:', err);
    }
  }

  #explain(err: unknown): MailwrightError {
    return explainPgError(err, this.#target);
  }

  #problem(text: string): void {
    try {
      this.#options.onProblem?.(`[store] ${text}`);
    } catch (err) {
      console.error('[store] problem report failed:', err);
    }
  }

  #emit(e: StoreEvent): void {
    if (e.event.startsWith('messages.')) this.#forgetCounts();
    try {
      this.#options.onEvent?.(e);
    } catch (err) {
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

function isLimit(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function unindexed(
  id: MessageId,
  receivedAt: string,
  size: number,
): Omit<MessageSummary, 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'date'> {
  return { id, receivedAt, size, read: false, hasAttachments: false, snippet: '', indexed: false, parseError: null };
}
