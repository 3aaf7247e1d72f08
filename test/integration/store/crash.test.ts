// Durability: a process killed right after ingest() resolved loses none of those messages, and
// derivation of the ones it never indexed resumes on the next open.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src-main/store/index.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runChild(count: number): Promise<{ acked: Map<number, number>; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), dir, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      const acked = new Map<number, number>();
      for (const m of out.matchAll(/^ok (\d+) (\d+)$/gm)) acked.set(Number(m[1]), Number(m[2]));
      resolve({ acked, signal });
    });
  });
}

describe('store durability', () => {
  it('keeps every acknowledged message after SIGKILL', async () => {
    const { acked, signal } = await runChild(500);
    expect(signal).toBe('SIGKILL');
    expect(acked.size).toBe(500);
    const store = Store.open({ dataDir: dir, retention: { maxMessages: 0, maxBytes: 0 } });
    try {
      // The last batch was killed before the indexer's turn: it is still waiting for derivation.
      expect(store.stats().pending).toBeGreaterThan(0);
      for (const [i, id] of acked) {
        const expected = Buffer.from(
          `From: a@example.test\r\nSubject: crash ${i}\r\n\r\nbody \x00\xff ${i}\r\n`,
          'latin1',
        );
        expect(Buffer.compare(store.raw(id), expected)).toBe(0);
      }
      await store.idle();
      expect(store.stats()).toMatchObject({ count: 500, pending: 0 });
      expect(store.list({ query: 'subject:"crash 499"' }).messages.map((m) => m.id)).toEqual([acked.get(499)]);
    } finally {
      await store.close();
    }
  });
});
