// CaptureServer.apply(): only changed listeners restart (an unchanged listener's open session survives and
// delivers afterwards), new ones start, removed ones stop, a port in use fails only that listener, and an
// invalid config throws a field error while the running listeners stay as they were.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListenerConfig } from '../../../src-main/capture/index.js';
import { RawClient, expectCode, startCapture, type Harness } from './helpers.js';

const A: ListenerConfig = { id: 'a', host: '127.0.0.1', port: 0, tls: 'starttls' };
const B: ListenerConfig = { id: 'b', host: '127.0.0.1', port: 0, tls: 'starttls' };

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function deliver(c: RawClient, subject: string): Promise<string> {
  expectCode(await c.command('MAIL FROM:<a@example.test>'), 250);
  expectCode(await c.command('RCPT TO:<b@example.test>'), 250);
  expectCode(await c.command('DATA'), 354);
  return c.command(`Subject: ${subject}\r\n\r\nbody\r\n.`);
}

describe('CaptureServer.apply', () => {
  it('restarts only the changed listener; the unchanged one keeps its open session', async () => {
    h = await startCapture({ listeners: [A, B] });
    const aPort = h.port('a');
    const bPort = h.port('b');
    const kept = await RawClient.connect(aPort);
    expectCode(await kept.reply(), 220);
    expectCode(await kept.command('EHLO kept.test'), 250);
    const doomed = await RawClient.connect(bPort);
    expectCode(await doomed.reply(), 220);
    const before = h.messages.length;

    const status = await h.server.apply([
      A,
      { ...B, limits: { maxRecipients: 5 } },
      { id: 'c', host: '127.0.0.1', port: 0, tls: 'implicit' },
    ]);
    expect(status.map((s) => [s.id, s.state])).toEqual([
      ['a', 'listening'],
      ['b', 'listening'],
      ['c', 'listening'],
    ]);
    expect(h.port('a')).toBe(aPort);

    // The session opened before apply() delivers on the same socket afterwards.
    expect(await deliver(kept, 'across apply')).toMatch(/^250 /);
    expect(h.messages.length).toBe(before + 1);
    expect(h.messages.at(-1)!.raw.toString()).toContain('Subject: across apply');
    kept.end();
    // The changed listener's old session was told 421 and closed.
    await doomed.waitClosed();
    expect(doomed.unread).toMatch(/^421 /);
  });

  it('stops a removed listener and leaves the rest running', async () => {
    h = await startCapture({ listeners: [A, B] });
    const bPort = h.port('b');
    const status = await h.server.apply([A]);
    expect(status.map((s) => s.id)).toEqual(['a']);
    await expect(RawClient.connect(bPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const c = await RawClient.connect(h.port('a'));
    expectCode(await c.reply(), 220);
    c.end();
  });

  it('a port in use changes nothing: the running listener keeps its port and its open session', async () => {
    h = await startCapture({ listeners: [A] });
    const aPort = h.port('a');
    const open = await RawClient.connect(aPort);
    expectCode(await open.reply(), 220);
    expectCode(await open.command('EHLO open.test'), 250);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await h.server
        .apply([
          { ...A, limits: { maxRecipients: 3 } },
          { ...B, port: taken },
        ])
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ code: 'conflict', field: 'listeners.1.port' });
      expect((err as Error).message).toContain(`127.0.0.1:${taken}`);
      expect((err as Error).message).toMatch(/already in use/);
      expect(h.server.status().map((s) => [s.id, s.state, s.port])).toEqual([['a', 'listening', aPort]]);
      expect(await deliver(open, 'across a refused apply')).toMatch(/^250 /);
      open.end();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('an invalid config throws a field-named error and keeps the running listeners', async () => {
    h = await startCapture({ listeners: [A, B] });
    const aPort = h.port('a');
    await expect(h.server.apply([A, { ...B, limits: { allowClients: ['10.0.0.0/33'] } }])).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'listeners.1.limits.allowClients',
      message: '[smtp] listener "b": allowClients: "10.0.0.0/33" has a bad prefix length',
    });
    await expect(h.server.apply([A, { ...B, limits: { senderDeny: [''] } }])).rejects.toMatchObject({
      field: 'listeners.1.limits.senderDeny',
    });
    await expect(h.server.apply([A, A])).rejects.toMatchObject({ field: 'listeners.1.id' });
    expect(h.server.status().map((s) => [s.id, s.state, s.port === aPort || s.id !== 'a'])).toEqual([
      ['a', 'listening', true],
      ['b', 'listening', true],
    ]);
  });

  it('apply() before start() only replaces the set; start() then opens it', async () => {
    h = await startCapture({ listeners: [A] });
    await h.server.stop();
    await h.server.apply([B]);
    expect(h.server.status().map((s) => [s.id, s.state])).toEqual([['b', 'stopped']]);
    await h.server.start();
    expect(h.server.status().map((s) => [s.id, s.state])).toEqual([['b', 'listening']]);
  });
});
