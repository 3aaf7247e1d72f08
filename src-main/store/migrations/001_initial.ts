// Migration 1. Released migrations are never edited: add a new numbered file instead.
// SQL lives in a TypeScript string so it loads the same under Node, tsx, vitest and the electron-vite bundle.
export default /* sql */ `
-- 001_initial: the first schema. Never edit this file once released: add 002_… instead.
-- The raw bytes (message_raw) are the truth; every other column except read and envelope is
-- derived from them and can be rebuilt by reindex.

-- AUTOINCREMENT so an id is never reused after a delete: a UI still holding an old id must get
-- not_found, never a different message.
CREATE TABLE messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at     TEXT    NOT NULL,
  size            INTEGER NOT NULL,
  read            INTEGER NOT NULL DEFAULT 0,
  envelope        TEXT    NOT NULL,
  sender          TEXT,
  recipients_to   TEXT    NOT NULL DEFAULT '[]',
  recipients_cc   TEXT    NOT NULL DEFAULT '[]',
  subject         TEXT    NOT NULL DEFAULT '',
  date            TEXT,
  has_attachments INTEGER NOT NULL DEFAULT 0,
  snippet         TEXT    NOT NULL DEFAULT '',
  indexed         INTEGER NOT NULL DEFAULT 0,
  parse_error     TEXT
);

-- Kept apart from messages so list pages and counts never read message bodies.
CREATE TABLE message_raw (
  id   INTEGER PRIMARY KEY,
  data BLOB    NOT NULL
);

CREATE INDEX messages_received_at ON messages (received_at);
-- Partial indexes keep the unread badge, is:read, the indexer's work queue and has:attachment cheap.
CREATE INDEX messages_unread ON messages (id) WHERE read = 0;
CREATE INDEX messages_read ON messages (id) WHERE read = 1;
CREATE INDEX messages_pending ON messages (id) WHERE indexed = 0;
CREATE INDEX messages_attachments ON messages (id) WHERE has_attachments = 1;

-- Contentless: the text is already in message_raw, storing it twice would double the file.
-- contentless_delete lets delete, prune and reindex remove rows by rowid (= messages.id).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  sender, recipients, subject, body, headers,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
