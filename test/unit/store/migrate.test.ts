// The migration runner: applies numbered migrations in order, once, and refuses a newer database.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, type Migration } from '../../../src-main/store/migrate.js';

const steps: Migration[] = [
  { version: 1, name: '001_a', sql: 'CREATE TABLE log (n INTEGER); INSERT INTO log VALUES (1);' },
  { version: 2, name: '002_b', sql: 'INSERT INTO log VALUES (2);' },
  { version: 3, name: '003_c', sql: 'INSERT INTO log VALUES (3);' },
];

describe('migrate', () => {
  it('applies in order and is idempotent', () => {
    const db = new Database(':memory:');
    expect(migrate(db, steps.slice(0, 2))).toEqual([1, 2]);
    expect(migrate(db, steps)).toEqual([3]);
    expect(migrate(db, steps)).toEqual([]);
    expect(db.prepare('SELECT n FROM log').pluck().all()).toEqual([1, 2, 3]);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    db.close();
  });

  it('rolls back a failing migration whole and keeps the version', () => {
    const db = new Database(':memory:');
    migrate(db, steps.slice(0, 1));
    const broken = [
      steps[0]!,
      { version: 2, name: '002_bad', sql: 'INSERT INTO log VALUES (2); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare('SELECT n FROM log').pluck().all()).toEqual([1]);
    db.close();
  });

  it('refuses a database from a newer version and misnumbered lists', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 9');
    expect(() => migrate(db, steps)).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(() => migrate(new Database(':memory:'), [steps[1]!])).toThrow(/expected 1/);
    db.close();
  });

  it('the real migrations create the store schema', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['messages', 'message_raw', 'messages_fts', 'settings']));
    db.close();
  });
});
