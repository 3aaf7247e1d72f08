// Opening the SQLite file: pragmas chosen for a single-writer desktop app, then the migrations.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MailwrightError } from '../../src-shared/index.js';
import { DERIVE_VERSION } from '../message/derive.js';
import { migrate } from './migrate.js';

export const DB_FILENAME = 'mailwright.db';

/**
 * WAL pages before SQLite checkpoints inside a commit. Checkpoints normally run when ingest is quiet
 * (checkpoint.ts): one inside a commit cost ~15% of throughput in a 5 KB flood. This is only the
 * ceiling for a flood that never pauses: 100,000 pages is a WAL of about 400 MB.
 */
const WAL_CHECKPOINT_PAGES = 100_000;
/** Keeps the WAL file from staying at its high-water mark after a burst (bytes). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * Page cache (KiB, negative per SQLite's convention). Every message written passes through it, so during a flood
 * it fills with raw-message pages whatever its size: it is memory the process holds, not a cache of hot list
 * pages. 32 MB of it was about a quarter of the private memory after 10,000 x 100 KB (bench --only memory:
 * native memory beside the V8 heap and Buffers settled at 72 MB with 32 MB, 47 MB with 8 MB). Pages it misses
 * come from the OS page cache, as with mmap off (below).
 */
const CACHE_KIB = 8 * 1024;
/**
 * No memory-mapped reads: every mapped page a read touches counts towards the process's RSS, and the
 * indexer reads every raw message once. With a 1 GiB window, 10,000 x 100 KB messages took RSS past
 * 1 GB; with 64 MB, to 270 MB; without, 227 MB. List and search at 100,000 messages stayed as fast
 * (2.3 ms first page, 6.4 ms common-word search; bench --only inbox): the OS page cache serves them.
 */
const MMAP_BYTES = 0;

/** Captured mail is private: the database and its -wal and -shm files are readable by their owner only. */
const DB_FILE_MODE = 0o600;

export function openDatabase(dataDir: string, nativeBinding?: string): Database.Database {
  let db: Database.Database;
  const file = path.join(dataDir, DB_FILENAME);
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // SQLite creates the -wal and -shm files with the mode of the database file, so setting that one first
    // (an empty file is a valid new database) makes all three owner-only; older looser files are tightened.
    ownerOnly(file, { create: true });
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
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
    for (const suffix of ['-wal', '-shm']) ownerOnly(file + suffix, { create: false });
    return db;
  } catch (err) {
    db.close();
    if (err instanceof MailwrightError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new MailwrightError('unavailable', `[store] cannot prepare the database in ${dataDir}: ${reason}`);
  }
}

function ownerOnly(file: string, { create }: { create: boolean }): void {
  if (process.platform === 'win32') return;
  if (create) fs.closeSync(fs.openSync(file, 'a', DB_FILE_MODE));
  try {
    if ((fs.statSync(file).mode & 0o777) !== DB_FILE_MODE) fs.chmodSync(file, DB_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Derived data from an older deriveMessage is rebuilt from the raw bytes by the indexer, like reindex. */
function markStaleDerivations(db: Database.Database): void {
  const stored = db.prepare("SELECT value FROM settings WHERE key = 'derive_version'").pluck().get() as
    string | undefined;
  if (stored === String(DERIVE_VERSION)) return;
  db.transaction(() => {
    if (stored !== undefined) db.prepare('UPDATE messages SET indexed = 0').run();
    db.prepare(
      "INSERT INTO settings (key, value) VALUES ('derive_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(String(DERIVE_VERSION));
  })();
}

/**
 * SQLite result codes that say the database could not write at all (disk full, locked by another process, an
 * I/O error), as opposed to something wrong with the row: retry later, and blame no message for it.
 */
const STORAGE_FAILURE_CODES = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|NOMEM)(_|$)/;

export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_FAILURE_CODES.test(code);
}
