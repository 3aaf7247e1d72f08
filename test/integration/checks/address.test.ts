// checks.address over a real core: RFC 5322 syntax failures in plain words, MX with the A/AAAA fallback from a real
// DNS server on loopback, disposable and role hints, and an SMTP probe against Mailwright's own capture server: a
// fault rule answers 550 5.1.1 for one mailbox, another is accepted, and neither probe sends DATA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallResult } from '../../../src-shared/index.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';
import { startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startDnsServer(
    {
      'shop.test': [
        { type: 'MX', exchange: 'mx2.shop.test', priority: 20 },
        { type: 'MX', exchange: 'mx.shop.test', priority: 10 },
      ],
      'mx.shop.test': [{ type: 'A', address: '127.0.0.1' }],
      'a-only.test': [
        { type: 'A', address: '192.0.2.7' },
        { type: 'AAAA', address: '2001:db8::7' },
      ],
      'mailinator.com': [{ type: 'MX', exchange: 'mail.mailinator.com', priority: 1 }],
    },
    { slow: ['slow.test'] },
  );
  stack = await startStack();
  await call('settings.update', {
    checks: { dnsServers: [dns.address], dnsTimeoutMs: 300 },
    faults: [
      {
        id: 'unknown-user',
        name: 'unknown user',
        enabled: true,
        match: { stage: 'rcpt', recipient: 'ghost@*' },
        action: { kind: 'reply', code: 550, enhanced: '5.1.1', text: 'no such user' },
      },
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
  await dns?.close();
});

async function call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> {
  const r = await stack.core.invoke(name, args);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

describe('checks.address syntax', () => {
  it.each([
    ['no-at.example.test', 'no "@"'],
    ['@shop.test', 'before "@" is empty'],
    ['a b@shop.test', 'space'],
    ['a..b@shop.test', 'doubled dot'],
    ['a@shop..test', 'empty label'],
    ['a,b@shop.test', 'special character'],
  ])('%s is invalid: %s', async (address, reason) => {
    const r = await call('checks.address', { address });
    expect(r.syntax.valid).toBe(false);
    expect(r.syntax.reason).toContain(reason);
    expect(r.mx.source).toBe('skipped');
    expect(r.dns).toEqual([]);
  });

  it('accepts a display name, a quoted local part and reports a domain no host can have', async () => {
    const named = await call('checks.address', { address: 'Bob <bob@shop.test>' });
    expect(named.syntax).toMatchObject({ valid: true, address: 'bob@shop.test', displayName: 'Bob' });
    const quoted = await call('checks.address', { address: '"a b"@shop.test' });
    expect(quoted.syntax.valid).toBe(true);
    expect(quoted.hints.map((h) => h.id)).toContain('free-text');
    const underscore = await call('checks.address', { address: 'a@exa_mple.test' });
    expect(underscore.syntax.valid).toBe(false);
    expect(underscore.syntax.reason).toContain('"exa_mple" is not a host name label');
  });
});

describe('checks.address MX and hints', () => {
  it('lists MX hosts by priority and hints at role accounts', async () => {
    const r = await call('checks.address', { address: 'postmaster+x@shop.test' });
    expect(r.mx.source).toBe('mx');
    expect(r.mx.hosts).toEqual([
      { exchange: 'mx.shop.test', priority: 10 },
      { exchange: 'mx2.shop.test', priority: 20 },
    ]);
    expect(r.hints.map((h) => h.id)).toEqual(['role']);
    expect(r.probe).toBeNull();
  });

  it('falls back to A/AAAA when there is no MX', async () => {
    const r = await call('checks.address', { address: 'x@a-only.test' });
    expect(r.mx.source).toBe('fallback');
    expect(r.mx.addresses.sort()).toEqual(['192.0.2.7', '2001:db8::7']);
    expect(r.mx.findings[0]?.text).toContain('RFC 5321 5.1');
  });

  it('says a domain that does not exist is a finding, and a timeout is a temperror', async () => {
    const gone = await call('checks.address', { address: 'x@gone.test' });
    expect(gone.mx.source).toBe('none');
    expect(gone.mx.findings[0]).toMatchObject({ severity: 'error', text: expect.stringContaining('NXDOMAIN') });
    const slow = await call('checks.address', { address: 'x@slow.test' });
    expect(slow.mx.source).toBe('temperror');
    expect(slow.mx.findings[0]?.text).toContain(dns.address);
    expect(slow.mx.findings[0]?.text).toContain('MX slow.test');
  });

  it('hints at a disposable-mail domain from the kept list', async () => {
    const r = await call('checks.address', { address: 'someone@mailinator.com' });
    expect(r.hints.map((h) => h.id)).toContain('disposable');
  });
});

describe('checks.address SMTP probe', () => {
  async function stored(): Promise<number> {
    await stack.core.idle();
    return (await call('messages.list', {})).total;
  }

  it('stops at RCPT: 550 5.1.1 from a fault rule is rejected, another mailbox accepted, nothing stored', async () => {
    const before = await stored();
    const rejected = await call('checks.address', {
      address: 'ghost@shop.test',
      probe: { port: stack.smtpPort, mailFrom: 'probe@example.test', timeoutMs: 5000 },
    });
    // The MX with the lowest priority is asked first; it resolves to loopback, where the capture server listens.
    expect(rejected.probe).toMatchObject({ server: `mx.shop.test:${stack.smtpPort}`, outcome: 'rejected' });
    expect(rejected.probe?.reply).toMatch(/^550 5\.1\.1/);
    expect(rejected.probe?.explanation).toMatch(/Bad destination mailbox address/);
    const t = rejected.probe!.transcript;
    expect(t[0]).toBe(`# connecting to mx.shop.test (127.0.0.1) port ${stack.smtpPort}`);
    expect(t[1]).toMatch(/^S: 220 /);
    expect(t).toContain('C: MAIL FROM:<probe@example.test>');
    expect(t).toContain('C: RCPT TO:<ghost@shop.test>');
    expect(t.at(-2)).toBe('C: QUIT');
    expect(t.at(-1)).toMatch(/^S: 221/);
    expect(t.some((l) => l.startsWith('C: DATA'))).toBe(false);

    const accepted = await call('checks.address', {
      address: 'alive@shop.test',
      probe: { host: '127.0.0.1', port: stack.smtpPort, timeoutMs: 5000 },
    });
    expect(accepted.probe).toMatchObject({ server: `127.0.0.1:${stack.smtpPort}`, outcome: 'accepted' });
    expect(accepted.probe?.reply).toMatch(/^250/);
    expect(await stored()).toBe(before);
  });

  it('says so when no server answers, within the timeout', async () => {
    const r = await call('checks.address', {
      address: 'x@a-only.test',
      probe: { host: '127.0.0.1', port: 1, timeoutMs: 1000 },
    });
    expect(r.probe?.outcome).toBe('failed');
    expect(r.probe?.reply).toContain('127.0.0.1:1');
  });
});
