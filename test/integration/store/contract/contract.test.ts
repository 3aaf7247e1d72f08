// The store contract, written once and run against both stores (SQLite and PostgreSQL): capture and list, search
// with every operator, raw bytes over the corpus, read state, delete, sessions, settings, retention, import,
// reindex, capability migrations and the SQL client. PostgreSQL-only behaviour is in postgres.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../../src-shared/index.js';
import type { MessageStore } from '../../../../src-main/store/index.js';
import { CORPUS, corpusFiles, envelope, message } from '../helpers.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from './stores.js';

function session(helo: string, over: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    listener: 'smtp',
    clientAddress: '127.0.0.1',
    clientPort: 40000,
    tls: null,
    helo,
    authUser: null,
    startedAt: now,
    endedAt: now + 5,
    outcome: 'quit',
    outcomeCode: null,
    authFailures: 0,
    rejected: 0,
    messageIds: [],
    lines: [
      ['C', 0, `EHLO ${helo}`],
      ['S', 1, '250 ok'],
    ],
    truncatedLines: 0,
    ...over,
  };
}

async function ids(store: MessageStore, query: string): Promise<number[]> {
  return (await store.list({ query, limit: 1000 })).messages.map((m) => m.id);
}

describe.each(STORE_KINDS)('%s store contract', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'store'), () => {
    beforeAll(() => f.setup());
    afterAll(() => f.teardown());

    describe('capture and reading', () => {
      let h: OpenedStore;
      beforeAll(async () => {
        h = await f.open();
      });
      afterAll(() => h.cleanup());

      it('ingest resolves with an id; the message is listed at once, then indexed, and opens', async () => {
        const raw = message({ subject: 'First capture', body: 'hello there' });
        const stored = await h.store.ingest(raw, envelope({ rcptTo: ['bob@example.test', 'hidden@example.test'] }));
        expect(stored.size).toBe(raw.length);
        const page = await h.store.list({});
        expect(page.total).toBe(1);
        expect(page.unread).toBe(1);
        expect(page.messages[0]).toMatchObject({ id: stored.id, subject: 'First capture', read: false });
        await h.store.idle();
        const after = await h.store.list({});
        expect(after.messages[0]).toMatchObject({ id: stored.id, indexed: true, subject: 'First capture' });
        expect(after.messages[0]!.bcc).toEqual(['hidden@example.test']);
        const detail = await h.store.get(stored.id);
        expect(detail.subject).toBe('First capture');
        expect(detail.text).toContain('hello there');
        expect((await h.store.raw(stored.id)).equals(raw)).toBe(true);
        const added = h.events.find((e) => e.event === 'messages.added');
        expect(added && added.event === 'messages.added' && added.data().messages[0]!.id).toBe(stored.id);
        expect(h.events.some((e) => e.event === 'messages.updated' && e.data.ids.includes(stored.id))).toBe(true);
      });

      it('unknown ids are not_found', async () => {
        await expect(h.store.get(999_999)).rejects.toMatchObject({ code: 'not_found' });
        await expect(h.store.raw(999_999)).rejects.toMatchObject({ code: 'not_found' });
      });

      it('concurrent ingests each get their own id, in a few commits', async () => {
        const before = (await h.store.stats()).count;
        const stored = await Promise.all(
          Array.from({ length: 40 }, (_, i) => h.store.ingest(message({ subject: `burst ${i}` }), envelope())),
        );
        expect(new Set(stored.map((s) => s.id)).size).toBe(40);
        expect((await h.store.stats()).count).toBe(before + 40);
        const env = await h.store.envelopes([stored[0]!.id, 999_999]);
        expect([...env.keys()]).toEqual([stored[0]!.id]);
        expect(env.get(stored[0]!.id)!.mailFrom).toBe('sender@example.test');
      });

      it('markRead, markAllRead with a query, delete and deleteAll, with their events', async () => {
        await h.store.idle();
        const [first] = await ids(h.store, 'subject:"burst 1"');
        expect(await h.store.markRead([first!], true)).toBe(1);
        expect((await h.store.get(first!)).read).toBe(true);
        expect(await ids(h.store, 'is:read')).toEqual([first]);
        expect(await h.store.markAllRead('subject:"burst 2"')).toBe(1);
        expect((await h.store.list({ query: 'is:read' })).total).toBe(2);
        const unreadBefore = (await h.store.list({})).unread;
        expect(await h.store.markAllRead(undefined)).toBe(unreadBefore);
        expect((await h.store.list({})).unread).toBe(0);
        expect(await h.store.delete([first!, 999_999])).toBe(1);
        await expect(h.store.get(first!)).rejects.toMatchObject({ code: 'not_found' });
        expect(h.events.some((e) => e.event === 'messages.deleted' && e.data.ids.includes(first!))).toBe(true);
        const total = (await h.store.stats()).count;
        expect(await h.store.deleteAll()).toBe(total);
        expect((await h.store.list({})).total).toBe(0);
        expect(h.events.some((e) => e.event === 'messages.cleared' && e.data.deleted === total)).toBe(true);
        // Ids are never reused after a delete.
        const next = await h.store.ingest(message(), envelope());
        expect(next.id).toBeGreaterThan(first!);
      });

      it('matching says which ids a query matches', async () => {
        const a = await h.store.ingest(message({ subject: 'matchme alpha' }), envelope());
        const b = await h.store.ingest(message({ subject: 'other beta' }), envelope());
        await h.store.idle();
        expect(await h.store.matching('matchme', [a.id, b.id])).toEqual([a.id]);
        expect(await h.store.matching('is:unread', [a.id, b.id])).toEqual([a.id, b.id]);
        expect(await h.store.matching('anything', [])).toEqual([]);
      });
    });

    describe('search', () => {
      let h: OpenedStore;
      const id: Record<string, number> = {};
      const search = (q: string): Promise<number[]> => ids(h.store, q);
      async function add(name: string, raw: Buffer, rcptTo = ['bob@example.test']): Promise<void> {
        id[name] = (await h.store.ingest(raw, envelope({ rcptTo }))).id;
      }
      beforeAll(async () => {
        h = await f.open();
        await add(
          'invoice',
          message({ from: 'Alice <alice@shop.test>', subject: 'Your invoice 42', body: 'Pay the amount due soon.' }),
        );
        await add(
          'welcome',
          message({
            from: 'Carol <carol@club.test>',
            to: 'Dave <dave@example.test>',
            subject: 'Welcome aboard',
            body: 'Glad to have you, invoice follows. Café crème.',
          }),
          ['dave@example.test', 'secret-bcc@hidden.test'],
        );
        await add(
          'html',
          Buffer.from(
            'From: news@paper.test\r\nTo: bob@example.test\r\nSubject: Newsletter\r\nContent-Type: text/html\r\n\r\n<html><head><style>.x{color:red}</style><script>var hiddenScriptWord=1</script></head><body><p>Breaking&nbsp;headline about <b>zeppelins</b></p></body></html>\r\n',
          ),
        );
        await add(
          'attach',
          Buffer.from(
            'From: files@example.test\r\nTo: bob@example.test\r\nSubject: Report attached\r\nX-Campaign-Id: spring-sale-7781\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee the report\r\n--b\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n',
          ),
        );
        await h.store.idle();
        await h.store.markRead([id.invoice!], true);
      });
      afterAll(() => h.cleanup());

      it('free text in subject and body, newest first; whole words; prefixes with *; phrases', async () => {
        expect(await search('invoice')).toEqual([id.welcome, id.invoice]);
        expect(await search('invoi')).toEqual([]);
        expect(await search('invoi*')).toEqual([id.welcome, id.invoice]);
        expect(await search('"amount due"')).toEqual([id.invoice]);
        expect(await search('"due amount"')).toEqual([]);
      });

      it('diacritics and case fold as SQLite does', async () => {
        expect(await search('CAFE')).toEqual([id.welcome]);
        expect(await search('crème')).toEqual([id.welcome]);
      });

      it('from:, to: (with envelope Bcc) and subject: look only at their field', async () => {
        expect(await search('from:alice')).toEqual([id.invoice]);
        expect(await search('from:alice@shop.test')).toEqual([id.invoice]);
        expect(await search('to:dave')).toEqual([id.welcome]);
        expect(await search('to:secret-bcc@hidden.test')).toEqual([id.welcome]);
        expect(await search('subject:invoice')).toEqual([id.invoice]);
        expect(await search('subject:"welcome aboard"')).toEqual([id.welcome]);
        expect(await search('from:dave')).toEqual([]);
      });

      it('header values and HTML text, never markup or scripts', async () => {
        expect(await search('spring-sale-7781')).toEqual([id.attach]);
        expect(await search('zeppelins')).toEqual([id.html]);
        expect(await search('"breaking headline"')).toEqual([id.html]);
        expect(await search('hiddenScriptWord')).toEqual([]);
      });

      it('has:attachment, is:read, is:unread; unread is the whole inbox badge', async () => {
        expect(await search('has:attachment')).toEqual([id.attach]);
        expect(await search('is:read')).toEqual([id.invoice]);
        expect(await search('is:unread')).toEqual([id.attach, id.html, id.welcome]);
        expect(await h.store.list({ query: 'invoice' })).toMatchObject({ total: 2, unread: 3 });
      });

      it('before:, after:, larger:, smaller:', async () => {
        const today = new Date().toISOString().slice(0, 10);
        expect((await search(`after:${today}`)).length).toBe(4);
        expect(await search(`before:${today}`)).toEqual([]);
        expect((await search('before:2999-01-01')).length).toBe(4);
        const sizes = (await h.store.list({})).messages.map((m) => m.size).sort((a, b) => a - b);
        expect((await search(`larger:${sizes[2]! - 1}`)).length).toBe(2);
        expect((await search(`smaller:${sizes[1]! + 1}`)).length).toBe(2);
        expect((await search('larger:1G')).length).toBe(0);
      });

      it('negation, and totals under negation', async () => {
        expect(await search('invoice -from:carol')).toEqual([id.invoice]);
        expect((await h.store.list({ query: 'invoice -from:carol' })).total).toBe(1);
        expect(await search('-invoice')).toEqual([id.attach, id.html]);
        expect(await search('-is:read -has:attachment')).toEqual([id.html, id.welcome]);
      });

      it('limit and offset', async () => {
        const page = await h.store.list({ limit: 2, offset: 1 });
        expect(page.total).toBe(4);
        expect(page.messages.map((m) => m.id)).toEqual([id.html, id.welcome]);
        expect((await h.store.list({ limit: 0 })).messages.length).toBe(1);
      });

      it('an operator a capability adds, in this dialect', async () => {
        h.store.addSearchOperator('sz', {
          sqlite: (v) => (/^\d+$/.test(v) ? { sql: 'm.size > ?', params: [Number(v)] } : null),
          postgres: (v) => (/^\d+$/.test(v) ? { sql: 'm.size > ?', params: [Number(v)] } : null),
        });
        expect((await search('sz:0')).length).toBe(4);
        expect(await search('sz:0 zeppelins')).toEqual([id.html]);
        expect((await search('-sz:0')).length).toBe(0);
      });

      it('hostile query strings never throw', async () => {
        const hostile = [
          '"',
          '""',
          "'",
          '\\',
          '*',
          '-',
          '--',
          'NOT',
          '(',
          'a:b:c',
          '{sender}:x',
          'NEAR(a b)',
          '^a',
          '*a',
          '"a" * *',
          'from:"',
          'to:-',
          '-from:',
          'is:',
          'after:9999-99-99',
          "'; DROP TABLE messages; --",
          '\u0000',
          '\uffff',
          '🔒',
          '日本語',
          'x'.repeat(5000),
          '"'.repeat(999),
          '- '.repeat(500),
          'a '.repeat(2000),
          '%',
          '_',
          '\r\n\t',
          ':',
          '::',
          'é*',
          'ab"cd',
          '!',
          '&',
          '|',
          '<->',
          "a'b",
          'a:*',
          'x:A',
        ];
        for (const query of hostile) {
          expect((await h.store.list({ query })).total).toBeGreaterThanOrEqual(0);
        }
        expect(await search('日本語')).toEqual([]);
      });
    });

    describe('corpus', () => {
      let h: OpenedStore;
      const files = corpusFiles();
      const stored = new Map<string, number>();
      beforeAll(async () => {
        h = await f.open({ retention: { maxMessages: 0, maxBytes: 0 } });
        const got = await Promise.all(files.map((file) => h.store.ingest(fs.readFileSync(file), envelope())));
        got.forEach((s, i) => stored.set(files[i]!, s.id));
        await h.store.idle();
      });
      afterAll(() => h.cleanup());

      it('every message is listed, indexed, byte-identical and opens', async () => {
        expect(files.length).toBeGreaterThanOrEqual(20);
        const page = await h.store.list({ limit: 1000 });
        expect(page.total).toBe(files.length);
        expect(page.messages.every((m) => m.indexed)).toBe(true);
        expect((await h.store.stats()).pending).toBe(0);
        for (const [file, id] of stored) {
          const raw = await h.store.raw(id);
          expect(raw.equals(fs.readFileSync(file)), path.relative(CORPUS, file)).toBe(true);
          await expect(h.store.get(id)).resolves.toMatchObject({ id });
        }
      });

      it('reindex rebuilds every row and keeps search working', async () => {
        const before = await h.store.list({ limit: 1000 });
        const word = before.messages.map((m) => /\p{L}{5,}/u.exec(m.subject)?.[0]).find(Boolean)!;
        const found = await ids(h.store, word);
        expect(found.length).toBeGreaterThan(0);
        expect(await h.store.reindex()).toBe(files.length);
        expect((await h.store.stats()).pending).toBe(0);
        expect(await ids(h.store, word)).toEqual(found);
        const after = await h.store.list({ limit: 1000 });
        expect(after.messages.map((m) => [m.id, m.subject])).toEqual(before.messages.map((m) => [m.id, m.subject]));
      });
    });

    describe('sessions, settings, retention, import, capability tables', () => {
      let h: OpenedStore | null = null;
      afterEach(async () => {
        await h?.cleanup();
        h = null;
      });

      it('sessions: written in a batch, listed with filters, opened with their transcript', async () => {
        h = await f.open();
        h.store.sessions.add(session('one.test'));
        h.store.sessions.add(session('two.test', { authFailures: 2, clientAddress: '::ffff:10.0.0.9' }));
        h.store.sessions.add(session('three.test', { rejected: 1, listener: 'other' }));
        await h.store.sessions.flush();
        const all = await h.store.sessions.list({});
        expect(all.total).toBe(3);
        expect(all.sessions.map((s) => s.helo)).toEqual(['three.test', 'two.test', 'one.test']);
        expect((await h.store.sessions.list({ filter: 'authFailures' })).sessions.map((s) => s.helo)).toEqual([
          'two.test',
        ]);
        expect((await h.store.sessions.list({ filter: 'rejected' })).total).toBe(1);
        expect((await h.store.sessions.list({ clientAddress: '10.0.0.9' })).total).toBe(1);
        expect((await h.store.sessions.list({ listener: 'other' })).total).toBe(1);
        const detail = await h.store.sessions.get(all.sessions[2]!.id);
        expect(detail.transcript).toEqual([
          { dir: 'C', at: 0, text: 'EHLO one.test' },
          { dir: 'S', at: 1, text: '250 ok' },
        ]);
        await expect(h.store.sessions.get(999_999)).rejects.toMatchObject({ code: 'not_found' });
        expect(
          h.events
            .filter((e) => e.event === 'sessions.added')
            .flatMap((e) => (e.event === 'sessions.added' ? e.data.ids : [])),
        ).toHaveLength(3);
      });

      it('settings survive a reopen; a missing one is undefined', async () => {
        h = await f.open();
        expect(await h.store.readSetting('nothing')).toBeUndefined();
        await h.store.writeSetting('capture', { port: 2525, names: ['a', 'é'] });
        await h.store.writeSetting('capture', { port: 2526, names: ['b'] });
        const again = await h.reopen();
        expect(await again.readSetting('capture')).toEqual({ port: 2526, names: ['b'] });
      });

      it('retention: maxMessages prunes the oldest, with an event; maxBytes too; the limits persist', async () => {
        h = await f.open({ retention: { maxMessages: 0, maxBytes: 0 } });
        const stored = [];
        for (let i = 0; i < 6; i++) stored.push(await h.store.ingest(message({ subject: `r${i}` }), envelope()));
        await h.store.setRetention({ maxMessages: 4, maxBytes: 0 });
        expect((await h.store.list({})).messages.map((m) => m.id)).toEqual(
          stored
            .slice(2)
            .map((s) => s.id)
            .reverse(),
        );
        const pruned = h.events.filter((e) => e.event === 'messages.pruned');
        expect(pruned.flatMap((e) => (e.data as { ids: number[] }).ids)).toEqual([stored[0]!.id, stored[1]!.id]);
        await h.store.setRetention({ maxMessages: 0, maxBytes: stored[0]!.size * 2 });
        expect((await h.store.stats()).count).toBe(2);
        await expect(h.store.setRetention({ maxMessages: -1, maxBytes: 0 })).rejects.toMatchObject({
          code: 'invalid_argument',
        });
        const again = await h.reopen();
        expect(await again.retention()).toEqual({ maxMessages: 0, maxBytes: stored[0]!.size * 2 });
        // Sessions share the cap on messages.
        await again.setRetention({ maxMessages: 2, maxBytes: 0 });
        for (const helo of ['a', 'b', 'c']) again.sessions.add(session(helo));
        await again.sessions.flush();
        expect((await again.sessions.list({})).sessions.map((s) => s.helo)).toEqual(['c', 'b']);
      });

      it('import: an mbox through the normal commit path, byte for byte', async () => {
        h = await f.open();
        const one = message({ subject: 'imported one' });
        const two = message({ subject: 'imported two' });
        const mbox = Buffer.concat([
          Buffer.from('From a@b Mon Nov  2 10:00:00 2026\n'),
          one,
          Buffer.from('\nFrom a@b Mon Nov  2 10:00:01 2026\n'),
          two,
        ]);
        const result = await h.store.import([mbox], { filename: 'x.mbox', maxMessageBytes: 1024 * 1024 });
        expect(result.imported).toBe(2);
        expect(result.failedCount).toBe(0);
        await h.store.idle();
        expect(await ids(h.store, 'imported')).toEqual([...result.ids].reverse());
        expect((await h.store.get(result.ids[1]!)).subject).toBe('imported two');
      });

      it('capability migrations in this dialect, and the SQL client with ? placeholders and transactions', async () => {
        h = await f.open();
        const migrations = [
          {
            version: 1,
            name: '001_notes',
            sqlite: 'CREATE TABLE notes_items (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)',
            postgres: 'CREATE TABLE notes_items (id bigserial PRIMARY KEY, body text NOT NULL)',
          },
        ];
        expect(await h.store.migrateCapability('notes', migrations)).toEqual([1]);
        expect(await h.store.migrateCapability('notes', migrations)).toEqual([]);
        const sql = h.store.sql;
        expect(sql.dialect).toBe(kind);
        expect(await sql.run('INSERT INTO notes_items (body) VALUES (?), (?)', ["it's a '?'", 'two'])).toEqual({
          changes: 2,
        });
        expect(await sql.all<{ body: string }>("SELECT body FROM notes_items WHERE body <> '?' ORDER BY id")).toEqual([
          { body: "it's a '?'" },
          { body: 'two' },
        ]);
        await expect(
          sql.transaction(async (tx) => {
            await tx.run('INSERT INTO notes_items (body) VALUES (?)', ['rolled back']);
            throw new Error('no');
          }),
        ).rejects.toThrow('no');
        const n = await sql.transaction(async (tx) => {
          await tx.run('INSERT INTO notes_items (body) VALUES (?)', ['kept']);
          return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM notes_items'))!.n;
        });
        expect(Number(n)).toBe(3);
        const newer = [
          ...migrations,
          { ...migrations[0]!, version: 2, name: '002_x', sqlite: 'SELECT 1', postgres: 'SELECT 1' },
        ];
        expect(await h.store.migrateCapability('notes', newer)).toEqual([2]);
        await expect(h.store.migrateCapability('notes', migrations)).rejects.toThrow(/newer than this Mailwright/);
      });
    });
  });
});
