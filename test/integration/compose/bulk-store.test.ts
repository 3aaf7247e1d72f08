// A bulk run recording into each store: the run's engine (bulk.ts) with the history and run tables on SQLite and
// on PostgreSQL, sending to a real SMTP server on loopback. Every message ends up as one history entry and one
// row of the run, written in batches, and the run's stored figures agree with its rows. When the store fails
// between batches the run stops and ends `failed` naming why, and the failed batch leaves nothing behind.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULK_MIGRATION, BulkRepo } from '../../../src-main/compose/bulk-repo.js';
import { BulkRuns } from '../../../src-main/compose/bulk.js';
import { DRAFTS_MIGRATION } from '../../../src-main/compose/drafts-repo.js';
import { HISTORY_MIGRATION, HistoryRepo } from '../../../src-main/compose/history-repo.js';
import type { SqlClient } from '../../../src-main/store/message-store.js';
import {
  bulkStartArgsSchema,
  profileConfigSchema,
  type BulkProgress,
  type BulkStartArgs,
  type SendOutcome,
} from '../../../src-shared/index.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';

const TABLES = ['compose_sends', 'compose_drafts', 'compose_bulk_runs', 'compose_bulk_rows'];
/** Ceiling for one run to end, in ms: a few hundred loopback messages take well under a second. */
const RUN_TIMEOUT_MS = 30_000;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

let server: SMTPServer;
let port = 0;
let received = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe.each(STORE_KINDS)('%s bulk recording', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'bulk recording'), () => {
    let opened: OpenedStore;
    let sql: SqlClient;
    beforeAll(async () => {
      await f.setup();
      opened = await f.open();
      sql = opened.store.sql;
      await opened.store.migrateCapability('compose', [HISTORY_MIGRATION, DRAFTS_MIGRATION, BULK_MIGRATION]);
    });
    afterAll(async () => {
      await opened?.cleanup();
      await f.teardown();
    });
    beforeEach(async () => {
      for (const t of TABLES) await sql.run(`DELETE FROM ${t}`);
      received = 0;
    });

    /** The engine over this store; `afterBatch` runs after each recorded batch, before the next is written. */
    function engine(afterBatch?: (batch: number, history: HistoryRepo) => Promise<void>) {
      const history = new HistoryRepo(sql);
      const runs = new BulkRepo(sql);
      const recorded: { id: number; outcome: SendOutcome }[] = [];
      let batches = 0;
      let ended: (p: BulkProgress) => void = () => {};
      const end = new Promise<BulkProgress>((resolve, reject) => {
        ended = resolve;
        setTimeout(() => reject(new Error(`the run did not end within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS).unref();
      });
      const bulk = new BulkRuns({
        profile: (id) => profileConfigSchema.parse({ id, name: 'Loopback', host: '127.0.0.1', port, security: 'none' }),
        resolver: () => async (host) => [host],
        allowRecipientDomains: () => undefined,
        maxMessages: () => undefined,
        history,
        runs,
        recorded: async (rows) => {
          recorded.push(...rows);
          if (rows.length > 0) await afterBatch?.(++batches, history);
        },
        progress: (p) => {
          if (p.state !== 'running') ended(p);
        },
      });
      return { bulk, history, runs, recorded, end };
    }

    const args = (count: number, settings: BulkStartArgs['settings'] = {}) =>
      bulkStartArgsSchema.parse({
        profile: 'loop',
        message: { from: 'bulk@example.test', to: ['r{{n}}@example.test'], subject: 'copy {{n}}', text: 'x' },
        source: { kind: 'copies', count },
        settings: { concurrency: 4, attempts: 1, ...settings },
      });

    it('records every message once: a history entry, a row of the run, figures that agree', async () => {
      const e = engine();
      const started = await e.bulk.start(args(600));
      const final = await e.end;
      expect(final).toMatchObject({ state: 'done', total: 600, done: 600, sent: 600, failed: 0 });
      expect(received).toBe(600);
      const stored = await e.runs.get(started.id);
      expect(stored).toMatchObject({ state: 'done', done: 600, sent: 600, etaMs: null });
      const rows = await e.runs.rows(started.id);
      expect(rows).toHaveLength(600);
      expect(new Set(rows.map((r) => r.n)).size).toBe(600);
      expect(rows.every((r) => r.outcome === 'delivered' && r.recipient === `r${r.n}@example.test`)).toBe(true);
      const sendIds = rows.map((r) => r.sendId);
      expect(new Set(sendIds).size).toBe(600);
      expect(e.recorded.map((r) => r.id).sort((a, b) => a - b)).toEqual(
        [...sendIds].sort((a, b) => (a ?? 0) - (b ?? 0)),
      );
      const history = await e.history.list({ limit: 1000, offset: 0 });
      expect(history.total).toBe(600);
      expect(history.sends.every((s) => s.kind === 'bulk' && s.outcome === 'delivered' && s.hasRaw)).toBe(true);
      const one = await e.history.get(rows[0]!.sendId!);
      expect(one?.summary.subject).toBe(`copy ${rows[0]!.n}`);
      expect((await e.bulk.export(started.id, 'csv')).content.trim().split('\n')).toHaveLength(601);
    });

    it('stops when the store fails between batches, ends failed, and keeps only whole batches', async () => {
      const e = engine(async (batch, history) => {
        if (batch !== 1) return;
        // The history counts the bytes it holds from here on (as the capability's retention does).
        expect(await history.applyRetention(NO_LIMIT, NO_LIMIT)).toBe(0);
        // After the first batch the rows' table goes away: the next batch cannot be written.
        await sql.exec('ALTER TABLE compose_bulk_rows RENAME TO compose_bulk_rows_gone');
      });
      try {
        // Paced so that the run is still sending when the table goes.
        const started = await e.bulk.start(args(2000, { concurrency: 2, perSecond: 400 }));
        const final = await e.end;
        expect(final.state).toBe('failed');
        expect(final.error).toMatch(/compose_bulk_rows/);
        expect(final.done).toBeLessThan(2000);
        expect((await e.runs.get(started.id))?.state).toBe('failed');
        // The first batch only: its history entries; the failed one rolled back with its rows.
        const firstBatch = e.recorded.length;
        expect(firstBatch).toBeGreaterThan(0);
        expect((await e.history.list({ limit: 10, offset: 0 })).total).toBe(firstBatch);
        const kept = await sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM compose_bulk_rows_gone');
        expect(Number(kept[0]!.n)).toBe(firstBatch);
        // Retention counts only the sends that were kept: one over the cap drops one.
        expect(await e.history.applyRetention(firstBatch - 1, NO_LIMIT)).toBe(1);
      } finally {
        await sql.exec('ALTER TABLE compose_bulk_rows_gone RENAME TO compose_bulk_rows');
      }
    });
  });
});
