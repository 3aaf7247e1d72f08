// WAL checkpoints off the ingest path: copying the WAL back into the database file (and its fsync) is
// done once mail has stopped arriving for a moment, instead of inside whichever commit crossed
// SQLite's page threshold while an SMTP client waited for its 250.
import type Database from 'better-sqlite3';

/** Quiet time after the last commit before checkpointing (ms): a pause between bursts, not a stall inside one. */
const QUIET_MS = 250;

export class IdleCheckpointer {
  readonly #db: Database.Database;
  readonly #onProblem: (text: string) => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(db: Database.Database, onProblem: (text: string) => void = () => {}) {
    this.#db = db;
    this.#onProblem = onProblem;
  }

  /** Call after every commit; the checkpoint runs QUIET_MS after the last one. */
  noteCommit(): void {
    if (this.#timer) this.#timer.refresh();
    else {
      this.#timer = setTimeout(() => this.#run(), QUIET_MS);
      // A pending checkpoint must not keep a finished process alive; close() checkpoints anyway.
      this.#timer.unref();
    }
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    this.#timer = null;
    try {
      // PASSIVE never waits for readers; whatever it cannot copy now, the next quiet moment will.
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      // Only a closed or broken database lands here; SQLite's own threshold still bounds the WAL.
      const reason = err instanceof Error ? err.message : String(err);
      console.error('[store] checkpoint failed:', reason);
      this.#onProblem(`could not checkpoint the write-ahead log: ${reason}`);
    }
  }
}
