// The reply after DATA follows the sink: 250 only once ingest resolved, 451 when it rejected, 552 over the size
// limit with nothing handed to the sink. The server keeps serving after each.
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src-shared/index.js';
import { RawClient, expectCode, openData, startCapture } from './helpers.js';

const small = 'Subject: small\r\n\r\nbody\r\n';

describe('size limit', () => {
  it('answers 552 to a message over maxMessageBytes, stores nothing, and takes the next one', async () => {
    const h = await startCapture({ maxMessageBytes: 1000 });
    try {
      const c = await openData(h.port());
      c.write(`Subject: big\r\n\r\n${'x'.repeat(78)}\r\n`.repeat(40) + '.\r\n');
      const reply = await c.reply();
      expect(reply).toMatch(/^552 5\.3\.4 .*1000/);
      expect(h.messages).toHaveLength(0);
      // Same session, next transaction.
      expectCode(await c.command('MAIL FROM:<raw@example.com>'), 250);
      expectCode(await c.command('RCPT TO:<rcpt@example.com>'), 250);
      expectCode(await c.command('DATA'), 354);
      c.write(small + '.\r\n');
      expect(await c.reply()).toMatch(/^250 /);
      expect(h.messages.map((m) => m.raw.toString())).toEqual([small]);
      c.end();
    } finally {
      await h.close();
    }
  });

  it('advertises SIZE and refuses a MAIL FROM that declares too much', async () => {
    const h = await startCapture({ maxMessageBytes: 1000 });
    try {
      const c = await RawClient.connect(h.port());
      await c.reply();
      const ehlo = await c.command('EHLO raw.test');
      expect(ehlo).toMatch(/^250[- ]SIZE 1000\r$/m);
      expect(ehlo).toMatch(/^250[- ]8BITMIME\r$/m);
      expect(ehlo).toMatch(/^250[- ]SMTPUTF8\r$/m);
      expect(ehlo).toMatch(/^250[- ]PIPELINING\r$/m);
      expect(ehlo).toMatch(/^250[- ]STARTTLS\r$/m);
      expect(await c.command('MAIL FROM:<raw@example.com> SIZE=5000')).toMatch(/^552 /);
      c.end();
    } finally {
      await h.close();
    }
  });

  it('tells nodemailer 552 and keeps the limit at the default of 50 MB otherwise', async () => {
    const h = await startCapture({ maxMessageBytes: 2048 });
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port(), ignoreTLS: true });
      await expect(
        t.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'y'.repeat(5000) }),
      ).rejects.toMatchObject({ responseCode: 552 });
      expect(h.messages).toHaveLength(0);
    } finally {
      await h.close();
    }
    const d = await startCapture();
    try {
      const c = await RawClient.connect(d.port());
      await c.reply();
      expect(await c.command('EHLO raw.test')).toContain(`SIZE ${50 * 1024 * 1024}`);
      c.end();
    } finally {
      await d.close();
    }
  });
});

describe('the reply waits for the sink', () => {
  it('sends 250 only after ingest resolved', async () => {
    let invoked!: () => void;
    const sinkInvoked = new Promise<void>((r) => (invoked = r));
    let resolveIngest!: (v: { id: number }) => void;
    const seen: Envelope[] = [];
    const h = await startCapture({
      sink: {
        ingest: (_raw, envelope) => {
          seen.push(envelope);
          invoked();
          return new Promise((r) => (resolveIngest = r));
        },
      },
    });
    try {
      const c = await openData(h.port());
      c.write(small + '.\r\n');
      await sinkInvoked;
      // A full round trip on another session: had the 250 been written, it would have arrived by now.
      const other = await RawClient.connect(h.port());
      await other.reply();
      expectCode(await other.command('NOOP'), 250);
      other.end();
      expect(c.unread).toBe('');
      resolveIngest({ id: 77 });
      expect(await c.reply()).toMatch(/^250 2\.6\.0 OK: queued as 77\r\n$/);
      expect(seen).toHaveLength(1);
      c.end();
    } finally {
      await h.close();
    }
  });

  it('does not call nodemailer back before the sink resolved', async () => {
    let invoked!: () => void;
    const sinkInvoked = new Promise<void>((r) => (invoked = r));
    let resolveIngest!: (v: { id: number }) => void;
    const h = await startCapture({ sink: { ingest: () => (invoked(), new Promise((r) => (resolveIngest = r))) } });
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port(), ignoreTLS: true });
      let settled = false;
      const sent = t
        .sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' })
        .finally(() => (settled = true));
      await sinkInvoked;
      const probe = await RawClient.connect(h.port());
      await probe.reply();
      expectCode(await probe.command('NOOP'), 250);
      probe.end();
      expect(settled).toBe(false);
      resolveIngest({ id: 1 });
      await expect(sent).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) });
    } finally {
      await h.close();
    }
  });

  it('answers 451 4.3.0 when ingest rejects, and keeps serving', async () => {
    let fail = true;
    const stored: Buffer[] = [];
    const h = await startCapture({
      sink: {
        ingest: async (raw) => {
          if (fail) throw new Error('disk full\nwith a second line that must not reach the client');
          stored.push(raw);
          return { id: stored.length };
        },
      },
    });
    try {
      const c = await openData(h.port());
      c.write(small + '.\r\n');
      const reply = await c.reply();
      expect(reply).toMatch(/^451 4\.3\.0 .*disk full\r\n$/);
      expect(reply).not.toContain('second line');
      fail = false;
      expectCode(await c.command('MAIL FROM:<raw@example.com>'), 250);
      expectCode(await c.command('RCPT TO:<rcpt@example.com>'), 250);
      expectCode(await c.command('DATA'), 354);
      c.write(small + '.\r\n');
      expect(await c.reply()).toMatch(/^250 /);
      c.end();
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port(), ignoreTLS: true });
      await t.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'after' });
      expect(stored).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('answers 451 when ingest throws synchronously', async () => {
    const h = await startCapture({
      sink: {
        ingest: () => {
          throw new Error('not a promise');
        },
      },
    });
    try {
      const c = await openData(h.port());
      c.write(small + '.\r\n');
      expect(await c.reply()).toMatch(/^451 4\.3\.0 .*not a promise/);
      expectCode(await c.command('NOOP'), 250);
      c.end();
    } finally {
      await h.close();
    }
  });
});
