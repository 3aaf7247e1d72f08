// Bulk runs outlive the process: a real `serve` sends a run into its own capture listener, is killed (SIGKILL)
// in the middle of a second run, and a new `serve` on the same data folder lists both, exports the first byte for
// byte, and shows the second as `interrupted` with the rows it stored. Then the store's pruning of old runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BULK_MIGRATION, BulkRepo } from '../../../src-main/compose/bulk-repo.js';
import type { BulkRun, ProfileView } from '../../../src-shared/index.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { request } from '../serve/helpers.js';

const JSON_HEADERS = { 'Content-Type': 'application/json', 'X-Mailwright-Request': '1' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-bulk-persist-'));
const started: ServeProcess[] = [];

afterAll(async () => {
  for (const s of started) await s.stop('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<ServeProcess> {
  const s = await startServe([...LOOPBACK_PORT_0, '--data', dir]);
  started.push(s);
  return s;
}

const post = (base: string, p: string, body: unknown) =>
  request(base, p, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });

/** Reads the run until `until` holds; bounded to 200 reads 50 ms apart. */
async function poll(base: string, id: string, until: (r: BulkRun) => boolean): Promise<BulkRun> {
  let run = (await request(base, `/api/bulk/${id}`)).json<BulkRun>();
  for (let i = 0; i < 200 && !until(run); i++) {
    await new Promise((r) => setTimeout(r, 50));
    run = (await request(base, `/api/bulk/${id}`)).json<BulkRun>();
  }
  return run;
}

describe('bulk runs in the store', () => {
  it('survive a restart; a run cut off by the process ending reads as interrupted', async () => {
    const first = await serve();
    const profile = (
      await post(first.http, '/api/profiles', {
        name: 'Self',
        host: '127.0.0.1',
        port: first.smtpPort,
        security: 'none',
      })
    ).json<ProfileView>();
    const done = (
      await post(first.http, '/api/bulk', {
        profile: profile.id,
        message: { from: 'p@example.test', to: ['{{email}}'], subject: 'persist {{n}}', text: 'x' },
        source: { kind: 'csv', csv: 'email\nann@example.test\nbob@example.test\ncy@example.test\n' },
        settings: { concurrency: 2 },
      })
    ).json<BulkRun>();
    const finished = await poll(first.http, done.id, (r) => r.state !== 'running');
    expect(finished).toMatchObject({ state: 'done', sent: 3, done: 3 });
    const csvBefore = (await request(first.http, `/api/bulk/${done.id}/export.csv`)).text();
    expect(csvBefore.trim().split('\n')).toHaveLength(4);

    const slow = (
      await post(first.http, '/api/bulk', {
        profile: profile.id,
        message: { from: 'p@example.test', to: ['s{{n}}@example.test'], subject: 'slow {{n}}', text: 'x' },
        source: { kind: 'copies', count: 1000 },
        settings: { concurrency: 1, perSecond: 20 },
      })
    ).json<BulkRun>();
    // At 20 a second, a batch is stored every 100 ms: by the 6th message at least 4 are in the store.
    const midway = await poll(first.http, slow.id, (r) => r.done >= 6);
    expect(midway.state).toBe('running');
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');

    const second = await serve();
    const list = (await request(second.http, '/api/bulk')).json<{ runs: BulkRun[] }>();
    expect(list.runs.map((r) => r.id)).toEqual([slow.id, done.id]);
    const cut = (await request(second.http, `/api/bulk/${slow.id}`)).json<BulkRun>();
    expect(cut).toMatchObject({ state: 'interrupted', etaMs: null, total: 1000 });
    expect(cut.done).toBeGreaterThanOrEqual(4);
    expect(cut.done).toBeLessThanOrEqual(midway.done + 20);
    expect(cut.done).toBeLessThan(1000);
    const cutRows = (await request(second.http, `/api/bulk/${slow.id}/export.json`)).json<{
      run: BulkRun;
      rows: { n: number; sendId: number }[];
    }>();
    expect(cutRows.run.state).toBe('interrupted');
    // The figures are stored with the rows, in one transaction: they agree.
    expect(cutRows.rows).toHaveLength(cut.done);
    expect(cutRows.rows.every((r) => r.sendId > 0)).toBe(true);
    const csvAfter = await request(second.http, `/api/bulk/${done.id}/export.csv`);
    expect(csvAfter.status).toBe(200);
    expect(csvAfter.text()).toBe(csvBefore);
    // Cancelling a stored run changes nothing and says what it is.
    const cancel = await request(second.http, `/api/bulk/${slow.id}`, { method: 'DELETE', headers: JSON_HEADERS });
    expect(cancel.json<BulkRun>().state).toBe('interrupted');
    await second.stop();
  });

  it('prunes the oldest finished runs with their rows, never a running one', () => {
    const db = new Database(':memory:');
    db.exec(BULK_MIGRATION.sqlite);
    const repo = new BulkRepo(db);
    const run = (i: number, state: BulkRun['state']) =>
      ({
        id: `b-${i}`,
        state,
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        finishedAt: null,
        etaMs: 5,
      }) as BulkRun;
    repo.save(run(0, 'running'));
    for (let i = 1; i <= 5; i++) {
      repo.save(run(i, 'done'));
      repo.addRows(`b-${i}`, 0, [
        {
          n: 1,
          recipient: 'a@x.test',
          outcome: 'delivered',
          reply: '250 ok',
          latencyMs: 1,
          attempts: 1,
          sendId: i,
          recipients: [{ address: 'a@x.test', outcome: 'accepted', reply: '250 ok', attempts: 1 }],
        },
      ]);
    }
    expect(repo.prune(3)).toBe(2);
    expect(repo.list().map((r) => r.id)).toEqual(['b-5', 'b-4', 'b-3', 'b-0']);
    expect(repo.rows('b-1')).toEqual([]);
    expect(repo.rows('b-5')).toMatchObject([{ sendId: 5, recipients: [{ address: 'a@x.test', outcome: 'accepted' }] }]);
    expect(repo.interruptLeftovers()).toBe(1);
    expect(repo.get('b-0')).toMatchObject({ state: 'interrupted', etaMs: null });
    expect(repo.prune(3)).toBe(1);
    db.close();
  });
});
