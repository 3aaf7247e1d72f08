// Session recording with real clients: the transcript keeps commands and replies in order, elides AUTH
// secrets (PLAIN, LOGIN, XOAUTH2) and message data, and links the delivered message; the filters find
// failed AUTH, rejected sessions and a client address.
import Database from 'better-sqlite3';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, swaks } from './helpers.js';
import { startCore, type SessionHarness } from '../../helpers/session-core.js';

const SCRIPT = fileURLToPath(new URL('../../fixtures/smtp/smtplib_auth.py', import.meta.url));
const PASSWORD = 'Zebra-Passw0rd-4711';
const TOKEN = 'ya29.token-never-stored';
const BODY_MARKER = 'body-marker-never-in-a-session';
const CREDENTIALS = [{ username: 'alice', password: PASSWORD, token: TOKEN }];

let h: SessionHarness;
beforeAll(async () => {
  h = await startCore({
    listeners: [
      {
        id: 'sub',
        host: '127.0.0.1',
        port: 0,
        tls: 'none',
        auth: {
          policy: 'required',
          mechanisms: ['PLAIN', 'LOGIN', 'XOAUTH2'],
          credentials: CREDENTIALS,
          allowPlaintext: true,
        },
      },
      { id: 'strict', host: '127.0.0.1', port: 0, tls: 'none', limits: { recipientAllow: ['*@allowed.test'] } },
      { id: 'tls', host: '127.0.0.1', port: 0, tls: 'starttls' },
    ],
  });
});
afterAll(async () => {
  await h.close();
});

/** Every column of every stored session row, as one string. */
async function allStoredText(): Promise<string> {
  await h.core.flushSessions();
  const db = new Database(path.join(h.dir, 'mailwright.db'), { readonly: true });
  try {
    return JSON.stringify(db.prepare('SELECT * FROM sessions').all());
  } finally {
    db.close();
  }
}

describe('session transcript', () => {
  it('AUTH PLAIN (swaks): commands and replies in order, secret and data elided, message linked', async () => {
    const res = await swaks(h.port('sub'), ['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', PASSWORD], {
      body: BODY_MARKER,
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const page = await h.waitFor((p) => p.sessions.some((s) => s.listener === 'sub' && s.outcome === 'delivered'), {
      listener: 'sub',
    });
    const summary = page.sessions.find((s) => s.outcome === 'delivered')!;
    expect(summary).toMatchObject({
      listener: 'sub',
      clientAddress: expect.stringContaining('127.0.0.1'),
      helo: 'swaks.test',
      authUser: 'alice',
      authFailures: 0,
      rejected: 0,
      outcomeCode: null,
    });
    expect(summary.messageIds).toHaveLength(1);
    const message = await h.core.invoke('messages.get', { id: summary.messageIds[0]! });
    expect(message.ok && message.value.text).toContain(BODY_MARKER);

    const detail = await h.get(summary.id);
    const lines = detail.transcript.map((l) => `${l.dir}: ${l.text}`);
    const order = [
      /^S: 220 /,
      /^C: EHLO swaks\.test$/,
      /^S: 250[- ]/,
      /^C: AUTH PLAIN \*\*\*$/,
      /^S: 235 /,
      /^C: MAIL FROM:<swaks@example\.com>/,
      /^S: 250 /,
      /^C: RCPT TO:<rcpt@example\.com>/,
      /^S: 250 /,
      /^C: DATA$/,
      /^S: 354 /,
      /^C: <message data: \d+ bytes>$/,
      new RegExp(`^S: 250 .*queued as ${summary.messageIds[0]}`),
      /^C: QUIT$/,
      /^S: 221 /,
    ];
    let at = 0;
    for (const pattern of order) {
      const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
      expect(found, `${pattern} after line ${at} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
    expect(detail.transcript.every((l, i, all) => i === 0 || l.at >= all[i - 1]!.at)).toBe(true);
    expect(detail.truncatedLines).toBe(0);

    const stored = await allStoredText();
    const plainBlob = Buffer.from(`\0alice\0${PASSWORD}`).toString('base64');
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(plainBlob);
    expect(stored).not.toContain(BODY_MARKER);
  });

  it('AUTH LOGIN (python smtplib) and XOAUTH2 (nodemailer): base64 lines elided, nothing secret stored', async () => {
    const py = await run('python3', [
      SCRIPT,
      JSON.stringify({ port: h.port('sub'), mechanism: 'LOGIN', user: 'alice', password: PASSWORD }),
    ]);
    expect(py.stdout).toContain('"ok": true');
    await nodemailer
      .createTransport({
        host: '127.0.0.1',
        port: h.port('sub'),
        ignoreTLS: true,
        auth: { type: 'OAuth2', user: 'alice', accessToken: TOKEN },
      })
      .sendMail({ from: 'alice@example.com', to: 'rcpt@example.com', subject: 'xoauth2', text: BODY_MARKER });
    const page = await h.waitFor((p) => p.sessions.filter((s) => s.outcome === 'delivered').length >= 3, {
      listener: 'sub',
    });
    const [xoauth, login] = page.sessions.filter((s) => s.outcome === 'delivered');
    const loginLines = (await h.get(login!.id)).transcript.map((l) => `${l.dir}: ${l.text}`);
    expect(loginLines).toContain('C: AUTH LOGIN ***');
    expect(loginLines.filter((l) => l === 'C: ***').length).toBeGreaterThanOrEqual(1);
    const xLines = (await h.get(xoauth!.id)).transcript.map((l) => `${l.dir}: ${l.text}`);
    expect(xLines).toContain('C: AUTH XOAUTH2 ***');
    const stored = await allStoredText();
    for (const secret of [
      PASSWORD,
      TOKEN,
      Buffer.from(PASSWORD).toString('base64'),
      Buffer.from(`user=alice\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64'),
    ]) {
      expect(stored).not.toContain(secret);
    }
  });

  it('a failed AUTH session is in the auth-failures audit log with 535', async () => {
    const res = await swaks(
      h.port('sub'),
      ['--auth', 'PLAIN', '--auth-user', 'mallory', '--auth-password', 'guess-1'],
      { body: BODY_MARKER },
    );
    expect(res.code).not.toBe(0);
    const page = await h.waitFor((p) => p.sessions.some((s) => s.helo === 'swaks.test' && s.authFailures > 0), {
      filter: 'authFailures',
    });
    expect(page.sessions.every((s) => s.authFailures > 0)).toBe(true);
    const failed = page.sessions[0]!;
    expect(failed).toMatchObject({ outcome: 'authFailed', outcomeCode: 535, authUser: null, messageIds: [] });
    const lines = (await h.get(failed.id)).transcript.map((l) => `${l.dir}: ${l.text}`);
    expect(lines).toContain('S: 535 5.7.8 Authentication credentials invalid');
    expect(await allStoredText()).not.toContain('guess-1');
    const all = await h.list({ filter: 'all', listener: 'sub' });
    expect(all.total).toBeGreaterThan(page.total);
  });

  it('a refused recipient (recipientAllow, 550) is under rejected; filter by client address', async () => {
    await expect(
      nodemailer
        .createTransport({ host: '127.0.0.1', port: h.port('strict'), ignoreTLS: true })
        .sendMail({ from: 'a@example.test', to: 'x@elsewhere.test', subject: 'no', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    const page = await h.waitFor((p) => p.total >= 1, { filter: 'rejected', listener: 'strict' });
    expect(page.sessions[0]).toMatchObject({
      listener: 'strict',
      outcome: 'rejected',
      outcomeCode: 550,
      rejected: 1,
      messageIds: [],
    });
    const address = page.sessions[0]!.clientAddress;
    const byClient = await h.list({ clientAddress: address.replace(/^::ffff:/, '') });
    expect(byClient.total).toBeGreaterThanOrEqual(4);
    expect(byClient.sessions.every((s) => s.clientAddress === address)).toBe(true);
    expect((await h.list({ clientAddress: '192.0.2.99' })).total).toBe(0);
    expect((await h.list({ filter: 'rejected', listener: 'sub' })).sessions.every((s) => s.rejected > 0)).toBe(true);
  });

  // Regression: after STARTTLS the TLS socket takes over the accepted socket's handle, whose 'close' then
  // never fires; such sessions were never recorded and stayed in the active-connections gauge.
  it('a STARTTLS session is recorded with its TLS details when it closes, and leaves the gauge', async () => {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.port('tls'),
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    await t.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'tls', text: 'x' });
    const page = await h.waitFor((p) => p.total >= 1, { listener: 'tls' });
    expect(page.sessions[0]).toMatchObject({
      outcome: 'delivered',
      tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String) },
    });
    const lines = (await h.get(page.sessions[0]!.id)).transcript.map((l) => `${l.dir}: ${l.text}`);
    expect(lines).toContain('C: STARTTLS');
    const figures = await h.core.invoke('metrics.get', {});
    expect(figures.ok && figures.value.activeConnections).toBe(0);
  });

  it('an unknown session id is not_found', async () => {
    const r = await h.core.invoke('sessions.get', { id: 999_999 });
    expect(r.ok ? null : r.error.code).toBe('not_found');
  });
});
