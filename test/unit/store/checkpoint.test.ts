// Checkpoints wait for a quiet moment after commits, then copy the WAL into the database file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCheckpointer } from '../../../src-main/store/checkpoint.js';

describe('IdleCheckpointer', () => {
  let dir: string;
  let db: Database.Database;
  const dbFile = (): number => fs.statSync(path.join(dir, 'x.db')).size;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-ckpt-'));
    db = new Database(path.join(dir, 'x.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (b BLOB)');
  });

  afterEach(() => {
    vi.useRealTimers();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies the WAL into the database only after commits have stopped for a while', () => {
    const checkpointer = new IdleCheckpointer(db);
    const before = dbFile();
    for (let i = 0; i < 5; i++) {
      db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024, i));
      checkpointer.noteCommit();
      vi.advanceTimersByTime(100);
    }
    // Commits kept coming every 100 ms: nothing was copied yet.
    expect(dbFile()).toBe(before);
    vi.advanceTimersByTime(300);
    expect(dbFile()).toBeGreaterThan(before + 5 * 64 * 1024);
  });

  it('does nothing after stop', () => {
    const checkpointer = new IdleCheckpointer(db);
    const before = dbFile();
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024));
    checkpointer.noteCommit();
    checkpointer.stop();
    vi.advanceTimersByTime(1000);
    expect(dbFile()).toBe(before);
  });
});
