// What only the PostgreSQL store does: two instances on one database share mail and events (LISTEN/NOTIFY),
// losing the server mid-stream costs no acknowledged message and heals by itself, a newer schema is refused, and
// connection errors name host and port (and a wrong password as such) without ever printing the password.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailwrightError } from '../../../../src-shared/index.js';
import type { StoreEvent } from '../../../../src-main/store/index.js';
import { PgStore } from '../../../../src-main/store/postgres/index.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../../helpers/postgres.js';
import { envelope, message } from '../helpers.js';

let cluster: PgCluster;

/** Resolves with the first event `pick` accepts, or rejects after `ms`. */
function nextEvent<T>(
  on: (listener: (e: StoreEvent) => void) => void,
  pick: (e: StoreEvent) => T | undefined,
  ms: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching event within ${ms} ms`)), ms);
    on((e) => {
      const v = pick(e);
      if (v !== undefined) {
        clearTimeout(timer);
        resolve(v);
      }
    });
  });
}

/** The error opening `url` fails with (the test fails if it opens). */
async function openError(url: string): Promise<Error> {
  try {
    const store = await PgStore.open({ url });
    await store.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error(`opening ${url} should have failed`);
}

/** A store whose events can be awaited. */
async function openWithEvents(url: string, extra: Partial<Parameters<typeof PgStore.open>[0]> = {}) {
  const listeners: ((e: StoreEvent) => void)[] = [];
  const events: StoreEvent[] = [];
  const store = await PgStore.open({
    url,
    retention: { maxMessages: 0, maxBytes: 0 },
    onEvent: (e) => {
      events.push(e);
      for (const l of listeners) l(e);
    },
    ...extra,
  });
  return { store, events, on: (l: (e: StoreEvent) => void) => listeners.push(l) };
}

describe.skipIf(postgresMissing !== null)(postgresMissing ?? 'PostgreSQL store', () => {
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.destroy());

  it('two instances on one database see each other’s mail and events within 200 ms', async () => {
    const url = await cluster.createDatabase();
    const a = await openWithEvents(url);
    let settingSeen: (key: string) => void = () => {};
    const b = await openWithEvents(url, { onSettingChanged: (key) => settingSeen(key) });
    try {
      const added = nextEvent(b.on, (e) => (e.event === 'messages.added' ? e.data().messages : undefined), 5000);
      const started = performance.now();
      const stored = await a.store.ingest(message({ subject: 'from instance A' }), envelope());
      const seen = await added;
      const latency = performance.now() - started;
      expect(seen.map((m) => m.id)).toEqual([stored.id]);
      expect(seen[0]!.subject).toBe('from instance A');
      expect(latency).toBeLessThan(200);
      // Listed, opened and searchable on B once A's indexer is done.
      await a.store.idle();
      expect((await b.store.list({ query: 'instance' })).messages.map((m) => m.id)).toEqual([stored.id]);
      expect((await b.store.get(stored.id)).subject).toBe('from instance A');
      // Updates, deletes and settings travel the other way too.
      const readOnA = nextEvent(a.on, (e) => (e.event === 'messages.updated' ? e.data.ids : undefined), 5000);
      await b.store.markRead([stored.id], true);
      expect(await readOnA).toEqual([stored.id]);
      const deletedOnA = nextEvent(a.on, (e) => (e.event === 'messages.deleted' ? e.data.ids : undefined), 5000);
      await b.store.delete([stored.id]);
      expect(await deletedOnA).toEqual([stored.id]);
      const settingOnB = new Promise<void>((resolve) => (settingSeen = (key) => key === 'capture' && resolve()));
      await a.store.writeSetting('capture', { port: 2626 });
      await settingOnB;
      expect(await b.store.readSetting('capture')).toEqual({ port: 2626 });
      // Sessions recorded on A are announced on B.
      const sessionOnB = nextEvent(b.on, (e) => (e.event === 'sessions.added' ? e.data.ids : undefined), 5000);
      a.store.sessions.add({
        listener: 'smtp',
        clientAddress: '127.0.0.1',
        clientPort: 1,
        tls: null,
        helo: 'x.test',
        authUser: null,
        startedAt: Date.now(),
        endedAt: Date.now(),
        outcome: 'quit',
        outcomeCode: null,
        authFailures: 0,
        rejected: 0,
        messageIds: [],
        lines: [],
        truncatedLines: 0,
      });
      expect((await sessionOnB).length).toBe(1);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('list counts kept by one instance follow changes made on the other', async () => {
    const url = await cluster.createDatabase();
    const a = await openWithEvents(url);
    const b = await openWithEvents(url);
    try {
      await a.store.ingest(message({ subject: 'first', body: 'kept' }), envelope());
      await a.store.idle();
      const before = await b.store.list({});
      const again = await b.store.list({}); // answered from the kept counts
      expect(again).toMatchObject({ total: before.total, unread: before.unread });

      const added = nextEvent(b.on, (e) => (e.event === 'messages.added' ? true : undefined), 5000);
      const stored = await a.store.ingest(message({ subject: 'second', body: 'kept' }), envelope());
      await added;
      expect(await b.store.list({})).toMatchObject({ total: before.total + 1, unread: before.unread + 1 });

      const updated = nextEvent(b.on, (e) => (e.event === 'messages.updated' ? true : undefined), 5000);
      await a.store.markRead([stored.id], true);
      await updated;
      expect((await b.store.list({})).unread).toBe(before.unread);

      const deleted = nextEvent(b.on, (e) => (e.event === 'messages.deleted' ? true : undefined), 5000);
      await a.store.delete([stored.id]);
      await deleted;
      expect((await b.store.list({})).total).toBe(before.total);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('two instances ingesting at once: every message stored once, indexed once, ids distinct', async () => {
    const url = await cluster.createDatabase();
    const a = await openWithEvents(url);
    const b = await openWithEvents(url);
    try {
      const sends = Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).store.ingest(message({ subject: `pair ${i}`, body: `token${i}` }), envelope()),
      );
      const stored = await Promise.all(sends);
      expect(new Set(stored.map((s) => s.id)).size).toBe(60);
      await Promise.all([a.store.idle(), b.store.idle()]);
      const stats = await a.store.stats();
      expect(stats).toMatchObject({ count: 60, pending: 0 });
      for (const i of [0, 31, 59]) {
        expect((await b.store.list({ query: `token${i}` })).messages.map((m) => m.id)).toEqual([stored[i]!.id]);
      }
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('losing the server mid-stream: every resolved ingest is stored, every failure is unavailable, then it heals', async () => {
    const url = await cluster.createDatabase();
    const availability: boolean[] = [];
    let onBack: () => void = () => {};
    const back = new Promise<void>((resolve) => (onBack = resolve));
    const { store } = await openWithEvents(url, {
      onAvailability: (up) => {
        availability.push(up);
        if (up) onBack();
      },
    });
    const resolved = new Map<number, Buffer>();
    const failures: unknown[] = [];
    let stop = false;
    let sent = 0;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const raw = message({ subject: `stream ${w}-${i}`, body: `w${w} i${i} ${'x'.repeat(200)}` });
        sent++;
        try {
          const s = await store.ingest(raw, envelope());
          resolved.set(s.id, raw);
        } catch (err) {
          failures.push(err);
        }
        // Refusals come back at once while the server is down: let timers (the reconnect) run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      const workers = [0, 1, 2, 3].map(worker);
      while (resolved.size < 200) await new Promise((resolve) => setImmediate(resolve));
      cluster.stop();
      const failedBefore = failures.length;
      while (failures.length < failedBefore + 20) await new Promise((resolve) => setImmediate(resolve));
      cluster.start();
      await back;
      const okAfter = resolved.size;
      while (resolved.size < okAfter + 50) await new Promise((resolve) => setImmediate(resolve));
      stop = true;
      await Promise.all(workers);
      expect(availability).toEqual([false, true]);
      expect(failures.length).toBeGreaterThanOrEqual(20);
      for (const err of failures) {
        expect(err).toBeInstanceOf(MailwrightError);
        expect((err as MailwrightError).code).toBe('unavailable');
      }
      // Every acknowledged message is there, byte for byte.
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      try {
        const rows = (await check.query('SELECT id::int AS id, data FROM message_raw')).rows as {
          id: number;
          data: Buffer;
        }[];
        const byId = new Map(rows.map((r) => [r.id, r.data]));
        for (const [id, raw] of resolved) expect(byId.get(id)?.equals(raw), `message ${id}`).toBe(true);
        expect(rows.length).toBeGreaterThanOrEqual(resolved.size);
        expect(rows.length).toBeLessThanOrEqual(sent);
      } finally {
        await check.end();
      }
      // Indexing resumes too.
      await store.idle();
      expect((await store.stats()).pending).toBe(0);
    } finally {
      stop = true;
      cluster.start();
      await store.close();
    }
  });

  it('a database at a newer schema version is refused with a clear message', async () => {
    const url = await cluster.createDatabase();
    const { store } = await openWithEvents(url);
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('UPDATE mailwright_schema SET version = 99');
    await c.end();
    await expect(PgStore.open({ url })).rejects.toThrow(/schema version 99, newer than this Mailwright knows \(4\)/);
  });

  it('connection errors name host and port, a wrong password as such, and never print the password', async () => {
    const url = await cluster.createDatabase();
    const wrong = new URL(url);
    wrong.password = 'not-the-Secret-42';
    const err = await openError(wrong.toString());
    expect(err).toBeInstanceOf(MailwrightError);
    expect(err.message).toMatch(
      new RegExp(
        `PostgreSQL at 127\\.0\\.0\\.1:${cluster.port} refused the password of user "mailwright" \\(wrong password\\)`,
      ),
    );
    expect(err.message).not.toContain('not-the-Secret-42');

    const closedPort = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const down = new URL(url);
    down.port = String(closedPort);
    const unreachable = await openError(down.toString());
    expect(unreachable.message).toMatch(new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closedPort}`));
    expect(unreachable.message).not.toContain(cluster.password);

    const missing = new URL(url);
    missing.pathname = '/no_such_db';
    await expect(PgStore.open({ url: missing.toString() })).rejects.toThrow(/has no database "no_such_db"/);
    await expect(PgStore.open({ url: 'mysql://x@y/z' })).rejects.toThrow(/must start with postgres:\/\//);
  });

  it('a capability without a PostgreSQL migration is refused by name', async () => {
    const url = await cluster.createDatabase();
    const { store } = await openWithEvents(url);
    try {
      await expect(
        store.migrateCapability('legacy', [{ version: 1, name: '001_x', sqlite: 'CREATE TABLE legacy_x (a)' }]),
      ).rejects.toThrow(/legacy capability has no PostgreSQL form of migration 1/);
      expect(() => store.addSearchOperator('old', () => null)).toThrow(/no PostgreSQL form/);
    } finally {
      await store.close();
    }
  });
});
