// The background indexer: derives the summary and full-text rows from raw bytes after commit, in
// small batches that yield to the event loop so the SMTP server is never starved.
import type Database from 'better-sqlite3';
import type { MessageId } from '../../src-shared/index.js';
import { deriveMessage, type DerivedMessage } from '../message/derive.js';
import { isStorageFailure } from './db.js';
import { chooseHeapGrowth, releaseHeapGrowth } from './gc-policy.js';
import { rowEnvelope } from './rows.js';

/** Opened messages queued ahead of the rest; past this the newest-first order reaches them soon enough. */
const MAX_URGENT = 1000;
/** Messages looked up per batch. */
const BATCH_MESSAGES = 50;
/** Parse time per batch (ms) before the results are written and the loop yields: SMTP replies wait at most about this long. */
const BATCH_MS = 10;
/** The same while mail is arriving: the SMTP flood comes first, indexing catches up when it ebbs. */
const BUSY_BATCH_MS = 2;
/**
 * Pause after each batch while mail is arriving. With BUSY_BATCH_MS this caps indexing at about a twentieth
 * of the core during a flood (parsing costs far more than committing: ~0.7 ms against ~0.1 ms for 5 KB),
 * so accepting mail keeps its pace; new mail is listed at once from its header summary and becomes
 * searchable as the flood ebbs (bench reports that lag as "indexed +ms").
 */
const BUSY_PAUSE_MS = 40;

interface Derived {
  id: MessageId;
  d: DerivedMessage;
  rcptTo: string[];
  mailFrom: string;
}

export class Indexer {
  readonly #db: Database.Database;
  readonly #onUpdated: (ids: MessageId[]) => void;
  readonly #selectPending: Database.Statement<[number], { id: number }>;
  readonly #countPending: Database.Statement<[], { n: number }>;
  readonly #isPending: Database.Statement<[number], { id: number }>;
  readonly #load: Database.Statement<[number], { data: Buffer; envelope: string }>;
  readonly #update: Database.Statement;
  readonly #ftsDelete: Database.Statement;
  readonly #ftsInsert: Database.Statement;
  readonly #markFailed: Database.Statement;
  /** Ids asked for ahead of the rest, in the order asked (a stale one is skipped: `indexed = 0` guards the write). */
  readonly #urgent = new Set<MessageId>();
  #running: Promise<void> | null = null;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  /** Tells idle() whether commits are still queued (they will wake the indexer when they land). */
  #hasQueued: () => boolean;
  readonly #onProblem: (text: string) => void;
  /** True while messages are arriving (a commit happened moments ago). */
  #ingestBusy: () => boolean;

  constructor(
    db: Database.Database,
    onUpdated: (ids: MessageId[]) => void,
    hasQueued: () => boolean,
    ingestBusy: () => boolean,
    onProblem: (text: string) => void = () => {},
  ) {
    this.#onProblem = onProblem;
    this.#ingestBusy = ingestBusy;
    this.#db = db;
    this.#onUpdated = onUpdated;
    this.#hasQueued = hasQueued;
    // Newest first: after a flood the message a test or a user is looking for is almost always the latest, and in
    // arrival order it waited behind the whole backlog (64 s after 100,000 messages).
    this.#selectPending = db.prepare('SELECT id FROM messages WHERE indexed = 0 ORDER BY id DESC LIMIT ?');
    this.#isPending = db.prepare('SELECT id FROM messages WHERE id = ? AND indexed = 0');
    this.#countPending = db.prepare('SELECT count(*) AS n FROM messages WHERE indexed = 0');
    this.#load = db.prepare(
      'SELECT r.data AS data, m.envelope AS envelope FROM messages m JOIN message_raw r ON r.id = m.id WHERE m.id = ?',
    );
    this.#update = db.prepare(
      `UPDATE messages SET sender = ?, recipients_to = ?, recipients_cc = ?, subject = ?, date = ?,
         has_attachments = ?, snippet = ?, parse_error = ?, indexed = 1
       WHERE id = ? AND indexed = 0`,
    );
    this.#markFailed = db.prepare('UPDATE messages SET parse_error = ?, indexed = 1 WHERE id = ? AND indexed = 0');
    this.#ftsDelete = db.prepare('DELETE FROM messages_fts WHERE rowid = ?');
    this.#ftsInsert = db.prepare(
      'INSERT INTO messages_fts (rowid, sender, recipients, subject, body, headers) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Takes these messages before any other pending one (a message someone opened). */
  prioritize(ids: readonly MessageId[]): void {
    for (const id of ids) {
      if (this.#urgent.size >= MAX_URGENT) break;
      this.#urgent.add(id);
    }
    this.wake();
  }

  pending(): number {
    return this.#countPending.get()!.n;
  }

  /** Starts a run unless one is going; a run drains every pending message. */
  wake(): void {
    if (this.#stopped || this.#running) return;
    this.#running = this.#run()
      .catch((err: unknown) => {
        // The database itself failed (disk, corruption): stop this run; the raw bytes stay, and the next wake retries.
        console.error('[store] indexer stopped:', err);
        this.#onProblem(
          `indexing stopped (messages stay listed, and become searchable once it resumes): ${err instanceof Error ? err.message : String(err)}`,
        );
      })
      .finally(() => {
        releaseHeapGrowth();
        this.#running = null;
        this.#settleIdle();
      });
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#settleIdle();
      if (this.#idleWaiters.length && !this.#running && !this.#hasQueued()) this.wake();
    });
  }

  /** Finishes the batch in flight; what is still pending resumes on the next open. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  #settleIdle(): void {
    if (this.#running || this.#hasQueued()) return;
    if (!this.#stopped && this.#pendingOrZero() > 0) return;
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  #pendingOrZero(): number {
    try {
      return this.pending();
    } catch {
      return 0;
    }
  }

  async #run(): Promise<void> {
    await yieldToLoop();
    while (!this.#stopped) {
      const ids = this.#nextIds();
      if (ids.length === 0) return;
      const started = performance.now();
      const busy = this.#ingestBusy();
      // Catching up with no mail arriving is where parse garbage piles up; while mail arrives, ingest comes first.
      chooseHeapGrowth(!busy);
      const budget = busy ? BUSY_BATCH_MS : BATCH_MS;
      const results: Derived[] = [];
      for (const id of ids) {
        const row = this.#load.get(id);
        if (!row) {
          // Deleted meanwhile (no row to mark), or a row without its bytes: never select it again.
          this.#markFailed.run('the raw message is missing', id);
          continue;
        }
        const envelope = rowEnvelope(row);
        results.push({ id, d: await deriveMessage(row.data), rcptTo: envelope.rcptTo, mailFrom: envelope.mailFrom });
        if (this.#stopped || performance.now() - started > budget) break;
      }
      let updated: MessageId[];
      try {
        updated = this.#write(results);
      } catch (err) {
        // The database could not write at all (disk full, locked, I/O error): nothing is wrong with these messages,
        // so none is marked; the run stops and the next wake (the next commit, or a restart) retries them.
        if (isStorageFailure(err)) throw err;
        // A message the index cannot take must not be retried forever: keep it, listed, with the reason.
        const reason = `index failed: ${err instanceof Error ? err.message : String(err)}`;
        updated = results.map((r) => r.id).filter((id) => this.#markFailed.run(reason, id).changes === 1);
      }
      if (updated.length) this.#onUpdated(updated);
      await (busy ? pause(BUSY_PAUSE_MS) : yieldToLoop());
    }
  }

  /** Urgent ids first, then the newest pending ones. */
  #nextIds(): MessageId[] {
    const urgent = [...this.#urgent].slice(0, BATCH_MESSAGES);
    for (const id of urgent) this.#urgent.delete(id);
    const pending = urgent.filter((id) => this.#isPending.get(id) !== undefined);
    if (pending.length === BATCH_MESSAGES) return pending;
    const rest = this.#selectPending.all(BATCH_MESSAGES).map((r) => r.id);
    return [...pending, ...rest.filter((id) => !pending.includes(id))].slice(0, BATCH_MESSAGES);
  }

  /** Writes one batch; a message deleted meanwhile is skipped so no orphan index row appears. */
  #write(results: Derived[]): MessageId[] {
    const updated: MessageId[] = [];
    this.#db.transaction(() => {
      for (const { id, d, rcptTo, mailFrom } of results) {
        const info = this.#update.run(
          d.from ? JSON.stringify(d.from) : null,
          JSON.stringify(d.to),
          JSON.stringify(d.cc),
          d.subject,
          d.date,
          d.hasAttachments ? 1 : 0,
          d.snippet,
          d.parseError,
          id,
        );
        if (info.changes !== 1) continue;
        this.#ftsDelete.run(id);
        // The envelope joins the header addresses so from:/to: also find MAIL FROM and Bcc recipients.
        this.#ftsInsert.run(
          id,
          `${d.fts.from} ${mailFrom}`,
          `${d.fts.to} ${rcptTo.join(' ')}`,
          d.fts.subject,
          d.fts.body,
          d.fts.headers,
        );
        updated.push(id);
      }
    })();
    return updated;
  }
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
