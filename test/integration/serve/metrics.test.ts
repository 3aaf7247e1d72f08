// Live figures over HTTP with real clients: /metrics parses as Prometheus text and moves after sending
// (accepted +1, bytes +size, AUTH failure +1), obeys the token and Host checks, and GET /api/sessions
// and /api/metrics answer; retention keeps only the newest sessions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { FaultEngine } from '../../../src-main/capture/faults/index.js';
import { startHttpBinding, type HttpBinding } from '../../../src-main/serve/http.js';
import type { LiveFigures, SessionPage } from '../../../src-shared/index.js';
import { request } from './helpers.js';
import { parsePrometheus } from '../../helpers/prometheus-parse.js';
import { startCore } from '../../helpers/session-core.js';

const TOKEN = 'metrics-token-0123456';
const CREDENTIALS = [{ username: 'alice', password: 'right-pass' }];

let dir: string;
let core: Core;
let binding: HttpBinding;
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-metrics-'));
  const faults = new FaultEngine([
    {
      id: 'full-box',
      name: 'mailbox full',
      enabled: true,
      match: { stage: 'rcpt', recipient: 'full@example.test' },
      action: { kind: 'reply', code: 552, enhanced: '5.2.2', text: 'Mailbox full' },
    },
  ]);
  core = await Core.start({
    dataDir: dir,
    faults,
    listeners: [
      {
        id: 'smtp',
        host: '127.0.0.1',
        port: 0,
        tls: 'none',
        auth: { policy: 'optional', mechanisms: ['PLAIN'], credentials: CREDENTIALS, allowPlaintext: true },
      },
    ],
  });
  binding = await startHttpBinding(core, { host: '127.0.0.1', port: 0, token: TOKEN });
});
afterAll(async () => {
  await binding.close();
  await core.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const smtpPort = () => core.status().listeners[0]!.port;
const transport = (extra: object = {}) =>
  nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort(), ignoreTLS: true, ...extra });

async function scrape(): Promise<Map<string, number>> {
  const res = await request(binding.url, '/metrics', { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.text());
}

describe('/metrics', () => {
  it('parses as Prometheus text with HELP and TYPE for every family, and the counters move after sending', async () => {
    const before = await scrape();
    for (const name of [
      'mailwright_smtp_sessions_total',
      'mailwright_messages_accepted_total',
      'mailwright_auth_failures_total',
      'mailwright_bytes_received_total',
      'mailwright_active_connections',
    ]) {
      expect(before.has(name), name).toBe(true);
    }
    const raw = 'From: a@example.test\r\nTo: b@example.test\r\nSubject: counted\r\n\r\nsome body\r\n';
    await transport().sendMail({ envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw });
    await expect(
      transport({ auth: { user: 'alice', pass: 'wrong' } }).sendMail({
        from: 'a@example.test',
        to: 'b@example.test',
        text: 'x',
      }),
    ).rejects.toMatchObject({ responseCode: 535 });
    await expect(
      transport().sendMail({ from: 'a@example.test', to: 'full@example.test', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 552 });

    const after = await scrape();
    const page = await core.invoke('messages.list', { limit: 1 });
    const size = page.ok ? page.value.messages[0]!.size : -1;
    expect(size).toBe(Buffer.byteLength(raw));
    expect(after.get('mailwright_messages_accepted_total')).toBe(before.get('mailwright_messages_accepted_total')! + 1);
    expect(after.get('mailwright_bytes_received_total')).toBe(before.get('mailwright_bytes_received_total')! + size);
    expect(after.get('mailwright_auth_failures_total')).toBe(before.get('mailwright_auth_failures_total')! + 1);
    expect(after.get('mailwright_smtp_sessions_total')).toBe(before.get('mailwright_smtp_sessions_total')! + 3);
    expect(after.get('mailwright_messages_rejected_total{code="552"}')).toBe(
      (before.get('mailwright_messages_rejected_total{code="552"}') ?? 0) + 1,
    );
    expect(after.get('mailwright_fault_rule_hits_total{rule="full-box"}')).toBe(1);
  });

  it('obeys the same token and Host checks as the API', async () => {
    expect((await request(binding.url, '/metrics')).status).toBe(401);
    expect((await request(binding.url, '/metrics', { headers: { ...auth, Host: 'evil.example:80' } })).status).toBe(
      403,
    );
  });

  it('GET /api/metrics and /api/sessions answer with the same figures and the filtered list', async () => {
    const figures = (await request(binding.url, '/api/metrics', { headers: auth })).json<LiveFigures>();
    expect(figures.messagesAccepted).toBeGreaterThanOrEqual(1);
    expect(figures.perMinute).toHaveLength(15);
    expect(figures.perMinute.at(-1)!.accepted).toBeGreaterThanOrEqual(1);
    await core.flushSessions();
    const failures = (
      await request(binding.url, '/api/sessions?filter=authFailures', { headers: auth })
    ).json<SessionPage>();
    expect(failures.total).toBeGreaterThanOrEqual(1);
    expect(failures.sessions.every((s) => s.authFailures > 0)).toBe(true);
    const one = await request(binding.url, `/api/sessions/${failures.sessions[0]!.id}`, { headers: auth });
    expect(one.json<{ transcript: unknown[] }>().transcript.length).toBeGreaterThan(0);
    expect((await request(binding.url, '/api/sessions?filter=bogus', { headers: auth })).status).toBe(400);
  });
});

describe('retention', () => {
  it('keeps only the newest maxMessages sessions', async () => {
    const h = await startCore({ listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }] });
    try {
      const set = await h.core.invoke('settings.update', { retention: { maxMessages: 2 } });
      expect(set.ok).toBe(true);
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port('smtp'), ignoreTLS: true });
      for (let i = 0; i < 4; i++)
        await t.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: `r${i}`, text: 'x' });
      const kept = await h.core.invoke('messages.list', { limit: 10 });
      const keptIds = kept.ok ? kept.value.messages.map((m) => m.id).sort((x, y) => x - y) : [];
      expect(keptIds).toHaveLength(2);
      // Sessions are written when their sockets close; wait until the last two are in, then retention has run.
      const page = await h.waitFor((p) =>
        sameIds(
          p.sessions.flatMap((s) => s.messageIds),
          keptIds,
        ),
      );
      expect(page.total).toBe(2);
      expect(page.sessions).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && [...a].sort((x, y) => x - y).every((x, i) => x === b[i]);
}
