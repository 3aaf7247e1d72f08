// Capture server against nodemailer: plaintext, STARTTLS, implicit TLS, AUTH, Bcc and byte-exact raw messages.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startCapture();
});
afterAll(async () => {
  await h.close();
});

function transport(options: Record<string, unknown>) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    name: 'client.test',
    tls: { rejectUnauthorized: false },
    ...options,
  });
}

function last() {
  const m = h.messages.at(-1);
  if (!m) throw new Error('nothing recorded');
  return m;
}

describe('capture server with nodemailer', () => {
  it('takes a plaintext message and records the envelope', async () => {
    const info = await transport({ port: h.port(), ignoreTLS: true }).sendMail({
      from: 'sender@example.com',
      to: 'one@example.com, two@example.com',
      subject: 'plain hello',
      text: 'hello',
    });
    expect(info.response).toMatch(/^250 /);
    const { raw, envelope } = last();
    expect(raw.toString()).toContain('Subject: plain hello');
    expect(envelope).toMatchObject({
      mailFrom: 'sender@example.com',
      rcptTo: ['one@example.com', 'two@example.com'],
      heloName: 'client.test',
      clientAddress: '127.0.0.1',
      tls: null,
      authUser: null,
      listener: 'smtp',
    });
    expect(envelope.clientPort).toBeGreaterThan(0);
  });

  it('upgrades with STARTTLS and records protocol and cipher', async () => {
    await transport({ port: h.port(), requireTLS: true }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'starttls',
      text: 'x',
    });
    const { envelope } = last();
    expect(envelope.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(envelope.tls?.cipher).toBeTruthy();
  });

  it('takes mail on the implicit TLS listener', async () => {
    await transport({ port: h.port('smtps'), secure: true }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'implicit',
      text: 'x',
    });
    const { envelope, raw } = last();
    expect(raw.toString()).toContain('Subject: implicit');
    expect(envelope.listener).toBe('smtps');
    expect(envelope.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('accepts AUTH PLAIN over plaintext and records the user', async () => {
    await transport({
      port: h.port(),
      ignoreTLS: true,
      authMethod: 'PLAIN',
      auth: { user: 'alice', pass: 'anything' },
    }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'auth plain',
      text: 'x',
    });
    expect(last().envelope.authUser).toBe('alice');
  });

  it('accepts AUTH LOGIN after STARTTLS and records the user', async () => {
    await transport({
      port: h.port(),
      requireTLS: true,
      authMethod: 'LOGIN',
      auth: { user: 'bob@example.com', pass: 'wrong-is-fine' },
    }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'auth login',
      text: 'x',
    });
    expect(last().envelope.authUser).toBe('bob@example.com');
    expect(last().envelope.tls).not.toBeNull();
  });

  it('keeps Bcc recipients in the envelope and out of the headers', async () => {
    await transport({ port: h.port(), ignoreTLS: true }).sendMail({
      from: 'a@example.com',
      to: 'to@example.com',
      cc: 'cc@example.com',
      bcc: 'hidden@example.com',
      subject: 'bcc',
      text: 'x',
    });
    const { envelope, raw } = last();
    expect(envelope.rcptTo).toEqual(['to@example.com', 'cc@example.com', 'hidden@example.com']);
    expect(raw.toString()).not.toContain('hidden@example.com');
  });

  it('records the null sender as an empty mailFrom', async () => {
    await transport({ port: h.port(), ignoreTLS: true }).sendMail({
      envelope: { from: '', to: ['bounce@example.com'] },
      raw: 'Subject: dsn\r\n\r\nbounce\r\n',
    });
    expect(last().envelope.mailFrom).toBe('');
  });

  it('passes the raw bytes exactly, dot-unstuffed, without a Received header', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@example.com\r\nTo: b@example.com\r\nSubject: exact\r\n\r\n.leading dot\r\n..two dots\r\n'),
      Buffer.from([0xe9, 0xff, 0x80, 0x0d, 0x0a]),
      Buffer.from('.\tdot then tab\r\nlast line\r\n'),
    ]);
    await transport({ port: h.port(), ignoreTLS: true }).sendMail({
      envelope: { from: 'a@example.com', to: ['b@example.com'] },
      raw,
    });
    expect(Buffer.compare(last().raw, raw)).toBe(0);
  });

  it('reuses one pooled connection for many messages', async () => {
    const pool = transport({ port: h.port(), ignoreTLS: true, pool: true, maxConnections: 1 });
    const before = h.messages.length;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pool.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `pooled ${i}`, text: 'x' }),
      ),
    );
    pool.close();
    const ports = new Set(h.messages.slice(before).map((m) => m.envelope.clientPort));
    expect(h.messages.length - before).toBe(20);
    expect(ports.size).toBe(1);
  });
});
