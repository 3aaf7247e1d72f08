// Bulk runs outlive the process: a real `serve` sends a run into its own capture listener, is killed (SIGKILL)
// in the middle of a second run, and a new `serve` on the same data folder lists both, exports the first byte for
// byte, and shows the second as `interrupted` with the rows it stored. (The repository on both stores: repos.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});
