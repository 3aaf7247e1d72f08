// The result schemas tell the truth: a real Core captures mail over SMTP (STARTTLS, AUTH, a fault rule refusing a
// recipient, a failed login), imports every corpus message, and every verb's real answer is parsed with its verb's
// result schema. A field the schema lacks, misses or types wrongly fails here, as does one the schema does not
// document (z.object drops unknown keys, so the parsed value would differ from the real one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALL_NAMES,
  MAX_INLINE_IMPORT_BYTES,
  importProgressSchema,
  importResultSchema,
  messageSummarySchema,
  serverStatusSchema,
  settingsViewSchema,
  verbs,
  type CallArgs,
  type CallName,
  type CallResult,
  type EventName,
} from '../../../src-shared/index.js';
import type { z } from 'zod';
import { corpusFiles } from '../../helpers/corpus.js';
import { startDnsServer } from '../../helpers/dns-server.js';
import { startCore, type SessionHarness } from '../../helpers/session-core.js';

const USER = 'contract-tester';
const PASSWORD = 'contract-secret';
const REFUSED = 'refuse@example.test';

function problems(schema: z.ZodType, value: unknown): string | null {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return null;
}

describe('contract results against their schemas', () => {
  let h: SessionHarness;
  /** The first real result of each verb, for the checks that break one on purpose. */
  const firstResult = new Map<CallName, unknown>();
  const events: { event: EventName; data: unknown }[] = [];
  const files = corpusFiles();

  /** Calls a verb through Core.invoke and checks its answer against the verb's result schema. */
  async function call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>> {
    const r = await h.core.invoke(name, args);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    expectMatches(name, verbs[name].result, r.value);
    if (!firstResult.has(name)) firstResult.set(name, structuredClone(r.value));
    return r.value;
  }

  function expectMatches(label: string, schema: z.ZodType, value: unknown): void {
    expect(problems(schema, value), `${label} does not match its schema`).toBeNull();
    expect(schema.parse(value), `${label} carries a field its schema does not document`).toEqual(value);
  }

  async function send(options: { to: string; raw: Buffer; pass?: string }): Promise<void> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.port('smtp'),
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: USER, pass: options.pass ?? PASSWORD },
    });
    try {
      await transport.sendMail({ envelope: { from: 'sender@example.test', to: [options.to] }, raw: options.raw });
    } finally {
      transport.close();
    }
  }

  beforeAll(async () => {
    h = await startCore({
      listeners: [
        {
          id: 'smtp',
          host: '127.0.0.1',
          port: 0,
          tls: 'starttls',
          auth: {
            policy: 'optional',
            mechanisms: ['PLAIN', 'LOGIN'],
            credentials: [{ username: USER, password: PASSWORD }],
          },
        },
      ],
    });
    h.core.events.onAny((event, data) => events.push({ event, data: structuredClone(data) }));

    await call('settings.update', {
      faults: [
        {
          id: 'refuse-one',
          name: 'Refuse one recipient',
          enabled: true,
          match: { stage: 'rcpt', recipient: REFUSED },
          action: { kind: 'reply', code: 550, enhanced: '5.1.1', text: 'no such user' },
        },
      ],
    });

    // Three sessions with different ends: delivered over STARTTLS with AUTH, refused by the fault rule, failed login.
    const smallest = [...files].sort((a, b) => fs.statSync(a).size - fs.statSync(b).size)[0]!;
    await send({ to: 'qa@example.test', raw: fs.readFileSync(smallest) });
    await expect(send({ to: REFUSED, raw: fs.readFileSync(smallest) })).rejects.toThrow(/550/);
    await expect(send({ to: 'qa@example.test', raw: fs.readFileSync(smallest), pass: 'wrong' })).rejects.toThrow();

    for (const file of files) {
      const data = fs.readFileSync(file);
      // messages.import carries its file inline; larger corpus files take the streamed path.
      if (data.length <= MAX_INLINE_IMPORT_BYTES) {
        await call('messages.import', { filename: path.basename(file), data: data.toString('base64') });
      } else {
        expectMatches(`import of ${path.basename(file)}`, importResultSchema, await h.core.importFile(file));
      }
    }
    // An mbox whose first message has no header line: a failure with its index and offset; the second is kept.
    const mbox =
      'From a@x Mon Nov  2 10:00:00 2026\nnot a header line\n\nFrom b@x Mon Nov  2 10:00:00 2026\nSubject: kept\n\nbody\n';
    const bad = await call('messages.import', {
      filename: 'half-good.mbox',
      data: Buffer.from(mbox).toString('base64'),
    });
    expect(bad.failedCount).toBe(1);
    expect(bad.failed[0]!.offset).toBe(mbox.indexOf('not a header'));
    await h.core.idle();
    await h.core.flushSessions();
    await h.waitFor((p) => p.total >= 3);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('answers every read verb with what its schema says, for every stored message and session', async () => {
    const page = await call('messages.list', { limit: 1000 });
    expect(page.total).toBe(files.length + 2);
    await call('messages.list', { query: 'has:attachment', limit: 5 });
    for (const m of page.messages) {
      const detail = await call('messages.get', { id: m.id });
      expect(detail.indexed, `message ${m.id} not derived yet`).toBe(true);
      await call('messages.source', { id: m.id });
    }
    await call('messages.remoteContentKey', { id: page.messages[0]!.id });

    const sessions = await call('sessions.list', {});
    expect(new Set(sessions.sessions.map((s) => s.outcome))).toEqual(new Set(['delivered', 'rejected', 'authFailed']));
    for (const s of sessions.sessions) {
      const detail = await call('sessions.get', { id: s.id });
      expect(detail.transcript.length).toBeGreaterThan(0);
    }
    await call('sessions.list', { filter: 'rejected', limit: 10 });

    const status = await call('server.status', {});
    expect(status.listeners[0]!.certificate).not.toBeNull();
    const figures = await call('metrics.get', {});
    expect(figures.rejectedByCode['550']).toBe(1);
    expect(figures.faultRuleHits['refuse-one']).toBe(1);
    await call('listeners.certificate', { id: 'smtp' });

    const settings = await call('settings.get', {});
    expect(settings.listeners[0]!.auth?.credentials?.[0]?.password).toEqual({ stored: true });
    await call('settings.presets', {});
    // Nothing listens on port 1: a failed test is an answer too.
    const probe = await call('settings.testStore', { url: 'postgres://u:pw@127.0.0.1:1/db' });
    expect(probe).toMatchObject({ reachable: false, usable: false, schema: null });
  });

  it('answers every diff verb with what its schema says, over the corpus', async () => {
    const page = await call('messages.list', { limit: 1000 });
    const ids = page.messages.map((m) => m.id);
    for (let i = 0; i < ids.length; i++) {
      await call('diff.messages', { a: ids[i]!, b: ids[(i + 1) % ids.length]!, ignoreVolatile: i % 2 === 0 });
    }
    const status = await call('diff.rendererStatus', {});
    expect(status.available).toBe(true);
    const withHtml: number[] = [];
    for (const id of ids) if ((await call('messages.get', { id })).hasHtml) withHtml.push(id);
    const [a, b] = withHtml;
    await call('diff.screenshot', { id: a!, width: 375, scheme: 'dark', images: 'off' });
    await call('diff.screenshot', { id: a!, width: 320, scheme: 'inverted' });
    await call('diff.visual', { a: a!, b: b! });
    for (const id of ids) await call('diff.accessibility', { id });
    const baseline = await call('diff.approveBaseline', { messageId: a!, key: 'contract', widths: [320] });
    expect(baseline.screenshots).toEqual([320]);
    await call('diff.listBaselines', {});
    const cmp = await call('diff.compareBaseline', { key: 'contract', messageId: b! });
    expect(cmp.pixelRatio[0]!.width).toBe(320);
    await call('diff.verdicts', { ids: [a!, b!] });
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-contract-'));
    try {
      await call('diff.exportBaselines', { folder });
      await call('diff.importBaselines', { folder });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    await call('diff.deleteBaseline', { key: 'contract' });
  }, 300_000);

  it('answers every compose verb with what its schema says', async () => {
    await call('compose.explainReply', { reply: '550 5.1.1 no such user' });
    const presets = await call('compose.profiles.presets', {});
    expect(presets.presets.some((p) => p.source === 'capture')).toBe(true);
    const profile = await call('compose.profiles.create', {
      profile: {
        name: 'Contract relay',
        host: '127.0.0.1',
        port: h.port('smtp'),
        security: 'starttls-required',
        tls: { verify: false },
        auth: { mechanism: 'PLAIN', user: USER, password: PASSWORD },
      },
    });
    await call('compose.profiles.list', {});
    await call('compose.profiles.get', { id: profile.id });
    await call('compose.profiles.update', { id: profile.id, profile: { ...profile, name: 'Contract relay 2' } });
    const report = await call('compose.profiles.test', { id: profile.id });
    expect(report.ok, report.explanation ?? '').toBe(true);
    const sent = await call('compose.send', {
      profile: profile.id,
      message: { from: 'contract@example.test', to: ['qa@example.test'], subject: 'contract', html: '<p>x</p>' },
    });
    expect(sent.outcome).toBe('delivered');
    const firstMessage = (await call('messages.list', { limit: 1 })).messages[0]!;
    await call('compose.release', { id: firstMessage.id, profile: profile.id, to: ['qa@example.test'] });
    const raw = Buffer.from('From: contract@example.test\r\nTo: qa@example.test\r\nSubject: raw\r\n\r\nraw\r\n');
    const rawSent = await call('compose.sendRaw', { profile: profile.id, raw: raw.toString('base64') });
    expect(rawSent.outcome).toBe('delivered');
    await call('compose.replyCode', { code: '550', enhanced: '5.1.1' });
    const asDraft = await call('compose.drafts.fromMessage', { id: firstMessage.id });
    const draft = await call('compose.drafts.create', { draft: { ...asDraft, profile: profile.id } });
    await call('compose.drafts.update', { id: draft.id, draft: draft.draft });
    await call('compose.drafts.get', { id: draft.id });
    await call('compose.drafts.list', {});
    await call('compose.drafts.delete', { id: draft.id });
    await call('compose.dkim.generate', { algorithm: 'ed25519', domain: 'example.test', selector: 's' });
    const history = await call('compose.sends.list', {});
    await call('diff.sends', { a: history.sends[0]!.id, b: history.sends[1]!.id });
    await call('compose.sends.get', { id: history.sends[0]!.id });
    await call('compose.sends.raw', { id: history.sends[0]!.id });
    const run = await call('compose.bulk.start', {
      profile: profile.id,
      message: { from: 'contract@example.test', to: ['{{email}}'], subject: 'bulk {{n}}', text: 'x' },
      source: { kind: 'csv', csv: 'email\nqa@example.test\n' },
    });
    await call('compose.bulk.get', { id: run.id });
    await call('compose.bulk.list', {});
    expect((await call('compose.bulk.cancel', { id: run.id })).state).not.toBe('running');
    await call('compose.bulk.export', { id: run.id, format: 'csv' });
    await call('compose.bulk.export', { id: run.id, format: 'json' });
    const file = await call('compose.profiles.export', {});
    await call('compose.profiles.import', file);
    await call('compose.profiles.delete', { id: profile.id });
  });

  it('answers every checks verb with what its schema says, over the corpus', async () => {
    const dns = await startDnsServer({ 'example.test': [{ type: 'TXT', data: 'v=spf1 -all' }] });
    try {
      await call('settings.update', { checks: { dnsServers: [dns.address], spamd: '127.0.0.1:1' } });
      const page = await call('messages.list', { limit: 1000 });
      for (const m of page.messages) await call('checks.message', { id: m.id, refresh: true });
      await call('checks.badges', { ids: page.messages.map((m) => m.id) });
      await call('checks.spam', { id: page.messages[0]!.id });
      await call('checks.domain', { domain: 'example.test', selector: 's1' });
      // Names in the corpus are NXDOMAIN at this DNS server, so no link leaves the machine; loopback stays refused.
      for (const m of page.messages) await call('checks.links', { id: m.id, timeoutMs: 1000 });
      for (const m of page.messages) await call('checks.blocklists', { id: m.id, ip: '192.0.2.1' });
      await call('checks.blocklistLookup', { target: 'example.test' });
      await call('checks.address', { address: 'a@example.test', probe: { host: '127.0.0.1', port: 1 } });
      await call('checks.address', { address: 'not an address' });
    } finally {
      await dns.close();
    }
  }, 300_000);

  it('answers every tags, compat, wait, mailboxes and webhooks verb with what its schema says', async () => {
    const sent = await call('mailpit.send', {
      From: { Email: 'contract@example.test', Name: 'Contract' },
      To: [{ Email: 'box+tag@example.test', Name: '' }],
      Subject: 'contract tags',
      Text: 'hello',
    });
    const id = Number(sent.ID);
    await h.core.idle();
    await call('tags.set', { ids: [id], tags: ['one'] });
    await call('tags.add', { ids: [id], tags: ['two'] });
    await call('tags.get', { ids: [id] });
    await call('tags.rename', { from: 'two', to: 'three' });
    await call('tags.list', {});
    await call('tags.delete', { tag: 'three' });
    const waited = await call('wait.message', { query: 'subject:"contract tags"', timeoutMs: 1000 });
    expect(waited.message?.id).toBe(id);
    await call('mailboxes.list', {});
    await call('mailboxes.messages', { address: 'a@example.test' });
    await call('mailboxes.newAddress', {});
    await call('webhooks.deliveries', {});
  });

  it('answers every templates verb with what its schema says', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-contract-templates-'));
    try {
      fs.writeFileSync(
        path.join(folder, 'ok.mjml'),
        '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>',
      );
      fs.writeFileSync(path.join(folder, 'broken.hbs'), '<p>{{#if a}}</p>');
      await call('settings.update', { templates: { folder } });
      const list = await call('templates.list', {});
      expect(list.templates.map((t) => t.path)).toEqual(['broken.hbs', 'ok.mjml']);
      expect((await call('templates.render', { path: 'ok.mjml' })).html).toContain('Hi');
      expect((await call('templates.render', { path: 'broken.hbs' })).problem?.line).toBe(1);
      expect((await call('templates.list', {})).templates[0]!.problem).not.toBeNull();
      expect(
        (await call('templates.render', { path: 'ok.mjml', scheme: 'inverted', images: 'off' })).previewHtml,
      ).toContain('invert(1)');
      expect((await call('diff.templateAccessibility', { path: 'ok.mjml' })).hasHtml).toBe(true);
      expect((await call('diff.templateAccessibility', { path: 'broken.hbs' })).hasHtml).toBe(false);
      expect((await call('diff.templateScreenshot', { path: 'ok.mjml', width: 320 })).width).toBe(320);
      await call('templates.capture', { path: 'ok.mjml' });
      await call('settings.update', { templates: { folder: '' } });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers every changing verb with what its schema says', async () => {
    const page = await call('messages.list', { limit: 3 });
    const ids = page.messages.map((m) => m.id);
    await call('messages.markRead', { ids, read: true });
    await call('messages.markAllRead', {});
    await call('messages.reindex', {});
    await h.core.idle();
    await call('messages.delete', { ids: [ids[0]!] });
    await call('messages.deleteAll', {});
  });

  it('covers every contract verb', () => {
    expect([...firstResult.keys()].sort()).toEqual([...CALL_NAMES].sort());
  });

  it('pushes events whose payloads match the result schemas they reuse', () => {
    const payloadSchemas: Partial<Record<EventName, (data: unknown) => [z.ZodType, unknown][]>> = {
      'import.progress': (d) => [[importProgressSchema, d]],
      'server.status': (d) => [[serverStatusSchema, d]],
      'settings.changed': (d) => [[settingsViewSchema, d]],
      'messages.added': (d) => (d as { messages: unknown[] }).messages.map((m) => [messageSummarySchema, m]),
    };
    const seen = new Set<EventName>();
    for (const { event, data } of events) {
      for (const [schema, value] of payloadSchemas[event]?.(data) ?? []) {
        expectMatches(`event ${event}`, schema, value);
        seen.add(event);
      }
    }
    expect([...seen].sort()).toEqual(['import.progress', 'messages.added', 'settings.changed']);
  });

  it('fails a real result that misses any of its fields', () => {
    for (const [name, value] of firstResult) {
      if (value === null || typeof value !== 'object') continue;
      for (const key of Object.keys(value)) {
        const broken = { ...(value as Record<string, unknown>) };
        delete broken[key];
        expect(verbs[name].result.safeParse(broken).success, `${name} without ${key}`).toBe(false);
      }
    }
  });

  it('fails a real result with a field nested deep inside missing or mistyped', () => {
    const detail = structuredClone(firstResult.get('messages.get')) as Record<string, Record<string, unknown>>;
    delete detail.envelope!.heloName;
    expect(problems(verbs['messages.get'].result, detail)).toMatch(/envelope\.heloName/);

    const session = structuredClone(firstResult.get('sessions.get')) as { transcript: Record<string, unknown>[] };
    session.transcript[0]!.dir = 'X';
    expect(problems(verbs['sessions.get'].result, session)).toMatch(/transcript\.0\.dir/);
  });
});
