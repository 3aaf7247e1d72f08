// Schema migrations: numbered, never-edited SQL files (migrations/NNN_name.ts, each exporting its SQL)
// applied in order, tracked in PRAGMA user_version.
import type Database from 'better-sqlite3';
import { MailwrightError } from '../../src-shared/index.js';
import m001 from './migrations/001_initial.js';
import m002 from './migrations/002_sessions.js';
import m003 from './migrations/003_capability_schema.js';
import m004 from './migrations/004_capture_shared.js';

export interface Migration {
  /** 1, 2, 3…: the user_version the database has once this migration is applied. */
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: a released migration is never edited or removed. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_initial', sql: m001 },
  { version: 2, name: '002_sessions', sql: m002 },
  { version: 3, name: '003_capability_schema', sql: m003 },
  { version: 4, name: '004_capture_shared', sql: m004 },
];

/**
 * Brings the database up to the last migration. Each migration runs in its own transaction together
 * with its user_version bump, so a crash leaves the database at a whole version, never half-way.
 * Returns the versions applied (none when already current).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkOrder(migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new MailwrightError(
      'unavailable',
      `[store] the database is at schema version ${current}, newer than this Mailwright knows (${latest}); use a newer version or another data folder`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // PRAGMA takes no bound parameters; the version is an integer checked by checkOrder.
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version !== i + 1) {
      throw new MailwrightError('internal', `[store] migration ${m.name} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/** One capability's migration (see CapabilityMigration in core/capability.ts; the store takes only the SQL). */
export interface CapabilityMigrationSql {
  version: number;
  name: string;
  sqlite: string;
}

/**
 * Brings one capability's own tables up to its last migration, tracked in capability_schema. Like migrate(): each
 * step commits with its version, and a database newer than this code is refused rather than guessed at.
 */
export function migrateCapability(
  db: Database.Database,
  capability: string,
  migrations: readonly CapabilityMigrationSql[],
): number[] {
  checkOrder(migrations.map((m) => ({ version: m.version, name: `${capability} ${m.name}`, sql: m.sqlite })));
  const row = db.prepare('SELECT version FROM capability_schema WHERE capability = ?').get(capability) as
    { version: number } | undefined;
  const current = row?.version ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new MailwrightError(
      'unavailable',
      `[store] the ${capability} tables are at schema version ${current}, newer than this Mailwright knows (${latest}); use a newer version or another data folder`,
    );
  }
  const record = db.prepare(
    'INSERT INTO capability_schema (capability, version) VALUES (?, ?) ' +
      'ON CONFLICT (capability) DO UPDATE SET version = excluded.version',
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sqlite);
      record.run(capability, m.version);
    })();
    applied.push(m.version);
  }
  return applied;
}
