// The webhooks tables: one row per delivery (stored before the first try, so a crash or restart loses none), one
// per attempt, and the cursor of messages already queued. The same SQL on SQLite and PostgreSQL except where the
// dialect table (SQL below) says otherwise. With several instances on one PostgreSQL database, each instance
// claims the deliveries it sends (FOR UPDATE SKIP LOCKED, held by a lease), so each is sent by one instance only,
// and queuing new mail locks the cursor row, so each message is queued once. Ids another instance commits late
// (below one already passed) are looked for again for a minute, so none is skipped.
import type { WebhookAttempt, WebhookDelivery, WebhookEvent } from '../../src-shared/contract/webhooks.js';
import type { CapabilityMigration } from '../core/capability.js';
import type { SqlClient, SqlDialect, SqlValue } from '../store/message-store.js';

export const WEBHOOKS_MIGRATIONS: readonly CapabilityMigration[] = [
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
    postgres: `
-- An identity never hands out an id twice, as AUTOINCREMENT. Epoch-ms times and message ids are bigint.
CREATE TABLE webhooks_deliveries (
  id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id      text    NOT NULL,
  event           text    NOT NULL,
  message_id      bigint  NOT NULL,
  state           text    NOT NULL DEFAULT 'pending',
  created_at      text    NOT NULL,
  next_attempt_at bigint,
  -- The body as first sent, so every retry sends the same bytes (and the same signature).
  payload         text
);
CREATE INDEX webhooks_deliveries_due ON webhooks_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhooks_deliveries_hook ON webhooks_deliveries (webhook_id, id);
CREATE TABLE webhooks_attempts (
  delivery_id bigint  NOT NULL,
  attempt     integer NOT NULL,
  at          text    NOT NULL,
  status      integer,
  error       text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
-- The newest message id already turned into deliveries (received events).
-- armed: a webhook wanted new mail when the cursor last moved, so mail after it is still owed (even across a crash).
CREATE TABLE webhooks_cursor (
  id         integer PRIMARY KEY CHECK (id = 1),
  message_id bigint  NOT NULL,
  armed      integer NOT NULL DEFAULT 0
);
INSERT INTO webhooks_cursor (id, message_id) SELECT 1, coalesce(max(id), 0) FROM messages;
`,
  },
  {
    // Whether a message's deletion is already queued: every instance on a shared database hears of it.
    version: 2,
    name: '002_deliveries_by_message',
    sqlite: 'CREATE INDEX webhooks_deliveries_message ON webhooks_deliveries (message_id);',
    postgres: 'CREATE INDEX webhooks_deliveries_message ON webhooks_deliveries (message_id);',
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
/** Rows per INSERT: 5 parameters each stays far below either database's limit on parameters. */
const INSERT_ROWS = 500;
/**
 * Ids the cursor passed while they were not visible (PostgreSQL), looked for again for this long: another instance's
 * commit lands within a round trip, or fails (its client gets a 451 and the id is never used).
 */
const LATE_COMMIT_MS = 60_000;
/** Missing ids looked for below each visible one: more than any number of instances' group commits in flight. */
const LATE_RUN = 1024;
/** Passed-over ids remembered at most; past this the oldest are given up (a jump of the sequence, not late mail). */
const MAX_LATE_IDS = 10_000;
/** Delivery log rows kept; older finished ones go first. Bounded so a busy webhook cannot fill the disk. */
export const MAX_LOG_ROWS = 10_000;
/**
 * How long a claimed delivery stays with the instance that claimed it (PostgreSQL): longer than a request may take
 * (10 s), so only an instance that died mid-send lets a delivery go, and another sends it once the lease is over.
 */
export const CLAIM_LEASE_MS = 60_000;

const DUE_COLUMNS = `d.id, d.webhook_id AS "webhookId", d.event, d.message_id AS "messageId", d.payload,
  (SELECT count(*) FROM webhooks_attempts a WHERE a.delivery_id = d.id) AS attempts`;

interface DialectSql {
  /** The cursor row, locked until the transaction ends where the database can (instances queue each message once). */
  cursor: string;
  /**
   * Whether message ids can become visible out of order: on PostgreSQL several instances commit mail, and one may
   * commit id 7 after another's id 8 was seen. SQLite has one writer, committing ids in order.
   */
  lateCommits: boolean;
  /** A condition: `column` is one of the values of a JSON array given as the one parameter. */
  inJson(column: string, cast: 'text' | 'bigint'): string;
  /**
   * Pending deliveries due by `now`, oldest first, not in `exclude` (a JSON array of ids); PostgreSQL's claims
   * them for `until`, so another instance skips them.
   */
  due(now: number, limit: number, exclude: string, until: number): { sql: string; params: SqlValue[] };
}

const SQL: Record<SqlDialect, DialectSql> = {
  sqlite: {
    cursor: 'SELECT message_id AS id FROM webhooks_cursor WHERE id = 1',
    lateCommits: false,
    inJson: (column) => `${column} IN (SELECT value FROM json_each(?))`,
    // One instance owns a SQLite file: reading what is due is enough, and nothing is claimed.
    due: (now, limit, exclude) => ({
      sql: `SELECT ${DUE_COLUMNS} FROM webhooks_deliveries d
             WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.id NOT IN (SELECT value FROM json_each(?))
             ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      params: [now, exclude, limit],
    }),
  },
  postgres: {
    cursor: 'SELECT message_id AS id FROM webhooks_cursor WHERE id = 1 FOR UPDATE',
    lateCommits: true,
    inJson: (column, cast) => `${column} IN (SELECT value::${cast} FROM jsonb_array_elements_text(?::jsonb))`,
    // Rows another instance is claiming are skipped, not waited for; the claim moves next_attempt_at past the lease,
    // so they are not due for anyone else until the sender records its attempt (or dies and the lease runs out).
    due: (now, limit, exclude, until) => ({
      sql: `WITH due AS (
              SELECT id, next_attempt_at AS due_at FROM webhooks_deliveries
               WHERE state = 'pending' AND next_attempt_at <= ?
                 AND id NOT IN (SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))
               ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
            UPDATE webhooks_deliveries d SET next_attempt_at = ? FROM due WHERE d.id = due.id
            RETURNING ${DUE_COLUMNS}, due.due_at AS "dueAt"`,
      params: [now, exclude, limit, until],
    }),
  },
};

type DeliveryRow = Omit<WebhookDelivery, 'attempts' | 'nextAttemptAt'> & { nextAttemptAt: number | null };

export class WebhookRepository {
  readonly #sql: SqlClient;
  readonly #d: DialectSql;
  /** Ids the cursor passed while they were not visible, and when (lateCommits only; this instance's passes). */
  readonly #passed = new Map<number, number>();

  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#d = SQL[sql.dialect];
  }

  /**
   * Queues a received delivery per webhook for every message committed since the cursor; returns their ids.
   * Reads only ids, so queuing costs no parsing.
   */
  async enqueueReceived(webhookIds: readonly string[], now: number): Promise<number[]> {
    const queued: number[] = [];
    for (let step = 0; ; step++) {
      const { ids, messages, late, passed } = await this.#sql.transaction(async (tx) => {
        const cursor = await tx.get<{ id: number }>(this.#d.cursor);
        const after = Number(cursor?.id ?? 0);
        const late = step === 0 ? await this.#landed(tx) : [];
        const batch = (
          await tx.all<{ id: number }>('SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?', [
            after,
            ENQUEUE_STEP,
          ])
        ).map((r) => Number(r.id));
        const rows = [...late, ...batch].flatMap((messageId) =>
          webhookIds.map((hook) => ({ hook, event: 'message.received' as const, messageId })),
        );
        const inserted = await insert(tx, rows, now);
        if (batch.length) await tx.run('UPDATE webhooks_cursor SET message_id = ? WHERE id = 1', [batch.at(-1)!]);
        return { ids: inserted, messages: batch.length, late, passed: this.#d.lateCommits ? gaps(after, batch) : [] };
      });
      // Only once committed: a rolled-back step left the cursor where it was, so nothing was passed over.
      for (const id of late) this.#passed.delete(id);
      this.#remember(passed, now);
      queued.push(...ids);
      if (messages < ENQUEUE_STEP) return queued;
    }
  }

  /** Passed-over ids that are visible now (committed late by another instance): they are owed like the rest. */
  async #landed(tx: SqlClient): Promise<number[]> {
    if (this.#passed.size === 0) return [];
    const rows = await tx.all<{ id: number }>(`SELECT id FROM messages WHERE ${this.#d.inJson('id', 'bigint')}`, [
      JSON.stringify([...this.#passed.keys()]),
    ]);
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  #remember(passed: readonly number[], now: number): void {
    for (const [id, at] of this.#passed) if (now - at > LATE_COMMIT_MS) this.#passed.delete(id);
    for (const id of passed) this.#passed.set(id, now);
    // A Map iterates in insertion order: the oldest go first.
    for (const id of this.#passed.keys()) {
      if (this.#passed.size <= MAX_LATE_IDS) break;
      this.#passed.delete(id);
    }
  }

  /**
   * Whether some webhook wants new mail. Arming skips what was committed while none did, so enabling a webhook
   * does not replay old mail; staying armed (across a restart too) keeps every message after the cursor owed.
   */
  async arm(on: boolean): Promise<void> {
    if (!on) {
      await this.#sql.run('UPDATE webhooks_cursor SET armed = 0 WHERE id = 1');
      return;
    }
    await this.#sql.run(
      'UPDATE webhooks_cursor SET armed = 1, message_id = (SELECT coalesce(max(id), 0) FROM messages) WHERE id = 1 AND armed = 0',
    );
  }

  /**
   * Queues `event` for each message and webhook, unless it is queued already: on a shared database every instance
   * hears of a deletion, and the first to queue it does it for all (the cursor row's lock orders them).
   */
  async enqueue(
    webhookIds: readonly string[],
    event: WebhookEvent,
    messageIds: readonly number[],
    now: number,
  ): Promise<number[]> {
    return this.#sql.transaction(async (tx) => {
      await tx.get(this.#d.cursor);
      const known = await tx.all<{ webhookId: string; messageId: number }>(
        `SELECT webhook_id AS "webhookId", message_id AS "messageId" FROM webhooks_deliveries
          WHERE event = ? AND ${this.#d.inJson('message_id', 'bigint')}`,
        [event, JSON.stringify(messageIds)],
      );
      const queued = new Set(known.map((k) => `${Number(k.messageId)} ${k.webhookId}`));
      const rows = messageIds
        .flatMap((messageId) => webhookIds.map((hook) => ({ hook, event, messageId })))
        .filter((r) => !queued.has(`${r.messageId} ${r.hook}`));
      return insert(tx, rows, now);
    });
  }

  /**
   * Pending deliveries due by `now`, oldest first, at most `limit`, none of `exclude` (those this instance is
   * sending). On PostgreSQL they are claimed for CLAIM_LEASE_MS: no other instance gets them meanwhile.
   */
  async due(now: number, limit: number, exclude: ReadonlySet<number>): Promise<DueDelivery[]> {
    const q = this.#d.due(now, limit, JSON.stringify([...exclude]), now + CLAIM_LEASE_MS);
    const rows = await this.#sql.all<DueDelivery & { dueAt?: number }>(q.sql, q.params);
    // RETURNING comes in no particular order: oldest first, as the SELECT gives it.
    if (rows.some((r) => r.dueAt !== undefined))
      rows.sort((a, b) => Number(a.dueAt) - Number(b.dueAt) || Number(a.id) - Number(b.id));
    return rows.map((r) => ({
      id: Number(r.id),
      webhookId: r.webhookId,
      event: r.event,
      messageId: Number(r.messageId),
      payload: r.payload,
      attempts: Number(r.attempts),
    }));
  }

  /** When the next pending delivery is due (ms since the epoch), or null when none is pending. */
  async nextDue(): Promise<number | null> {
    const row = await this.#sql.get<{ next: number | null }>(
      "SELECT min(next_attempt_at) AS next FROM webhooks_deliveries WHERE state = 'pending'",
    );
    return row?.next == null ? null : Number(row.next);
  }

  async savePayload(id: number, payload: string): Promise<void> {
    await this.#sql.run('UPDATE webhooks_deliveries SET payload = ? WHERE id = ?', [payload, id]);
  }

  /** Records one attempt and the delivery's new state in one transaction. */
  async recordAttempt(
    id: number,
    attempt: Omit<WebhookAttempt, 'at'> & { at: number },
    state: WebhookDelivery['state'],
    nextAttemptAt: number | null,
  ): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO webhooks_attempts (delivery_id, attempt, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        [id, attempt.attempt, new Date(attempt.at).toISOString(), attempt.status, attempt.error, attempt.durationMs],
      );
      await tx.run('UPDATE webhooks_deliveries SET state = ?, next_attempt_at = ? WHERE id = ?', [
        state,
        nextAttemptAt,
        id,
      ]);
    });
  }

  /** Deliveries of webhooks no longer configured will never be sent: they end as failed, with the reason. */
  async failOrphans(knownIds: readonly string[], now: number): Promise<void> {
    const orphans = await this.#sql.all<{ id: number }>(
      `SELECT id FROM webhooks_deliveries WHERE state = 'pending' AND NOT ${this.#d.inJson('webhook_id', 'text')}`,
      [JSON.stringify(knownIds)],
    );
    for (const { id } of orphans)
      await this.recordAttempt(
        Number(id),
        { attempt: 0, at: now, status: null, error: 'the webhook was removed or disabled', durationMs: 0 },
        'failed',
        null,
      );
  }

  /** Keeps the newest MAX_LOG_ROWS deliveries (pending ones are never dropped). */
  async trim(): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      const row = await tx.get<{ id: number }>('SELECT id FROM webhooks_deliveries ORDER BY id DESC LIMIT 1 OFFSET ?', [
        MAX_LOG_ROWS,
      ]);
      if (row === undefined) return;
      const cutoff = Number(row.id);
      await tx.run(
        "DELETE FROM webhooks_attempts WHERE delivery_id IN (SELECT id FROM webhooks_deliveries WHERE id <= ? AND state != 'pending')",
        [cutoff],
      );
      await tx.run("DELETE FROM webhooks_deliveries WHERE id <= ? AND state != 'pending'", [cutoff]);
    });
  }

  async list(
    webhookId: string | undefined,
    limit: number,
    offset: number,
  ): Promise<{ deliveries: WebhookDelivery[]; total: number }> {
    const where = webhookId === undefined ? '' : 'WHERE webhook_id = ?';
    const params = webhookId === undefined ? [] : [webhookId];
    const rows = await this.#sql.all<DeliveryRow>(
      `SELECT id, webhook_id AS "webhookId", event, message_id AS "messageId", state, created_at AS "createdAt",
              next_attempt_at AS "nextAttemptAt"
         FROM webhooks_deliveries ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    const total = await this.#sql.get<{ n: number }>(`SELECT count(*) AS n FROM webhooks_deliveries ${where}`, params);
    const attempts = new Map<number, WebhookAttempt[]>();
    if (rows.length) {
      const found = await this.#sql.all<WebhookAttempt & { deliveryId: number }>(
        `SELECT delivery_id AS "deliveryId", attempt, at, status, error, duration_ms AS "durationMs"
           FROM webhooks_attempts WHERE ${this.#d.inJson('delivery_id', 'bigint')} ORDER BY delivery_id, attempt`,
        [JSON.stringify(rows.map((r) => Number(r.id)))],
      );
      for (const { deliveryId, ...a } of found) {
        const list = attempts.get(Number(deliveryId)) ?? [];
        list.push(a);
        attempts.set(Number(deliveryId), list);
      }
    }
    return {
      total: Number(total?.n ?? 0),
      deliveries: rows.map((r) => ({
        ...r,
        id: Number(r.id),
        messageId: Number(r.messageId),
        nextAttemptAt:
          r.state === 'pending' && r.nextAttemptAt !== null ? new Date(Number(r.nextAttemptAt)).toISOString() : null,
        attempts: attempts.get(Number(r.id)) ?? [],
      })),
    };
  }
}

/**
 * The ids between `after` and the last of `batch` (ascending) that `batch` lacks: of each run only the last
 * LATE_RUN (ids still being committed are just below a visible one; a longer run is mail deleted or a purge), and
 * at most MAX_LATE_IDS in all.
 */
function gaps(after: number, batch: readonly number[]): number[] {
  const out: number[] = [];
  let previous = after;
  for (const id of batch) {
    const from = Math.max(previous + 1, id - LATE_RUN);
    for (let missing = from; missing < id && out.length < MAX_LATE_IDS; missing++) out.push(missing);
    previous = id;
  }
  return out;
}

/** Inserts pending deliveries, due now, a few hundred rows per statement; returns their ids. */
async function insert(
  tx: SqlClient,
  rows: readonly { hook: string; event: WebhookEvent; messageId: number }[],
  now: number,
): Promise<number[]> {
  const ids: number[] = [];
  const createdAt = new Date(now).toISOString();
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const chunk = rows.slice(i, i + INSERT_ROWS);
    const inserted = await tx.all<{ id: number }>(
      `INSERT INTO webhooks_deliveries (webhook_id, event, message_id, created_at, next_attempt_at)
       VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')} RETURNING id`,
      chunk.flatMap((r) => [r.hook, r.event, r.messageId, createdAt, now]),
    );
    ids.push(...inserted.map((r) => Number(r.id)));
  }
  // RETURNING gives no order on PostgreSQL: in the order they were queued, as on SQLite.
  return ids.sort((a, b) => a - b);
}
