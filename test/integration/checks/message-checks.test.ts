// checks.message over a real core: a message sent by SMTP is authenticated (with a "what if" sending IP), linted,
// scored for client compatibility and cached; a DSN is read and linked to its captured original; every corpus
// message gets its checks without an error; badges come from the cache.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallResult } from '../../../src-shared/index.js';
import { corpusFiles, CORPUS_DIR } from '../../helpers/corpus.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';
import { sendRaw, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startDnsServer({
    'shop.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
    '_dmarc.shop.test': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine; rua=mailto:d@shop.test' }],
  });
  stack = await startStack();
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

const FLEX_HTML =
  '<html><head><style>\n.row { display: flex; }\n</style></head><body>\n' +
  '<div class="row" style="border-radius: 6px">Hello</div>\n<a href="https://evil.test/x">https://shop.test/account</a>\n</body></html>';

function newsletter(subject: string): string {
  return [
    'From: Shop <news@shop.test>',
    'To: b@example.test',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    FLEX_HTML.replace('Hello', 'Hello, click to unsubscribe'),
    '',
  ].join('\r\n');
}

describe('checks.message', () => {
  it('authenticates, lints and scores a captured message, and caches the result', async () => {
    await sendRaw(stack.smtpPort, newsletter('NEWSLETTER FOR EVERYONE TODAY'));
    const id = await idOf('NEWSLETTER FOR EVERYONE TODAY');
    const first = await call('checks.message', { id, refresh: true, dnsServers: [dns.address] });
    // Captured from 127.0.0.1, which shop.test's SPF does not list.
    expect(first.auth.input.ip).toBe('127.0.0.1');
    expect(first.auth.spf.result).toBe('none'); // envelope sender a@example.test: no record there
    const lintIds = first.lint.map((f) => f.id);
    for (const expected of [
      'missing-date',
      'missing-message-id',
      'html-without-text',
      'shouting-subject',
      'missing-list-unsubscribe',
      'link-text-domain',
      'no-dkim',
    ])
      expect(lintIds).toContain(expected);
    expect(first.compat.checked).toBe(true);
    expect(first.compat.score).toBeGreaterThan(0);
    expect(first.compat.score).toBeLessThan(100);
    expect(first.compat.scoreExplained).toContain('average');

    const whatIf = await call('checks.message', {
      id,
      ip: '192.0.2.1',
      mailFrom: 'bounce@shop.test',
      dnsServers: [dns.address],
    });
    expect(whatIf.auth.spf).toMatchObject({ result: 'pass', domain: 'shop.test', ip: '192.0.2.1' });
    expect(whatIf.auth.dmarc).toMatchObject({ result: 'pass', policy: 'quarantine', spfAligned: 'shop.test' });
    expect(whatIf.auth.dns.some((a) => a.name === '_dmarc.shop.test' && a.status === 'ok')).toBe(true);

    // The default (envelope) run was not cached, since it used a custom resolver; run it so the cache fills.
    const cachedRun = await call('checks.message', { id });
    const again = await call('checks.message', { id });
    expect(again.checkedAt).toBe(cachedRun.checkedAt);
    const badges = await call('checks.badges', { ids: [id, 999_999] });
    expect(badges.badges).toEqual([
      expect.objectContaining({
        id,
        dkim: 'none',
        compatScore: cachedRun.compat.score,
        lintErrors: expect.any(Number),
      }),
    ]);
    const refreshed = await call('checks.message', { id, refresh: true });
    expect(refreshed.checkedAt >= cachedRun.checkedAt).toBe(true);
  });

  it('flags flexbox and border-radius for Outlook on Windows at their line and column', async () => {
    await sendRaw(stack.smtpPort, newsletter('compat positions'));
    const id = await idOf('compat positions');
    const r = await call('checks.message', { id, clients: ['outlook.windows'], dnsServers: [dns.address] });
    expect(r.compat.clients).toEqual(['outlook.windows']);
    const find = (feature: string) =>
      r.compat.findings.filter((f) => f.client === 'outlook.windows' && f.feature === feature && f.support === 'none');
    // Line 2 is `.row { display: flex; }` (the declaration starts at column 8); line 4 is the div whose style
    // attribute has the border-radius (caniemail places inline styles at their element, column 1).
    expect(find('display:flex').map((f) => [f.line, f.column])).toEqual([[2, 8]]);
    const radius = find('border-radius');
    expect(radius.map((f) => [f.line, f.column])).toEqual([[4, 1]]);
    expect(radius[0]?.url).toMatch(/^https:\/\/www\.caniemail\.com\/features\//);
    expect(radius[0]?.notes.join(' ')).toContain('VML');
  });

  it('reads the corpus DSN and links it to the captured original', async () => {
    const dsnRaw = fs.readFileSync(path.join(CORPUS_DIR, 'mailparser/delivery-status.eml'));
    const original = dsnRaw
      .toString('latin1')
      .split('Content-Description: Undelivered Message\n\n')[1]
      ?.split('\n------=_Part')[0];
    expect(original).toBeDefined();
    await sendRaw(stack.smtpPort, original as string);
    await sendRaw(stack.smtpPort, dsnRaw);
    const originalId = await idOf('Example Subject');
    const dsnId = await idOf('Delivery Status Notification (Failure)');
    const r = await call('checks.message', { id: dsnId, refresh: true, dnsServers: [dns.address] });
    expect(r.dsn).toMatchObject({
      reportingMta: 'amazonses.com',
      originalMessageId: '<xxxxx@email.amazonses.com>',
      originalId,
    });
    expect(r.dsn?.recipients).toEqual([
      expect.objectContaining({
        finalRecipient: 'xxxx@xxxx.com',
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'amazonses.com',
      }),
    ]);
    expect(r.dsn?.recipients[0]?.statusExplained).toBe(
      'Permanent failure (the message was not delivered): the mailbox does not exist.',
    );
    expect(r.dsn?.recipients[0]?.diagnosticCode).toContain('suppression list');
  });

  it('checks every corpus message without an error', async () => {
    const files = corpusFiles();
    for (const file of files) await sendRaw(stack.smtpPort, fs.readFileSync(file));
    await stack.core.idle();
    const page = await call('messages.list', { limit: 1000 });
    expect(page.messages.length).toBeGreaterThanOrEqual(files.length);
    for (const m of page.messages) {
      const r = await stack.core.invoke('checks.message', { id: m.id, refresh: true, dnsServers: [dns.address] });
      expect(r.ok, `${m.subject}: ${r.ok ? '' : r.error.message}`).toBe(true);
      if (r.ok) expect(Array.isArray(r.value.lint)).toBe(true);
    }
  });

  it('takes the resolver from the checks settings section, and refuses a server that is not an address', async () => {
    const bad = await stack.core.invoke('settings.update', { checks: { dnsServers: ['dns.example.com'] } });
    expect(bad.ok ? null : bad.error).toMatchObject({ code: 'invalid_argument', field: 'checks.dnsServers.0' });
    await call('settings.update', { checks: { dnsServers: [dns.address] } });
    expect((await call('settings.get', {})).checks.dnsServers).toEqual([dns.address]);
    await sendRaw(stack.smtpPort, newsletter('settings resolver'));
    const id = await idOf('settings resolver');
    const r = await call('checks.message', { id, ip: '192.0.2.1', mailFrom: 'x@shop.test' });
    expect(r.auth.spf.result).toBe('pass');
    expect(r.auth.dns[0]?.server).toBe(dns.address);
  });

  it('answers not_found for a missing message and invalid_argument for a bad DNS server', async () => {
    const missing = await stack.core.invoke('checks.message', { id: 999_999 });
    expect(missing.ok ? null : missing.error.code).toBe('not_found');
    await sendRaw(stack.smtpPort, newsletter('bad dns'));
    const id = await idOf('bad dns');
    const bad = await stack.core.invoke('checks.message', { id, dnsServers: ['dns.example.com'] });
    expect(bad.ok ? null : bad.error).toMatchObject({ code: 'invalid_argument', field: 'dnsServers' });
  });
});
