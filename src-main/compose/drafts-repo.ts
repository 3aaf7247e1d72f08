// SQL for compose_drafts: one row per saved draft, the draft (message, attachments as base64, envelope, profile)
// as JSON with a few columns copied out for the list. Plain SQL through the capability's SqlClient, the same in
// both dialects.
import type { SqlClient } from '../store/message-store.js';
import {
  MAX_DRAFTS,
  MailwrightError,
  type Draft,
  type DraftDetail,
  type DraftSummary,
} from '../../src-shared/index.js';

export const DRAFTS_MIGRATION = {
  version: 2,
  name: '002_drafts',
  sqlite: `
    CREATE TABLE compose_drafts (
      id INTEGER PRIMARY KEY,
      created TEXT NOT NULL,
      updated TEXT NOT NULL,
      subject TEXT NOT NULL,
      rcpt_to TEXT NOT NULL,
      profile_id TEXT,
      attachments INTEGER NOT NULL,
      draft TEXT NOT NULL
    ) STRICT;
  `,
  // COLLATE "C": the list's order by time stamp text compares bytes, as SQLite does.
  postgres: `
    CREATE TABLE compose_drafts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      created text NOT NULL,
      updated text COLLATE "C" NOT NULL,
      subject text NOT NULL,
      rcpt_to text NOT NULL,
      profile_id text,
      attachments integer NOT NULL,
      draft text NOT NULL
    );
  `,
};

interface Row {
  id: number;
  created: string;
  updated: string;
  subject: string;
  rcpt_to: string;
  profile_id: string | null;
  attachments: number;
}

const SUMMARY_COLUMNS = 'id, created, updated, subject, rcpt_to, profile_id, attachments';

/**
 * What makes a count-then-insert atomic: SQLite's write transaction (BEGIN IMMEDIATE) already runs alone; on
 * PostgreSQL, transactions of other connections (or instances) would each count the same, so creates take a lock
 * that lets readers through and queues other creates behind this one.
 */
const LOCK_FOR_CREATE = {
  sqlite: null,
  postgres: 'LOCK TABLE compose_drafts IN SHARE ROW EXCLUSIVE MODE',
} as const;

export class DraftsRepo {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async list(): Promise<DraftSummary[]> {
    const rows = await this.#sql.all<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM compose_drafts ORDER BY updated DESC, id DESC`,
    );
    return rows.map(summary);
  }

  get(id: number): Promise<DraftDetail> {
    return this.#get(this.#sql, id);
  }

  /** Counted and inserted in one transaction, so that drafts saved at once cannot pass the cap together. */
  create(draft: Draft): Promise<DraftDetail> {
    return this.#sql.transaction(async (tx) => {
      const lock = LOCK_FOR_CREATE[tx.dialect];
      if (lock) await tx.exec(lock);
      const count = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM compose_drafts'))!.n;
      if (Number(count) >= MAX_DRAFTS)
        throw new MailwrightError('conflict', `${MAX_DRAFTS} drafts are kept at most: delete some first`, 'draft');
      const now = new Date().toISOString();
      const row = await tx.get<{ id: number }>(
        `INSERT INTO compose_drafts (created, updated, subject, rcpt_to, profile_id, attachments, draft)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [now, now, ...columns(draft)],
      );
      return this.#get(tx, Number(row!.id));
    });
  }

  async update(id: number, draft: Draft): Promise<DraftDetail> {
    const { changes } = await this.#sql.run(
      `UPDATE compose_drafts SET updated = ?, subject = ?, rcpt_to = ?, profile_id = ?, attachments = ?, draft = ?
       WHERE id = ?`,
      [new Date().toISOString(), ...columns(draft), id],
    );
    if (changes === 0) throw new MailwrightError('not_found', `no draft ${id}`, 'id');
    return this.get(id);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.#sql.run('DELETE FROM compose_drafts WHERE id = ?', [id])).changes > 0;
  }

  async #get(db: SqlClient, id: number): Promise<DraftDetail> {
    const row = await db.get<Row & { draft: string }>(
      `SELECT ${SUMMARY_COLUMNS}, draft FROM compose_drafts WHERE id = ?`,
      [id],
    );
    if (!row) throw new MailwrightError('not_found', `no draft ${id}`, 'id');
    return { ...summary(row), draft: JSON.parse(row.draft) as Draft };
  }
}

function columns(d: Draft): [string, string, string | null, number, string] {
  const m = d.message;
  return [
    m.subject,
    JSON.stringify([...m.to, ...m.cc, ...m.bcc]),
    d.profile ?? null,
    m.attachments.length,
    JSON.stringify(d),
  ];
}

function summary(r: Row): DraftSummary {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    subject: r.subject,
    to: JSON.parse(r.rcpt_to) as string[],
    profile: r.profile_id,
    attachments: r.attachments,
  };
}
