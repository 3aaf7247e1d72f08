// Authentication against a real DNS server on loopback: SPF results, DKIM with RSA and Ed25519 keys (and a body
// altered after signing), DMARC with strict and relaxed alignment (where mailauth 4.x gets strict wrong), ARC.
import crypto from 'node:crypto';
import { dkimSign, sealMessage } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from 'mailauth';
import { authenticateMessage } from '../../../src-main/checks/auth/authenticate.js';
import { DnsResolver } from '../../../src-main/checks/dns/resolver.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';

let dns: TestDnsServer;
let resolver: DnsResolver;

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = crypto.generateKeyPairSync('ed25519');
const rsaPrivate = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const edPrivate = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaPublic = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
// RFC 8463: the Ed25519 key record holds the raw 32-byte key, the last bytes of its SPKI encoding.
const edPublic = ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');

function message(from: string, body = 'Hello from the test.\r\n'): string {
  return (
    `From: Sender <${from}>\r\nTo: b@receiver.test\r\nSubject: auth test\r\n` +
    `Date: Fri, 04 Dec 2026 08:00:00 +0000\r\nMessage-ID: <${crypto.randomUUID()}@sender.test>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`
  );
}

async function sign(raw: string, domain: string, selector: string, key: string, algorithm?: string): Promise<string> {
  // mailauth 4.13's index.d.ts types flat options, but dkimSign reads signatureData (one entry per signature).
  const signed = await dkimSign(raw, {
    signatureData: [{ signingDomain: domain, selector, privateKey: key, ...(algorithm ? { algorithm } : {}) }],
  } as never);
  if (signed.errors.length) throw new Error(String(signed.errors[0]));
  return signed.signatures + raw;
}

function check(raw: string, ip: string, mailFrom: string, helo = 'mta.sender.test', via = resolver) {
  return authenticateMessage(Buffer.from(raw), { ip, helo, mailFrom }, via.recorder());
}

beforeAll(async () => {
  dns = await startDnsServer(
    {
      'spf-pass.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
      'spf-soft.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 ~all' }],
      'spf-none.test': [{ type: 'A', address: '192.0.2.9' }],
      'spf-slow.test': [{ type: 'TXT', data: 'v=spf1 include:slow.spf-slow.test -all' }],
      'rsa._domainkey.sender.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${rsaPublic}` }],
      'ed._domainkey.sender.test': [{ type: 'TXT', data: `v=DKIM1; k=ed25519; p=${edPublic}` }],
      'rsa._domainkey.mail.strict.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${rsaPublic}` }],
      'rsa._domainkey.mail.relaxed.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${rsaPublic}` }],
      'strict.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
      'relaxed.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
      '_dmarc.strict.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; adkim=s; aspf=s' }],
      '_dmarc.relaxed.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; adkim=r' }],
      'arc._domainkey.forwarder.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${rsaPublic}` }],
    },
    { slow: ['slow.spf-slow.test'] },
  );
  // Generous: a loaded machine must never turn an answered query into a timeout.
  resolver = new DnsResolver({ servers: [dns.address], timeoutMs: 10_000 });
});
afterAll(async () => {
  await dns?.close();
});

describe('SPF for a chosen sending IP', () => {
  it('passes for a listed address and fails for another, in plain words', async () => {
    const pass = await check(message('a@spf-pass.test'), '192.0.2.1', 'a@spf-pass.test');
    expect(pass.spf).toMatchObject({ domain: 'spf-pass.test', result: 'pass', record: 'v=spf1 ip4:192.0.2.1 -all' });
    const fail = await check(message('a@spf-pass.test'), '127.0.0.1', 'a@spf-pass.test');
    expect(fail.spf.result).toBe('fail');
    expect(fail.spf.reason).toContain('does not allow 127.0.0.1');
    expect(fail.spf.reason).toContain('-all');
    expect(fail.dns.some((a) => a.name === 'spf-pass.test' && a.type === 'TXT' && a.status === 'ok')).toBe(true);
  });

  it('softfails on ~all and is none without a record', async () => {
    expect((await check(message('a@spf-soft.test'), '198.51.100.7', 'a@spf-soft.test')).spf.result).toBe('softfail');
    const none = await check(message('a@spf-none.test'), '198.51.100.7', 'a@spf-none.test');
    expect(none.spf.result).toBe('none');
    expect(none.spf.reason).toContain('publishes no SPF record');
  });

  it('is temperror, naming the query, when a lookup times out', async () => {
    // Only the never-answered name waits out this timeout; the answered one has a fresh cache-less resolver too.
    const impatient = new DnsResolver({ servers: [dns.address], timeoutMs: 1500 });
    const r = await check(message('a@spf-slow.test'), '198.51.100.7', 'a@spf-slow.test', 'mta.sender.test', impatient);
    expect(r.spf.result).toBe('temperror');
    const timeout = r.dns.find((a) => a.status === 'timeout');
    expect(timeout?.name).toBe('slow.spf-slow.test');
    expect(timeout?.detail).toContain(dns.address);
  });
});

describe('DKIM', () => {
  it('verifies RSA and Ed25519 signatures and reports each one', async () => {
    const raw = await sign(
      await sign(message('a@sender.test'), 'sender.test', 'rsa', rsaPrivate),
      'sender.test',
      'ed',
      edPrivate,
      'ed25519-sha256',
    );
    const r = await check(raw, '192.0.2.1', 'a@sender.test');
    expect(r.dkim).toHaveLength(2);
    const byAlg = Object.fromEntries(r.dkim.map((s) => [s.algorithm, s]));
    expect(byAlg['rsa-sha256']).toMatchObject({
      domain: 'sender.test',
      selector: 'rsa',
      result: 'pass',
      keyBits: 2048,
    });
    expect(byAlg['ed25519-sha256']).toMatchObject({ domain: 'sender.test', selector: 'ed', result: 'pass' });
    expect(byAlg['rsa-sha256']?.bodyHash.matches).toBe(true);
  });

  it('fails with the body-hash reason when the body changed after signing', async () => {
    const signed = await sign(message('a@sender.test'), 'sender.test', 'rsa', rsaPrivate);
    const altered = signed.replace('Hello from the test.', 'Hello from the attacker.');
    const r = await check(altered, '192.0.2.1', 'a@sender.test');
    // mailauth reports a body-hash mismatch as neutral ("body hash did not verify"); either way it is not a pass.
    expect(['fail', 'neutral']).toContain(r.dkim[0]?.result);
    expect(r.dkim[0]?.bodyHash.matches).toBe(false);
    expect(r.dkim[0]?.reason).toContain('body was changed after signing');
  });

  it('says no key is published for an unknown selector', async () => {
    const raw = await sign(message('a@sender.test'), 'sender.test', 'gone', rsaPrivate);
    const r = await check(raw, '192.0.2.1', 'a@sender.test');
    expect(r.dkim[0]?.result).not.toBe('pass');
    expect(r.dkim[0]?.reason).toContain('gone._domainkey.sender.test');
  });
});

describe('DMARC alignment', () => {
  it('fails strict alignment for a subdomain signature, where mailauth 4.x says pass', async () => {
    const raw = await sign(message('a@strict.test'), 'mail.strict.test', 'rsa', rsaPrivate);
    // SPF fails (not from 192.0.2.1), so only the DKIM signature of mail.strict.test could align.
    const ours = await check(raw, '198.51.100.7', 'a@strict.test');
    expect(ours.dkim[0]).toMatchObject({ result: 'pass', alignedStrict: false, alignedRelaxed: true });
    expect(ours.dmarc).toMatchObject({ result: 'fail', policy: 'reject', dkimMode: 'strict', dkimAligned: null });
    expect(ours.dmarc.reason).toContain('not exactly strict.test');
    const theirs = await authenticate(Buffer.from(raw), {
      ip: '198.51.100.7',
      helo: 'mta.sender.test',
      sender: 'a@strict.test',
      mta: 'test',
      resolver: resolver.recorder().resolve as never,
      disableBimi: true,
    });
    // The library bug this module works around: if this starts failing, mailauth fixed strict alignment.
    expect((theirs.dmarc as { status: { result: string } }).status.result).toBe('pass');
  });

  it('passes relaxed alignment for the same subdomain signature', async () => {
    const raw = await sign(message('a@relaxed.test'), 'mail.relaxed.test', 'rsa', rsaPrivate);
    const r = await check(raw, '198.51.100.7', 'a@relaxed.test');
    expect(r.dmarc).toMatchObject({ result: 'pass', dkimMode: 'relaxed', dkimAligned: 'mail.relaxed.test' });
  });

  it('passes strict alignment through SPF when the envelope domain is exactly the From domain', async () => {
    const r = await check(message('a@strict.test'), '192.0.2.1', 'bounce@strict.test');
    expect(r.dmarc).toMatchObject({ result: 'pass', spfMode: 'strict', spfAligned: 'strict.test' });
  });
});

describe('ARC', () => {
  it('verifies a sealed chain and reports a broken one', async () => {
    const raw = message('a@spf-pass.test');
    const seal = await sealMessage(Buffer.from(raw), {
      signingDomain: 'forwarder.test',
      selector: 'arc',
      privateKey: rsaPrivate,
      authResults: 'forwarder.test; spf=pass smtp.mailfrom=a@spf-pass.test',
      cv: 'none',
    } as never);
    const sealed = seal.toString() + raw;
    const ok = await check(sealed, '192.0.2.1', 'a@spf-pass.test');
    expect(ok.arc).toMatchObject({ result: 'pass', chainLength: 1 });
    const broken = await check(
      sealed.replace('Subject: auth test', 'Subject: changed'),
      '192.0.2.1',
      'a@spf-pass.test',
    );
    expect(broken.arc.result).toBe('fail');
    expect(broken.arc.reason).toContain('does not verify');
  });
});
