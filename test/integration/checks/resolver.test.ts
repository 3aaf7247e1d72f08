// The checks' resolver against a real DNS server on loopback: answers, NXDOMAIN, NODATA, a timeout that names the
// server and query, the TTL cache (a moved clock, no sleeps), long TXT records and the mailauth-shaped errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsResolver, parseServer } from '../../../src-main/checks/dns/resolver.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';

let server: TestDnsServer;
const LONG_KEY = 'v=DKIM1; k=rsa; p=' + 'A'.repeat(600);

beforeAll(async () => {
  server = await startDnsServer(
    {
      'example.test': [
        { type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all', ttl: 60 },
        { type: 'MX', exchange: 'mx.example.test', priority: 10 },
        { type: 'A', address: '192.0.2.10' },
      ],
      'sel._domainkey.example.test': [{ type: 'TXT', data: LONG_KEY }],
      'alias.example.test': [{ type: 'CNAME', domain: 'example.test' }],
    },
    { slow: ['slow.example.test'] },
  );
});
afterAll(async () => {
  await server?.close();
});

describe('DnsResolver', () => {
  it('reads TXT, MX and A answers with their TTL', async () => {
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 10_000 });
    const txt = await r.lookup('example.test', 'TXT');
    expect(txt.answer).toMatchObject({ status: 'ok', records: ['v=spf1 ip4:192.0.2.1 -all'], ttl: 60 });
    expect(txt.answer.server).toBe(server.address);
    expect((await r.lookup('example.test', 'MX')).values).toEqual([{ exchange: 'mx.example.test', priority: 10 }]);
    expect((await r.lookup('Example.Test.', 'A')).values).toEqual(['192.0.2.10']);
  });

  it('joins a TXT record split into 255-byte strings', async () => {
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 10_000 });
    const { answer, values } = await r.lookup('sel._domainkey.example.test', 'TXT');
    expect(answer.records).toEqual([LONG_KEY]);
    expect((values[0] as string[]).length).toBe(3);
  });

  it('tells NXDOMAIN from NODATA and maps them to node error codes', async () => {
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 10_000 });
    expect((await r.lookup('missing.example.test', 'TXT')).answer.status).toBe('nxdomain');
    expect((await r.lookup('example.test', 'AAAA')).answer.status).toBe('nodata');
    const rec = r.recorder();
    await expect(rec.resolve('missing.example.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(rec.resolve('example.test', 'AAAA')).rejects.toMatchObject({ code: 'ENODATA' });
    expect(rec.answers.map((a) => a.status)).toEqual(['nxdomain', 'nodata']);
  });

  it('times out with the server and query named, never hangs', async () => {
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 300 });
    const rec = r.recorder();
    const err = await rec.resolve('slow.example.test', 'TXT').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEOUT' });
    expect((err as Error).message).toContain(server.address);
    expect((err as Error).message).toContain('TXT slow.example.test');
    expect(rec.answers[0]?.ttl).toBeNull();
  });

  it('keeps answers for their TTL and asks again after it', async () => {
    let now = 1_000_000;
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 2000, now: () => now });
    const asked = () => server.queries.filter((q) => q === 'TXT example.test').length;
    const before = asked();
    expect((await r.lookup('example.test', 'TXT')).answer.cached).toBe(false);
    now += 59_000;
    expect((await r.lookup('example.test', 'TXT')).answer.cached).toBe(true);
    expect(asked()).toBe(before + 1);
    now += 2_000;
    expect((await r.lookup('example.test', 'TXT')).answer.cached).toBe(false);
    expect(asked()).toBe(before + 2);
  });

  it('follows nothing it was not asked for: a CNAME-only name has no TXT', async () => {
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 10_000 });
    expect((await r.lookup('alias.example.test', 'TXT')).answer.status).toBe('nodata');
    expect((await r.lookup('alias.example.test', 'CNAME')).answer.records).toEqual(['example.test']);
  });

  it('refuses an invalid name without sending it', async () => {
    const r = new DnsResolver({ servers: [server.address], timeoutMs: 10_000 });
    const { answer } = await r.lookup('bad name.example.test', 'A');
    expect(answer).toMatchObject({ status: 'error', server: 'none' });
  });

  it('parses host, host:port and bracketed IPv6 servers', () => {
    expect(parseServer('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseServer('1.1.1.1')).toEqual({ host: '1.1.1.1', port: 53 });
    expect(parseServer('[::1]:5300')).toEqual({ host: '::1', port: 5300 });
    expect(parseServer('::1')).toEqual({ host: '::1', port: 53 });
    expect(() => parseServer('dns.example.com')).toThrow(/not an IP address/);
    expect(() => parseServer('1.2.3.4:99999')).toThrow(/no valid port/);
  });
});
