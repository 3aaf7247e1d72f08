// The domain tool against a real DNS server: SPF syntax, lookup limit and permissive all; DMARC policy and rua;
// DKIM key size and t=y; MX with the address fallback; a domain that does not exist is a finding, not an error.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDomain } from '../../../src-main/checks/auth/domain-check.js';
import { DnsResolver } from '../../../src-main/checks/dns/resolver.js';
import { startDnsServer, type TestDnsServer, type TestRecord } from '../../helpers/dns-server.js';

let dns: TestDnsServer;
let resolver: DnsResolver;

const key = (bits: number) =>
  crypto
    .generateKeyPairSync('rsa', { modulusLength: bits })
    .publicKey.export({ type: 'spki', format: 'der' })
    .toString('base64');

beforeAll(async () => {
  // Eleven includes, each one lookup: one past the limit.
  const includes: Record<string, TestRecord[]> = {};
  for (let i = 0; i < 11; i++) includes[`i${i}.many.test`] = [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }];
  dns = await startDnsServer({
    ...includes,
    'good.test': [
      { type: 'TXT', data: 'v=spf1 ip4:192.0.2.0/24 include:_spf.good.test -all' },
      { type: 'MX', exchange: 'mx.good.test', priority: 10 },
    ],
    '_spf.good.test': [{ type: 'TXT', data: 'v=spf1 ip6:2001:db8::/32 ~all' }],
    'mx.good.test': [{ type: 'A', address: '192.0.2.25' }],
    '_dmarc.good.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:dmarc@good.test' }],
    's1._domainkey.good.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${key(2048)}` }],
    'weak._domainkey.good.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; t=y; p=${key(1024)}` }],
    'bad.test': [
      { type: 'TXT', data: 'v=spf1 ip4:999.1.1.1 foo +all' },
      { type: 'A', address: '192.0.2.80' },
    ],
    '_dmarc.bad.test': [{ type: 'TXT', data: 'v=DMARC1; p=none' }],
    'many.test': [
      {
        type: 'TXT',
        data: `v=spf1 ${Object.keys(includes)
          .map((d) => `include:${d}`)
          .join(' ')} ?all`,
      },
    ],
  });
  resolver = new DnsResolver({ servers: [dns.address], timeoutMs: 10_000 });
});
afterAll(async () => {
  await dns?.close();
});

const texts = (findings: { severity: string; text: string }[], severity: string) =>
  findings.filter((f) => f.severity === severity).map((f) => f.text);

describe('checks.domain', () => {
  it('passes a well-configured domain, counting lookups through includes', async () => {
    const r = await checkDomain('good.test', 's1', resolver.recorder());
    expect(r.exists).toBe(true);
    expect(r.spf.lookups).toBe(1);
    expect(texts(r.spf.findings, 'error')).toEqual([]);
    expect(r.dmarc.record).toContain('p=reject');
    expect(texts(r.dmarc.findings, 'warning')).toEqual([]);
    expect(r.dkim).toMatchObject({ keyType: 'rsa', keyBits: 2048, testing: false });
    expect(r.mx.hosts).toEqual([{ exchange: 'mx.good.test', priority: 10 }]);
    expect(texts(r.mx.findings, 'error')).toEqual([]);
    expect(r.dns.some((a) => a.name === '_spf.good.test')).toBe(true);
  });

  it('flags a weak key in testing mode', async () => {
    const r = await checkDomain('good.test', 'weak', resolver.recorder());
    expect(r.dkim).toMatchObject({ keyBits: 1024, testing: true });
    expect(r.dkim?.findings.map((f) => f.severity)).toEqual(expect.arrayContaining(['warning']));
    expect(r.dkim?.findings.some((f) => f.text.includes('t=y'))).toBe(true);
    expect(r.dkim?.findings.some((f) => f.text.includes('1024-bit'))).toBe(true);
    const missing = await checkDomain('good.test', 'nope', resolver.recorder());
    expect(missing.dkim?.findings[0]?.text).toContain('No DKIM key at nope._domainkey.good.test');
  });

  it('lints a broken SPF record, p=none without rua, and the MX fallback', async () => {
    const r = await checkDomain('bad.test', null, resolver.recorder());
    const spfErrors = texts(r.spf.findings, 'error').join('\n');
    expect(spfErrors).toContain('"ip4:999.1.1.1" is not a valid ip4');
    expect(spfErrors).toContain('"foo" is not an SPF mechanism');
    expect(spfErrors).toContain('"+all" lets every server');
    expect(texts(r.dmarc.findings, 'warning').join('\n')).toMatch(/p=none only monitors[\s\S]*No rua=/);
    expect(texts(r.mx.findings, 'warning')[0]).toContain('No MX record: mail goes to the A record (192.0.2.80)');
  });

  it('counts past the 10-lookup limit and warns on ?all', async () => {
    const r = await checkDomain('many.test', null, resolver.recorder());
    expect(r.spf.lookups).toBe(11);
    expect(texts(r.spf.findings, 'error').join('\n')).toContain('needs 11 DNS lookups');
    expect(texts(r.spf.findings, 'warning').join('\n')).toContain('"?all" is neutral');
  });

  it('reports a domain that does not exist as a finding', async () => {
    const r = await checkDomain('nowhere.test', null, resolver.recorder());
    expect(r.exists).toBe(false);
    expect(r.spf.findings[0]).toMatchObject({ severity: 'error' });
    expect(r.spf.findings[0]?.text).toContain('does not exist');
    expect(texts(r.mx.findings, 'error')[0]).toContain('cannot receive mail');
  });
});
