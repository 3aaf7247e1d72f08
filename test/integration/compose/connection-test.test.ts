// The connection test against Mailwright's own capture server: every security mode and AUTH mechanism, and the
// failures a relay tester meets (wrong password, STARTTLS missing, wrong TLS mode, untrusted and expired certs).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport, ProfileEdit } from '../../../src-shared/index.js';
import { CANARY, TOKEN, USER, profileFor, startFarEnd, type Far } from './helpers.js';

let far: Far;

beforeAll(async () => {
  far = await startFarEnd();
});
afterAll(async () => {
  await far?.close();
});

async function test(profile: ProfileEdit): Promise<ConnectionReport> {
  await far.call('compose.profiles.create', { profile });
  return far.call('compose.profiles.test', { id: profile.id });
}

function step(r: ConnectionReport, name: string) {
  const s = r.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no ${name} step in ${JSON.stringify(r.steps)}`);
  return s;
}

describe('connection test: security modes', () => {
  it('plain SMTP: every step up to EHLO, with its capabilities and timings', async () => {
    const r = await test(profileFor(far, 'plain'));
    expect(r.ok, r.explanation ?? '').toBe(true);
    expect(r.steps.map((s) => s.name)).toEqual(['dns', 'tcp', 'greeting', 'ehlo']);
    for (const s of r.steps) expect(s.ms).toBeGreaterThanOrEqual(0);
    expect(step(r, 'greeting').reply).toMatch(/^220 /);
    expect(r.capabilities?.pipelining).toBe(true);
    expect(r.capabilities?.eightBitMime).toBe(true);
    expect(r.capabilities?.smtpUtf8).toBe(true);
    expect(r.capabilities?.size).toBeGreaterThan(0);
    expect(r.tls).toBeNull();
    expect(r.transcript.some((l) => l.dir === 'C' && /^EHLO /.test(l.text))).toBe(true);
  });

  it('STARTTLS with the listener certificate as custom CA: verified chain, protocol, cipher, AUTH PLAIN', async () => {
    const ca = await far.pem('starttls');
    const r = await test(
      profileFor(far, 'starttls', {
        security: 'starttls-required',
        tls: { verify: true, ca, servername: 'localhost' },
        auth: { mechanism: 'PLAIN', user: USER, password: CANARY },
      }),
    );
    expect(r.ok, r.explanation ?? '').toBe(true);
    expect(r.steps.map((s) => s.name)).toEqual(['dns', 'tcp', 'greeting', 'ehlo', 'starttls', 'auth']);
    expect(r.tls?.authorized).toBe(true);
    expect(r.tls?.hostMatch).toBe(true);
    expect(r.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.tls?.cipher).toBeTruthy();
    expect(r.tls?.chain[0]?.subject).toContain('Mailwright');
    expect(r.tls?.chain[0]?.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(r.capabilities?.auth).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2']));
  });

  it('implicit TLS: the handshake is its own step before the greeting', async () => {
    const r = await test(profileFor(far, 'implicit', { security: 'implicit', tls: { verify: false } }));
    expect(r.ok, r.explanation ?? '').toBe(true);
    expect(r.steps.map((s) => s.name)).toEqual(['dns', 'tcp', 'tls', 'greeting', 'ehlo']);
    expect(step(r, 'tls').detail).toMatch(/not verified, as the profile asks: .*self-signed/);
    expect(r.tls?.authorized).toBe(false);
    expect(r.tls?.verifyError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('opportunistic STARTTLS upgrades when offered and goes on in plain text when not', async () => {
    const up = await test(profileFor(far, 'starttls', { security: 'starttls' }));
    expect(up.ok).toBe(true);
    expect(up.tls?.protocol).toBeTruthy();
    const plain = await test(profileFor(far, 'plain', { security: 'starttls' }));
    expect(plain.ok).toBe(true);
    expect(step(plain, 'starttls').detail).toMatch(/not offered/);
    expect(plain.tls).toBeNull();
  });
});

describe('connection test: every AUTH mechanism', () => {
  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const) {
    it(`${mechanism} with the right password, and 535 with a wrong one`, async () => {
      const good = await test(
        profileFor(far, 'starttls', { security: 'starttls', auth: { mechanism, user: USER, password: CANARY } }),
      );
      expect(good.ok, good.explanation ?? '').toBe(true);
      expect(step(good, 'auth').ok).toBe(true);
      const bad = await test(
        profileFor(far, 'starttls', { security: 'starttls', auth: { mechanism, user: USER, password: 'wrong-one' } }),
      );
      expect(bad.ok).toBe(false);
      expect(step(bad, 'auth').reply).toMatch(/^535/);
      expect(bad.explanation).toMatch(/Authentication failed \(535\)/);
    });
  }

  it('XOAUTH2 with the right token, and a clear failure with a wrong one', async () => {
    const good = await test(
      profileFor(far, 'implicit', {
        security: 'implicit',
        auth: { mechanism: 'XOAUTH2', user: USER, accessToken: TOKEN },
      }),
    );
    expect(good.ok, good.explanation ?? '').toBe(true);
    const bad = await test(
      profileFor(far, 'implicit', {
        security: 'implicit',
        auth: { mechanism: 'XOAUTH2', user: USER, accessToken: 'nope' },
      }),
    );
    expect(bad.ok).toBe(false);
    expect(step(bad, 'auth').ok).toBe(false);
  });

  it('AUTH in plain text on a TLS listener gets 538 and says to use TLS', async () => {
    const r = await test(
      profileFor(far, 'starttls', { security: 'none', auth: { mechanism: 'PLAIN', user: USER, password: CANARY } }),
    );
    expect(r.ok).toBe(false);
    expect(step(r, 'auth').reply).toMatch(/^538/);
    expect(r.explanation).toMatch(/STARTTLS or implicit TLS/);
  });

  it('AUTH before STARTTLS on a listener that requires it gets 530', async () => {
    const r = await test(
      profileFor(far, 'required', { security: 'none', auth: { mechanism: 'PLAIN', user: USER, password: CANARY } }),
    );
    expect(r.ok).toBe(false);
    expect(step(r, 'auth').reply).toMatch(/^530/);
    expect(r.explanation).toMatch(/wants TLS/);
  });
});

describe('connection test: failures in plain words', () => {
  it('STARTTLS required but not offered', async () => {
    const r = await test(profileFor(far, 'plain', { security: 'starttls-required' }));
    expect(r.ok).toBe(false);
    expect(step(r, 'starttls').ok).toBe(false);
    expect(r.explanation).toMatch(/does not offer STARTTLS/);
  });

  it('implicit TLS against a plain port', async () => {
    const r = await test(profileFor(far, 'plain', { security: 'implicit' }));
    expect(r.ok).toBe(false);
    expect(step(r, 'tls').ok).toBe(false);
    expect(r.explanation).toMatch(/TLS handshake failed.*plain SMTP/s);
  });

  it('STARTTLS mode against an implicit-TLS port: no greeting, and the hint', async () => {
    const r = await test(
      profileFor(far, 'implicit', { security: 'starttls', greetingTimeoutSeconds: 2, connectionTimeoutSeconds: 5 }),
    );
    expect(r.ok).toBe(false);
    expect(step(r, 'greeting').ok).toBe(false);
    expect(r.explanation).toMatch(/implicit TLS/);
  });

  it('an untrusted certificate is refused with verification on, before AUTH, and accepted with it off', async () => {
    const auth = { mechanism: 'PLAIN' as const, user: USER, password: CANARY };
    const on = await test(profileFor(far, 'starttls', { security: 'starttls', tls: { verify: true }, auth }));
    expect(on.ok).toBe(false);
    expect(step(on, 'starttls').ok).toBe(false);
    expect(on.explanation).toMatch(/self-signed/);
    expect(on.steps.find((s) => s.name === 'auth')).toBeUndefined();
    expect(on.transcript.some((l) => l.dir === 'C' && /^AUTH/.test(l.text))).toBe(false);
    expect(on.tls?.chain.length).toBeGreaterThan(0);
    const off = await test(profileFor(far, 'starttls', { security: 'starttls', tls: { verify: false }, auth }));
    expect(off.ok).toBe(true);
  });

  it('an expired certificate says when it expired', async () => {
    const r = await test(profileFor(far, 'expired', { security: 'implicit', tls: { verify: true } }));
    expect(r.ok).toBe(false);
    expect(r.tls?.verifyError).toBe('CERT_HAS_EXPIRED');
    expect(r.explanation).toMatch(/expired on \d{4}-/);
  });

  it('a wrong host name for the certificate', async () => {
    const ca = await far.pem('implicit');
    const r = await test(
      profileFor(far, 'implicit', { security: 'implicit', tls: { verify: true, ca, servername: 'wrong.example' } }),
    );
    expect(r.ok).toBe(false);
    expect(r.tls?.hostMatch).toBe(false);
    expect(r.explanation).toMatch(/does not name this host/);
  });

  it('ECONNREFUSED on a closed port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await test(profileFor(far, 'plain', { port }));
    expect(r.ok).toBe(false);
    expect(step(r, 'tcp').ok).toBe(false);
    expect(r.explanation).toMatch(/connection refused/);
  });

  it('a server that greets with 554', async () => {
    const server = net.createServer((s) => s.end('554 5.7.1 No SMTP service here\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const r = await test(profileFor(far, 'plain', { port: (server.address() as net.AddressInfo).port }));
      expect(r.ok).toBe(false);
      expect(step(r, 'greeting').reply).toMatch(/^554/);
      expect(r.explanation).toMatch(/policy reasons \(554\)/);
    } finally {
      server.close();
    }
  });
});

describe('secrets', () => {
  it('the canary password and token never appear in a report, the profile list, an event or the database file', async () => {
    const r = await test(
      profileFor(far, 'starttls', { security: 'starttls', auth: { mechanism: 'PLAIN', user: USER, password: CANARY } }),
    );
    expect(r.ok).toBe(true);
    const l = await test(
      profileFor(far, 'starttls', { security: 'starttls', auth: { mechanism: 'LOGIN', user: USER, password: CANARY } }),
    );
    expect(l.ok).toBe(true);
    const x = await test(
      profileFor(far, 'implicit', {
        security: 'implicit',
        auth: { mechanism: 'XOAUTH2', user: USER, accessToken: TOKEN },
      }),
    );
    expect(x.ok).toBe(true);
    const outputs = [
      JSON.stringify([r, l, x]),
      JSON.stringify(await far.call('compose.profiles.list', {})),
      JSON.stringify(await far.call('compose.profiles.export', {})),
      far.events.join('\n'),
    ];
    for (const secret of [
      CANARY,
      TOKEN,
      Buffer.from(CANARY).toString('base64'),
      Buffer.from(TOKEN).toString('base64'),
    ]) {
      for (const out of outputs) expect(out).not.toContain(secret);
    }
    expect(JSON.stringify(r.transcript)).toMatch(/AUTH PLAIN \*\*\*/);
    await far.core.flushSessions();
    for (const f of fs.readdirSync(far.dir).filter((n) => n.startsWith('mailwright.db'))) {
      const bytes = fs.readFileSync(path.join(far.dir, f)).toString('latin1');
      expect(bytes.includes(TOKEN), f).toBe(false);
      expect(bytes.includes(CANARY), f).toBe(false);
    }
  });
});
