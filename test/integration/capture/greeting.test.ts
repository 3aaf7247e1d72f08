// Guards the fast greeting in src-main/capture/fast-greeting.ts, which reaches into smtp-server 3.21.6 internals.
// If an smtp-server upgrade breaks the override, the first test fails ("421 You talk too soon" comes back).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, startCapture } from './helpers.js';

// One certificate for every server in this file.
let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-greeting-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Connects and sends EHLO in the connect callback, before reading anything: an early talker. */
async function earlyTalk(port: number): Promise<string> {
  const c = await RawClient.connect(port, 'EHLO early.test\r\n');
  let all = '';
  for (let i = 0; i < 3 && !/^250 /m.test(all) && !c.closed; i++) all += await c.reply();
  c.end();
  return all;
}

describe('greeting', () => {
  it('with earlyTalkerDelayMs=0 (default), a client that talks first still gets the banner and 250', async () => {
    const h = await startCapture({ dataDir });
    try {
      const replies = await earlyTalk(h.port());
      expect(replies).toMatch(/^220 mailwright ESMTP\r\n/);
      expect(replies).toMatch(/^250-mailwright Nice to meet you/m);
      expect(replies).toMatch(/^250 /m);
      expect(replies).not.toContain('You talk too soon');
    } finally {
      await h.close();
    }
  });

  it('greets at once on the implicit TLS listener too', async () => {
    const tls = await import('node:tls');
    const h = await startCapture({ dataDir });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: h.port('smtps'), rejectUnauthorized: false }, () =>
          s.write('EHLO early.test\r\n'),
        );
        let text = '';
        s.setEncoding('utf8');
        s.on('data', (d: string) => {
          text += d;
          if (/^250 /m.test(text)) {
            s.destroy();
            resolve(text);
          }
        });
        s.on('error', reject);
        s.on('close', () => resolve(text));
      });
      expect(banner).toMatch(/^220 mailwright ESMTP/);
      expect(banner).not.toContain('You talk too soon');
    } finally {
      await h.close();
    }
  });

  it('with earlyTalkerDelayMs > 0 the early-talker check is back: 421', async () => {
    // Far longer than the few microseconds the EHLO takes to arrive over loopback.
    const h = await startCapture({ dataDir, earlyTalkerDelayMs: 10_000 });
    try {
      const replies = await earlyTalk(h.port());
      expect(replies).toMatch(/^421 .*You talk too soon/);
      expect(replies).not.toMatch(/^220 /m);
    } finally {
      await h.close();
    }
  });

  it('a polite client on a delayed listener is greeted once the delay is over', async () => {
    const h = await startCapture({ dataDir, earlyTalkerDelayMs: 50 });
    try {
      const c = await RawClient.connect(h.port());
      expect(await c.reply()).toMatch(/^220 /);
      expect(await c.command('EHLO polite.test')).toMatch(/^250 /m);
      c.end();
    } finally {
      await h.close();
    }
  });
});
