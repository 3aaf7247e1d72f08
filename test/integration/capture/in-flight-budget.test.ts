// The in-flight byte budget with real clients on loopback and a real store: one budget across listeners, a message
// that would pass it gets 452 4.3.1 at the final dot and is not stored, mail already held is stored whole, and the
// budget is whole again afterwards. The flood is the scaled-down form of `npm run bench -- --only flood`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListenerConfig } from '../../../src-main/capture/index.js';
import { Store } from '../../../src-main/store/index.js';
import { dotStuff, expectCode, openData, startCapture, type Harness } from './helpers.js';

const MIB = 1024 * 1024;
const LISTENERS: ListenerConfig[] = [
  { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' },
  { id: 'second', host: '127.0.0.1', port: 0, tls: 'none' },
];
/** The shared options as apply() gets them from settings; the same values, so apply() restarts nothing. */
const SHARED = { hostname: 'mailwright', maxMessageBytes: 50 * MIB, earlyTalkerDelayMs: 0 };
/** Every wait below is for the server to read bytes already on loopback; minutes means it is broken, not slow. */
const WAIT_MS = 60_000;

/** A message of exactly `size` bytes (CRLF lines, ending in CRLF), its number in the subject and every line. */
function message(n: number, size: number): Buffer {
  const head = `From: flood@example.test\r\nTo: sink@example.test\r\nSubject: budget ${n}\r\n\r\n`;
  const line = `${String(n).padStart(4, '0')} ${'x'.repeat(72)}\r\n`;
  let body = line.repeat(Math.ceil((size - head.length) / line.length));
  body = body.slice(0, size - head.length - 2) + '\r\n';
  return Buffer.from(head + body, 'latin1');
}

/** Waits (bounded) for a state of the server that follows from bytes the clients already wrote. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let harness: Harness | null = null;
let store: Store | null = null;
let dataDir: string | null = null;

async function start(maxInFlightBytes: number): Promise<{ h: Harness; store: Store }> {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-budget-'));
  const s = Store.open({ dataDir });
  store = s;
  harness = await startCapture({
    dataDir,
    listeners: LISTENERS,
    ...SHARED,
    maxInFlightBytes,
    sink: { ingest: async (raw, envelope) => ({ id: (await s.ingest(raw, envelope)).id }) },
  });
  return { h: harness, store: s };
}

afterEach(async () => {
  await harness?.close();
  await store?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  harness = null;
  store = null;
  dataDir = null;
});

describe('in-flight byte budget', () => {
  it('refuses with 452 4.3.1 the message that would pass the budget of both listeners, and stores the held ones whole', async () => {
    const { h, store: s } = await start(MIB);
    const a = message(1, 450_000);
    const b = message(2, 450_000);
    const c = message(3, 450_000);
    const small = message(4, 50_000);
    // A and B, on different listeners, send their whole message but not the final dot: they hold ~900 KB.
    const clientA = await openData(h.port('smtp'));
    const clientB = await openData(h.port('second'));
    clientA.write(a);
    clientB.write(b);
    // smtp-server holds back the last 4 bytes until it sees what follows them.
    await until('A and B to be read', () => h.server.inFlight().bytes >= a.length + b.length - 8);

    const clientC = await openData(h.port('smtp'));
    clientC.write(dotStuff(c));
    expect(await clientC.reply()).toMatch(/^452 4\.3\.1 Insufficient system storage/);
    expect(h.server.inFlight().refused).toBe(1);
    // Small mail still fits beside what is held, on either listener.
    const clientD = await openData(h.port('second'));
    clientD.write(dotStuff(small));
    expectCode(await clientD.reply(), 250);

    clientA.write('.\r\n');
    clientB.write('.\r\n');
    expectCode(await clientA.reply(), 250);
    expectCode(await clientB.reply(), 250);
    expect(h.server.inFlight().bytes).toBe(0);

    // The refused client retries in the same session, as its queue would, and now fits.
    expectCode(await clientC.command('MAIL FROM:<raw@example.com>'), 250);
    expectCode(await clientC.command('RCPT TO:<rcpt@example.com>'), 250);
    expectCode(await clientC.command('DATA'), 354);
    clientC.write(dotStuff(c));
    expectCode(await clientC.reply(), 250);
    for (const client of [clientA, clientB, clientC, clientD]) client.end();

    const stored = s.list({ limit: 10 }).messages.map((m) => s.raw(m.id));
    expect(stored.map((raw) => raw.toString('latin1').match(/Subject: (budget \d)/)?.[1]).sort()).toEqual([
      'budget 1',
      'budget 2',
      'budget 3',
      'budget 4',
    ]);
    for (const sent of [a, b, c, small]) expect(stored.some((raw) => raw.equals(sent))).toBe(true);
    expect(h.server.inFlight().bytes).toBe(0);
  });

  it('survives a flood of concurrent large streams past the budget: each gets 250 or 452, the 250s are stored whole', async () => {
    const STREAMS = 12;
    const HELD = 500_000;
    const SIZE = 600_000;
    const { h, store: s } = await start(2 * MIB);
    const messages = Array.from({ length: STREAMS }, (_, i) => message(i, SIZE));
    // Each stream writes its first HELD bytes, then waits: 12 x 500 KB is three times the budget.
    const streams = messages.map((m) => {
      const stream = new PassThrough();
      stream.write(m.subarray(0, HELD));
      return stream;
    });
    const transports = messages.map((_, i) =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: h.port(i % 2 ? 'second' : 'smtp'),
        ignoreTLS: true,
        socketTimeout: WAIT_MS,
      }),
    );
    const outcomes = messages.map((_, i) =>
      transports[i]!.sendMail({
        envelope: { from: 'flood@example.test', to: ['sink@example.test'] },
        raw: streams[i]!,
      }).then(
        (info) => ({ i, code: 250, text: info.response }),
        (err: { responseCode?: number; response?: string; message: string }) => ({
          i,
          code: err.responseCode ?? 0,
          text: err.response ?? err.message,
        }),
      ),
    );
    // Once the server has refused one of them, the flood is past the budget for sure; then the rest flows.
    await until('a stream to be refused', () => h.server.inFlight().refused >= 1);
    expect(h.server.inFlight().bytes).toBeLessThanOrEqual(2 * MIB);
    // The process keeps answering while the streams are held: the store serves a page.
    expect(s.list({ limit: 1 }).messages).toEqual([]);
    messages.forEach((m, i) => streams[i]!.end(m.subarray(HELD)));
    const results = await Promise.all(outcomes);

    const accepted = results.filter((r) => r.code === 250);
    const refused = results.filter((r) => r.code === 452);
    expect(
      accepted.length + refused.length,
      JSON.stringify(results.filter((r) => r.code !== 250 && r.code !== 452)),
    ).toBe(STREAMS);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(r.text).toMatch(/^452 4\.3\.1 /);
    expect(h.server.inFlight().bytes).toBe(0);

    // Stored: exactly the accepted ones, byte for byte.
    const stored = s.list({ limit: 100 }).messages.map((m) => s.raw(m.id));
    expect(stored).toHaveLength(accepted.length);
    for (const r of accepted) expect(stored.some((raw) => raw.equals(messages[r.i]!))).toBe(true);

    // Nothing is stuck: the refused ones go through now, one after the other.
    for (const r of refused) {
      const info = await transports[r.i]!.sendMail({
        envelope: { from: 'flood@example.test', to: ['sink@example.test'] },
        raw: messages[r.i]!,
      });
      expect(info.response).toMatch(/^250 /);
    }
    expect(s.list({ limit: 100 }).messages).toHaveLength(STREAMS);
    for (const t of transports) t.close();
  });

  it('takes a new limit from apply() without a restart, and refuses a budget that is not a positive integer', async () => {
    const { h } = await start(MIB);
    const before = h.port('smtp');
    await h.server.apply(LISTENERS, { ...SHARED, maxInFlightBytes: 3 * MIB });
    expect(h.server.inFlight().limit).toBe(3 * MIB);
    expect(h.port('smtp')).toBe(before);
    await expect(h.server.apply(LISTENERS, { ...SHARED, maxInFlightBytes: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'maxInFlightBytes',
    });
    expect(h.server.inFlight().limit).toBe(3 * MIB);
  });
});
