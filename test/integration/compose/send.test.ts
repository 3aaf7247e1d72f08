// Sending through profiles into Mailwright's own capture server: the bytes that arrive are the bytes recorded,
// attachments and inline images, custom headers, envelope override, DKIM (verified by mailauth against a real DNS
// server on loopback), SIZE refused before DATA, per-recipient 550s, a drop mid-DATA, release, and the history.
import { promises as dns } from 'node:dns';
import dns2 from 'dns2';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendReport } from '../../../src-shared/index.js';
import { corpusFiles } from '../../helpers/corpus.js';
import { CANARY, USER, profileFor, startFarEnd, type Far } from './helpers.js';
import fs from 'node:fs';
import path from 'node:path';

let far: Far;
let plain: string;
let small: string;
let auth: string;

beforeAll(async () => {
  far = await startFarEnd([
    { id: 'small', host: '127.0.0.1', port: 0, tls: 'none', limits: { maxMessageBytes: 4000 } },
  ]);
  plain = (await far.call('compose.profiles.create', { profile: profileFor(far, 'plain') })).id;
  small = (await far.call('compose.profiles.create', { profile: profileFor(far, 'small') })).id;
  auth = (
    await far.call('compose.profiles.create', {
      profile: profileFor(far, 'starttls', {
        security: 'starttls',
        auth: { mechanism: 'LOGIN', user: USER, password: CANARY },
        defaultFrom: 'Default Sender <default@example.test>',
      }),
    })
  ).id;
});
afterAll(async () => {
  await far?.close();
});

async function arrived(messageId: string) {
  await far.core.idle();
  const page = await far.call('messages.list', { limit: 1000 });
  for (const m of page.messages) {
    const detail = await far.call('messages.get', { id: m.id });
    const header = detail.headers.find((h) => h.key.toLowerCase() === 'message-id');
    if (header?.value.includes(messageId.replace(/[<>]/g, ''))) return detail;
  }
  throw new Error(`message ${messageId} did not arrive`);
}

async function rawOf(id: number): Promise<Buffer> {
  return far.core.raw(id);
}

async function sentBytes(report: SendReport): Promise<Buffer> {
  return Buffer.from((await far.call('compose.sends.raw', { id: report.id })).base64, 'base64');
}

describe('compose.send', () => {
  it('delivers a message with text, HTML, an attachment, an inline image and custom headers, byte-faithful', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const r = await far.call('compose.send', {
      profile: auth,
      message: {
        to: ['Rcpt One <one@example.test>'],
        cc: ['two@example.test'],
        bcc: ['hidden@example.test'],
        replyTo: 'reply@example.test',
        subject: 'Héllo ✓ compose',
        text: 'plain body',
        html: '<p>html body <img src="cid:logo@mw"></p>',
        headers: [{ name: 'X-Campaign', value: 'spring-42' }],
        priority: 'high',
        listUnsubscribe: '<https://example.test/u/1>',
        listUnsubscribePost: true,
        attachments: [
          { filename: 'report.txt', contentType: 'text/plain', content: Buffer.from('attached!').toString('base64') },
          { filename: 'logo.png', contentType: 'image/png', content: png.toString('base64'), cid: 'logo@mw' },
        ],
      },
    });
    expect(r.outcome, r.explanation ?? '').toBe('delivered');
    expect(r.accepted.map((a) => a.address).sort()).toEqual([
      'hidden@example.test',
      'one@example.test',
      'two@example.test',
    ]);
    for (const a of r.accepted) expect(a.reply).toMatch(/^250/);
    expect(r.reply).toMatch(/^250/);
    expect(r.tls?.protocol).toBeTruthy();
    expect(r.envelope.from).toBe('default@example.test');
    expect(r.transcript.some((l) => l.dir === 'C' && l.text === 'DATA')).toBe(true);
    const detail = await arrived(r.messageId!);
    expect(detail.subject).toBe('Héllo ✓ compose');
    expect(detail.envelope.rcptTo.sort()).toEqual(['hidden@example.test', 'one@example.test', 'two@example.test']);
    expect(detail.envelope.authUser).toBe(USER);
    const names = detail.headers.map((h) => h.key.toLowerCase());
    expect(names).toContain('x-campaign');
    expect(names).toContain('list-unsubscribe-post');
    expect(names).not.toContain('bcc');
    expect(detail.attachments.map((a) => a.filename).sort()).toEqual(['logo.png', 'report.txt']);
    expect((await rawOf(detail.id)).equals(await sentBytes(r))).toBe(true);
  });

  it('sends the envelope given, not the headers', async () => {
    const r = await far.call('compose.send', {
      profile: plain,
      message: { from: 'header@example.test', to: ['header-to@example.test'], subject: 'envelope', text: 'x' },
      envelope: { from: 'bounce@example.test', to: ['real@example.test'] },
    });
    expect(r.outcome).toBe('delivered');
    const detail = await arrived(r.messageId!);
    expect(detail.envelope.mailFrom).toBe('bounce@example.test');
    expect(detail.envelope.rcptTo).toEqual(['real@example.test']);
    expect(detail.to.map((a) => a.address)).toEqual(['header-to@example.test']);
  });

  it('refuses a message over the server SIZE before MAIL FROM, and records it', async () => {
    const big = Buffer.alloc(6000, 'a').toString('base64');
    const r = await far.call('compose.send', {
      profile: small,
      message: { from: 'a@example.test', to: ['b@example.test'], attachments: [{ filename: 'big.bin', content: big }] },
    });
    expect(r.outcome).toBe('refused');
    expect(r.explanation).toMatch(/SIZE/);
    expect(r.transcript.some((l) => l.dir === 'C' && /^MAIL FROM/.test(l.text))).toBe(false);
    const history = await far.call('compose.sends.list', { outcome: 'refused' });
    expect(history.sends.map((s) => s.id)).toContain(r.id);
  });

  it('gives a clear error for an unparseable address or an unknown profile, before connecting', async () => {
    const bad = await far.core.invoke('compose.send', {
      profile: plain,
      message: { from: 'a@example.test', to: ['not an address'] },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'invalid_argument', field: 'message.to.0' });
    const unknown = await far.core.invoke('compose.send', { profile: 'nope', message: { to: ['a@example.test'] } });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.code).toBe('not_found');
  });

  it('asks for confirmation before sending to a host that is not loopback', async () => {
    const far2 = await far.call('compose.profiles.create', {
      profile: { ...profileFor(far, 'plain'), host: 'mail.example.invalid' },
    });
    const before = (await far.call('compose.sends.list', {})).total;
    const r = await far.core.invoke('compose.send', {
      profile: far2.id,
      message: { from: 'a@example.test', to: ['x@example.test'], bcc: ['y@example.test'] },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'forbidden', field: 'confirm' });
      expect(r.error.message).toContain('x@example.test, y@example.test');
    }
    expect((await far.call('compose.sends.list', {})).total).toBe(before);
  });

  it('550 5.1.1 from a fault rule refuses one recipient and delivers to the rest', async () => {
    await far.call('settings.update', {
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
    try {
      const r = await far.call('compose.send', {
        profile: plain,
        message: { from: 'a@example.test', to: ['ghost@example.test', 'alive@example.test'], text: 'x' },
      });
      expect(r.outcome).toBe('partial');
      expect(r.rejected).toEqual([{ address: 'ghost@example.test', reply: expect.stringMatching(/^550 5\.1\.1/) }]);
      expect(r.accepted.map((a) => a.address)).toEqual(['alive@example.test']);
      const all = await far.call('compose.send', {
        profile: plain,
        message: { from: 'a@example.test', to: ['ghost@example.test'], text: 'x' },
      });
      expect(all.outcome).toBe('rejected');
      expect(all.explanation).toMatch(/Bad destination mailbox address/);
    } finally {
      await far.call('settings.update', { faults: [] });
    }
  });

  it('records a server that drops the connection mid-DATA as such', async () => {
    await far.call('settings.update', {
      faults: [{ id: 'drop', name: 'drop', enabled: true, match: { stage: 'afterData' }, action: { kind: 'drop' } }],
    });
    try {
      const r = await far.call('compose.send', {
        profile: plain,
        message: { from: 'a@example.test', to: ['b@example.test'], text: 'x' },
      });
      expect(r.outcome).toBe('failed');
      expect(r.error).toMatch(/dropped during DATA/);
      const detail = await far.call('compose.sends.get', { id: r.id });
      expect(detail.report.explanation).toMatch(/mid-DATA/);
    } finally {
      await far.call('settings.update', { faults: [] });
    }
  });
});

describe('DKIM', () => {
  let server: ReturnType<typeof dns2.createServer>;
  const records = new Map<string, string[]>();
  let resolver: dns.Resolver;

  beforeAll(async () => {
    server = dns2.createServer({
      udp: true,
      handle: (request, send) => {
        const response = dns2.Packet.createResponseFromRequest(request);
        const q = request.questions[0]!;
        const data = records.get(q.name.toLowerCase());
        if (data && q.type === dns2.Packet.TYPE.TXT)
          response.answers.push({
            name: q.name,
            type: dns2.Packet.TYPE.TXT,
            class: dns2.Packet.CLASS.IN,
            ttl: 60,
            data,
          } as unknown as (typeof response.answers)[number]);
        void send(response);
      },
    });
    const address = await new Promise<{ port: number }>((resolve) => {
      server.on('listening', () => resolve(server.addresses().udp as { port: number }));
      void server.listen({ udp: { port: 0, address: '127.0.0.1' } });
    });
    resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${address.port}`]);
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const algorithm of ['rsa-2048', 'ed25519'] as const) {
    it(`${algorithm}: the generated key signs, the message arrives byte-faithful and mailauth verifies it`, async () => {
      const key = await far.call('compose.dkim.generate', { algorithm, domain: 'signed.example', selector: 'mw' });
      expect(key.dnsName).toBe('mw._domainkey.signed.example');
      expect(key.dnsRecord).toMatch(algorithm === 'ed25519' ? /k=ed25519/ : /k=rsa/);
      // The record as published: its quoted strings, which a resolver joins.
      records.set(
        key.dnsName,
        [...key.dnsRecord.matchAll(/"([^"]*)"/g)].map((m) => m[1]!),
      );
      const r = await far.call('compose.send', {
        profile: plain,
        message: { from: 'news@signed.example', to: ['reader@example.test'], subject: 'signed', html: '<b>hi</b>' },
        dkim: { domain: 'signed.example', selector: 'mw', privateKey: key.privateKey },
      });
      expect(r.outcome).toBe('delivered');
      const detail = await arrived(r.messageId!);
      const raw = await rawOf(detail.id);
      expect(raw.equals(await sentBytes(r))).toBe(true);
      const verdict = await dkimVerify(raw, {
        resolver: async (name: string, type: string) => (type === 'TXT' ? resolver.resolveTxt(name) : []),
      });
      expect(verdict.results[0]?.status.result, JSON.stringify(verdict.results[0]?.status)).toBe('pass');
      expect(JSON.stringify(r)).not.toContain(key.privateKey.split('\n')[1]);
    });
  }
});

describe('release and history', () => {
  it('releases a captured message: bytes kept, only Message-ID and Date renewed on request', async () => {
    const first = await far.call('compose.send', {
      profile: plain,
      message: { from: 'a@example.test', to: ['orig@example.test'], subject: 'to release', text: 'body\r\n.dot line' },
    });
    const captured = await arrived(first.messageId!);
    const original = await rawOf(captured.id);
    const same = await far.call('compose.release', { id: captured.id, profile: plain, to: ['other@example.test'] });
    expect(same.outcome).toBe('delivered');
    expect(same.envelope.to).toEqual(['other@example.test']);
    expect((await sentBytes(same)).equals(original)).toBe(true);
    const renewed = await far.call('compose.release', { id: captured.id, profile: plain, newMessageId: true });
    expect(renewed.messageId).not.toBe(first.messageId);
    const bytes = (await sentBytes(renewed)).toString('latin1');
    const strip = (s: string) => s.replace(/^(Message-ID|Date):.*\r\n/gim, '');
    expect(strip(bytes)).toBe(strip(original.toString('latin1')));
    const arrivedAgain = await arrived(renewed.messageId!);
    expect(arrivedAgain.envelope.rcptTo).toEqual(['orig@example.test']);
  });

  it('releases every corpus message: delivered byte-faithful or clearly refused, never a crash', async () => {
    const files = corpusFiles();
    let delivered = 0;
    for (const file of files) {
      const data = fs.readFileSync(file);
      if (data.length > 512 * 1024) continue;
      const imported = await far.call('messages.import', {
        filename: path.basename(file),
        data: data.toString('base64'),
      });
      const id = imported.ids?.[0];
      if (id === undefined) continue;
      const r = await far.core.invoke('compose.release', { id, profile: plain, to: ['corpus@example.test'] });
      if (!r.ok) {
        expect(r.error.code, `${file}: ${r.error.message}`).not.toBe('internal');
        continue;
      }
      expect(['delivered', 'rejected', 'refused'], `${file}: ${r.value.error}`).toContain(r.value.outcome);
      if (r.value.outcome === 'delivered') {
        delivered++;
        expect((await sentBytes(r.value)).equals(await rawOf(id)), file).toBe(true);
      }
    }
    expect(delivered).toBeGreaterThan(files.length / 2);
  });

  it('lists, searches, filters and opens sends, with the raw bytes', async () => {
    const all = await far.call('compose.sends.list', {});
    expect(all.total).toBeGreaterThan(5);
    const found = await far.call('compose.sends.list', { query: 'to release' });
    expect(found.sends.length).toBeGreaterThanOrEqual(1);
    expect(found.sends.every((s) => s.subject === 'to release')).toBe(true);
    const failed = await far.call('compose.sends.list', { outcome: 'failed' });
    expect(failed.sends.every((s) => s.outcome === 'failed')).toBe(true);
    const one = await far.call('compose.sends.get', { id: all.sends[0]!.id });
    expect(one.report.transcript.length).toBeGreaterThan(0);
    const missing = await far.core.invoke('compose.sends.get', { id: 999_999 });
    expect(missing.ok).toBe(false);
  });
});
