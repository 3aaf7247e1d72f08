// The PostgreSQL schema: migrations 001-004 numbered as SQLite's (store/migrations/), applied under an advisory
// lock so instances starting together migrate once; a database newer than this code is refused.
// Released migrations are never edited: add a new numbered entry instead, in both dialects.
import type pg from 'pg';
import { MailwrightError } from '../../../src-shared/index.js';
import type { DialectMigration } from '../message-store.js';

/** Advisory lock keys (pg_advisory_lock(int, int)): the first number is "Mailwright", the second the purpose. */
export const LOCK_SPACE = 0x4d57_5254;
export const LOCK_MIGRATE = 1;
export const LOCK_RETENTION = 2;
/** Held by each ingest commit from its first id to COMMIT, so that ids commit in order across instances. */
export const LOCK_INGEST = 3;

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: '001_initial',
    sql: /* sql */ `
-- The raw bytes (message_raw, bytea, byte-exact) are the truth; every other column except read and envelope is
-- derived from them and can be rebuilt by reindex. Column names and types read as SQLite's (rows.ts maps both).
-- bigserial: a sequence never hands out an id twice, so an id is never reused after a delete.
CREATE TABLE messages (
  id              bigserial PRIMARY KEY,
  received_at     text COLLATE "C" NOT NULL,
  size            bigint  NOT NULL,
  read            integer NOT NULL DEFAULT 0,
  envelope        text    NOT NULL,
  sender          text,
  recipients_to   text    NOT NULL DEFAULT '[]',
  recipients_cc   text    NOT NULL DEFAULT '[]',
  subject         text    NOT NULL DEFAULT '',
  date            text,
  has_attachments integer NOT NULL DEFAULT 0,
  snippet         text    NOT NULL DEFAULT '',
  indexed         integer NOT NULL DEFAULT 0,
  parse_error     text
);

-- Kept apart from messages so list pages and counts never read message bodies.
CREATE TABLE message_raw (
  id   bigint PRIMARY KEY,
  data bytea  NOT NULL
);
-- Stored as received, uncompressed (as SQLite stores it): compressing each message on the commit path cost
-- ingest throughput (A/B at 3,000 x 5 KB, c=4, same core: 432/528/579/1156 msg/s compressed against
-- 605/1005/796/1187 uncompressed, on a loaded machine).
ALTER TABLE message_raw ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE INDEX messages_received_at ON messages (received_at);
CREATE INDEX messages_unread ON messages (id) WHERE read = 0;
CREATE INDEX messages_read ON messages (id) WHERE read = 1;
CREATE INDEX messages_pending ON messages (id) WHERE indexed = 0;
CREATE INDEX messages_attachments ON messages (id) WHERE has_attachments = 1;

-- Full-text search: one tsvector per message ('simple' configuration over text the indexer already folded to
-- lowercase words without diacritics), weighted A sender, B recipients, C subject, D body and headers, so
-- from:/to:/subject: are weight-restricted queries on the same GIN index.
CREATE TABLE message_search (
  id  bigint   PRIMARY KEY,
  doc tsvector NOT NULL
);
-- MAIN keeps the (compressed) tsvector in the table rather than out of line: the planner costs a scan by table
-- pages and does not see detoasting, so with TOAST it chose to scan every document (450 ms for a rare word at
-- 20,000 messages) over the GIN index (0.2 ms).
ALTER TABLE message_search ALTER COLUMN doc SET STORAGE MAIN;
CREATE INDEX message_search_doc ON message_search USING gin (doc);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
`,
  },
  {
    version: 2,
    name: '002_sessions',
    sql: /* sql */ `
CREATE TABLE sessions (
  id             bigserial PRIMARY KEY,
  listener       text    NOT NULL,
  client_address text    NOT NULL,
  client_port    integer NOT NULL,
  tls            text,
  helo           text    NOT NULL DEFAULT '',
  auth_user      text,
  started_at     text    NOT NULL,
  ended_at       text    NOT NULL,
  outcome        text    NOT NULL,
  outcome_code   integer,
  auth_failures  integer NOT NULL DEFAULT 0,
  rejected       integer NOT NULL DEFAULT 0,
  message_ids    text    NOT NULL DEFAULT '[]',
  transcript     text    NOT NULL DEFAULT '[]',
  truncated      integer NOT NULL DEFAULT 0
);
CREATE INDEX sessions_auth_failures ON sessions (id) WHERE auth_failures > 0;
CREATE INDEX sessions_rejected ON sessions (id) WHERE rejected > 0;
CREATE INDEX sessions_client ON sessions (client_address, id);
CREATE INDEX sessions_listener ON sessions (listener, id);
`,
  },
  {
    version: 3,
    name: '003_capability_schema',
    sql: /* sql */ `
CREATE TABLE capability_schema (
  capability text    PRIMARY KEY,
  version    integer NOT NULL
);
`,
  },
  {
    version: 4,
    name: '004_capture_shared',
    sql: /* sql */ `
-- Capture state every instance must agree on (core/shared-capture-state.ts): AUTH lockouts (scope 'auth:<listener>',
-- key the client), fault-rule counters, greylist triples and throttle windows (scope 'rule:<id>', keys led by a
-- hash of the rule's form). Each kind uses its own columns; times are epoch ms; a row past expires_at is dead.
-- SQLite's 004 is empty: one instance keeps this state in memory.
CREATE TABLE capture_shared (
  scope      text     NOT NULL,
  key        text     NOT NULL,
  n          bigint   NOT NULL DEFAULT 0,     -- nth/every: matching events seen
  first_at   bigint,                          -- greylist: first attempt of the triple
  last_at    bigint,                          -- greylist: latest attempt
  until_at   bigint,                          -- lockout: locked until
  stamps     bigint[] NOT NULL DEFAULT '{}',  -- throttle: accepted events; lockout: failures, in the window
  refused    boolean  NOT NULL DEFAULT false, -- throttle: the latest event was over the limit
  expires_at bigint   NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX capture_shared_expires ON capture_shared (expires_at);
`,
  },
];

/** Where the schema version lives (SQLite's is PRAGMA user_version): one row, created before migration 1. */
const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS mailwright_schema (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   integer NOT NULL
)`;

function checkOrder(versions: readonly { version: number; name: string }[], what: string): void {
  versions.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MailwrightError(
        'internal',
        `[store] ${what} migration ${m.name} has version ${m.version}, expected ${i + 1}`,
      );
    }
  });
}

async function withMigrationLock<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => void (broken = err);
  c.on('error', onError);
  try {
    await c.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, LOCK_MIGRATE]);
    try {
      return await fn(c);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, LOCK_MIGRATE]);
    }
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}

/** Brings the database up to the last migration, each one committed with its version; returns those applied. */
export async function migratePg(pool: pg.Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  checkOrder(migrations, 'store');
  return withMigrationLock(pool, async (c) => {
    await c.query(VERSION_TABLE);
    const current = (await c.query<{ version: number }>('SELECT version FROM mailwright_schema')).rows[0]?.version ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new MailwrightError(
        'unavailable',
        `[store] the PostgreSQL database is at schema version ${current}, newer than this Mailwright knows (${latest}); use a newer Mailwright or another database`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await inTransaction(c, async () => {
        await c.query(m.sql);
        await c.query(
          'INSERT INTO mailwright_schema (singleton, version) VALUES (true, $1) ON CONFLICT (singleton) DO UPDATE SET version = excluded.version',
          [m.version],
        );
      });
      applied.push(m.version);
    }
    return applied;
  });
}

/** A capability's migrations in their PostgreSQL form, tracked in capability_schema like SQLite's. */
export async function migrateCapabilityPg(
  pool: pg.Pool,
  capability: string,
  migrations: readonly DialectMigration[],
): Promise<number[]> {
  checkOrder(migrations, capability);
  const missing = migrations.find((m) => typeof m.postgres !== 'string');
  if (missing) {
    throw new MailwrightError(
      'unavailable',
      `[store] the ${capability} capability has no PostgreSQL form of migration ${missing.version} (${missing.name}), so it cannot run on PostgreSQL yet`,
    );
  }
  return withMigrationLock(pool, async (c) => {
    const row = (await c.query('SELECT version FROM capability_schema WHERE capability = $1', [capability])).rows[0] as
      { version: number } | undefined;
    const current = row?.version ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new MailwrightError(
        'unavailable',
        `[store] the ${capability} tables are at schema version ${current}, newer than this Mailwright knows (${latest}); use a newer Mailwright or another database`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await inTransaction(c, async () => {
        await c.query(m.postgres!);
        await c.query(
          'INSERT INTO capability_schema (capability, version) VALUES ($1, $2) ON CONFLICT (capability) DO UPDATE SET version = excluded.version',
          [capability, m.version],
        );
      });
      applied.push(m.version);
    }
    return applied;
  });
}

async function inTransaction(c: pg.PoolClient, fn: () => Promise<void>): Promise<void> {
  await c.query('BEGIN');
  try {
    await fn();
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
