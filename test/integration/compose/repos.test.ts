// The compose capability's own tables on both stores, through the SqlClient a capability gets: the send history
// (search, raw bytes, retention of bytes past the caps), drafts (the cap, held when saved at once) and bulk runs
// (a batch in one transaction, the newest runs kept, runs left running marked interrupted). One store per kind,
// the compose migrations applied once, and the tables emptied between tests.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULK_MIGRATION, BulkRepo } from '../../../src-main/compose/bulk-repo.js';
import { DRAFTS_MIGRATION, DraftsRepo } from '../../../src-main/compose/drafts-repo.js';
import { HISTORY_MIGRATION, HistoryRepo, type SendRecord } from '../../../src-main/compose/history-repo.js';
import type { SqlClient } from '../../../src-main/store/message-store.js';
import {
  MAX_DRAFTS,
  MailwrightError,
  type BulkRow,
  type BulkRun,
  draftSchema,
  type Draft,
  type SendOutcome,
} from '../../../src-shared/index.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';

const MIGRATIONS = [HISTORY_MIGRATION, DRAFTS_MIGRATION, BULK_MIGRATION];
const TABLES = ['compose_sends', 'compose_drafts', 'compose_bulk_runs', 'compose_bulk_rows'];
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** A send record; `raw` bytes of `size` (every byte value, so a text round trip would show). */
function record(n: number, over: { subject?: string; outcome?: SendOutcome; size?: number; to?: string } = {}) {
  const size = over.size ?? 100;
  const raw = Buffer.alloc(size, 0);
  for (let i = 0; i < size; i++) raw[i] = (i * 7 + n) % 256;
  const to = [over.to ?? `rcpt${n}@example.test`];
  const r: SendRecord = {
    kind: 'send',
    profileId: 'p-1',
    profileName: 'Local',
    host: '127.0.0.1',
    port: 2525,
    subject: over.subject ?? `subject ${n}`,
    report: {
      outcome: over.outcome ?? 'delivered',
      accepted: to.map((address) => ({ address, reply: '250 ok' })),
      rejected: [],
      reply: '250 2.0.0 queued as Q' + n,
      messageId: `<m${n}@example.test>`,
      envelope: { from: 'sender@example.test', to },
      ms: 12.5 + n,
      size,
      tls: null,
      transcript: [{ ms: 0, dir: '*', text: `send ${n}` }],
      explanation: null,
      error: null,
    },
    raw,
  };
  return r;
}

/** A draft as the verbs hand it over: parsed by the contract's schema (defaults filled in). */
function draft(subject: string, attachments = 0): Draft {
  return draftSchema.parse({
    profile: 'p-1',
    message: {
      from: 'a@example.test',
      to: ['b@example.test'],
      cc: ['c@example.test'],
      subject,
      text: 'body',
      attachments: Array.from({ length: attachments }, (_, i) => ({
        filename: `f${i}.txt`,
        contentType: 'text/plain',
        content: Buffer.from(`file ${i}`).toString('base64'),
      })),
    },
  });
}

function bulkRun(i: number, state: BulkRun['state']): BulkRun {
  return {
    id: `b-${i}`,
    state,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    finishedAt: null,
    etaMs: 5,
  } as BulkRun;
}

function bulkRow(n: number, sendId: number | null): BulkRow {
  return {
    n,
    recipient: `r${n}@x.test`,
    outcome: 'delivered',
    reply: '250 ok',
    latencyMs: 1.5 * n,
    attempts: 1,
    sendId,
    recipients: [{ address: `r${n}@x.test`, outcome: 'accepted', reply: '250 ok', attempts: 1 }],
  };
}

describe.each(STORE_KINDS)('%s compose tables', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'compose tables'), () => {
    let opened: OpenedStore;
    let sql: SqlClient;
    beforeAll(async () => {
      await f.setup();
      opened = await f.open();
      sql = opened.store.sql;
      expect(await opened.store.migrateCapability('compose', MIGRATIONS)).toEqual([1, 2, 3]);
    });
    afterAll(async () => {
      await opened?.cleanup();
      await f.teardown();
    });
    beforeEach(async () => {
      for (const t of TABLES) await sql.run(`DELETE FROM ${t}`);
    });

    it('migrates once: a second run applies nothing', async () => {
      expect(await opened.store.migrateCapability('compose', MIGRATIONS)).toEqual([]);
    });

    describe('send history', () => {
      it('keeps a send: its summary, report and exact bytes', async () => {
        const history = new HistoryRepo(sql);
        const r = record(1, { size: 300 });
        const id = await history.insert(r);
        const found = await history.get(id);
        expect(found?.summary).toEqual({
          id,
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
          kind: 'send',
          profileId: 'p-1',
          profileName: 'Local',
          host: '127.0.0.1',
          port: 2525,
          from: 'sender@example.test',
          to: ['rcpt1@example.test'],
          subject: 'subject 1',
          outcome: 'delivered',
          reply: r.report.reply,
          messageId: '<m1@example.test>',
          ms: 13.5,
          size: 300,
          hasRaw: true,
        });
        expect(found?.report).toEqual({ ...r.report, id });
        const raw = await history.raw(id);
        expect(raw).toBeInstanceOf(Buffer);
        expect(raw!.equals(r.raw!)).toBe(true);
        expect(await history.get(id + 1000)).toBeNull();
        expect(await history.raw(id + 1000)).toBeUndefined();
      });

      it('lists newest first, by outcome and by substring in any case, wildcards taken literally', async () => {
        const history = new HistoryRepo(sql);
        const ids = await history.insertMany([
          record(1, { subject: 'Invoice 50% off', outcome: 'delivered' }),
          record(2, { subject: 'invoice 50x off', outcome: 'rejected' }),
          record(3, { subject: 'weekly_report', outcome: 'delivered', to: 'Boss@Example.test' }),
          record(4, { subject: 'weekly-report', outcome: 'failed' }),
        ]);
        expect(ids).toHaveLength(4);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        const all = await history.list({ limit: 10, offset: 0 });
        expect(all.total).toBe(4);
        expect(all.sends.map((s) => s.id)).toEqual([...ids].reverse());
        const page = await history.list({ limit: 2, offset: 1 });
        expect(page).toMatchObject({ total: 4, sends: [{ id: ids[2] }, { id: ids[1] }] });
        const delivered = await history.list({ outcome: 'delivered', limit: 10, offset: 0 });
        expect(delivered.sends.map((s) => s.id)).toEqual([ids[2], ids[0]]);
        // Case does not matter; % and _ are the characters themselves.
        expect((await history.list({ query: 'INVOICE', limit: 10, offset: 0 })).total).toBe(2);
        const percent = await history.list({ query: '50%', limit: 10, offset: 0 });
        expect(percent.sends.map((s) => s.id)).toEqual([ids[0]]);
        const underscore = await history.list({ query: 'weekly_', limit: 10, offset: 0 });
        expect(underscore.sends.map((s) => s.id)).toEqual([ids[2]]);
        const rcpt = await history.list({ query: 'boss@example', outcome: 'delivered', limit: 10, offset: 0 });
        expect(rcpt.sends.map((s) => s.id)).toEqual([ids[2]]);
        expect((await history.list({ query: 'queued as Q4', limit: 10, offset: 0 })).sends[0]?.id).toBe(ids[3]);
      });

      it('writes a batch in the caller’s transaction: rolled back with it', async () => {
        const history = new HistoryRepo(sql);
        await expect(
          sql.transaction(async (tx) => {
            const ids = await history.insertMany([record(1), record(2)], tx);
            expect(ids).toHaveLength(2);
            throw new Error('the batch fails after its sends');
          }),
        ).rejects.toThrow('the batch fails after its sends');
        expect((await history.list({ limit: 10, offset: 0 })).total).toBe(0);
      });

      it('counts no bytes of a batch that failed in its own transaction', async () => {
        const history = new HistoryRepo(sql);
        await history.insertMany([record(1), record(2)]);
        expect(await history.applyRetention(NO_LIMIT, NO_LIMIT)).toBe(0);
        const bad = { ...record(4), subject: null as unknown as string };
        await expect(history.insertMany([record(3), bad])).rejects.toThrow(/subject/i);
        expect((await history.list({ limit: 10, offset: 0 })).total).toBe(2);
        // Two held: a cap of one drops one.
        expect(await history.applyRetention(1, NO_LIMIT)).toBe(1);
      });

      it('drops the bytes of the oldest sends past the count cap, then past the byte cap', async () => {
        const history = new HistoryRepo(sql);
        const ids = await history.insertMany([1, 2, 3, 4, 5].map((n) => record(n, { size: 100 })));
        expect(await history.applyRetention(NO_LIMIT, NO_LIMIT)).toBe(0);
        expect(await history.applyRetention(3, NO_LIMIT)).toBe(2);
        const held = async () =>
          (await history.list({ limit: 100, offset: 0 })).sends.filter((s) => s.hasRaw).map((s) => s.id);
        expect(await held()).toEqual([ids[4], ids[3], ids[2]]);
        expect(await history.raw(ids[0]!)).toBeNull();
        // The row and its report stay.
        expect((await history.get(ids[0]!))?.report.size).toBe(100);
        // Sends recorded after the count are counted too.
        const more = [await history.insert(record(6, { size: 100 })), await history.insert(record(7, { size: 100 }))];
        expect(await history.applyRetention(3, NO_LIMIT)).toBe(2);
        expect(await held()).toEqual([more[1], more[0], ids[4]]);
        // 250 bytes hold two of the three left.
        expect(await history.applyRetention(NO_LIMIT, 250)).toBe(1);
        expect(await held()).toEqual([more[1], more[0]]);
        // A fresh repo counts what is held from the table and agrees.
        expect(await new HistoryRepo(sql).applyRetention(1, NO_LIMIT)).toBe(1);
        expect(await held()).toEqual([more[1]]);
      });

      it('drops past many reads of the oldest sends, and passes called at once drop each byte once', async () => {
        const history = new HistoryRepo(sql);
        const ids = await history.insertMany(Array.from({ length: 600 }, (_, i) => record(i, { size: 10 })));
        const [a, b] = await Promise.all([history.applyRetention(20, NO_LIMIT), history.applyRetention(10, NO_LIMIT)]);
        expect(a).toBe(580);
        expect(b).toBe(10);
        const heldRows = await sql.all<{ id: number }>(
          'SELECT id FROM compose_sends WHERE raw IS NOT NULL ORDER BY id',
        );
        expect(heldRows.map((r) => Number(r.id))).toEqual(ids.slice(-10));
      });
    });

    describe('drafts', () => {
      it('saves, lists the last saved first, updates and deletes', async () => {
        const drafts = new DraftsRepo(sql);
        const one = await drafts.create(draft('first', 2));
        const two = await drafts.create(draft('second'));
        expect(one).toMatchObject({
          subject: 'first',
          to: ['b@example.test', 'c@example.test'],
          profile: 'p-1',
          attachments: 2,
          draft: draft('first', 2),
        });
        expect(two.id).toBeGreaterThan(one.id);
        expect((await drafts.list()).map((d) => d.id)).toEqual([two.id, one.id]);
        const updated = await drafts.update(one.id, draft('first, edited'));
        expect(updated).toMatchObject({ id: one.id, subject: 'first, edited', attachments: 0, created: one.created });
        expect(updated.updated >= one.updated).toBe(true);
        expect((await drafts.list()).map((d) => d.subject)).toEqual(['first, edited', 'second']);
        expect(await drafts.delete(two.id)).toBe(true);
        expect(await drafts.delete(two.id)).toBe(false);
        await expect(drafts.get(two.id)).rejects.toMatchObject({ code: 'not_found', field: 'id' });
        await expect(drafts.update(two.id, draft('x'))).rejects.toMatchObject({ code: 'not_found' });
      });

      it(`keeps at most ${MAX_DRAFTS}, also when several are saved at once`, async () => {
        const drafts = new DraftsRepo(sql);
        // All but two, written in one statement.
        const values = Array.from({ length: MAX_DRAFTS - 2 }, () => "('t', 't', 's', '[]', NULL, 0, '{}')");
        await sql.run(
          `INSERT INTO compose_drafts (created, updated, subject, rcpt_to, profile_id, attachments, draft) VALUES ${values.join(', ')}`,
        );
        // Connections open for each of the creates at once (a pool opens them on demand, one create could be done
        // before the next connects): the creates then count at the same moment.
        await Promise.all(Array.from({ length: 4 }, () => sql.transaction((tx) => tx.get('SELECT 1'))));
        const results = await Promise.allSettled([1, 2, 3, 4].map((i) => drafts.create(draft(`at once ${i}`))));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(refused).toHaveLength(2);
        for (const r of refused) {
          expect(r.reason).toBeInstanceOf(MailwrightError);
          expect(r.reason).toMatchObject({ code: 'conflict', field: 'draft' });
        }
        expect(await drafts.list()).toHaveLength(MAX_DRAFTS);
      });
    });

    describe('bulk runs', () => {
      it('prunes the oldest finished runs with their rows, never a running one', async () => {
        const repo = new BulkRepo(sql);
        await repo.save(bulkRun(0, 'running'));
        for (let i = 1; i <= 5; i++) {
          await repo.save(bulkRun(i, 'done'));
          await repo.addRows(`b-${i}`, 0, [bulkRow(1, i)]);
        }
        expect(await repo.prune(3)).toBe(2);
        expect((await repo.list()).map((r) => r.id)).toEqual(['b-5', 'b-4', 'b-3', 'b-0']);
        expect(await repo.rows('b-1')).toEqual([]);
        expect(await repo.rows('b-5')).toEqual([bulkRow(1, 5)]);
        expect(await repo.interruptLeftovers()).toBe(1);
        expect(await repo.get('b-0')).toMatchObject({ state: 'interrupted', etaMs: null });
        expect(await repo.interruptLeftovers()).toBe(0);
        expect(await repo.prune(3)).toBe(1);
        expect(await repo.get('b-nope')).toBeNull();
      });

      it('stores a batch (history, rows, figures) in one transaction, or none of it', async () => {
        const repo = new BulkRepo(sql);
        const history = new HistoryRepo(sql);
        await repo.save(bulkRun(1, 'running'));
        const batch = async (first: number, fail: boolean) =>
          repo.transaction(async (tx) => {
            const ids = await history.insertMany([record(first), record(first + 1)], tx);
            await repo.addRows(
              'b-1',
              first,
              ids.map((id, i) => bulkRow(first + i + 1, id)),
              tx,
            );
            await repo.save({ ...bulkRun(1, 'running'), done: first + 2 }, tx);
            if (fail) throw new Error('the store failed mid-batch');
            return ids;
          });
        const ids = await batch(0, false);
        await expect(batch(2, true)).rejects.toThrow('the store failed mid-batch');
        const rows = await repo.rows('b-1');
        expect(rows.map((r) => r.sendId)).toEqual(ids);
        expect(rows.map((r) => r.latencyMs)).toEqual([1.5, 3]);
        expect((await repo.get('b-1'))?.done).toBe(2);
        expect((await history.list({ limit: 10, offset: 0 })).total).toBe(2);
        // The next batch continues where the stored rows end.
        await batch(2, false);
        expect((await repo.rows('b-1')).map((r) => r.n)).toEqual([1, 2, 3, 4]);
        expect((await repo.get('b-1'))?.done).toBe(4);
      });
    });
  });
});
