// SQL for compose_drafts: one row per saved draft, the draft (message, attachments as base64, envelope, profile)
// as JSON with a few columns copied out for the list. Plain SQL, like history-repo.ts.
import type Database from 'better-sqlite3';
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

export class DraftsRepo {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  list(): DraftSummary[] {
    const rows = this.#db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM compose_drafts ORDER BY updated DESC, id DESC`)
      .all() as Row[];
    return rows.map(summary);
  }

  get(id: number): DraftDetail {
    const row = this.#db.prepare(`SELECT ${SUMMARY_COLUMNS}, draft FROM compose_drafts WHERE id = ?`).get(id) as
      (Row & { draft: string }) | undefined;
    if (!row) throw new MailwrightError('not_found', `no draft ${id}`, 'id');
    return { ...summary(row), draft: JSON.parse(row.draft) as Draft };
  }

  create(draft: Draft): DraftDetail {
    const count = (this.#db.prepare('SELECT COUNT(*) AS n FROM compose_drafts').get() as { n: number }).n;
    if (count >= MAX_DRAFTS)
      throw new MailwrightError('conflict', `${MAX_DRAFTS} drafts are kept at most: delete some first`, 'draft');
    const now = new Date().toISOString();
    const info = this.#db
      .prepare(
        `INSERT INTO compose_drafts (created, updated, subject, rcpt_to, profile_id, attachments, draft)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(now, now, ...columns(draft));
    return this.get(Number(info.lastInsertRowid));
  }

  update(id: number, draft: Draft): DraftDetail {
    const changes = this.#db
      .prepare(
        `UPDATE compose_drafts SET updated = ?, subject = ?, rcpt_to = ?, profile_id = ?, attachments = ?, draft = ?
         WHERE id = ?`,
      )
      .run(new Date().toISOString(), ...columns(draft), id).changes;
    if (changes === 0) throw new MailwrightError('not_found', `no draft ${id}`, 'id');
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.#db.prepare('DELETE FROM compose_drafts WHERE id = ?').run(id).changes > 0;
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
