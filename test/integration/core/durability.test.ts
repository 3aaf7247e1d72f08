// A 250 means durably stored: kill -9 the server right after the 250 and the message is there on restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../../helpers/serve-process.js';

describe('durability', () => {
  let dir: string | undefined;
  let proc: ServeProcess | undefined;

  afterEach(async () => {
    await proc?.stop('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every message that got a 250 when the process is killed at once', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-durable-'));
    const args = ['--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', dir];
    proc = await startServe(args);
    const smtp = proc.ready.smtp[0]!;
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
    });
    const COUNT = 20;
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const info = await transport.sendMail({
        from: 'app@example.test',
        to: 'user@example.test',
        subject: `durable ${i}`,
        text: `body ${i} zebrafish${i}`,
      });
      expect(info.response).toMatch(/^250/);
      ids.push(info.messageId);
    }
    transport.close();
    // No graceful shutdown: whatever was acknowledged must already be on disk.
    expect(await proc.stop('SIGKILL')).toBe('SIGKILL');

    proc = await startServe(args);
    const base = proc.ready.http;
    const page = (await (await fetch(new URL('/api/messages?limit=100', base))).json()) as {
      total: number;
      messages: { id: number }[];
    };
    expect(page.total).toBe(COUNT);
    const subjects = await Promise.all(
      page.messages.map(async (m) => {
        const raw = await (await fetch(new URL(`/api/messages/${m.id}/raw`, base))).text();
        return /^Subject: (.*)$/m.exec(raw)?.[1]?.trim();
      }),
    );
    expect(subjects.sort()).toEqual(ids.map((_, i) => `durable ${i}`).sort());
  });
});
