// Session writes run from a timer, where a throw would be uncaught and end the process: a database that
// refuses the retention DELETE (as SQLITE_BUSY or SQLITE_FULL do) must be logged, not thrown.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionRecord } from '../../../src-shared/index.js';
import { DB_FILENAME } from '../../../src-main/store/db.js';
import { openTemp, type Harness } from './helpers.js';

function session(helo: string): SessionRecord {
  const now = Date.now();
  return {
    listener: 'smtp',
    clientAddress: '127.0.0.1',
    clientPort: 40000,
    tls: null,
    helo,
    authUser: null,
    startedAt: now,
    endedAt: now,
    outcome: 'quit',
    outcomeCode: null,
    authFailures: 0,
    rejected: 0,
    messageIds: [],
    lines: [['C', 0, `EHLO ${helo}`]],
    truncatedLines: 0,
  };
}

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.cleanup();
  h = undefined;
});

describe('session store: a failing retention prune', () => {
  it('is logged and reported, keeps the written sessions announced, and is retried after the next batch', async () => {
    const problems: string[] = [];
    h = openTemp({ retention: { maxMessages: 1, maxBytes: 0 }, onProblem: (text) => problems.push(text) });
    // A second connection (as another process would) makes every DELETE on sessions fail inside SQLite.
    const other = new Database(path.join(h.dir, DB_FILENAME));
    other.exec(
      "CREATE TRIGGER refuse_prune BEFORE DELETE ON sessions BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
    );
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});

    h.store.sessions.add(session('one.test'));
    h.store.sessions.add(session('two.test'));
    expect(() => h!.store.sessions.flush()).not.toThrow();
    expect(logged.mock.calls.some((c) => String(c[0]).includes('could not prune SMTP sessions'))).toBe(true);
    expect(problems).toEqual(['[store] could not remove old SMTP sessions: database or disk is full']);
    expect(h.events.filter((e) => e.event === 'sessions.added')).toHaveLength(1);
    expect(h.store.sessions.list({}).total).toBe(2);

    other.exec('DROP TRIGGER refuse_prune');
    other.close();
    h.store.sessions.add(session('three.test'));
    h.store.sessions.flush();
    const left = h.store.sessions.list({});
    expect(left.total).toBe(1);
    expect(left.sessions[0]!.helo).toBe('three.test');
  });

  it('the timer path does not throw either (an uncaught throw there would end the process)', async () => {
    h = openTemp({ retention: { maxMessages: 1, maxBytes: 0 } });
    const other = new Database(path.join(h.dir, DB_FILENAME));
    other.exec(
      "CREATE TRIGGER refuse_prune BEFORE DELETE ON sessions BEGIN SELECT RAISE(FAIL, 'database is locked'); END",
    );
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      h.store.sessions.add(session('one.test'));
      h.store.sessions.add(session('two.test'));
      // The flush timer fires after 20 ms; the bound is generous for a loaded machine.
      await vi.waitFor(() => expect(h!.events.some((e) => e.event === 'sessions.added')).toBe(true), {
        timeout: 10_000,
        interval: 10,
      });
    } finally {
      process.off('uncaughtException', onUncaught);
      other.close();
    }
    expect(uncaught).toEqual([]);
    expect(logged.mock.calls.some((c) => String(c[0]).includes('could not prune SMTP sessions'))).toBe(true);
  });
});
