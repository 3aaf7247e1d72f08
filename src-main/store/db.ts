// Opening the SQLite file: pragmas chosen for a single-writer desktop app, then the migrations.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MailwrightError } from '../../src-shared/index.js';
import { DERIVE_VERSION } from '../message/derive.js';
import { migrate } from './migrate.js';

export const DB_FILENAME = 'mailwright.db';

/**
 * WAL pages between checkpoints: each checkpoint copies pages and fsyncs the database file, so at
 * thousands of 5 KB messages a second 10,000 pages (40 MB) instead of SQLite's 1,000 measured ~13%
 * faster commits here.
 */
const WAL_CHECKPOINT_PAGES = 10_000;
/** Keeps the WAL file from staying at its high-water mark after a burst (bytes). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** Page cache (KiB, negative per SQLite's convention): holds the hot list pages and FTS segments of 100k messages. */
const CACHE_KIB = 32 * 1024;
/**
 * Address space for memory-mapped reads (bytes): a search that joins 100k index hits to their rows
 * is about three times faster without a read() per page. Virtual, not resident, memory.
 */
const MMAP_BYTES = 1024 * 1024 * 1024;

export function openDatabase(dataDir: string, nativeBinding?: string): Database.Database {
  let db: Database.Database;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    db = new Database(path.join(dataDir, DB_FILENAME), nativeBinding ? { nativeBinding } : {});
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MailwrightError('unavailable', `[store] cannot open the database in ${dataDir}: ${reason}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL, not FULL: in WAL mode a commit is written to the WAL before ingest() resolves, so a
    // crash of the app (the failure that happens: killed process, Electron crash) loses nothing that
    // was acknowledged with 250 (test/integration/store/crash.test.ts kills -9 to prove it). Only a
    // power loss or OS crash can drop the last commits since the previous checkpoint; for captured
    // test mail that is the right trade. FULL adds an fsync to every batch, and better-sqlite3 is
    // synchronous, so the fsync stalls the SMTP event loop: measured here ~0.8 ms per commit (8k vs
    // 14k msg/s at 10 messages a batch), and laptop/Windows disks can take 10+ ms per fsync.
    db.pragma('synchronous = NORMAL');
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    db.pragma('temp_store = MEMORY');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    markStaleDerivations(db);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof MailwrightError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new MailwrightError('unavailable', `[store] cannot prepare the database in ${dataDir}: ${reason}`);
  }
}

/** Derived data from an older deriveMessage is rebuilt from the raw bytes by the indexer, like reindex. */
function markStaleDerivations(db: Database.Database): void {
  const stored = db.prepare("SELECT value FROM settings WHERE key = 'derive_version'").pluck().get() as string | undefined;
  if (stored === String(DERIVE_VERSION)) return;
  db.transaction(() => {
    if (stored !== undefined) db.prepare('UPDATE messages SET indexed = 0').run();
    db.prepare("INSERT INTO settings (key, value) VALUES ('derive_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(String(DERIVE_VERSION));
  })();
}
