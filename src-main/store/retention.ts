// Retention: caps on message count and total size, kept in the settings table's `retention` row; oldest go first.
import type Database from 'better-sqlite3';
import type { MessageId, RetentionSettings } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';
import { readSetting, writeSetting } from './settings-table.js';

/**
 * Defaults for a desktop app that may run for months: 50,000 messages or 2 GiB, whichever comes
 * first, keeps the inbox fast and the data folder bounded. 0 (no limit) is a deliberate user choice.
 */
export const DEFAULT_RETENTION: RetentionSettings = { maxMessages: 50_000, maxBytes: 2 * 1024 * 1024 * 1024 };

const SETTINGS_KEY = 'retention';

export function loadRetention(db: Database.Database): RetentionSettings {
  const v = readSetting(db, SETTINGS_KEY) as Partial<RetentionSettings> | undefined;
  if (!v || typeof v !== 'object') return { ...DEFAULT_RETENTION };
  // A corrupt value falls back to the default rather than to "no limit".
  return {
    maxMessages: isLimit(v.maxMessages) ? v.maxMessages : DEFAULT_RETENTION.maxMessages,
    maxBytes: isLimit(v.maxBytes) ? v.maxBytes : DEFAULT_RETENTION.maxBytes,
  };
}

export function saveRetention(db: Database.Database, r: RetentionSettings): RetentionSettings {
  if (!isLimit(r.maxMessages))
    throw new MailwrightError('invalid_argument', 'maxMessages must be a whole number >= 0', 'retention.maxMessages');
  if (!isLimit(r.maxBytes))
    throw new MailwrightError('invalid_argument', 'maxBytes must be a whole number >= 0', 'retention.maxBytes');
  const value = { maxMessages: r.maxMessages, maxBytes: r.maxBytes };
  writeSetting(db, SETTINGS_KEY, value);
  return value;
}

function isLimit(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export interface PruneResult {
  reason: 'maxMessages' | 'maxBytes';
  ids: MessageId[];
  bytes: number;
}

/** Which of the oldest messages must go so that count and bytes fit the limits. */
export function selectPrunable(
  db: Database.Database,
  r: RetentionSettings,
  count: number,
  bytes: number,
): PruneResult[] {
  const out: PruneResult[] = [];
  if (r.maxMessages > 0 && count > r.maxMessages) {
    const rows = db.prepare('SELECT id, size FROM messages ORDER BY id LIMIT ?').all(count - r.maxMessages) as {
      id: number;
      size: number;
    }[];
    const freed = rows.reduce((n, x) => n + x.size, 0);
    out.push({ reason: 'maxMessages', ids: rows.map((x) => x.id), bytes: freed });
    bytes -= freed;
  }
  if (r.maxBytes > 0 && bytes > r.maxBytes) {
    const skip = out[0]?.ids.length ?? 0;
    const ids: number[] = [];
    let freed = 0;
    const rows = db
      .prepare('SELECT id, size FROM messages ORDER BY id LIMIT -1 OFFSET ?')
      .iterate(skip) as IterableIterator<{ id: number; size: number }>;
    for (const row of rows) {
      if (bytes - freed <= r.maxBytes) break;
      ids.push(row.id);
      freed += row.size;
    }
    if (ids.length) out.push({ reason: 'maxBytes', ids, bytes: freed });
  }
  return out;
}
