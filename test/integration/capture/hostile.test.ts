// Hostile and broken clients must not crash the server or leak half messages into the sink; corpus messages
// (../shared/corpus) must arrive byte for byte.
import fs from 'node:fs';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles } from '../../helpers/corpus.js';
import { RawClient, dotStuff, expectCode, openData, startCapture, toCrlf, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startCapture();
});
afterAll(async () => {
  await h.close();
});

/** Proves the server still works end to end. */
async function stillServing(subject: string): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port(), ignoreTLS: true });
  await t.sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'ok' });
  expect(h.messages.at(-1)!.raw.toString()).toContain(`Subject: ${subject}`);
}

describe('hostile clients', () => {
  it('survives a disconnect in the middle of DATA and stores nothing of it', async () => {
    const before = h.messages.length;
    const c = await openData(h.port());
    c.write('Subject: half\r\n\r\n' + 'partial line\r\n'.repeat(1000));
    c.socket.resetAndDestroy();
    await c.waitClosed();
    await stillServing('after reset');
    expect(h.messages.length).toBe(before + 1);
    expect(h.messages.some((m) => m.raw.toString().includes('Subject: half'))).toBe(false);
  });

  it('survives a client that half-closes mid-DATA', async () => {
    const c = await openData(h.port());
    c.write('Subject: half-closed\r\n\r\nno final dot');
    c.socket.end();
    await c.waitClosed();
    await stillServing('after half close');
    expect(h.messages.some((m) => m.raw.toString().includes('Subject: half-closed'))).toBe(false);
  });

  it('answers garbage with errors and drops the client after too many', async () => {
    const c = await RawClient.connect(h.port());
    expectCode(await c.reply(), 220);
    expect(await c.command('\u0000\u00ff\u0001 garbage')).toMatch(/^5\d\d /);
    expect(await c.command('MAIL FROM:<before-helo@example.com>')).toMatch(/^503 /);
    let last = '';
    for (let i = 0; i < 12 && !last.startsWith('421'); i++) last = await c.command(`XYZZY${i}`);
    expect(last).toMatch(/^421 /);
    await c.waitClosed();
    await stillServing('after garbage');
  });

  it('cuts off a command line longer than smtp-server allows', async () => {
    const c = await RawClient.connect(h.port());
    expectCode(await c.reply(), 220);
    c.write('EHLO ' + 'a'.repeat(100_000) + '\r\n');
    expect(await c.reply()).toMatch(/^421 /);
    await c.waitClosed();
    await stillServing('after long line');
  });

  it('keeps very long lines inside DATA as they are', async () => {
    const line = 'z'.repeat(200_000);
    const c = await openData(h.port());
    c.write(`Subject: long body line\r\n\r\n${line}\r\n.\r\n`);
    expect(await c.reply()).toMatch(/^250 /);
    expect(h.messages.at(-1)!.raw.length).toBe(`Subject: long body line\r\n\r\n${line}\r\n`.length);
    c.end();
  });

  it('refuses an HTTP request sent to the SMTP port', async () => {
    const c = await RawClient.connect(h.port());
    expectCode(await c.reply(), 220);
    expect(await c.command('POST / HTTP/1.1')).toMatch(/^421 /);
    c.end();
  });

  it('survives a TLS handshake that is garbage, on both listeners', async () => {
    // Not a TLS record at all: the handshake fails on the first byte and the server closes the socket.
    const garbage = 'this is not a client hello\r\n';
    const implicit = await RawClient.connect(h.port('smtps'), garbage);
    await implicit.waitClosed();
    const starttls = await RawClient.connect(h.port());
    expectCode(await starttls.reply(), 220);
    expectCode(await starttls.command('EHLO x'), 250);
    // Sent only after the 220: bytes pipelined behind STARTTLS are discarded by design (command injection guard).
    expectCode(await starttls.command('STARTTLS'), 220);
    starttls.write(garbage);
    await starttls.waitClosed();
    await stillServing('after bad tls');
  });

  it('takes many clients that connect and vanish without a word', async () => {
    await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port: h.port() }, () => s.destroy());
            s.on('error', () => undefined);
            s.on('close', () => resolve());
          }),
      ),
    );
    await stillServing('after vanishing clients');
  });
});

describe('corpus messages', () => {
  const files = corpusFiles();

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('stores every corpus message byte for byte (CRLF line ends, dot-unstuffed)', async () => {
    const c = await RawClient.connect(h.port());
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO corpus.test'), 250);
    for (const file of files) {
      const expected = toCrlf(fs.readFileSync(file));
      expectCode(await c.command('MAIL FROM:<corpus@example.com> BODY=8BITMIME'), 250);
      expectCode(await c.command('RCPT TO:<rcpt@example.com>'), 250);
      expectCode(await c.command('DATA'), 354);
      c.write(dotStuff(expected));
      const reply = await c.reply();
      expect(reply, file).toMatch(/^250 /);
      expect(Buffer.compare(h.messages.at(-1)!.raw, expected), file).toBe(0);
    }
    c.end();
  });
});
