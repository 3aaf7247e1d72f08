// The link check against a real HTTP server on loopback and a real DNS server (dns2): 200, 301→200, 404, a
// redirect loop past 10, a slow endpoint (timeout), HEAD refused then GET with the body cut short, an image URL,
// loopback refused unless allowed, every redirect hop vetted again, one-time links left alone until confirmed,
// and the per-host pace. checks.links runs over a real core with a message sent by SMTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallResult, LinkReport } from '../../../src-shared/index.js';
import { DnsResolver } from '../../../src-main/checks/dns/resolver.js';
import { checkLinks, isNonPublic, type LinkCheckOptions } from '../../../src-main/checks/links/check.js';
import { extractUrls, oneTimeReason } from '../../../src-main/checks/links/extract.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';
import { request, sendRaw, startStack, type Stack } from '../serve/helpers.js';

interface Hit {
  method: string;
  path: string;
  at: number;
}

let server: http.Server;
let base: string;
let port: number;
let dns: TestDnsServer;
let stack: Stack;
const hits: Hit[] = [];
/** Bytes the streaming endpoint managed to write before the client hung up. */
let streamed = 0;
let streamClosedEarly = false;
const held = new Set<http.ServerResponse>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push({ method: req.method ?? '', path: url.pathname + url.search, at: performance.now() });
    const p = url.pathname;
    if (p === '/ok' || p === '/unsubscribe') res.writeHead(200, { 'content-type': 'text/html' }).end('fine');
    else if (p === '/logo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(64));
    else if (p === '/moved') res.writeHead(301, { location: '/ok' }).end();
    else if (p === '/missing') res.writeHead(404).end('no');
    else if (p.startsWith('/loop/')) res.writeHead(302, { location: `/loop/${Number(p.slice(6)) + 1}` }).end();
    else if (p === '/to-inner') res.writeHead(302, { location: `http://inner.test:${port}/ok` }).end();
    else if (p === '/to-unsub') res.writeHead(302, { location: '/unsubscribe?list=7' }).end();
    else if (p === '/slow')
      held.add(res); // never answers: the check's timeout must end it
    else if (p === '/get-only') {
      if (req.method === 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
      // A body far larger than anything worth reading: the check must hang up after the status line.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 256 && res.write(chunk)) {
          sent++;
          streamed += chunk.length;
        }
        if (sent >= 256) res.end();
      };
      res.on('drain', pump);
      res.on('close', () => (streamClosedEarly = !res.writableFinished));
      pump();
    } else res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  dns = await startDnsServer({
    'links.test': [{ type: 'A', address: '127.0.0.1' }],
    'inner.test': [{ type: 'A', address: '10.0.0.5' }],
    'mixed.test': [
      { type: 'A', address: '93.184.216.34' },
      { type: 'A', address: '127.0.0.1' },
    ],
  });
  stack = await startStack();
});

afterAll(async () => {
  for (const res of held) res.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.stop();
  await dns?.close();
});

function options(patch: Partial<LinkCheckOptions> = {}): LinkCheckOptions {
  return {
    resolver: new DnsResolver({ servers: [dns.address], timeoutMs: 2000 }).recorder(),
    allowPrivate: true,
    followRedirects: true,
    timeoutMs: 3000,
    confirmed: new Set(),
    hostIntervalMs: 20,
    userAgent: 'Mailwright test',
    ...patch,
  };
}

const link = (url: string) => ({ url, kind: 'link' as const, sources: ['html' as const] });

describe('link extraction', () => {
  it('lists links and images from HTML and text once each, leaving out non-web schemes', () => {
    const html =
      '<a href="https://a.test/x?y=1&amp;z=2">A</a><img src="https://img.test/logo.png" alt="">' +
      '<img srcset="https://img.test/1x.png 1x, https://img.test/2x.png 2x">' +
      '<td background="https://img.test/bg.gif"></td><div style="background:url(\'https://img.test/css.png\')"></div>' +
      '<a href="mailto:x@y.test">m</a><a href="#top">t</a><img src="cid:part1"><a href="https://img.test/logo.png">L</a>';
    const text = 'See https://a.test/x?y=1&z=2 and (https://b.test/page). Also https://c.test/a_(b).';
    const found = extractUrls(html, text);
    expect(found.map((f) => f.url)).toEqual([
      'https://a.test/x?y=1&z=2',
      'https://img.test/logo.png',
      'https://img.test/1x.png',
      'https://img.test/2x.png',
      'https://img.test/bg.gif',
      'https://img.test/css.png',
      'https://b.test/page',
      'https://c.test/a_(b)',
    ]);
    expect(found[0]!.sources).toEqual(['html', 'text']);
    // Linked as well as shown: a link.
    expect(found[1]!.kind).toBe('link');
    expect(found[2]!.kind).toBe('image');
  });

  it('recognises one-time links and leaves ordinary pages alone', () => {
    for (const url of [
      'https://shop.test/unsubscribe?u=1',
      'https://shop.test/account/confirm-email',
      'https://shop.test/p?token=abc',
      'https://shop.test/reset/9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      'https://shop.test/l?id=Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA1',
    ])
      expect(oneTimeReason(url), url).not.toBeNull();
    for (const url of [
      'https://shop.test/',
      'https://shop.test/products/shoes?color=red',
      'https://shop.test/blog/2024',
    ])
      expect(oneTimeReason(url), url).toBeNull();
  });

  it('classifies loopback, private and public addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '192.168.0.1',
      '172.20.0.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ])
      expect(isNonPublic(a), a).toBe(true);
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) expect(isNonPublic(a), a).toBe(false);
  });
});

describe('checkLinks against a local server', () => {
  it('reports 200, 301→200, 404 and an image, with the chain and the time of each', async () => {
    const [ok, moved, missing, image] = await checkLinks(
      [
        link(`${base}/ok`),
        link(`${base}/moved`),
        link(`${base}/missing`),
        { ...link(`${base}/logo.png`), kind: 'image' },
      ],
      options(),
    );
    expect(ok).toMatchObject({ state: 'ok', status: 200, statusText: 'OK', finalUrl: `${base}/ok` });
    expect(ok!.chain).toHaveLength(1);
    expect(ok!.chain[0]).toMatchObject({ method: 'HEAD', status: 200, addresses: ['127.0.0.1'] });
    expect(ok!.timeMs).toBeGreaterThanOrEqual(0);
    expect(moved).toMatchObject({ state: 'ok', status: 200, finalUrl: `${base}/ok` });
    expect(moved!.chain.map((h) => h.status)).toEqual([301, 200]);
    expect(missing).toMatchObject({ state: 'broken', status: 404, statusText: 'Not Found' });
    expect(image).toMatchObject({ kind: 'image', state: 'ok', status: 200 });
    expect(hits.some((h) => h.path === '/logo.png' && h.method === 'HEAD')).toBe(true);
  });

  it('reports a 301 as it is when redirects are not followed', async () => {
    const [moved] = await checkLinks([link(`${base}/moved`)], options({ followRedirects: false }));
    expect(moved).toMatchObject({ state: 'ok', status: 301, finalUrl: `${base}/moved` });
    expect(moved!.detail).toContain('/ok');
  });

  it('stops a redirect loop after 10 redirects', async () => {
    const before = hits.filter((h) => h.path.startsWith('/loop/')).length;
    const [loop] = await checkLinks([link(`${base}/loop/0`)], options());
    expect(loop!.state).toBe('error');
    expect(loop!.detail).toContain('More than 10 redirects');
    expect(loop!.chain).toHaveLength(11);
    expect(hits.filter((h) => h.path.startsWith('/loop/')).length - before).toBe(11);
  });

  it('times out a slow endpoint', async () => {
    const started = performance.now();
    const [slow] = await checkLinks([link(`${base}/slow`)], options({ timeoutMs: 600 }));
    expect(slow!.state).toBe('error');
    expect(slow!.detail).toContain('timed out');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('falls back to GET when HEAD is refused, and hangs up after the status line', async () => {
    const [r] = await checkLinks([link(`${base}/get-only`)], options());
    expect(r).toMatchObject({ state: 'ok', status: 200 });
    expect(r!.chain[0]!.method).toBe('GET');
    // The server must notice the hang-up; wait for its close event (bounded by the test timeout).
    for (let i = 0; i < 200 && !streamClosedEarly; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(streamClosedEarly).toBe(true);
    expect(streamed).toBeLessThan(256 * 64 * 1024);
  });

  it('refuses loopback unless allowed, by IP literal and by a name the resolver gives', async () => {
    const [literal, named, mixed] = await checkLinks(
      [link(`${base}/ok`), link(`http://links.test:${port}/ok`), link(`http://mixed.test:${port}/ok`)],
      options({ allowPrivate: false }),
    );
    expect(literal).toMatchObject({ state: 'refused', status: null });
    expect(literal!.detail).toContain('127.0.0.1');
    expect(named).toMatchObject({ state: 'refused' });
    // One private address among public ones is enough to refuse.
    expect(mixed!.state).toBe('refused');
    expect(mixed!.detail).toContain('127.0.0.1');
    const [allowed] = await checkLinks([link(`http://links.test:${port}/ok`)], options());
    expect(allowed).toMatchObject({ state: 'ok', status: 200 });
    expect(allowed!.chain[0]!.addresses).toEqual(['127.0.0.1']);
  });

  it('vets every redirect hop again', async () => {
    const [r] = await checkLinks(
      [link(`${base}/to-inner`)],
      options({ allowPrivate: false, allowAddresses: ['127.0.0.1'] }),
    );
    expect(r!.state).toBe('refused');
    expect(r!.detail).toContain('10.0.0.5');
    expect(r!.chain.map((h) => h.status)).toEqual([302]);
  });

  it('leaves a one-time link alone until it is confirmed', async () => {
    const url = `${base}/unsubscribe?u=42`;
    const count = () => hits.filter((h) => h.path.startsWith('/unsubscribe')).length;
    const before = count();
    const [asked] = await checkLinks([link(url)], options());
    expect(asked).toMatchObject({ state: 'confirm', status: null, chain: [] });
    expect(asked!.oneTime).toContain('unsubscribe');
    expect(count()).toBe(before);
    // A harmless link that redirects to one stops before it.
    const [via] = await checkLinks([link(`${base}/to-unsub`)], options());
    expect(via!.state).toBe('confirm');
    expect(count()).toBe(before);
    const [confirmed] = await checkLinks([link(url)], options({ confirmed: new Set([url]) }));
    expect(confirmed).toMatchObject({ state: 'ok', status: 200 });
    expect(count()).toBe(before + 1);
  });

  it('spaces requests to one host by the per-host interval', async () => {
    const from = hits.length;
    await checkLinks(
      [link(`${base}/ok?a`), link(`${base}/ok?b`), link(`${base}/ok?c`), link(`${base}/ok?d`)],
      options({ hostIntervalMs: 150, concurrency: 4 }),
    );
    const times = hits
      .slice(from)
      .map((h) => h.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(4);
    // The pace gates when each request starts; its arrival also carries connect time, which varies by a few ms
    // (a new socket or a kept one). Unpaced, all four arrive within a few ms of each other.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3 * 150 - 30);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(75);
  });
});

describe('checks.links over a real core', () => {
  async function call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> {
    const r = await stack.core.invoke(name, args);
    if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
    return r.value;
  }

  it('checks the links of a captured message, refusing loopback by default', async () => {
    const subject = 'Links to check';
    await sendRaw(
      stack.smtpPort,
      [
        'From: a@shop.test',
        'To: b@example.test',
        `Subject: ${subject}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        `Read ${base}/ok or leave: ${base}/unsubscribe?u=1`,
        '--b',
        'Content-Type: text/html',
        '',
        `<a href="${base}/missing">gone</a><img src="${base}/logo.png" alt="">`,
        '--b--',
        '',
      ].join('\r\n'),
    );
    await stack.core.idle();
    const page = await call('messages.list', { query: `subject:"${subject}"` });
    const id = page.messages[0]!.id;
    const refused = await call('checks.links', { id, dnsServers: [dns.address] });
    expect(refused.allowPrivate).toBe(false);
    expect(refused.links.map((l) => [l.url, l.state])).toEqual([
      [`${base}/missing`, 'refused'],
      [`${base}/logo.png`, 'refused'],
      [`${base}/ok`, 'refused'],
      [`${base}/unsubscribe?u=1`, 'confirm'],
    ]);
    const allowed = await call('checks.links', { id, allowPrivate: true });
    expect(allowed.counts).toEqual({ ok: 2, broken: 1, error: 0, refused: 0, confirm: 1 });
    const only = await call('checks.links', {
      id,
      allowPrivate: true,
      only: [`${base}/unsubscribe?u=1`],
      confirm: [`${base}/unsubscribe?u=1`],
    });
    expect(only.links).toHaveLength(1);
    expect(only.links[0]).toMatchObject({ state: 'ok', status: 200 });
    // The setting allows private addresses for every request.
    await call('settings.update', { checks: { linksAllowPrivate: true } });
    try {
      const bySetting = await call('checks.links', { id });
      expect(bySetting.allowPrivate).toBe(true);
      expect(bySetting.counts.ok).toBe(2);
    } finally {
      await call('settings.update', { checks: { linksAllowPrivate: false } });
    }
  });

  it('answers POST /api/messages/{id}/checks/links with an empty or a JSON body, and names a bad field', async () => {
    await sendRaw(
      stack.smtpPort,
      `From: a@shop.test\r\nTo: b@example.test\r\nSubject: rest links\r\n\r\n${base}/ok\r\n`,
    );
    await stack.core.idle();
    const id = (await call('messages.list', { query: 'subject:"rest links"' })).messages[0]!.id;
    const path = `/api/messages/${id}/checks/links`;
    const json = { 'Content-Type': 'application/json' };
    const empty = await request(stack.http.url, path, { method: 'POST', headers: json });
    expect(empty.status).toBe(200);
    expect(empty.json<LinkReport>().links[0]).toMatchObject({ url: `${base}/ok`, state: 'refused' });
    const allowed = await request(stack.http.url, path, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ allowPrivate: true }),
    });
    expect(allowed.json<LinkReport>().links[0]).toMatchObject({ state: 'ok', status: 200 });
    const bad = await request(stack.http.url, path, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ timeoutMs: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(bad.text()).toContain('timeoutMs');
    expect(
      (await request(stack.http.url, '/api/messages/999999/checks/links', { method: 'POST', headers: json })).status,
    ).toBe(404);
  });

  it('answers an unknown message with not_found', async () => {
    const r = await stack.core.invoke('checks.links', { id: 999_999 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('not_found');
  });
});
