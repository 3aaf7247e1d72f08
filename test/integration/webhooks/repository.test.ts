// The webhooks tables (queue, attempts, cursor) through WebhookRepository, written once and run on both stores
// (SQLite and a private PostgreSQL cluster). Then, on PostgreSQL only, two instances on one database: each
// delivery is claimed by one of them, each message queued once, and a real receiver gets each delivery once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '../../../src-shared/index.js';
import type { MessageStore } from '../../../src-main/store/index.js';
import { PgStore } from '../../../src-main/store/postgres/index.js';
import { Dispatcher } from '../../../src-main/webhooks/dispatcher.js';
import {
  CLAIM_LEASE_MS,
  MAX_LOG_ROWS,
  WEBHOOKS_MIGRATIONS,
  WebhookRepository,
} from '../../../src-main/webhooks/repository.js';
import { envelope, message } from '../store/helpers.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

async function ingest(store: MessageStore, n: number): Promise<number[]> {
  const stored = await Promise.all(
    Array.from({ length: n }, (_, i) => store.ingest(message({ subject: `m${i}` }), envelope())),
  );
  return stored.map((s) => s.id).sort((a, b) => a - b);
}

/** Empties the webhooks tables and the messages: each test starts from a fresh install. */
async function clean(store: MessageStore): Promise<void> {
  await store.deleteAll();
  await store.sql.exec(
    'DELETE FROM webhooks_attempts; DELETE FROM webhooks_deliveries; UPDATE webhooks_cursor SET message_id = 0, armed = 0;',
  );
}

describe.each(STORE_KINDS)('%s webhooks repository', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'webhooks repository'), () => {
    let h: OpenedStore;
    let repo: WebhookRepository;
    beforeAll(async () => {
      await f.setup();
      h = await f.open();
      expect(await h.store.migrateCapability('webhooks', WEBHOOKS_MIGRATIONS)).toEqual([1, 2]);
      repo = new WebhookRepository(h.store.sql);
    });
    afterAll(async () => {
      await h?.cleanup();
      await f.teardown();
    });
    beforeEach(() => clean(h.store));

    it('arming skips mail from before; then each new message is queued once per webhook', async () => {
      await ingest(h.store, 2);
      await repo.arm(true);
      expect(await repo.enqueueReceived(['a', 'b'], NOW)).toEqual([]);
      const [late] = await ingest(h.store, 1);
      const queued = await repo.enqueueReceived(['a', 'b'], NOW);
      expect(queued).toHaveLength(2);
      expect(queued.every((id) => typeof id === 'number')).toBe(true);
      expect(await repo.enqueueReceived(['a', 'b'], NOW)).toEqual([]);
      const log = await repo.list(undefined, 10, 0);
      expect(log.total).toBe(2);
      expect(log.deliveries.map((d) => [d.webhookId, d.messageId, d.event, d.state]).sort()).toEqual([
        ['a', late, 'message.received', 'pending'],
        ['b', late, 'message.received', 'pending'],
      ]);
      // Arming again while armed does not move the cursor: mail after it stays owed.
      const [owed] = await ingest(h.store, 1);
      await repo.arm(true);
      expect(await repo.enqueueReceived(['a'], NOW)).toHaveLength(1);
      expect((await repo.list('a', 1, 0)).deliveries[0]!.messageId).toBe(owed);
    });

    it('queues a backlog larger than one step, every message exactly once', async () => {
      await repo.arm(true);
      const ids = await ingest(h.store, 1003);
      const queued = await repo.enqueueReceived(['a'], NOW);
      expect(queued).toHaveLength(1003);
      expect(new Set(queued).size).toBe(1003);
      const log = await repo.list('a', 2000, 0);
      expect(log.deliveries.map((d) => d.messageId).sort((x, y) => x - y)).toEqual(ids);
    });

    it('hands out due deliveries oldest first, leaves out those in flight, and says when the next is due', async () => {
      expect(await repo.nextDue()).toBeNull();
      const [first, second, third] = await repo.enqueue(['a'], 'message.deleted', [11, 12, 13], NOW);
      await repo.recordAttempt(
        second!,
        { attempt: 1, at: NOW, status: 500, error: 'HTTP 500', durationMs: 3 },
        'pending',
        NOW + 5000,
      );
      expect(await repo.nextDue()).toBe(NOW);
      const due = await repo.due(NOW, 10, new Set([third!]));
      expect(due).toEqual([
        { id: first, webhookId: 'a', event: 'message.deleted', messageId: 11, payload: null, attempts: 0 },
      ]);
      const later = await repo.due(NOW + 5000, 1, new Set());
      expect(later.map((d) => d.id)).toHaveLength(1);
      expect([first, third]).toContain(later[0]!.id);
    });

    it('records attempts and payloads, and lists them newest first with totals and pages', async () => {
      const [id, other] = await repo.enqueue(['a', 'b'], 'message.deleted', [7], NOW);
      await repo.savePayload(id!, '{"event":"message.deleted","messageId":7}');
      await repo.recordAttempt(
        id!,
        { attempt: 1, at: NOW, status: 503, error: 'HTTP 503', durationMs: 12 },
        'pending',
        NOW + 1000,
      );
      await repo.recordAttempt(
        id!,
        { attempt: 2, at: NOW + 1000, status: 200, error: null, durationMs: 4 },
        'delivered',
        null,
      );
      const log = await repo.list('a', 10, 0);
      expect(log.total).toBe(1);
      expect(log.deliveries[0]).toEqual({
        id,
        webhookId: 'a',
        event: 'message.deleted',
        messageId: 7,
        state: 'delivered',
        createdAt: new Date(NOW).toISOString(),
        nextAttemptAt: null,
        attempts: [
          { attempt: 1, at: new Date(NOW).toISOString(), status: 503, error: 'HTTP 503', durationMs: 12 },
          { attempt: 2, at: new Date(NOW + 1000).toISOString(), status: 200, error: null, durationMs: 4 },
        ],
      });
      const all = await repo.list(undefined, 1, 0);
      expect(all.total).toBe(2);
      expect(all.deliveries.map((x) => x.id)).toEqual([other]);
      expect(all.deliveries[0]!.nextAttemptAt).toBe(new Date(NOW).toISOString());
      expect((await repo.list(undefined, 1, 1)).deliveries.map((x) => x.id)).toEqual([id]);
      const [d] = await repo.due(NOW + 10_000, 10, new Set());
      expect(d).toMatchObject({ id: other, webhookId: 'b', payload: null, attempts: 0 });
      // A duplicate attempt number is refused, as the primary key says.
      await expect(
        repo.recordAttempt(id!, { attempt: 2, at: NOW, status: 200, error: null, durationMs: 1 }, 'delivered', null),
      ).rejects.toThrow();
    });

    it('fails the pending deliveries of webhooks no longer configured, with the reason', async () => {
      const [kept, gone] = await repo.enqueue(['keep', 'gone'], 'message.deleted', [1], NOW);
      await repo.failOrphans(['keep'], NOW);
      const log = await repo.list(undefined, 10, 0);
      const byId = new Map(log.deliveries.map((d) => [d.id, d]));
      expect(byId.get(kept!)!.state).toBe('pending');
      expect(byId.get(gone!)).toMatchObject({
        state: 'failed',
        nextAttemptAt: null,
        attempts: [{ attempt: 0, status: null, error: 'the webhook was removed or disabled', durationMs: 0 }],
      });
      await repo.failOrphans([], NOW);
      expect((await repo.list('keep', 1, 0)).deliveries[0]!.state).toBe('failed');
    });

    it('trims the log to the newest rows, never dropping a pending delivery', async () => {
      const extra = 5;
      const ids = await repo.enqueue(
        ['a'],
        'message.deleted',
        Array.from({ length: MAX_LOG_ROWS + extra }, (_, i) => i + 1),
        NOW,
      );
      expect(ids).toHaveLength(MAX_LOG_ROWS + extra);
      // All finished but the oldest one, which is still pending.
      await h.store.sql.run("UPDATE webhooks_deliveries SET state = 'delivered' WHERE id > ?", [ids[0]!]);
      await repo.recordAttempt(
        ids[1]!,
        { attempt: 1, at: NOW, status: 200, error: null, durationMs: 1 },
        'delivered',
        null,
      );
      await repo.trim();
      const log = await repo.list(undefined, 1, 0);
      expect(log.total).toBe(MAX_LOG_ROWS + 1);
      const left = await h.store.sql.all<{ id: number }>('SELECT id FROM webhooks_deliveries ORDER BY id LIMIT 2');
      expect(left.map((r) => Number(r.id))).toEqual([ids[0], ids[extra]]);
      const attempts = await h.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM webhooks_attempts');
      expect(Number(attempts!.n)).toBe(0);
    });
  });
});

/** A loopback receiver that answers 200 and keeps what it got. */
async function receiver() {
  const got: { delivery: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ delivery: String(req.headers['x-mailwright-delivery']), body: Buffer.concat(chunks).toString() });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const pg = storeFactory('postgres');

describe.skipIf(pg.skip !== null)(suiteName(pg, 'webhooks on two instances'), () => {
  let a: PgStore;
  let b: PgStore;
  let repoA: WebhookRepository;
  let repoB: WebhookRepository;
  beforeAll(async () => {
    await pg.setup();
    const url = await pg.cluster!.createDatabase();
    a = await PgStore.open({ url });
    b = await PgStore.open({ url });
    await a.migrateCapability('webhooks', WEBHOOKS_MIGRATIONS);
    expect(await b.migrateCapability('webhooks', WEBHOOKS_MIGRATIONS)).toEqual([]);
    repoA = new WebhookRepository(a.sql);
    repoB = new WebhookRepository(b.sql);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg.teardown();
  });
  beforeEach(() => clean(a));

  it('claims each due delivery for one instance; another gets it only when the lease has run out', async () => {
    const ids = await repoA.enqueue(
      ['a'],
      'message.deleted',
      Array.from({ length: 40 }, (_, i) => i + 1),
      NOW,
    );
    // Both instances ask at once, several times over, for more than there is.
    const rounds = await Promise.all([
      ...Array.from({ length: 4 }, () => repoA.due(NOW, 40, new Set())),
      ...Array.from({ length: 4 }, () => repoB.due(NOW, 40, new Set())),
    ]);
    const claimed = rounds.flat().map((d) => d.id);
    expect(claimed.sort((x, y) => x - y)).toEqual(ids);
    expect(await repoB.due(NOW + CLAIM_LEASE_MS - 1, 40, new Set())).toEqual([]);
    // The claiming instance died mid-send: after the lease the delivery is due again, for one instance.
    const again = await Promise.all([
      repoA.due(NOW + CLAIM_LEASE_MS, 40, new Set()),
      repoB.due(NOW + CLAIM_LEASE_MS, 40, new Set()),
    ]);
    expect(
      again
        .flat()
        .map((d) => d.id)
        .sort((x, y) => x - y),
    ).toEqual(ids);
  });

  it('queues a deletion once though every instance hears of it', async () => {
    const gone = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const queued = await Promise.all([
      repoA.enqueue(['h', 'k'], 'message.deleted', gone, NOW),
      repoB.enqueue(['h', 'k'], 'message.deleted', gone, NOW),
      repoB.enqueue(['h'], 'message.deleted', gone.slice(0, 10), NOW),
    ]);
    expect(queued.flat()).toHaveLength(100);
    const log = await repoA.list(undefined, 1000, 0);
    expect(log.total).toBe(100);
    expect(new Set(log.deliveries.map((d) => `${d.webhookId} ${d.messageId}`)).size).toBe(100);
  });

  it('queues each new message once when both instances look at the same time', async () => {
    await repoA.arm(true);
    const ids = await ingest(a, 300);
    const queued = await Promise.all([
      repoA.enqueueReceived(['h'], NOW),
      repoB.enqueueReceived(['h'], NOW),
      repoA.enqueueReceived(['h'], NOW),
      repoB.enqueueReceived(['h'], NOW),
    ]);
    expect(queued.flat()).toHaveLength(300);
    const log = await repoB.list('h', 1000, 0);
    expect(log.deliveries.map((d) => d.messageId).sort((x, y) => x - y)).toEqual(ids);
  });

  it('queues a message another instance committed after a later one was queued', async () => {
    await repoA.arm(true);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reserved!: (id: number) => void;
    const taken = new Promise<number>((resolve) => (reserved = resolve));
    // Instance B takes an id from the sequence and commits late, as a slow group commit does.
    const slow = b.sql.transaction(async (tx) => {
      const row = await tx.get<{ id: number }>("SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id");
      reserved(Number(row!.id));
      await gate;
      await tx.run('INSERT INTO messages (id, received_at, size, envelope) VALUES (?, ?, ?, ?)', [
        Number(row!.id),
        new Date(NOW).toISOString(),
        1,
        JSON.stringify(envelope()),
      ]);
    });
    const early = await taken;
    const [later] = await ingest(a, 1);
    expect(later).toBeGreaterThan(early);
    expect(await repoA.enqueueReceived(['h'], NOW)).toHaveLength(1);
    release();
    await slow;
    expect(await repoA.enqueueReceived(['h'], NOW + 1000)).toHaveLength(1);
    expect(await repoB.enqueueReceived(['h'], NOW + 1000)).toEqual([]);
    expect(await repoA.enqueueReceived(['h'], NOW + 2000)).toEqual([]);
    const log = await repoA.list('h', 10, 0);
    expect(log.deliveries.map((d) => d.messageId).sort((x, y) => x - y)).toEqual([early, later]);
  });

  it('two dispatchers send each delivery to the receiver exactly once', async () => {
    const target = await receiver();
    const hook: WebhookConfig = {
      id: 'h',
      enabled: true,
      url: target.url,
      events: ['message.received'],
      format: 'mailwright',
    };
    const total = 60;
    const delivered = new Set<number>();
    const problems: string[] = [];
    let allDelivered!: () => void;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    const dispatcher = (repo: WebhookRepository) =>
      new Dispatcher({
        repo,
        userAgent: 'test',
        payload: async (d) => JSON.stringify({ messageId: d.messageId }),
        onDelivery: (ids, state) => {
          if (state !== 'delivered') return;
          for (const id of ids) {
            expect(delivered.has(id)).toBe(false);
            delivered.add(id);
          }
          if (delivered.size === total) allDelivered();
        },
        onProblem: (text) => problems.push(text),
      });
    const one = dispatcher(repoA);
    const two = dispatcher(repoB);
    try {
      await one.configure([hook]);
      await two.configure([hook]);
      const ids = await ingest(a, total);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`only ${delivered.size} of ${total} delivered in 20 s`)), 20_000);
        }),
      ]).finally(() => clearTimeout(timer));
      expect(problems).toEqual([]);
      expect(target.got).toHaveLength(total);
      expect(new Set(target.got.map((g) => g.delivery)).size).toBe(total);
      const sent = target.got.map((g) => (JSON.parse(g.body) as { messageId: number }).messageId);
      expect(sent.sort((x, y) => x - y)).toEqual(ids);
      const log = await repoA.list('h', 1000, 0);
      expect(log.deliveries.every((d) => d.state === 'delivered' && d.attempts.length === 1)).toBe(true);
    } finally {
      await one.stop();
      await two.stop();
      await target.close();
    }
  });
});
