// SQL for compose_bulk_runs and compose_bulk_rows: a bulk run's settings and figures (the run as JSON, with its
// state and times copied out), and a row per message (recipient, reply, latency, attempts, history id). Rows are
// written in the same transaction as the run's history batch, off the send path. The newest MAX_BULK_RUNS_STORED
// runs are kept; older ones go with their rows when a run starts. A run still `running` when the store opens was
// cut off by the process ending: it becomes `interrupted`. Plain SQL, like history-repo.ts.
import type Database from 'better-sqlite3';
import { MAX_BULK_RUNS_STORED, type BulkRow, type BulkRun, type BulkState } from '../../src-shared/index.js';

export const BULK_MIGRATION = {
  version: 3,
  name: '003_bulk_runs',
  sqlite: `
    CREATE TABLE compose_bulk_runs (
      id TEXT PRIMARY KEY,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      state TEXT NOT NULL,
      run TEXT NOT NULL
    ) STRICT;
    CREATE INDEX compose_bulk_runs_started ON compose_bulk_runs (started_at, id);
    CREATE TABLE compose_bulk_rows (
      run_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      n INTEGER NOT NULL,
      recipient TEXT NOT NULL,
      outcome TEXT NOT NULL,
      reply TEXT,
      latency_ms REAL NOT NULL,
      attempts INTEGER NOT NULL,
      send_id INTEGER,
      recipients TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) STRICT, WITHOUT ROWID;
  `,
};

interface RunRow {
  id: string;
  started_at: string;
  finished_at: string | null;
  state: BulkState;
  run: string;
}

interface MessageRow {
  n: number;
  recipient: string;
  outcome: BulkRow['outcome'];
  reply: string | null;
  latency_ms: number;
  attempts: number;
  send_id: number | null;
  recipients: string;
}

export class BulkRepo {
  readonly #db: Database.Database;
  #rowStatement: Database.Statement | undefined;
  #saveStatement: Database.Statement | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Marks runs a previous process left `running` as `interrupted`; how many. Called once the tables exist. */
  interruptLeftovers(): number {
    const rows = this.#db.prepare("SELECT id, run FROM compose_bulk_runs WHERE state = 'running'").all() as {
      id: string;
      run: string;
    }[];
    const update = this.#db.prepare("UPDATE compose_bulk_runs SET state = 'interrupted', run = ? WHERE id = ?");
    this.#db.transaction(() => {
      for (const r of rows) {
        const run = JSON.parse(r.run) as BulkRun;
        update.run(JSON.stringify({ ...run, state: 'interrupted', etaMs: null }), r.id);
      }
    })();
    return rows.length;
  }

  /** Inserts or replaces the run's figures (at its start, with each batch, and at its end). */
  save(run: BulkRun): void {
    this.#saveStatement ??= this.#db.prepare(
      `INSERT INTO compose_bulk_runs (id, started_at, finished_at, state, run) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, state = excluded.state, run = excluded.run`,
    );
    this.#saveStatement.run(run.id, run.startedAt, run.finishedAt, run.state, JSON.stringify(run));
  }

  /** A batch of message rows; `seq` continues from `first`. Call inside the batch's transaction. */
  addRows(runId: string, first: number, rows: readonly BulkRow[]): void {
    this.#rowStatement ??= this.#db.prepare(
      `INSERT INTO compose_bulk_rows (run_id, seq, n, recipient, outcome, reply, latency_ms, attempts, send_id,
         recipients) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    rows.forEach((r, i) =>
      this.#rowStatement!.run(
        runId,
        first + i,
        r.n,
        r.recipient,
        r.outcome,
        r.reply,
        r.latencyMs,
        r.attempts,
        r.sendId,
        JSON.stringify(r.recipients),
      ),
    );
  }

  /** Runs a function in one transaction (a history batch, its rows and the run's figures together). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  get(id: string): BulkRun | null {
    const row = this.#db.prepare('SELECT * FROM compose_bulk_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? view(row) : null;
  }

  list(limit = MAX_BULK_RUNS_STORED): BulkRun[] {
    const rows = this.#db
      .prepare('SELECT * FROM compose_bulk_runs ORDER BY started_at DESC, id DESC LIMIT ?')
      .all(limit) as RunRow[];
    return rows.map(view);
  }

  rows(id: string): BulkRow[] {
    const rows = this.#db
      .prepare(
        'SELECT n, recipient, outcome, reply, latency_ms, attempts, send_id, recipients FROM compose_bulk_rows WHERE run_id = ? ORDER BY seq',
      )
      .all(id) as MessageRow[];
    return rows.map((r) => ({
      n: r.n,
      recipient: r.recipient,
      outcome: r.outcome,
      reply: r.reply,
      latencyMs: r.latency_ms,
      attempts: r.attempts,
      sendId: r.send_id,
      recipients: JSON.parse(r.recipients) as BulkRow['recipients'],
    }));
  }

  /** Deletes the runs (and their rows) past the newest `keep`, never one still running; how many went. */
  prune(keep = MAX_BULK_RUNS_STORED): number {
    return this.transaction(() => {
      const old = this.#db
        .prepare(
          `SELECT id FROM compose_bulk_runs WHERE state != 'running' AND id NOT IN (
             SELECT id FROM compose_bulk_runs ORDER BY started_at DESC, id DESC LIMIT ?)`,
        )
        .all(keep) as { id: string }[];
      const rows = this.#db.prepare('DELETE FROM compose_bulk_rows WHERE run_id = ?');
      const run = this.#db.prepare('DELETE FROM compose_bulk_runs WHERE id = ?');
      for (const { id } of old) {
        rows.run(id);
        run.run(id);
      }
      return old.length;
    });
  }
}

function view(row: RunRow): BulkRun {
  const run = JSON.parse(row.run) as BulkRun;
  return { ...run, state: row.state, finishedAt: row.finished_at, etaMs: row.state === 'running' ? run.etaMs : null };
}
