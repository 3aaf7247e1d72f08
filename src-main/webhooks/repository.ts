// The webhooks tables: one row per delivery (stored before the first try, so a crash or restart loses none), one
// per attempt, and the cursor of messages already queued. Plain SQL, so a PostgreSQL port changes placeholders only.
import type Database from 'better-sqlite3';
import type { WebhookAttempt, WebhookDelivery, WebhookEvent } from '../../src-shared/contract/webhooks.js';

export const WEBHOOKS_MIGRATIONS = [
  {
    version: 1,
    name: '001_deliveries',
    sqlite: `
CREATE TABLE webhooks_deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id      TEXT    NOT NULL,
  event           TEXT    NOT NULL,
  message_id      INTEGER NOT NULL,
  state           TEXT    NOT NULL DEFAULT 'pending',
  created_at      TEXT    NOT NULL,
  next_attempt_at INTEGER,
  -- The body as first sent, so every retry sends the same bytes (and the same signature).
  payload         TEXT
) STRICT;
CREATE INDEX webhooks_deliveries_due ON webhooks_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhooks_deliveries_hook ON webhooks_deliveries (webhook_id, id);
CREATE TABLE webhooks_attempts (
  delivery_id INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  at          TEXT    NOT NULL,
  status      INTEGER,
  error       TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
) STRICT;
-- The newest message id already turned into deliveries (received events).
-- armed: a webhook wanted new mail when the cursor last moved, so mail after it is still owed (even across a crash).
CREATE TABLE webhooks_cursor (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  message_id INTEGER NOT NULL,
  armed      INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO webhooks_cursor (id, message_id) SELECT 1, coalesce(max(id), 0) FROM messages;
`,
  },
];

export interface DueDelivery {
  id: number;
  webhookId: string;
  event: WebhookEvent;
  messageId: number;
  payload: string | null;
  attempts: number;
}

/** Messages turned into deliveries per step; one transaction each keeps the loop free during a backlog. */
const ENQUEUE_STEP = 1000;
/** Delivery log rows kept; older finished ones go first. Bounded so a busy webhook cannot fill the disk. */
export const MAX_LOG_ROWS = 10_000;

export class WebhookRepository {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /**
   * Queues a received delivery per webhook for every message committed since the cursor; returns how many.
   * Reads only ids, so queuing costs no parsing.
   */
  enqueueReceived(webhookIds: readonly string[], now: number): number[] {
    const cursor = this.#stmt('SELECT message_id AS id FROM webhooks_cursor WHERE id = 1');
    const ids = this.#stmt('SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?').pluck();
    const advance = this.#stmt('UPDATE webhooks_cursor SET message_id = ? WHERE id = 1');
    const queued: number[] = [];
    const step = this.#db.transaction((): number => {
      const after = (cursor.get() as { id: number }).id;
      const batch = ids.all(after, ENQUEUE_STEP) as number[];
      for (const messageId of batch)
        for (const hook of webhookIds) queued.push(this.#insert(hook, 'message.received', messageId, now));
      if (batch.length) advance.run(batch.at(-1)!);
      return batch.length;
    });
    while (step() === ENQUEUE_STEP);
    return queued;
  }

  /**
   * Whether some webhook wants new mail. Arming skips what was committed while none did, so enabling a webhook
   * does not replay old mail; staying armed (across a restart too) keeps every message after the cursor owed.
   */
  arm(on: boolean): void {
    if (!on) {
      this.#stmt('UPDATE webhooks_cursor SET armed = 0 WHERE id = 1').run();
      return;
    }
    this.#stmt(
      'UPDATE webhooks_cursor SET armed = 1, message_id = (SELECT coalesce(max(id), 0) FROM messages) WHERE id = 1 AND armed = 0',
    ).run();
  }

  enqueue(webhookIds: readonly string[], event: WebhookEvent, messageIds: readonly number[], now: number): number[] {
    return this.#db.transaction(() =>
      messageIds.flatMap((messageId) => webhookIds.map((hook) => this.#insert(hook, event, messageId, now))),
    )();
  }

  /** Pending deliveries due by `now`, oldest first. */
  due(now: number, limit: number, exclude: ReadonlySet<number>): DueDelivery[] {
    const rows = this.#stmt(
      `SELECT d.id, d.webhook_id AS webhookId, d.event, d.message_id AS messageId, d.payload,
              (SELECT count(*) FROM webhooks_attempts a WHERE a.delivery_id = d.id) AS attempts
         FROM webhooks_deliveries d
        WHERE d.state = 'pending' AND d.next_attempt_at <= ?
        ORDER BY d.next_attempt_at, d.id LIMIT ?`,
    ).all(now, limit + exclude.size) as DueDelivery[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit);
  }

  /** When the next pending delivery is due (ms since the epoch), or null when none is pending. */
  nextDue(): number | null {
    return (
      (this.#stmt("SELECT min(next_attempt_at) FROM webhooks_deliveries WHERE state = 'pending'").pluck().get() as
        number | null) ?? null
    );
  }

  savePayload(id: number, payload: string): void {
    this.#stmt('UPDATE webhooks_deliveries SET payload = ? WHERE id = ?').run(payload, id);
  }

  /** Records one attempt and the delivery's new state in one transaction. */
  recordAttempt(
    id: number,
    attempt: Omit<WebhookAttempt, 'at'> & { at: number },
    state: WebhookDelivery['state'],
    nextAttemptAt: number | null,
  ): void {
    this.#db.transaction(() => {
      this.#stmt(
        'INSERT INTO webhooks_attempts (delivery_id, attempt, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, attempt.attempt, new Date(attempt.at).toISOString(), attempt.status, attempt.error, attempt.durationMs);
      this.#stmt('UPDATE webhooks_deliveries SET state = ?, next_attempt_at = ? WHERE id = ?').run(
        state,
        nextAttemptAt,
        id,
      );
    })();
  }

  /** Deliveries of webhooks no longer configured will never be sent: they end as failed, with the reason. */
  failOrphans(knownIds: readonly string[], now: number): void {
    const orphans = this.#stmt(
      "SELECT id FROM webhooks_deliveries WHERE state = 'pending' AND webhook_id NOT IN (SELECT value FROM json_each(?))",
    )
      .pluck()
      .all(JSON.stringify(knownIds)) as number[];
    for (const id of orphans)
      this.recordAttempt(
        id,
        { attempt: 0, at: now, status: null, error: 'the webhook was removed or disabled', durationMs: 0 },
        'failed',
        null,
      );
  }

  /** Keeps the newest MAX_LOG_ROWS deliveries (pending ones are never dropped). */
  trim(): void {
    this.#db.transaction(() => {
      const cutoff = this.#stmt('SELECT id FROM webhooks_deliveries ORDER BY id DESC LIMIT 1 OFFSET ?')
        .pluck()
        .get(MAX_LOG_ROWS) as number | undefined;
      if (cutoff === undefined) return;
      this.#stmt(
        "DELETE FROM webhooks_attempts WHERE delivery_id IN (SELECT id FROM webhooks_deliveries WHERE id <= ? AND state != 'pending')",
      ).run(cutoff);
      this.#stmt("DELETE FROM webhooks_deliveries WHERE id <= ? AND state != 'pending'").run(cutoff);
    })();
  }

  list(webhookId: string | undefined, limit: number, offset: number): { deliveries: WebhookDelivery[]; total: number } {
    const where = webhookId === undefined ? '' : 'WHERE webhook_id = ?';
    const params = webhookId === undefined ? [] : [webhookId];
    const rows = this.#stmt(
      `SELECT id, webhook_id AS webhookId, event, message_id AS messageId, state, created_at AS createdAt,
              next_attempt_at AS nextAttemptAt
         FROM webhooks_deliveries ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
    ).all(...params, limit, offset) as (Omit<WebhookDelivery, 'attempts' | 'nextAttemptAt'> & {
      nextAttemptAt: number | null;
    })[];
    const attempts = this.#stmt(
      'SELECT attempt, at, status, error, duration_ms AS durationMs FROM webhooks_attempts WHERE delivery_id = ? ORDER BY attempt',
    );
    const total = this.#stmt(`SELECT count(*) FROM webhooks_deliveries ${where}`)
      .pluck()
      .get(...params) as number;
    return {
      total,
      deliveries: rows.map((r) => ({
        ...r,
        nextAttemptAt:
          r.state === 'pending' && r.nextAttemptAt !== null ? new Date(r.nextAttemptAt).toISOString() : null,
        attempts: attempts.all(r.id) as WebhookAttempt[],
      })),
    };
  }

  #insert(webhookId: string, event: WebhookEvent, messageId: number, now: number): number {
    const info = this.#stmt(
      'INSERT INTO webhooks_deliveries (webhook_id, event, message_id, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
    ).run(webhookId, event, messageId, new Date(now).toISOString(), now);
    return Number(info.lastInsertRowid);
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }
}
