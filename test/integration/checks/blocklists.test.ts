// checks.blocklists and checks.blocklistLookup over a real core, against a real DNS server on loopback that plays
// the default DNSBL and URIBL zones: listed answers with their TXT reasons, clear (NXDOMAIN) answers, the "query
// refused" codes, and a zone that never answers (temperror naming the server and the query, within the timeout).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallResult } from '../../../src-shared/index.js';
import {
  codeMeaning,
  isPrivateAddress,
  linkDomains,
  reverseName,
} from '../../../src-main/checks/blocklists/blocklists.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';
import { sendRaw, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let dns: TestDnsServer;
const TIMEOUT_MS = 400;

beforeAll(async () => {
  dns = await startDnsServer(
    {
      // 192.0.2.99: listed in zen (SBL and XBL), clear at SpamCop, and Barracuda never answers (see slow).
      '99.2.0.192.zen.spamhaus.org': [
        { type: 'A', address: '127.0.0.2' },
        { type: 'A', address: '127.0.0.4' },
        { type: 'TXT', data: 'https://check.spamhaus.org/sbl/query/SBL1' },
      ],
      // bad.test: a spam domain in the DBL, black at URIBL, phishing and malware at SURBL.
      'bad.test.dbl.spamhaus.org': [{ type: 'A', address: '127.0.1.2' }],
      'bad.test.multi.uribl.com': [{ type: 'A', address: '127.0.0.2' }],
      'bad.test.multi.surbl.org': [{ type: 'A', address: '127.0.0.24' }],
      // refused.test: the answers a zone gives a public resolver.
      'refused.test.dbl.spamhaus.org': [{ type: 'A', address: '127.255.255.254' }],
      'refused.test.multi.uribl.com': [{ type: 'A', address: '127.0.0.1' }],
    },
    { slow: ['99.2.0.192.b.barracudacentral.org'] },
  );
  stack = await startStack();
  await call('settings.update', { checks: { dnsServers: [dns.address], dnsTimeoutMs: TIMEOUT_MS } });
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

async function idOf(subject: string): Promise<number> {
  await stack.core.idle();
  const page = await call('messages.list', { query: `subject:"${subject}"` });
  const id = page.messages.find((m) => m.subject === subject)?.id;
  if (id === undefined) throw new Error(`no message ${subject}`);
  return id;
}

const MESSAGE = [
  'From: Shop <news@shop.test>',
  'To: b@example.test',
  'Subject: blocklist links',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p><a href="https://www.bad.test/offer">offer</a> <a href="https://clean.test/">home</a>',
  '<img src="http://cdn.bad.test/x.png"> <a href="mailto:a@elsewhere.test">mail</a> <a href="#top">top</a></p>',
  '',
].join('\r\n');

describe('checks.blocklists', () => {
  it('skips the loopback capture address and looks up the link domains', async () => {
    await sendRaw(stack.smtpPort, MESSAGE);
    const id = await idOf('blocklist links');
    const r = await call('checks.blocklists', { id });
    expect(r.ip).toBe('127.0.0.1');
    expect(r.domains).toEqual(['bad.test', 'clean.test']);
    const ipAnswers = r.answers.filter((a) => a.kind === 'ip');
    expect(ipAnswers.map((a) => a.zone)).toEqual(['zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org']);
    expect(ipAnswers.every((a) => a.status === 'skipped' && a.detail.includes('loopback'))).toBe(true);
    expect(dns.queries.some((q) => q.includes('1.0.0.127.'))).toBe(false);

    const bad = (zone: string) => r.answers.find((a) => a.subject === 'bad.test' && a.zone === zone)!;
    expect(bad('dbl.spamhaus.org')).toMatchObject({ status: 'listed', query: 'bad.test.dbl.spamhaus.org' });
    expect(bad('dbl.spamhaus.org').codes).toEqual([{ code: '127.0.1.2', kind: 'listed', meaning: 'DBL: spam domain' }]);
    expect(bad('multi.uribl.com').codes[0]?.meaning).toContain('black');
    expect(bad('multi.surbl.org').codes[0]?.meaning).toMatch(/PH \(phishing\).*MW \(malware\)/);
    const clean = r.answers.filter((a) => a.subject === 'clean.test');
    expect(clean.map((a) => a.status)).toEqual(['clear', 'clear', 'clear']);
    expect(r.listed).toBe(3);
    expect(r.dns.length).toBeGreaterThanOrEqual(6);
  });

  it('looks up a "what if" sending IP: listed with its codes and reason, clear, and temperror', async () => {
    const id = await idOf('blocklist links');
    const started = Date.now();
    const r = await call('checks.blocklists', { id, ip: '192.0.2.99' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 10);
    const zone = (z: string) => r.answers.find((a) => a.kind === 'ip' && a.zone === z)!;
    expect(zone('zen.spamhaus.org')).toMatchObject({
      status: 'listed',
      query: '99.2.0.192.zen.spamhaus.org',
      reason: 'https://check.spamhaus.org/sbl/query/SBL1',
    });
    expect(zone('zen.spamhaus.org').codes.map((c) => c.meaning)).toEqual([
      expect.stringContaining('SBL'),
      expect.stringContaining('XBL'),
    ]);
    expect(zone('bl.spamcop.net').status).toBe('clear');
    const barracuda = zone('b.barracudacentral.org');
    expect(barracuda.status).toBe('temperror');
    expect(barracuda.detail).toContain(dns.address);
    expect(barracuda.detail).toContain('99.2.0.192.b.barracudacentral.org');
  });
});

describe('checks.blocklistLookup', () => {
  it('reads the "query refused" codes as saying nothing about the domain', async () => {
    const r = await call('checks.blocklistLookup', { target: 'www.refused.test' });
    expect(r.ip).toBeNull();
    const dbl = r.answers.find((a) => a.zone === 'dbl.spamhaus.org')!;
    expect(dbl.status).toBe('refused');
    expect(dbl.codes[0]).toMatchObject({ code: '127.255.255.254', kind: 'refused' });
    expect(dbl.codes[0]?.meaning).toContain('public or open resolver');
    expect(r.answers.find((a) => a.zone === 'multi.uribl.com')?.status).toBe('refused');
    expect(r.listed).toBe(0);
  });

  it('looks an IP up in the IP zones only, and refuses what is neither', async () => {
    const r = await call('checks.blocklistLookup', { target: '192.0.2.99', dnsTimeoutMs: 200 });
    expect(r.answers.map((a) => a.kind)).toEqual(['ip', 'ip', 'ip']);
    expect(r.listed).toBe(1);
    const bad = await stack.core.invoke('checks.blocklistLookup', { target: 'not a domain!' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'invalid_argument', field: 'target' });
  });

  it('rejects a zone setting that is not a DNS name, naming the field', async () => {
    const r = await stack.core.invoke('settings.update', { checks: { ipBlocklists: ['zen spamhaus'] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe('checks.ipBlocklists.0');
  });
});

describe('blocklist names and codes', () => {
  it('reverses IPv4 octets and IPv6 nibbles', () => {
    expect(reverseName('192.0.2.99', 'zen.spamhaus.org')).toBe('99.2.0.192.zen.spamhaus.org');
    expect(reverseName('::ffff:192.0.2.1', 'z.test')).toBe('1.2.0.192.z.test');
    expect(reverseName('2001:db8::1', 'z.test')).toBe(
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.z.test',
    );
    expect(reverseName('nope', 'z.test')).toBeNull();
  });

  it('knows loopback and private addresses', () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.1.2.3', '192.168.0.1', 'fe80::1'])
      expect(isPrivateAddress(ip)).toBe(true);
    expect(isPrivateAddress('192.0.2.99')).toBe(false);
  });

  it('reads codes per zone, and an answer outside 127/8 as no listing', () => {
    expect(codeMeaning('zen.spamhaus.org', '127.0.0.10').meaning).toContain('PBL');
    expect(codeMeaning('zen.spamhaus.org', '127.255.255.255').kind).toBe('refused');
    expect(codeMeaning('dbl.spamhaus.org', '127.0.1.255').kind).toBe('refused');
    expect(codeMeaning('multi.uribl.com', '127.0.0.14').meaning).toMatch(/black.*grey.*red/);
    expect(codeMeaning('bl.example.test', '127.0.0.2').kind).toBe('listed');
    expect(codeMeaning('bl.example.test', '192.0.2.1').kind).toBe('unknown');
  });

  it('takes registrable domains from HTML links and text URLs', () => {
    expect(
      linkDomains(
        '<a href="https://a.b.shop.test/x">x</a><a href="ftp://f.test">f</a>',
        'see http://www.other.test/y.',
      ),
    ).toEqual(['shop.test', 'other.test']);
  });
});
