// Every corpus message goes through the real path: python smtplib -> capture server -> store -> contract calls.
// Each is accepted or clearly rejected, the server stays up, and each accepted message can be
// listed, opened, searched and downloaded byte-identical.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { corpusFiles } from '../../helpers/corpus.js';

const run = promisify(execFile);

describe('corpus through SMTP', () => {
  let dir: string;
  let core: Core;
  let port: number;
  const files = corpusFiles();
  let results: { file: string; code?: number; reply?: string; error?: string }[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-corpus-'));
    core = await Core.start({ dataDir: dir, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }] });
    port = core.status().listeners[0]!.port;
    const script = new URL('../../fixtures/core/send_files.py', import.meta.url).pathname;
    const { stdout } = await run('python3', [script, '127.0.0.1', String(port), ...files], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    results = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    await core.idle();
  });

  afterAll(async () => {
    await core?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every file with a clear reply', () => {
    expect(results.map((r) => r.file)).toEqual(files);
    for (const r of results) {
      expect(r.error, `${r.file}: ${r.error}`).toBeUndefined();
      expect([250, 552], `${r.file}: ${r.code} ${r.reply}`).toContain(r.code);
    }
    expect(core.status().listeners[0]!.state).toBe('listening');
  });

  it('stores each accepted message: listed, opened, searched, downloaded byte-identical', async () => {
    const accepted = results.filter((r) => r.code === 250);
    expect(accepted.length).toBeGreaterThanOrEqual(files.length - 1);
    const page = await core.invoke('messages.list', { limit: 1000 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.total).toBe(accepted.length);
    // The store lists newest first; the client sent in file order over one session.
    const byOrder = [...page.value.messages].reverse();
    for (const [i, r] of accepted.entries()) {
      const summary = byOrder[i]!;
      const sent = fs.readFileSync(r.file);
      const expected = sent.subarray(-2).equals(Buffer.from('\r\n'))
        ? sent
        : Buffer.concat([sent, Buffer.from('\r\n')]);
      expect((await core.raw(summary.id)).equals(expected), `${r.file} raw bytes differ`).toBe(true);
      expect(summary.bcc, r.file).toContain('hidden@example.test');

      const detail = await core.invoke('messages.get', { id: summary.id });
      expect(detail.ok, `${r.file}: ${detail.ok ? '' : detail.error.message}`).toBe(true);

      const word = searchableWord(summary.subject);
      const query = word ? `subject:${word}` : `from:${summary.from?.address ?? 'corpus@example.test'}`;
      const found = await core.invoke('messages.list', { query, limit: 1000 });
      if (!found.ok) throw new Error(found.error.message);
      expect(
        found.value.messages.map((m) => m.id),
        `${r.file}: search ${query}`,
      ).toContain(summary.id);
    }
  });
});

function searchableWord(subject: string): string | null {
  const words = subject.match(/[\p{L}\p{N}]{4,}/gu) ?? [];
  return words.sort((a, b) => b.length - a.length)[0] ?? null;
}
