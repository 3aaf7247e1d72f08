// The onData handler on its own: chunks joined once, oversized messages never reach the sink, a stream
// destroyed mid-message stores nothing, and the envelope mapping from an smtp-server session.
import { PassThrough } from 'node:stream';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src-shared/index.js';
import { silentLogger } from '../../../src-main/smtp/log.js';
import { SmtpReply, TlsRegistry, createDataHandler, toEnvelope } from '../../../src-main/smtp/transaction.js';

function session(overrides: Partial<SMTPServerSession> = {}): SMTPServerSession {
  return {
    id: 's1',
    remoteAddress: '127.0.0.1',
    remotePort: 5555,
    hostNameAppearsAs: 'client.test',
    secure: false,
    user: false,
    envelope: { mailFrom: { address: 'a@example.com', args: false }, rcptTo: [{ address: 'b@example.com', args: false }, { address: 'c@example.com', args: false }] },
    ...overrides,
  } as unknown as SMTPServerSession;
}

function dataStream(): SMTPServerDataStream {
  return Object.assign(new PassThrough(), { byteLength: 0, sizeExceeded: false });
}

function runHandler(maxMessageBytes: number, feed: (s: SMTPServerDataStream) => void) {
  const ingested: { raw: Buffer; envelope: Envelope }[] = [];
  const handler = createDataHandler({
    listener: 'smtp',
    maxMessageBytes,
    tls: new TlsRegistry(),
    logger: silentLogger,
    sink: { ingest: async (raw, envelope) => (ingested.push({ raw, envelope }), { id: ingested.length }) },
  });
  const stream = dataStream();
  const reply = new Promise<{ err: Error | null | undefined; message: string | undefined }>((resolve) => {
    handler(stream, session(), (err, message) => resolve({ err, message }));
  });
  feed(stream);
  return { ingested, reply };
}

describe('createDataHandler', () => {
  it('joins the chunks into the exact bytes and replies with the stored id', async () => {
    const { ingested, reply } = runHandler(1000, (s) => {
      s.write(Buffer.from('Subject: a\r\n'));
      s.write(Buffer.from([0xff, 0x00, 0x0d, 0x0a]));
      s.end(Buffer.from('end\r\n'));
    });
    expect(await reply).toEqual({ err: null, message: 'OK: queued as 1' });
    expect(ingested[0]!.raw).toEqual(Buffer.concat([Buffer.from('Subject: a\r\n'), Buffer.from([0xff, 0x00, 0x0d, 0x0a]), Buffer.from('end\r\n')]));
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

describe('toEnvelope', () => {
  it('maps the session, with the null sender as empty string', () => {
    const s = session({ envelope: { mailFrom: { address: '', args: false }, rcptTo: [{ address: 'x@example.com', args: false }] } });
    expect(toEnvelope(s, 'smtp', null)).toEqual({
      mailFrom: '', rcptTo: ['x@example.com'], heloName: 'client.test', clientAddress: '127.0.0.1', clientPort: 5555, tls: null, authUser: null, listener: 'smtp',
    });
  });

  it('reads the AUTH user and TLS details', () => {
    const s = session({ user: { username: 'alice' }, secure: true });
    expect(toEnvelope(s, 'smtps', { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' })).toMatchObject({
      authUser: 'alice', tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, rcptTo: ['b@example.com', 'c@example.com'],
    });
  });
});
