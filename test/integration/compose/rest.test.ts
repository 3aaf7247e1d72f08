// The compose REST routes over the serve binding: profiles, the connection test, send, history, raw bytes and
// release, as a script would use them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport, ProfileView, SendReport, SendSummary } from '../../../src-shared/index.js';
import { request, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let base: string;
const JSON_HEADERS = { 'Content-Type': 'application/json', 'X-Mailwright-Request': '1' };

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
});
afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, body: unknown, method = 'POST') =>
  request(base, path, { method, headers: JSON_HEADERS, body: JSON.stringify(body) });

describe('compose REST routes', () => {
  it('creates, reads, updates, tests, sends through and deletes a profile', async () => {
    const created = await post('/api/profiles', {
      name: 'Loopback capture',
      host: '127.0.0.1',
      port: stack.smtpPort,
      security: 'starttls',
      tls: { verify: false },
      auth: { mechanism: 'PLAIN', user: 'u', password: 'rest-canary-pw' },
    });
    expect(created.status).toBe(200);
    const profile = created.json<ProfileView>();
    expect(profile.id).toBe('loopback-capture');
    expect(profile.auth.password).toEqual({ stored: true });
    expect(created.text()).not.toContain('rest-canary-pw');

    const list = (await request(base, '/api/profiles')).json<{ profiles: ProfileView[] }>();
    expect(list.profiles.map((p) => p.id)).toContain('loopback-capture');

    const updated = await post('/api/profiles/loopback-capture', { ...profile, name: 'Renamed' }, 'PUT');
    expect(updated.json<ProfileView>().name).toBe('Renamed');

    const report = (await post('/api/profiles/loopback-capture/test', {})).json<ConnectionReport>();
    expect(report.ok, report.explanation ?? '').toBe(true);
    expect(report.steps.find((s) => s.name === 'auth')?.ok).toBe(true);
    expect(JSON.stringify(report)).not.toContain('rest-canary-pw');

    const sent = await post('/api/send', {
      profile: 'loopback-capture',
      message: { from: 'rest@example.test', to: ['rcpt@example.test'], subject: 'over rest', text: 'hello' },
    });
    const result = sent.json<SendReport>();
    expect(result.outcome).toBe('delivered');

    const history = (await request(base, '/api/sends?query=over%20rest&outcome=delivered')).json<{
      sends: SendSummary[];
    }>();
    expect(history.sends.map((s) => s.id)).toEqual([result.id]);
    expect((await request(base, `/api/sends/${result.id}`)).json<{ report: SendReport }>().report.messageId).toBe(
      result.messageId,
    );
    const raw = await request(base, `/api/sends/${result.id}/raw`);
    expect(raw.headers['content-type']).toBe('message/rfc822');
    expect(raw.text()).toContain('Subject: over rest');

    await stack.core.idle();
    const page = (await request(base, '/api/messages')).json<{ messages: { id: number; subject: string }[] }>();
    const captured = page.messages.find((m) => m.subject === 'over rest')!;
    const released = (
      await post(`/api/messages/${captured.id}/release`, { profile: 'loopback-capture', to: ['again@example.test'] })
    ).json<SendReport>();
    expect(released.outcome).toBe('delivered');
    expect(released.envelope.to).toEqual(['again@example.test']);

    expect((await request(base, '/api/sends/abc')).status).toBe(400);
    expect((await request(base, '/api/sends/999999')).status).toBe(404);
    expect((await post('/api/send', { profile: 'nope', message: { to: ['a@b.test'] } })).status).toBe(404);
    const del = await request(base, '/api/profiles/loopback-capture', { method: 'DELETE', headers: JSON_HEADERS });
    expect(del.json()).toEqual({ deleted: true });
    expect((await request(base, '/api/profiles/loopback-capture')).status).toBe(404);
  });

  it('generates a DKIM key pair with its TXT record', async () => {
    const key = (await post('/api/dkim/keys', { algorithm: 'ed25519', domain: 'example.test', selector: 's1' })).json<{
      dnsName: string;
      dnsRecord: string;
      privateKey: string;
    }>();
    expect(key.dnsName).toBe('s1._domainkey.example.test');
    expect(key.dnsRecord).toMatch(/^"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/=]{44}"$/);
    expect(key.privateKey).toContain('BEGIN PRIVATE KEY');
  });

  it('drafts, edit as new, a whole message, the send comparison and the reply-code lookup over REST', async () => {
    expect(
      (
        await post('/api/profiles', {
          id: 'rest2',
          name: 'Rest 2',
          host: '127.0.0.1',
          port: stack.smtpPort,
          security: 'starttls',
          tls: { verify: false },
        })
      ).status,
    ).toBe(200);
    const draft = {
      profile: 'rest2',
      message: {
        from: 'rest@example.test',
        to: ['d@example.test'],
        subject: 'rest draft',
        html: '<p>draft</p>',
        attachments: [{ filename: 'a.txt', content: Buffer.from('A').toString('base64') }],
      },
    };
    const created = await post('/api/drafts', draft);
    expect(created.status).toBe(200);
    const id = created.json<{ id: number }>().id;
    expect((await request(base, '/api/drafts')).json<{ drafts: { id: number }[] }>().drafts.map((d) => d.id)).toEqual([
      id,
    ]);
    const put = await post(`/api/drafts/${id}`, { ...draft, message: { ...draft.message, subject: 'renamed' } }, 'PUT');
    expect(put.json<{ subject: string }>().subject).toBe('renamed');
    const got = (await request(base, `/api/drafts/${id}`)).json<{ draft: typeof draft }>();
    expect(got.draft.message.attachments[0]!.content).toBe(Buffer.from('A').toString('base64'));
    expect((await post(`/api/drafts/${id}`, { message: { to: 5 } }, 'PUT')).status).toBe(400);
    const del = await request(base, `/api/drafts/${id}`, { method: 'DELETE', headers: JSON_HEADERS });
    expect(del.json()).toEqual({ deleted: true });
    expect((await request(base, `/api/drafts/${id}`)).status).toBe(404);

    const raw = 'From: rest@example.test\r\nTo: whole@example.test\r\nSubject: rest whole\r\n\r\n<p>x</p>\r\n';
    const whole = (
      await post('/api/send/raw', { profile: 'rest2', raw: Buffer.from(raw).toString('base64') })
    ).json<SendReport>();
    expect(whole.outcome).toBe('delivered');
    expect((await request(base, `/api/sends/${whole.id}/raw`)).text()).toBe(raw);
    const other = (
      await post('/api/send', {
        profile: 'rest2',
        message: { from: 'rest@example.test', to: ['whole@example.test'], subject: 'rest whole', text: 'y' },
      })
    ).json<SendReport>();
    const diff = await request(base, `/api/diff/sends?a=${whole.id}&b=${other.id}`);
    expect(diff.status).toBe(200);
    expect(
      diff.json<{ summary: { identical: boolean; changedSections: string[] } }>().summary.changedSections,
    ).toContain('text');
    expect((await request(base, `/api/diff/sends?a=${whole.id}`)).status).toBe(400);

    await stack.core.idle();
    const page = (await request(base, '/api/messages')).json<{ messages: { id: number; subject: string }[] }>();
    const captured = page.messages.find((m) => m.subject === 'rest whole')!;
    const asDraft = (await request(base, `/api/messages/${captured.id}/draft`)).json<typeof draft>();
    expect(asDraft.message.subject).toBe('rest whole');
    expect((await request(base, '/api/messages/999999/draft')).status).toBe(404);

    const code = await request(base, '/api/tools/reply-code?code=550&enhanced=5.1.1');
    expect(code.json()).toMatchObject({ code: 550, enhanced: '5.1.1', kind: 'permanent' });
    expect((await request(base, '/api/tools/reply-code')).status).toBe(400);
    const spec = (await request(base, '/api/openapi.json')).json<{ paths: Record<string, unknown> }>();
    for (const path of ['/api/drafts', '/api/drafts/{id}', '/api/send/raw', '/api/tools/reply-code', '/api/diff/sends'])
      expect(Object.keys(spec.paths)).toContain(path);
  });
});
