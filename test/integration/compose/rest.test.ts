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
});
