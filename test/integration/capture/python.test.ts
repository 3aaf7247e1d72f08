// Capture server against Python's smtplib: plaintext, STARTTLS, SMTP_SSL, 8-bit bodies and SMTPUTF8 addresses.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startCapture, type Harness } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('../../fixtures/smtp/smtplib_send.py', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await startCapture();
});
afterAll(async () => {
  await h.close();
});

interface PyResult {
  ok: boolean;
  error?: string;
  features?: string[];
  tls?: string | null;
}

async function send(spec: Record<string, unknown>, message: Buffer): Promise<PyResult> {
  const res = await run('python3', [SCRIPT, JSON.stringify({ ...spec, message_b64: message.toString('base64') })]);
  const line = res.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`smtplib script failed (exit ${res.code}): ${res.stderr}`);
  return JSON.parse(line) as PyResult;
}

const simple = Buffer.from(
  'From: py@example.com\nTo: rcpt@example.com\nSubject: from python\n\nline one\n.line with a dot\n',
);

describe('capture server with python smtplib', () => {
  it('takes a plaintext message; dots and bare LFs arrive exactly as the client sent them', async () => {
    const result = await send(
      { port: h.port(), mode: 'plain', from: 'py@example.com', to: ['rcpt@example.com'] },
      simple,
    );
    expect(result).toMatchObject({ ok: true });
    expect(result.features).toEqual(
      expect.arrayContaining(['8bitmime', 'smtputf8', 'pipelining', 'size', 'starttls', 'auth']),
    );
    const m = h.messages.at(-1)!;
    // smtplib sends bytes as given (bare LFs too) and adds the final CRLF; the server keeps every byte.
    expect(m.raw.toString('latin1')).toBe(simple.toString('latin1') + '\r\n');
    expect(m.envelope).toMatchObject({
      mailFrom: 'py@example.com',
      rcptTo: ['rcpt@example.com'],
      heloName: 'py.test',
      tls: null,
    });
  });

  it('upgrades with STARTTLS and logs in', async () => {
    const result = await send(
      {
        port: h.port(),
        mode: 'starttls',
        from: 'py@example.com',
        to: ['rcpt@example.com'],
        user: 'pyuser',
        password: 'pw',
      },
      simple,
    );
    expect(result).toMatchObject({ ok: true });
    expect(result.tls).toMatch(/^TLSv1\.[23]$/);
    const m = h.messages.at(-1)!;
    expect(m.envelope.tls?.protocol).toBe(result.tls);
    expect(m.envelope.authUser).toBe('pyuser');
  });

  it('speaks implicit TLS with SMTP_SSL', async () => {
    const result = await send(
      { port: h.port('smtps'), mode: 'ssl', from: 'py@example.com', to: ['rcpt@example.com'] },
      simple,
    );
    expect(result).toMatchObject({ ok: true });
    const m = h.messages.at(-1)!;
    expect(m.envelope.listener).toBe('smtps');
    expect(m.envelope.tls?.protocol).toBe(result.tls);
  });

  it('keeps raw 8-bit bytes of a BODY=8BITMIME message', async () => {
    const body = Buffer.concat([
      Buffer.from('Subject: 8bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf'),
      Buffer.from([0xe9, 0x20, 0xa4, 0xff]),
      Buffer.from('\r\n'),
    ]);
    const result = await send(
      {
        port: h.port(),
        mode: 'plain',
        from: 'py@example.com',
        to: ['rcpt@example.com'],
        mail_options: ['BODY=8BITMIME'],
      },
      body,
    );
    expect(result).toMatchObject({ ok: true });
    expect(Buffer.compare(h.messages.at(-1)!.raw, body)).toBe(0);
  });

  it('accepts UTF-8 addresses when the client says SMTPUTF8', async () => {
    const body = Buffer.from(
      'From: üser@exämple.org\r\nTo: 受取人@例え.jp\r\nSubject: ünïcode\r\n\r\nhéllo\r\n',
      'utf8',
    );
    const result = await send(
      { port: h.port(), mode: 'plain', from: 'üser@exämple.org', to: ['受取人@例え.jp'], mail_options: ['SMTPUTF8'] },
      body,
    );
    expect(result).toMatchObject({ ok: true });
    const m = h.messages.at(-1)!;
    expect(m.envelope.mailFrom).toBe('üser@exämple.org');
    expect(m.envelope.rcptTo).toEqual(['受取人@例え.jp']);
    expect(Buffer.compare(m.raw, body)).toBe(0);
  });
});
