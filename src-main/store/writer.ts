// Group commit: messages that arrive in the same event-loop turn share one transaction, and every
// ingest() promise resolves only after that COMMIT. Nothing here parses the message, not even its
// headers: the summary is derived by the indexer, or read from the headers when someone looks first.
import type Database from 'better-sqlite3';
import type { Envelope, MessageId } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';

/** Messages per transaction: large enough to amortize the commit, small enough that one batch never blocks the loop for long. */
const MAX_BATCH_MESSAGES = 256;
/** Bytes per transaction: a burst of large messages commits in pieces rather than one huge write. */
const MAX_BATCH_BYTES = 64 * 1024 * 1024;
/**
 * Event-loop turns a commit waits after the first queued message. Each turn polls the sockets once
 * more (without blocking), so messages from other sessions that finish meanwhile share the COMMIT.
 * A commit costs about as much as the rest of storing a message; with 4 concurrent 5 KB senders,
 * 3 turns took the batch from 1.2 to 2 messages and throughput up ~10%, for microseconds of latency.
 * A timer instead (even 1 ms) made batches bigger but throughput lower: each sender waits for its 250.
 */
const COMMIT_DEFER_TURNS = 3;

/** What a commit knows of a message: enough for the caller's 250, nothing parsed. */
export interface StoredMessage {
  id: MessageId;
  receivedAt: string;
  size: number;
}

interface Pending {
  raw: Buffer;
  envelope: Envelope;
  resolve: (s: StoredMessage) => void;
  reject: (e: Error) => void;
}

/** What one flush committed; empty when the transaction failed (the callers were rejected). */
export interface CommitResult {
  committed: (StoredMessage & { raw: Buffer; envelope: Envelope })[];
  bytes: number;
  /** Why the transaction failed (the callers were rejected, so their clients got 451). */
  error?: Error;
}

export class Writer {
  readonly #db: Database.Database;
  readonly #onCommit: (r: CommitResult) => void;
  readonly #insertMessage: Database.Statement;
  readonly #insertRaw: Database.Statement;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #scheduled: NodeJS.Immediate | null = null;
  #lastCommit = -Infinity;

  constructor(db: Database.Database, onCommit: (r: CommitResult) => void) {
    this.#db = db;
    this.#onCommit = onCommit;
    this.#insertMessage = db.prepare('INSERT INTO messages (received_at, size, envelope) VALUES (?, ?, ?)');
    this.#insertRaw = db.prepare('INSERT INTO message_raw (id, data) VALUES (?, ?)');
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Whether a message was queued or committed within the last `ms` milliseconds. */
  activeWithin(ms: number): boolean {
    return this.#queue.length > 0 || performance.now() - this.#lastCommit < ms;
  }

  enqueue(raw: Buffer, envelope: Envelope): Promise<StoredMessage> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ raw, envelope, resolve, reject });
      this.#queuedBytes += raw.length;
      if (this.#queue.length >= MAX_BATCH_MESSAGES || this.#queuedBytes >= MAX_BATCH_BYTES) this.flush();
      else if (!this.#scheduled) this.#deferFlush(COMMIT_DEFER_TURNS);
    });
  }

  #deferFlush(turns: number): void {
    this.#scheduled = setImmediate(() => (turns > 1 ? this.#deferFlush(turns - 1) : this.flush()));
  }

  /** Commits everything queued now. Safe to call at any time (close, delete, tests). */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    const receivedAt = new Date().toISOString();
    let stored: StoredMessage[];
    try {
      stored = this.#db.transaction(() => batch.map((p) => this.#insert(p, receivedAt)))();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const error = new MailwrightError('unavailable', `[store] could not save the message: ${reason}`);
      for (const p of batch) p.reject(error);
      this.#onCommit({ committed: [], bytes: 0, error });
      return;
    }
    this.#lastCommit = performance.now();
    // Resolve after COMMIT: the caller may now answer 250.
    batch.forEach((p, i) => p.resolve(stored[i]!));
    this.#onCommit({
      committed: batch.map((p, i) => ({ ...stored[i]!, raw: p.raw, envelope: p.envelope })),
      bytes: batch.reduce((n, p) => n + p.raw.length, 0),
    });
  }

  /** Rejects everything still queued (used only when the database is gone). */
  failAll(error: Error): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    for (const p of this.#queue.splice(0)) p.reject(error);
    this.#queuedBytes = 0;
  }

  #insert(p: Pending, receivedAt: string): StoredMessage {
    const info = this.#insertMessage.run(receivedAt, p.raw.length, JSON.stringify(p.envelope));
    const id = Number(info.lastInsertRowid);
    this.#insertRaw.run(id, p.raw);
    return { id, receivedAt, size: p.raw.length };
  }
}
