// Migration 2: recorded SMTP sessions. Released migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- 002_sessions: one row per SMTP session, written when the session ends. The transcript is a JSON array
-- of [dir, ms-after-start, text] with AUTH secrets and message data already elided by the recorder.
-- AUTOINCREMENT so an id is never reused after retention removed a row.
CREATE TABLE sessions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  listener       TEXT    NOT NULL,
  client_address TEXT    NOT NULL,
  client_port    INTEGER NOT NULL,
  tls            TEXT,
  helo           TEXT    NOT NULL DEFAULT '',
  auth_user      TEXT,
  started_at     TEXT    NOT NULL,
  ended_at       TEXT    NOT NULL,
  outcome        TEXT    NOT NULL,
  outcome_code   INTEGER,
  auth_failures  INTEGER NOT NULL DEFAULT 0,
  rejected       INTEGER NOT NULL DEFAULT 0,
  message_ids    TEXT    NOT NULL DEFAULT '[]',
  transcript     TEXT    NOT NULL DEFAULT '[]',
  truncated      INTEGER NOT NULL DEFAULT 0
);

-- Partial indexes keep the audit log (auth failures) and the rejected view cheap at any table size.
CREATE INDEX sessions_auth_failures ON sessions (id) WHERE auth_failures > 0;
CREATE INDEX sessions_rejected ON sessions (id) WHERE rejected > 0;
CREATE INDEX sessions_client ON sessions (client_address, id);
CREATE INDEX sessions_listener ON sessions (listener, id);
`;
