// Per-listener AUTH with real clients: required AUTH for PLAIN (swaks), LOGIN and CRAM-MD5 (python smtplib,
// swaks), XOAUTH2 (nodemailer); the exact 235/535/530/538 replies, STARTTLS-required, and brute-force lockout.
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthMechanism, ListenerConfig } from '../../../src-main/capture/index.js';
import { RawClient, expectCode, run, startCapture, swaks, type Harness } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('../../fixtures/smtp/smtplib_auth.py', import.meta.url));
const CREDENTIALS = [{ username: 'alice', password: 's3cret', token: 'ya29.alice-token' }];
const ALL: AuthMechanism[] = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'];

const listeners: ListenerConfig[] = [
  // AUTH required, plaintext allowed so every mechanism can be driven without TLS noise.
  {
    id: 'auth',
    host: '127.0.0.1',
    port: 0,
    tls: 'starttls',
    auth: { policy: 'required', mechanisms: ALL, credentials: CREDENTIALS, allowPlaintext: true },
  },
  // The same, but plaintext AUTH is refused (the default once an auth block is given).
  {
    id: 'tlsauth',
    host: '127.0.0.1',
    port: 0,
    tls: 'starttls',
    auth: { policy: 'required', mechanisms: ALL, credentials: CREDENTIALS },
  },
  {
    id: 'mustls',
    host: '127.0.0.1',
    port: 0,
    tls: 'starttls-required',
    auth: { policy: 'optional', mechanisms: ['PLAIN'] },
  },
  {
    id: 'lock',
    host: '127.0.0.1',
    port: 0,
    tls: 'starttls',
    auth: {
      policy: 'required',
      mechanisms: ['PLAIN'],
      credentials: CREDENTIALS,
      allowPlaintext: true,
      lockout: { maxFailures: 3, windowSeconds: 600, lockSeconds: 300 },
    },
  },
  { id: 'noauth', host: '127.0.0.1', port: 0, tls: 'none', auth: { policy: 'off', mechanisms: [] } },
];

let h: Harness;
beforeAll(async () => {
  h = await startCapture({ listeners });
});
afterAll(async () => {
  await h.close();
});

interface PyAuth {
  ok: boolean;
  code?: number | null;
  error?: string;
  auth?: [number, string];
}

async function py(spec: Record<string, unknown>): Promise<PyAuth> {
  const res = await run('python3', [SCRIPT, JSON.stringify(spec)]);
  const line = res.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`smtplib script failed (exit ${res.code}): ${res.stderr}`);
  return JSON.parse(line) as PyAuth;
}

function oauth(port: number, accessToken: string) {
  return nodemailer
    .createTransport({ host: '127.0.0.1', port, ignoreTLS: true, auth: { type: 'OAuth2', user: 'alice', accessToken } })
    .sendMail({ from: 'alice@example.com', to: 'rcpt@example.com', subject: 'xoauth2', text: 'x' });
}

describe('AUTH required, each mechanism', () => {
  it('PLAIN (swaks): right credentials 235 and the user is recorded; wrong ones 535 5.7.8', async () => {
    const ok = await swaks(h.port('auth'), ['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 's3cret']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/<- {1,2}235 2\.7\.0 Authentication successful/);
    expect(h.messages.at(-1)!.envelope).toMatchObject({ authUser: 'alice', listener: 'auth' });
    const bad = await swaks(h.port('auth'), ['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'wrong']);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('535 5.7.8 Authentication credentials invalid');
  });

  it('LOGIN (python smtplib): accepted, then refused with 535 5.7.8', async () => {
    const before = h.messages.length;
    expect(await py({ port: h.port('auth'), mechanism: 'LOGIN', user: 'alice', password: 's3cret' })).toMatchObject({
      ok: true,
      auth: [235, expect.any(String)],
    });
    expect(h.messages.length).toBe(before + 1);
    expect(await py({ port: h.port('auth'), mechanism: 'LOGIN', user: 'alice', password: 'nope' })).toEqual({
      ok: false,
      code: 535,
      error: '5.7.8 Authentication credentials invalid',
    });
    expect(h.messages.length).toBe(before + 1);
  });

  it('CRAM-MD5 (python smtplib and swaks): accepted with the password, refused without', async () => {
    expect(await py({ port: h.port('auth'), mechanism: 'CRAM-MD5', user: 'alice', password: 's3cret' })).toMatchObject({
      ok: true,
      auth: [235, expect.any(String)],
    });
    expect(await py({ port: h.port('auth'), mechanism: 'CRAM-MD5', user: 'alice', password: 'bad' })).toEqual({
      ok: false,
      code: 535,
      error: '5.7.8 Authentication credentials invalid',
    });
    const ok = await swaks(h.port('auth'), ['--auth', 'CRAM-MD5', '--auth-user', 'alice', '--auth-password', 's3cret']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(h.messages.at(-1)!.envelope.authUser).toBe('alice');
    const bad = await swaks(h.port('auth'), [
      '--auth',
      'CRAM-MD5',
      '--auth-user',
      'mallory',
      '--auth-password',
      's3cret',
    ]);
    expect(bad.stdout).toContain('535 5.7.8 Authentication credentials invalid');
  });

  it('XOAUTH2 (nodemailer): the right token is accepted, another gets 535 5.7.8', async () => {
    const info = await oauth(h.port('auth'), 'ya29.alice-token');
    expect(info.response).toMatch(/^250 /);
    expect(h.messages.at(-1)!.envelope.authUser).toBe('alice');
    await expect(oauth(h.port('auth'), 'ya29.stolen')).rejects.toMatchObject({
      responseCode: 535,
      response: '535 5.7.8 Authentication credentials invalid',
    });
  });

  it('MAIL FROM without AUTH gets 530 5.7.0 Authentication required', async () => {
    const c = await RawClient.connect(h.port('auth'));
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO raw.test'), 250);
    expect(await c.command('MAIL FROM:<x@example.com>')).toBe('530 5.7.0 Authentication required\r\n');
    c.end();
  });
});

describe('AUTH and TLS', () => {
  it('refuses AUTH in plaintext with 538 5.7.11, and accepts it after STARTTLS', async () => {
    const c = await RawClient.connect(h.port('tlsauth'));
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO raw.test'), 250);
    expect(await c.command(`AUTH PLAIN ${Buffer.from('\0alice\0s3cret').toString('base64')}`)).toBe(
      '538 5.7.11 Encryption required for requested authentication mechanism\r\n',
    );
    c.end();
    const secure = await py({
      port: h.port('tlsauth'),
      starttls: true,
      mechanism: 'PLAIN',
      user: 'alice',
      password: 's3cret',
    });
    expect(secure).toMatchObject({ ok: true, auth: [235, expect.any(String)] });
    expect(h.messages.at(-1)!.envelope.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('STARTTLS required: MAIL and AUTH before it get 530 5.7.0, after it mail is accepted', async () => {
    const c = await RawClient.connect(h.port('mustls'));
    expectCode(await c.reply(), 220);
    expect(await c.command('EHLO raw.test')).toContain('STARTTLS');
    expect(await c.command('MAIL FROM:<x@example.com>')).toBe('530 5.7.0 Must issue a STARTTLS command first\r\n');
    expect(await c.command('AUTH PLAIN AGFsaWNlAHMzY3JldA==')).toBe(
      '530 5.7.0 Must issue a STARTTLS command first\r\n',
    );
    c.end();
    const res = await swaks(h.port('mustls'), ['--tls']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(h.messages.at(-1)!.envelope).toMatchObject({
      listener: 'mustls',
      tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/) },
    });
  });

  it("tls 'none' and auth 'off' advertise neither STARTTLS nor AUTH", async () => {
    const c = await RawClient.connect(h.port('noauth'));
    expectCode(await c.reply(), 220);
    const ehlo = await c.command('EHLO raw.test');
    expect(ehlo).not.toMatch(/STARTTLS|AUTH/);
    expect(await c.command('STARTTLS')).toMatch(/^500 /);
    c.end();
  });
});

describe('brute-force lockout', () => {
  it('after 3 failures the client gets 421 4.7.0 and the connection closes, even with the right password', async () => {
    const bad = `AUTH PLAIN ${Buffer.from('\0alice\0guess').toString('base64')}`;
    const c = await RawClient.connect(h.port('lock'));
    expectCode(await c.reply(), 220);
    expectCode(await c.command('EHLO raw.test'), 250);
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) replies.push(await c.command(bad));
    expect(replies).toEqual(Array(3).fill('535 5.7.8 Authentication credentials invalid\r\n'));
    expect(await c.command(`AUTH PLAIN ${Buffer.from('\0alice\0s3cret').toString('base64')}`)).toMatch(
      /^421 4\.7\.0 Too many failed authentication attempts; try again in \d+ seconds\r\n$/,
    );
    await c.waitClosed();
    // A new connection from the same address is refused at once.
    const again = await RawClient.connect(h.port('lock'));
    expect(await again.reply()).toMatch(
      /^421 4\.7\.0 Too many failed authentication attempts; try again in \d+ seconds/,
    );
    await again.waitClosed();
  });
});
