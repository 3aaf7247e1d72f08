// The bulk routes over the serve binding, as a script would use them: POST /api/bulk, GET and DELETE
// /api/bulk/{id}, and the CSV and JSON exports as downloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkRun, ProfileView } from '../../../src-shared/index.js';
import { request, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let base: string;
const JSON_HEADERS = { 'Content-Type': 'application/json', 'X-Mailwright-Request': '1' };

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
});
afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, body: unknown, method = 'POST') =>
  request(base, path, { method, headers: JSON_HEADERS, body: JSON.stringify(body) });

describe('bulk REST routes', () => {
  it('starts a run, reads it until done, exports it, and cancels another', async () => {
    const profile = (
      await post('/api/profiles', {
        name: 'Bulk loopback',
        host: '127.0.0.1',
        port: stack.smtpPort,
        security: 'none',
      })
    ).json<ProfileView>();
    const started = await post('/api/bulk', {
      profile: profile.id,
      message: { from: 'b@example.test', to: ['{{email}}'], subject: 'rest {{n}}', text: 'x' },
      source: { kind: 'csv', csv: 'email\none@example.test\ntwo@example.test\n' },
      settings: { concurrency: 2 },
    });
    expect(started.status).toBe(200);
    const run = started.json<BulkRun>();
    expect(run.total).toBe(2);
    let current = run;
    for (let i = 0; i < 100 && current.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      current = (await request(base, `/api/bulk/${run.id}`)).json<BulkRun>();
    }
    expect(current).toMatchObject({ state: 'done', sent: 2, failed: 0 });
    const csv = await request(base, `/api/bulk/${run.id}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`bulk-${run.id}.csv`);
    const lines = csv.text().trim().split('\n');
    expect(lines[0]).toBe('n,recipient,outcome,reply,latencyMs,attempts,sendId');
    expect(lines).toHaveLength(3);
    const json = (await request(base, `/api/bulk/${run.id}/export.json`)).json<{ rows: { recipient: string }[] }>();
    expect(json.rows.map((r) => r.recipient).sort()).toEqual(['one@example.test', 'two@example.test']);
    const list = (await request(base, '/api/bulk')).json<{ runs: BulkRun[] }>();
    expect(list.runs.map((r) => r.id)).toContain(run.id);

    const slow = (
      await post('/api/bulk', {
        profile: profile.id,
        message: { from: 'b@example.test', to: ['c{{n}}@example.test'], text: 'x' },
        source: { kind: 'copies', count: 500 },
        settings: { concurrency: 1, perSecond: 5 },
      })
    ).json<BulkRun>();
    const cancelled = await request(base, `/api/bulk/${slow.id}`, { method: 'DELETE', headers: JSON_HEADERS });
    expect(cancelled.status).toBe(200);
    const view = cancelled.json<BulkRun>();
    expect(view.state).toBe('cancelled');
    expect(view.done).toBeLessThan(500);
  });

  it('answers a clear error for an unknown run and a bad body', async () => {
    const missing = await request(base, '/api/bulk/b-nope');
    expect(missing.status).toBe(404);
    expect(missing.json<{ error: { field: string } }>().error.field).toBe('id');
    const bad = await post('/api/bulk', { profile: 'nope', message: {}, source: { kind: 'copies', count: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe('source.count');
  });
});
