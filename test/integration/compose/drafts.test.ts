// Drafts (saved with their attachments and reopened), "Edit as new" (a captured message back into the composer
// with its HTML, text, attachments, inline images and headers), whole messages sent as they are, the reply-code
// lookup, and the secrets canary over sends: a real Core whose own capture listeners are the far end.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DraftInput } from '../../../src-shared/index.js';
import { corpusFiles } from '../../helpers/corpus.js';
import { CANARY, USER, profileFor, startFarEnd, type Far } from './helpers.js';

let far: Far;
let plain: string;

/** A 1x1 PNG, as an inline image. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n% not really a pdf, but bytes that must survive\n\x00\x01\x02\xff');

beforeAll(async () => {
  far = await startFarEnd();
  plain = (await far.call('compose.profiles.create', { profile: profileFor(far, 'plain') })).id;
});
afterAll(async () => {
  await far?.close();
});

const rich: DraftInput['message'] = {
  from: '"Shop Team" <shop@example.test>',
  to: ['"Ann Buyer" <ann@example.test>', 'bob@example.test'],
  cc: ['lead@example.test'],
  replyTo: 'help@example.test',
  subject: 'Your order ✓',
  text: 'Plain words for the order.',
  html: '<h1>Order</h1><p>Thanks!</p><img src="cid:logo.png" alt="logo">',
  headers: [
    { name: 'X-Campaign', value: 'spring-42' },
    { name: 'X-Entity-Ref-ID', value: 'abc' },
  ],
  priority: 'high',
  listUnsubscribe: '<https://example.test/u/1>',
  listUnsubscribePost: true,
  attachments: [
    { filename: 'invoice.pdf', contentType: 'application/pdf', content: PDF.toString('base64') },
    { filename: 'logo.png', contentType: 'image/png', content: PNG.toString('base64'), cid: 'logo.png' },
  ],
};

async function captured(subject: string) {
  await far.core.idle();
  const page = await far.call('messages.list', { limit: 1000 });
  const hit = page.messages.find((m) => m.subject === subject);
  if (!hit) throw new Error(`no captured message "${subject}"`);
  return hit;
}

describe('drafts', () => {
  it('saves a draft with its attachments, lists it, reopens it unchanged, updates and deletes it', async () => {
    const saved = await far.call('compose.drafts.create', {
      draft: { profile: plain, message: rich, envelope: { from: 'bounce@example.test' } },
    });
    expect(saved).toMatchObject({ subject: 'Your order ✓', profile: plain, attachments: 2 });
    expect(saved.to).toEqual(['"Ann Buyer" <ann@example.test>', 'bob@example.test', 'lead@example.test']);

    const reopened = await far.call('compose.drafts.get', { id: saved.id });
    expect(reopened.draft.message.html).toBe(rich.html);
    expect(reopened.draft.envelope).toEqual({ from: 'bounce@example.test' });
    const pdf = reopened.draft.message.attachments.find((a) => a.filename === 'invoice.pdf')!;
    expect(Buffer.from(pdf.content, 'base64').equals(PDF)).toBe(true);
    expect(reopened.draft.message.attachments.find((a) => a.filename === 'logo.png')?.cid).toBe('logo.png');

    const list = await far.call('compose.drafts.list', {});
    expect(list.drafts.map((d) => d.id)).toContain(saved.id);
    expect(JSON.stringify(list)).not.toContain(PDF.toString('base64'));

    const updated = await far.call('compose.drafts.update', {
      id: saved.id,
      draft: { ...reopened.draft, message: { ...reopened.draft.message, subject: 'Second thoughts' } },
    });
    expect(updated.subject).toBe('Second thoughts');
    expect(updated.created).toBe(saved.created);
    expect(far.events.some((e) => e.startsWith('compose.drafts.changed ') && e.includes(`"id":${saved.id}`))).toBe(
      true,
    );

    expect(await far.call('compose.drafts.delete', { id: saved.id })).toEqual({ deleted: true });
    expect(await far.call('compose.drafts.delete', { id: saved.id })).toEqual({ deleted: false });
    const gone = await far.core.invoke('compose.drafts.get', { id: saved.id });
    expect(gone).toMatchObject({ ok: false, error: { code: 'not_found', field: 'id' } });
  });

  it('refuses a draft whose shape is wrong, naming the field', async () => {
    const r = await far.core.invoke('compose.drafts.create', {
      draft: { message: { to: 'not-a-list' } },
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'draft.message.to' } });
  });
});

describe('edit as new', () => {
  it('carries a captured message HTML, text, attachments, inline image, priority and headers into a draft', async () => {
    const sent = await far.call('compose.send', { profile: plain, message: rich });
    expect(sent.outcome).toBe('delivered');
    const m = await captured('Your order ✓');
    const draft = await far.call('compose.drafts.fromMessage', { id: m.id });
    const d = draft.message;
    expect(d.from).toBe('"Shop Team" <shop@example.test>');
    expect(d.to).toEqual(['"Ann Buyer" <ann@example.test>', 'bob@example.test']);
    expect(d.cc).toEqual(['lead@example.test']);
    expect(d.replyTo).toBe('help@example.test');
    expect(d.subject).toBe('Your order ✓');
    expect(d.html).toContain('<h1>Order</h1>');
    expect(d.html).toContain('src="cid:logo.png"');
    expect(d.text?.trim()).toBe('Plain words for the order.');
    expect(d.priority).toBe('high');
    expect(d.listUnsubscribe).toBe('<https://example.test/u/1>');
    expect(d.listUnsubscribePost).toBe(true);
    expect(d.headers).toEqual(
      expect.arrayContaining([
        { name: 'X-Campaign', value: 'spring-42' },
        { name: 'X-Entity-Ref-ID', value: 'abc' },
      ]),
    );
    const names = d.headers.map((h) => h.name.toLowerCase());
    for (const own of ['message-id', 'date', 'content-type', 'mime-version', 'received', 'x-priority'])
      expect(names).not.toContain(own);
    const pdf = d.attachments.find((a) => a.filename === 'invoice.pdf')!;
    expect(Buffer.from(pdf.content, 'base64').equals(PDF)).toBe(true);
    expect(pdf.cid).toBeUndefined();
    const logo = d.attachments.find((a) => a.filename === 'logo.png')!;
    expect(logo.cid).toBe('logo.png');
    expect(Buffer.from(logo.content, 'base64').equals(PNG)).toBe(true);

    // The draft sends as it is, and what arrives has the same HTML and attachments.
    const again = await far.call('compose.send', {
      profile: plain,
      message: { ...d, subject: 'Your order again' },
    });
    expect(again.outcome).toBe('delivered');
    const second = await far.call('compose.drafts.fromMessage', { id: (await captured('Your order again')).id });
    expect(second.message.html).toBe(d.html);
    expect(second.message.attachments).toEqual(d.attachments);
  });

  it('reads every corpus message into a draft or says clearly why not, never crashing', async () => {
    for (const file of corpusFiles()) {
      const imported = await far.core.importFile(file);
      if (imported.imported === 0) continue;
      await far.core.idle();
      const id = (await far.call('messages.list', { limit: 1 })).messages[0]!.id;
      const r = await far.core.invoke('compose.drafts.fromMessage', { id });
      if (r.ok) expect(Array.isArray(r.value.message.attachments), file).toBe(true);
      else {
        expect(r.error.code, `${file}: ${r.error.message}`).toBe('invalid_argument');
        expect(r.error.message).toMatch(new RegExp(`message ${id}`));
      }
    }
    const missing = await far.core.invoke('compose.drafts.fromMessage', { id: 999_999 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('a whole message sent as it is', () => {
  it('takes the envelope from its headers, or the one given, and sends its bytes unchanged', async () => {
    const raw = Buffer.from(
      'From: Shop <shop@example.test>\r\nTo: a@example.test\r\nCc: b@example.test\r\nSubject: as it is\r\n\r\nBody.\r\n',
    );
    const r = await far.call('compose.sendRaw', { profile: plain, raw: raw.toString('base64') });
    expect(r.outcome).toBe('delivered');
    expect(r.envelope).toEqual({ from: 'shop@example.test', to: ['a@example.test', 'b@example.test'] });
    expect(Buffer.from((await far.call('compose.sends.raw', { id: r.id })).base64, 'base64').equals(raw)).toBe(true);
    expect((await far.call('compose.sends.get', { id: r.id })).subject).toBe('as it is');

    const over = await far.call('compose.sendRaw', {
      profile: plain,
      raw: raw.toString('base64'),
      envelope: { from: 'other@example.test', to: ['c@example.test'] },
    });
    expect(over.envelope).toEqual({ from: 'other@example.test', to: ['c@example.test'] });

    const noFrom = await far.core.invoke('compose.sendRaw', {
      profile: plain,
      raw: Buffer.from('To: a@example.test\r\n\r\nx\r\n').toString('base64'),
    });
    expect(noFrom).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'envelope.from' } });
    const notBase64 = await far.core.invoke('compose.sendRaw', { profile: plain, raw: '%%%' });
    expect(notBase64).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'raw' } });
  });
});

describe('reply-code lookup', () => {
  it('explains a basic code, an enhanced code, both, and refuses nothing at all', async () => {
    const both = await far.call('compose.replyCode', { code: '550', enhanced: '5.1.1' });
    expect(both).toMatchObject({ code: 550, enhanced: '5.1.1', kind: 'permanent' });
    expect(both.enhancedInfo?.detail).toMatch(/Bad destination mailbox address/);
    const line = await far.call('compose.replyCode', { code: '451 4.7.1 try again later' });
    expect(line).toMatchObject({ code: 451, enhanced: '4.7.1', kind: 'transient' });
    const enhancedOnly = await far.call('compose.replyCode', { enhanced: '5.7.1' });
    expect(enhancedOnly).toMatchObject({ code: null, enhanced: '5.7.1', kind: 'permanent' });
    const nothing = await far.core.invoke('compose.replyCode', {});
    expect(nothing).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'code' } });
  });
});

describe('secrets canary over sends', () => {
  it('no canary password in send reports, history, drafts, events, log output or the database file', async () => {
    const written: string[] = [];
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    const tap =
      (orig: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        written.push(String(chunk));
        return (orig as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = tap(stdout);
    process.stderr.write = tap(stderr);
    try {
      const reports = [];
      for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const) {
        const id = (
          await far.call('compose.profiles.create', {
            profile: profileFor(far, 'starttls', {
              security: 'starttls',
              auth: { mechanism, user: USER, password: CANARY },
            }),
          })
        ).id;
        const ok = await far.call('compose.send', {
          profile: id,
          message: { from: 'a@example.test', to: ['b@example.test'], subject: `canary ${mechanism}`, text: 'x' },
        });
        expect(ok.outcome, ok.explanation ?? '').toBe('delivered');
        reports.push(ok);
        await far.call('compose.drafts.create', { draft: { profile: id, message: { subject: 'd', text: 'x' } } });
      }
      const bad = (
        await far.call('compose.profiles.create', {
          profile: profileFor(far, 'starttls', {
            security: 'starttls',
            auth: { mechanism: 'LOGIN', user: USER, password: `${CANARY}-wrong` },
          }),
        })
      ).id;
      const refused = await far.call('compose.send', {
        profile: bad,
        message: { from: 'a@example.test', to: ['b@example.test'], text: 'x' },
      });
      expect(refused.outcome).toBe('failed');
      reports.push(refused);
      expect(JSON.stringify(reports[0]!.transcript)).toMatch(/AUTH PLAIN \*\*\*/);

      const history = await far.call('compose.sends.list', {});
      const details = await Promise.all(history.sends.map((s) => far.call('compose.sends.get', { id: s.id })));
      const drafts = await far.call('compose.drafts.list', {});
      const outputs = [
        JSON.stringify(reports),
        JSON.stringify(history),
        JSON.stringify(details),
        JSON.stringify(drafts),
        JSON.stringify(await far.call('compose.profiles.list', {})),
        JSON.stringify(await far.call('settings.get', {})),
        far.events.join('\n'),
        written.join(''),
      ];
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      const secrets = [CANARY, b64(CANARY), b64(`\0${USER}\0${CANARY}`), b64(`${USER}\0${USER}\0${CANARY}`)];
      for (const secret of secrets) for (const out of outputs) expect(out).not.toContain(secret);
      await far.core.flushSessions();
      for (const f of fs.readdirSync(far.dir).filter((n) => n.startsWith('mailwright.db'))) {
        const bytes = fs.readFileSync(path.join(far.dir, f)).toString('latin1');
        for (const secret of secrets) expect(bytes.includes(secret), `${f} holds ${secret}`).toBe(false);
      }
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
  });
});
