// Capture server against swaks and openssl s_client: STARTTLS and implicit TLS, AUTH, and the TLS 1.2 floor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startCapture, swaks, type Harness } from './helpers.js';

const OPENSSL = '/usr/bin/openssl';

let h: Harness;
beforeAll(async () => {
  h = await startCapture();
});
afterAll(async () => {
  await h.close();
});

/** s_client sends QUIT from stdin; -ign_eof keeps it until the server's 221 and close, so nothing hangs or races. */
function sClient(args: string[]) {
  return run(OPENSSL, ['s_client', '-ign_eof', '-connect', `127.0.0.1:${args[0]}`, ...args.slice(1)], 'QUIT\r\n');
}

/**
 * The client offers TLS 1.1 at SECLEVEL=0 (Debian's OpenSSL 3 would refuse it by itself otherwise), so a
 * failed handshake with an alert *received* from the peer proves the server drew the line.
 */
function expectServerRefused(res: { code: number | null; stdout: string; stderr: string }) {
  const out = res.stdout + res.stderr;
  expect(res.code).not.toBe(0);
  expect(out).toMatch(/tlsv1 alert protocol version/i);
  expect(out).not.toMatch(/no protocols available/i);
  expect(out).not.toMatch(/New, TLSv1\.[0-3]/);
}

describe('capture server with swaks', () => {
  it('sends in plaintext with AUTH PLAIN', async () => {
    const res = await swaks(h.port(), ['--auth', 'PLAIN', '--auth-user', 'swakuser', '--auth-password', 'pw'], {
      subject: 'from swaks',
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const m = h.messages.at(-1)!;
    expect(m.raw.toString()).toContain('Subject: from swaks');
    expect(m.envelope).toMatchObject({
      authUser: 'swakuser',
      heloName: 'swaks.test',
      tls: null,
      rcptTo: ['rcpt@example.com'],
    });
  });

  it('sends over STARTTLS with AUTH LOGIN', async () => {
    const res = await swaks(h.port(), ['--tls', '--auth', 'LOGIN', '--auth-user', 'tlsuser', '--auth-password', 'pw'], {
      subject: 'from swaks',
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('STARTTLS');
    const m = h.messages.at(-1)!;
    expect(m.envelope.authUser).toBe('tlsuser');
    expect(m.envelope.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('sends over implicit TLS (--tls-on-connect)', async () => {
    const res = await swaks(h.port('smtps'), ['--tls-on-connect'], { subject: 'from swaks' });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(h.messages.at(-1)!.envelope).toMatchObject({ listener: 'smtps' });
  });
});

describe('TLS versions with openssl s_client', () => {
  it('refuses TLS 1.1 on STARTTLS', async () => {
    expectServerRefused(
      await sClient([String(h.port()), '-starttls', 'smtp', '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']),
    );
  });

  it('accepts TLS 1.2 on STARTTLS', async () => {
    const res = await sClient([String(h.port()), '-starttls', 'smtp', '-tls1_2']);
    expect(res.stdout).toMatch(/New, TLSv1\.2, Cipher is /);
    expect(res.stdout).toMatch(/Protocol\s*: TLSv1\.2/);
  });

  it('accepts TLS 1.3 on STARTTLS and presents the generated certificate', async () => {
    const res = await sClient([String(h.port()), '-starttls', 'smtp', '-tls1_3']);
    expect(res.stdout).toMatch(/New, TLSv1\.3, Cipher is /);
    expect(res.stdout).toContain('CN = Mailwright local capture');
  });

  it('refuses TLS 1.1 on the implicit TLS listener', async () => {
    expectServerRefused(await sClient([String(h.port('smtps')), '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']));
  });

  it('accepts TLS 1.2 and 1.3 on the implicit TLS listener and greets inside TLS', async () => {
    for (const version of ['1_2', '1_3']) {
      const res = await sClient([String(h.port('smtps')), `-tls${version}`]);
      expect(res.stdout).toMatch(new RegExp(`New, TLSv${version.replace('_', '\\.')}, Cipher is `));
      expect(res.stdout).toMatch(/^220 mailwright ESMTP/m);
    }
  });

  it('raises the floor to TLS 1.3 when minTlsVersion says so', async () => {
    const strict = await startCapture({ minTlsVersion: 'TLSv1.3' });
    try {
      const refused = await sClient([String(strict.port()), '-starttls', 'smtp', '-tls1_2']);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toMatch(/alert protocol version/i);
      const accepted = await sClient([String(strict.port()), '-starttls', 'smtp', '-tls1_3']);
      expect(accepted.stdout).toMatch(/New, TLSv1\.3, Cipher is /);
    } finally {
      await strict.close();
    }
  });
});
