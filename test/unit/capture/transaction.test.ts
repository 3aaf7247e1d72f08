// The onData handler on its own: chunks joined once, oversized messages never reach the sink, a stream
// destroyed mid-message stores nothing, the in-flight budget is taken and always given back, and the envelope
// mapping from an smtp-server session.
import { PassThrough } from 'node:stream';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src-shared/index.js';
import { InFlightBudget } from '../../../src-main/capture/in-flight.js';
import { silentLogger } from '../../../src-main/capture/log.js';
import {
  OVER_BUDGET_REPLY,
  SmtpReply,
  TlsRegistry,
  createDataHandler,
  toEnvelope,
  type MessageSink,
} from '../../../src-main/capture/transaction.js';

function session(overrides: Partial<SMTPServerSession> = {}): SMTPServerSession {
  return {
    id: 's1',
    remoteAddress: '127.0.0.1',
    remotePort: 5555,
    hostNameAppearsAs: 'client.test',
    secure: false,
    user: false,
    envelope: {
      mailFrom: { address: 'a@example.com', args: false },
      rcptTo: [
        { address: 'b@example.com', args: false },
        { address: 'c@example.com', args: false },
      ],
    },
    ...overrides,
  } as unknown as SMTPServerSession;
}

function dataStream(): SMTPServerDataStream {
  return Object.assign(new PassThrough(), { byteLength: 0, sizeExceeded: false });
}

function runHandler(
  maxMessageBytes: number,
  feed: (s: SMTPServerDataStream) => void,
  o: { budget?: InFlightBudget; sink?: MessageSink } = {},
) {
  const ingested: { raw: Buffer; envelope: Envelope }[] = [];
  const handler = createDataHandler({
    listener: 'smtp',
    maxMessageBytes,
    budget: o.budget ?? new InFlightBudget(1024 * 1024),
    tls: new TlsRegistry(),
    logger: silentLogger,
    sink: o.sink ?? { ingest: async (raw, envelope) => (ingested.push({ raw, envelope }), { id: ingested.length }) },
  });
  const stream = dataStream();
  const reply = new Promise<{ err: Error | null | undefined; message: string | undefined }>((resolve) => {
    handler(stream, session(), (err, message) => resolve({ err, message }));
  });
  feed(stream);
  return { ingested, reply };
}

describe('createDataHandler', () => {
  it('logs a throw from the reply handler instead of leaving an unhandled rejection', async () => {
    let logged!: (line: string) => void;
    const errorLine = new Promise<string>((resolve) => (logged = resolve));
    const handler = createDataHandler({
      listener: 'smtp',
      maxMessageBytes: 1000,
      budget: new InFlightBudget(1024 * 1024),
      tls: new TlsRegistry(),
      logger: { ...silentLogger, error: (line) => logged(line) },
      sink: { ingest: () => Promise.resolve({ id: 7 }) },
    });
    const stream = dataStream();
    handler(stream, session(), () => {
      throw new Error('reply socket gone');
    });
    stream.end(Buffer.from('Subject: a\r\n\r\nbody\r\n'));
    expect(await errorLine).toBe('listener "smtp": a reply handler for 127.0.0.1 failed: reply socket gone');
  });

  it('joins the chunks into the exact bytes and replies with the stored id', async () => {
    const { ingested, reply } = runHandler(1000, (s) => {
      s.write(Buffer.from('Subject: a\r\n'));
      s.write(Buffer.from([0xff, 0x00, 0x0d, 0x0a]));
      s.end(Buffer.from('end\r\n'));
    });
    expect(await reply).toEqual({ err: null, message: 'OK: queued as 1' });
    expect(ingested[0]!.raw).toEqual(
      Buffer.concat([Buffer.from('Subject: a\r\n'), Buffer.from([0xff, 0x00, 0x0d, 0x0a]), Buffer.from('end\r\n')]),
    );
  });

  it('answers 552 and hands nothing to the sink when over the limit', async () => {
    const { ingested, reply } = runHandler(10, (s) => {
      s.write(Buffer.alloc(8, 'a'));
      s.write(Buffer.alloc(8, 'b'));
      s.end(Buffer.alloc(8, 'c'));
    });
    const { err } = await reply;
    expect(err).toBeInstanceOf(SmtpReply);
    expect((err as SmtpReply).responseCode).toBe(552);
    expect(ingested).toHaveLength(0);
  });

  it('stores nothing when the stream is destroyed mid-message', async () => {
    let settled = false;
    const { ingested, reply } = runHandler(1000, (s) => {
      s.write(Buffer.from('partial'));
      s.destroy(new Error('client gone'));
    });
    void reply.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(ingested).toHaveLength(0);
    expect(settled).toBe(false);
  });
});

describe('createDataHandler with the in-flight budget', () => {
  it('holds the bytes until the store answers, then gives them back', async () => {
    const budget = new InFlightBudget(100);
    let finishStore: (() => void) | undefined;
    const sink: MessageSink = { ingest: () => new Promise((resolve) => (finishStore = () => resolve({ id: 7 }))) };
    const { reply } = runHandler(
      1000,
      (s) => {
        s.write(Buffer.alloc(30, 'a'));
        s.end(Buffer.alloc(20, 'b'));
      },
      { budget, sink },
    );
    await new Promise((r) => setImmediate(r));
    expect(finishStore).toBeDefined();
    expect(budget.used).toBe(50);
    finishStore!();
    expect(await reply).toEqual({ err: null, message: 'OK: queued as 7' });
    expect(budget.used).toBe(0);
  });

  it('answers 452 4.3.1 past the budget, stores nothing, and leaves what others hold alone', async () => {
    const budget = new InFlightBudget(100);
    expect(budget.tryTake(60)).toBe(true); // another transaction's bytes
    const { ingested, reply } = runHandler(
      1000,
      (s) => {
        s.write(Buffer.alloc(30, 'a'));
        s.write(Buffer.alloc(30, 'b')); // 60 + 60 > 100: refused from here on
        s.end(Buffer.alloc(30, 'c'));
      },
      { budget },
    );
    const { err } = await reply;
    expect(err).toBeInstanceOf(SmtpReply);
    expect((err as SmtpReply).responseCode).toBe(452);
    expect(err!.message).toBe(OVER_BUDGET_REPLY);
    expect(err!.message.startsWith('4.3.1 ')).toBe(true);
    expect(ingested).toHaveLength(0);
    expect(budget.used).toBe(60);
    expect(budget.refused).toBe(1);
  });

  it('gives the bytes back when the client goes away mid-message', async () => {
    const budget = new InFlightBudget(100);
    const stream = dataStream();
    createDataHandler({
      listener: 'smtp',
      maxMessageBytes: 1000,
      budget,
      tls: new TlsRegistry(),
      logger: silentLogger,
      sink: { ingest: () => Promise.reject(new Error('never called')) },
    })(stream, session(), () => undefined);
    stream.write(Buffer.alloc(40));
    await new Promise((r) => setImmediate(r));
    expect(budget.used).toBe(40);
    // smtp-server destroys the stream without an error when nothing listens for one; the handler must not rely on it.
    stream.destroy();
    await new Promise((r) => setImmediate(r));
    expect(budget.used).toBe(0);
  });

  it('gives the bytes back when the store fails or the message is too large', async () => {
    const budget = new InFlightBudget(100);
    const failed = runHandler(1000, (s) => s.end(Buffer.alloc(50)), {
      budget,
      sink: { ingest: () => Promise.reject(new Error('disk full')) },
    });
    expect(((await failed.reply).err as SmtpReply).responseCode).toBe(451);
    expect(budget.used).toBe(0);
    const oversized = runHandler(
      60,
      (s) => {
        s.write(Buffer.alloc(50));
        s.end(Buffer.alloc(50));
      },
      { budget },
    );
    expect(((await oversized.reply).err as SmtpReply).responseCode).toBe(552);
    expect(budget.used).toBe(0);
  });
});

describe('toEnvelope', () => {
  it('maps the session, with the null sender as empty string', () => {
    const s = session({
      envelope: { mailFrom: { address: '', args: false }, rcptTo: [{ address: 'x@example.com', args: false }] },
    });
    expect(toEnvelope(s, 'smtp', null)).toEqual({
      mailFrom: '',
      rcptTo: ['x@example.com'],
      heloName: 'client.test',
      clientAddress: '127.0.0.1',
      clientPort: 5555,
      tls: null,
      authUser: null,
      listener: 'smtp',
    });
  });

  it('reads the AUTH user and TLS details', () => {
    const s = session({ user: { username: 'alice' }, secure: true });
    expect(toEnvelope(s, 'smtps', { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' })).toMatchObject({
      authUser: 'alice',
      tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
      rcptTo: ['b@example.com', 'c@example.com'],
    });
  });
});
