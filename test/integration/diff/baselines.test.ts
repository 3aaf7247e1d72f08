// Golden baselines through the REST API of a real core, with mail sent over SMTP (nodemailer) and renders in a real
// Chromium: approve, compare on arrival (same for a resend, changed for a new price), compare by request with
// `latest`, verdicts for the badges, export to a folder and import back, and the errors a CI script meets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baseline, BaselineComparison, MessagePage, Verdict } from '../../../src-shared/index.js';
import { request, sendRaw, startStack, type Stack } from '../serve/helpers.js';

const FIXTURES = path.resolve(new URL('../../fixtures/diff', import.meta.url).pathname);
const KEY = 'order-confirmation';

let stack: Stack;
let folder: string;

beforeAll(async () => {
  stack = await startStack();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-baselines-'));
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(folder, { recursive: true, force: true });
});

function post(pathname: string, body: unknown) {
  return request(stack.http.url, pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Sends a fixture and resolves with its id and the verdict the core announces for it (60 s at most). */
async function sendAndJudge(name: string): Promise<{ id: number; verdict: Verdict }> {
  const seen: Verdict[] = [];
  let wanted: number | null = null;
  let found: (v: Verdict) => void = () => {};
  const judged = new Promise<Verdict>((resolve) => (found = resolve));
  const off = stack.core.events.on('diff.verdict', (v) => {
    seen.push(v);
    if (v.messageId === wanted) found(v);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await sendRaw(stack.smtpPort, fs.readFileSync(path.join(FIXTURES, `${name}.eml`)));
    await stack.core.idle();
    const id = (await request(stack.http.url, '/api/messages?limit=1')).json<MessagePage>().messages[0]!.id;
    wanted = id;
    const early = seen.find((v) => v.messageId === id);
    if (early) found(early);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no verdict for message ${id} in 60 s`)), 60_000);
    });
    return { id, verdict: await Promise.race([judged, timeout]) };
  } finally {
    clearTimeout(timer);
    off();
  }
}

describe('golden baselines over the API', () => {
  let approvedId: number;

  it('approves a message as the baseline for the key in its X-Mailwright-Template header', async () => {
    await sendRaw(stack.smtpPort, fs.readFileSync(path.join(FIXTURES, 'order-v1.eml')));
    await stack.core.idle();
    approvedId = (await request(stack.http.url, '/api/messages?limit=1')).json<MessagePage>().messages[0]!.id;
    const res = await post('/api/baselines', { messageId: approvedId, widths: [600, 375] });
    expect(res.status).toBe(200);
    expect(res.json<Baseline>()).toMatchObject({
      key: KEY,
      messageId: approvedId,
      subject: 'Your order',
      widths: [375, 600],
      screenshots: [375, 600],
    });
    const list = (await request(stack.http.url, '/api/baselines')).json<{ baselines: Baseline[] }>();
    expect(list.baselines.map((b) => b.key)).toEqual([KEY]);
  }, 120_000);

  it('judges a resend `same` on arrival and a changed price `changed`', async () => {
    const resent = await sendAndJudge('order-v1-resent');
    expect(resent.verdict).toEqual({ messageId: resent.id, key: KEY, verdict: 'same', detail: null });
    const v2 = await sendAndJudge('order-v2');
    expect(v2.verdict).toMatchObject({ messageId: v2.id, key: KEY, verdict: 'changed' });
    expect(v2.verdict.detail).toMatch(/^text: \d+ changed lines/);

    const verdicts = await post('/api/call/diff.verdicts', { ids: [approvedId, resent.id, v2.id] });
    const { value } = verdicts.json<{ value: { verdicts: Verdict[] } }>();
    expect(value.verdicts.map((v) => [v.messageId, v.verdict]).sort()).toEqual(
      [
        [resent.id, 'same'],
        [v2.id, 'changed'],
      ].sort(),
    );
  }, 180_000);

  it('compares on request, with `latest`, and reports text, links and pixels per width', async () => {
    const res = await request(stack.http.url, `/api/baselines/${KEY}/compare?message=latest`);
    expect(res.status).toBe(200);
    const cmp = res.json<BaselineComparison>();
    expect(cmp.verdict).toBe('changed');
    expect(cmp.sections.map((s) => [s.id, s.changes])).toEqual([
      ['text', 2],
      ['htmlText', 1],
      ['links', 1],
    ]);
    expect(cmp.reasons).toContain('links: 1 changed (at most 0)');
    expect(cmp.pixelRatio.map((p) => p.width)).toEqual([375, 600]);
    for (const p of cmp.pixelRatio) expect(p.pixelRatio).toBeGreaterThan(0);
  }, 120_000);

  it('exports to a folder and imports it back', async () => {
    const out = path.join(folder, 'baselines');
    const exported = await post('/api/baselines/export', { folder: out });
    expect(exported.json()).toEqual({ exported: 1, folder: out });
    expect(fs.readdirSync(path.join(out, KEY)).sort()).toEqual(['375.png', '600.png', 'baseline.json', 'message.eml']);
    expect(fs.readFileSync(path.join(out, KEY, 'message.eml'))).toEqual(
      fs.readFileSync(path.join(FIXTURES, 'order-v1.eml')),
    );

    const del = await request(stack.http.url, `/api/baselines/${KEY}`, {
      method: 'DELETE',
      headers: { 'X-Mailwright-Request': '1' },
    });
    expect(del.json()).toEqual({ deleted: true });
    expect((await request(stack.http.url, '/api/baselines')).json()).toEqual({ baselines: [] });

    // A broken entry and a symlink beside the good one are reported; the good one is imported.
    fs.mkdirSync(path.join(out, 'broken'));
    fs.writeFileSync(path.join(out, 'broken', 'baseline.json'), '{"key": 5}');
    fs.symlinkSync('/etc', path.join(out, 'escape'));
    const imported = (await post('/api/baselines/import', { folder: out })).json<{
      imported: number;
      failed: Array<{ entry: string; error: string }>;
    }>();
    expect(imported.imported).toBe(1);
    expect(imported.failed.sort((a, b) => a.entry.localeCompare(b.entry))).toEqual([
      { entry: 'broken', error: 'baseline.json: key: Invalid input: expected string, received number' },
      { entry: 'escape', error: 'a symlink: refused' },
    ]);
    const cmp = (
      await request(stack.http.url, `/api/baselines/${KEY}/compare?message=${approvedId}`)
    ).json<BaselineComparison>();
    expect(cmp.verdict).toBe('same');
    expect(cmp.pixelRatio.map((p) => p.pixelRatio)).toEqual([0, 0]);
  }, 120_000);

  it('answers a CI script clearly when something is missing', async () => {
    await sendRaw(stack.smtpPort, 'From: a@example.test\r\nSubject: untagged\r\n\r\nno template header\r\n');
    await stack.core.idle();
    const id = (await request(stack.http.url, '/api/messages?limit=1')).json<MessagePage>().messages[0]!.id;
    const noKey = await post('/api/baselines', { messageId: id });
    expect(noKey.status).toBe(400);
    expect(noKey.json()).toMatchObject({
      error: { field: 'key', message: `message ${id} has no X-Mailwright-Template header: give the baseline a key` },
    });
    expect((await request(stack.http.url, '/api/baselines/nope/compare?message=latest')).status).toBe(404);
    expect((await request(stack.http.url, `/api/baselines/${KEY}/compare?message=abc`)).status).toBe(400);
    expect((await post('/api/baselines/import', { folder: 'relative/path' })).status).toBe(400);
  });

  it('follows the baselines settings section: key header, thresholds, compare on arrival', async () => {
    const put = (body: unknown) =>
      request(stack.http.url, '/api/settings', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await put({ baselines: { maxPixelRatio: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe('baselines.maxPixelRatio');

    expect(
      (await put({ baselines: { keyHeader: 'X-Template-Name', maxTextChanges: 10, maxLinkChanges: 1 } })).status,
    ).toBe(200);
    const v1 = fs.readFileSync(path.join(FIXTURES, 'order-v1.eml')).toString('latin1');
    await sendRaw(stack.smtpPort, v1.replace('X-Mailwright-Template: order-confirmation', 'X-Template-Name: renamed'));
    await stack.core.idle();
    const id = (await request(stack.http.url, '/api/messages?limit=1')).json<MessagePage>().messages[0]!.id;
    expect((await post('/api/baselines', { messageId: id, widths: [320] })).json<Baseline>().key).toBe('renamed');

    // v2 under the new header: its text and link changes are now within the thresholds, its pixels are not.
    const v2 = fs.readFileSync(path.join(FIXTURES, 'order-v2.eml')).toString('latin1');
    await sendRaw(stack.smtpPort, v2.replace('X-Mailwright-Template: order-confirmation', 'X-Template-Name: renamed'));
    await stack.core.idle();
    const cmp = (
      await request(stack.http.url, '/api/baselines/renamed/compare?message=latest')
    ).json<BaselineComparison>();
    expect(cmp.verdict).toBe('changed');
    expect(cmp.reasons).toHaveLength(1);
    expect(cmp.reasons[0]).toMatch(/^width 320: [\d.]+% of pixels differ \(at most 0\.000%\)$/);
    const settings = (await request(stack.http.url, '/api/settings')).json<{ baselines: unknown }>();
    expect(settings.baselines).toMatchObject({
      keyHeader: 'X-Template-Name',
      compareOnArrival: true,
      maxPixelRatio: 0,
    });
  }, 120_000);
});
