// SQL for compose_bulk_runs and compose_bulk_rows: a bulk run's settings and figures (the run as JSON, with its
// state and times copied out), and a row per message (recipient, reply, latency, attempts, history id). Rows are
// written in the same transaction as the run's history batch, off the send path. The newest MAX_BULK_RUNS_STORED
// runs are kept; older ones go with their rows when a run starts. A run still `running` when the store opens was
// cut off by the process ending: it becomes `interrupted`. Plain SQL through the capability's SqlClient, the same
// in both dialects.
import type { SqlClient } from '../store/message-store.js';
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
  // COLLATE "C": runs are listed by time stamp text and id, compared as bytes, as SQLite does.
  postgres: `
    CREATE TABLE compose_bulk_runs (
      id text COLLATE "C" PRIMARY KEY,
      started_at text COLLATE "C" NOT NULL,
      finished_at text,
      state text NOT NULL,
      run text NOT NULL
    );
    CREATE INDEX compose_bulk_runs_started ON compose_bulk_runs (started_at, id);
    CREATE TABLE compose_bulk_rows (
      run_id text COLLATE "C" NOT NULL,
      seq integer NOT NULL,
      n integer NOT NULL,
      recipient text NOT NULL,
      outcome text NOT NULL,
      reply text,
      latency_ms double precision NOT NULL,
      attempts integer NOT NULL,
      send_id bigint,
      recipients text NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
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
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Marks runs a previous process left `running` as `interrupted`; how many. Called once the tables exist. */
  interruptLeftovers(): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const rows = await tx.all<{ id: string; run: string }>(
        "SELECT id, run FROM compose_bulk_runs WHERE state = 'running'",
      );
      for (const r of rows) {
        const run = JSON.parse(r.run) as BulkRun;
        await tx.run("UPDATE compose_bulk_runs SET state = 'interrupted', run = ? WHERE id = ?", [
          JSON.stringify({ ...run, state: 'interrupted', etaMs: null }),
          r.id,
        ]);
      }
      return rows.length;
    });
  }

  /** Inserts or replaces the run's figures (at its start, with each batch, and at its end); in `tx` when given. */
  async save(run: BulkRun, tx: SqlClient = this.#sql): Promise<void> {
    await tx.run(
      `INSERT INTO compose_bulk_runs (id, started_at, finished_at, state, run) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, state = excluded.state, run = excluded.run`,
      [run.id, run.startedAt, run.finishedAt, run.state, JSON.stringify(run)],
    );
  }

  /** A batch of message rows; `seq` continues from `first`. Pass the batch's transaction as `tx`. */
  async addRows(runId: string, first: number, rows: readonly BulkRow[], tx: SqlClient = this.#sql): Promise<void> {
    for (const [i, r] of rows.entries()) {
      await tx.run(
        `INSERT INTO compose_bulk_rows (run_id, seq, n, recipient, outcome, reply, latency_ms, attempts, send_id,
           recipients) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
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
        ],
      );
    }
  }

  /** Runs `fn` in one transaction (a history batch, its rows and the run's figures together), given its client. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.#sql.transaction(fn);
  }

  async get(id: string): Promise<BulkRun | null> {
    const row = await this.#sql.get<RunRow>('SELECT * FROM compose_bulk_runs WHERE id = ?', [id]);
    return row ? view(row) : null;
  }

  async list(limit = MAX_BULK_RUNS_STORED): Promise<BulkRun[]> {
    const rows = await this.#sql.all<RunRow>(
      'SELECT * FROM compose_bulk_runs ORDER BY started_at DESC, id DESC LIMIT ?',
      [limit],
    );
    return rows.map(view);
  }

  async rows(id: string): Promise<BulkRow[]> {
    const rows = await this.#sql.all<MessageRow>(
      'SELECT n, recipient, outcome, reply, latency_ms, attempts, send_id, recipients FROM compose_bulk_rows WHERE run_id = ? ORDER BY seq',
      [id],
    );
    return rows.map((r) => ({
      n: r.n,
      recipient: r.recipient,
      outcome: r.outcome,
      reply: r.reply,
      latencyMs: r.latency_ms,
      attempts: r.attempts,
      sendId: r.send_id === null ? null : Number(r.send_id),
      recipients: JSON.parse(r.recipients) as BulkRow['recipients'],
    }));
  }

  /** Deletes the runs (and their rows) past the newest `keep`, never one still running; how many went. */
  prune(keep = MAX_BULK_RUNS_STORED): Promise<number> {
    return this.transaction(async (tx) => {
      const old = await tx.all<{ id: string }>(
        `SELECT id FROM compose_bulk_runs WHERE state != 'running' AND id NOT IN (
           SELECT id FROM compose_bulk_runs ORDER BY started_at DESC, id DESC LIMIT ?)`,
        [keep],
      );
      for (const { id } of old) {
        await tx.run('DELETE FROM compose_bulk_rows WHERE run_id = ?', [id]);
        await tx.run('DELETE FROM compose_bulk_runs WHERE id = ?', [id]);
      }
      return old.length;
    });
  }
}

function view(row: RunRow): BulkRun {
  const run = JSON.parse(row.run) as BulkRun;
  return { ...run, state: row.state, finishedAt: row.finished_at, etaMs: row.state === 'running' ? run.etaMs : null };
}
