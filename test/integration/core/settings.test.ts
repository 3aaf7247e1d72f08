// Settings through the contract, driven with real SMTP clients: live apply restarts only what changed and keeps
// stored mail, invalid settings change nothing and name the field, secrets never come back out and are sealed at
// rest, fault rules are switched per listener and counted, and saved settings survive a restart.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallResult, Events, Settings } from '../../../src-shared/index.js';
import { Core } from '../../../src-main/core/core.js';

let dir: string;
let core: Core;

async function call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> {
  const r = await core.invoke(name, args);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value;
}

async function failure(name: CallName, args: unknown) {
  const r = await core.invoke(name, args);
  if (r.ok) throw new Error(`${name} was expected to fail`);
  return r.error;
}

function port(id: string): number {
  const l = core.status().listeners.find((s) => s.id === id);
  if (!l || l.state !== 'listening') throw new Error(`${id} not listening: ${JSON.stringify(l)}`);
  return l.port;
}

function send(listener: string, options: { auth?: { user: string; pass: string }; subject?: string } = {}) {
  return nodemailer
    .createTransport({
      host: '127.0.0.1',
      port: port(listener),
      tls: { rejectUnauthorized: false },
      ...(options.auth ? { auth: options.auth } : {}),
    })
    .sendMail({
      from: 'app@example.test',
      to: 'qa@example.test',
      subject: options.subject ?? 'settings test',
      text: 'body',
    });
}

async function subjects(): Promise<string[]> {
  await core.idle();
  return (await call('messages.list', { limit: 100 })).messages.map((m) => m.subject).sort();
}

const submission = {
  id: 'submission',
  host: '127.0.0.1',
  port: 0,
  tls: 'starttls-required',
  auth: {
    policy: 'required',
    mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
    credentials: [{ username: 'qa', password: 's3cret-pw-123' }],
  },
} as const;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-settings-'));
  core = await Core.start({
    dataDir: dir,
    layers: [
      {
        source: 'test',
        listenerAddress: {
          host: '127.0.0.1',
          port: 0,
          template: { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' },
        },
      },
    ],
  });
});
afterAll(async () => {
  await core.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('settings', () => {
  it('starts with the defaults and says which settings a layer pins', async () => {
    const s = await call('settings.get', {});
    expect(s.listeners).toEqual([{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }]);
    expect(s.faults).toEqual([]);
    expect(s.smtp).toEqual({
      hostname: 'mailwright',
      maxMessageBytes: 50 * 1024 * 1024,
      maxInFlightBytes: 256 * 1024 * 1024,
      earlyTalkerDelayMs: 0,
    });
    expect(s.pinned).toEqual([{ path: 'listeners.smtp', source: 'test' }]);
    const presets = await call('settings.presets', {});
    expect(presets.listeners.map((p) => p.name)).toEqual([
      '25: plain relay',
      '587: submission, STARTTLS + AUTH required',
      '465: implicit TLS + AUTH',
    ]);
    expect(presets.faults.find((f) => f.id === 'mailbox-full')?.rule.action).toEqual({
      kind: 'reply',
      code: 552,
      enhanced: '5.2.2',
      text: 'Mailbox full',
    });
  });

  it('adds a listener live: stored mail stays, the unchanged listener keeps its open session', async () => {
    await send('smtp', { subject: 'before apply' });
    const smtpPort = port('smtp');
    // An open session on the unchanged listener, mid-transaction while the other listener is added.
    const held = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      pool: true,
      maxConnections: 1,
      tls: { rejectUnauthorized: false },
    });
    await held.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'held 1', text: 'x' });
    const changed: Settings[] = [];
    const off = core.events.on('settings.changed', (s: Events['settings.changed']) => changed.push(s));
    const s = await call('settings.update', {
      listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }, submission],
    });
    off();
    expect(changed).toHaveLength(1);
    expect(port('smtp')).toBe(smtpPort); // not restarted
    await held.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'held 2', text: 'x' });
    held.close();
    // Secrets never come back out.
    expect(s.listeners[1]?.auth?.credentials).toEqual([{ username: 'qa', password: { stored: true } }]);
    expect(JSON.stringify(s)).not.toContain('s3cret-pw-123');
    await send('submission', { auth: { user: 'qa', pass: 's3cret-pw-123' }, subject: 'via submission' });
    await expect(send('submission', { auth: { user: 'qa', pass: 'wrong' } })).rejects.toMatchObject({
      responseCode: 535,
    });
    expect(await subjects()).toEqual(['before apply', 'held 1', 'held 2', 'via submission']);
    expect(core.status().listeners.find((l) => l.id === 'submission')?.auth).toEqual({
      policy: 'required',
      mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
      anyCredentials: false,
    });
  });

  it('keeps a stored secret when the edit sends { stored: true } and refuses one it does not have', async () => {
    const current = await call('settings.get', {});
    const edited = structuredClone(current.listeners);
    edited[1]!.limits = { maxRecipients: 5 };
    await call('settings.update', { listeners: edited });
    await send('submission', { auth: { user: 'qa', pass: 's3cret-pw-123' }, subject: 'stored secret kept' });
    const unknown = structuredClone(edited);
    unknown[1]!.auth!.credentials = [{ username: 'someone-else', password: { stored: true } }];
    const err = await failure('settings.update', { listeners: unknown });
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'listeners.1.auth.credentials.0.password' });
    expect(err.message).toMatch(/no stored value/);
  });

  it('seals secrets at rest: the password is nowhere in the data folder', async () => {
    await core.flushSessions();
    const needle = Buffer.from('s3cret-pw-123');
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file).includes(needle), name).toBe(false);
    }
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o077).toBe(0);
  });

  it('refuses invalid settings naming the field, and keeps running the old ones', async () => {
    const before = await call('settings.get', {});
    const smtpPort = port('smtp');
    const bad = structuredClone(before.listeners);
    bad[1]!.limits = { allowClients: ['10.0.0.0/33'] };
    const cidr = await failure('settings.update', { listeners: bad });
    expect(cidr).toMatchObject({ code: 'invalid_argument', field: 'listeners.1.limits.allowClients' });
    expect(cidr.message).toMatch(/submission.*10\.0\.0\.0\/33/);

    const pem = structuredClone(before.listeners);
    pem[0]!.certificate = {
      mode: 'pem',
      cert: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----',
      key: 'x',
    };
    expect(await failure('settings.update', { listeners: pem })).toMatchObject({
      field: 'listeners.0.certificate.cert',
    });

    const glob = await failure('settings.update', {
      faults: [
        {
          id: 'r',
          name: 'r',
          enabled: true,
          match: { stage: 'rcpt', clientAddress: 'not-an-ip' },
          action: { kind: 'drop' },
        },
      ],
    });
    expect(glob).toMatchObject({ field: 'faults.0.match.clientAddress' });
    expect(
      await failure('settings.update', {
        faults: [
          {
            id: 'r',
            name: 'r',
            enabled: true,
            listeners: ['nope'],
            match: { stage: 'rcpt' },
            action: { kind: 'drop' },
          },
        ],
      }),
    ).toMatchObject({
      field: 'faults.0.listeners.0',
    });
    expect(await failure('settings.update', { smtp: { hostname: 'bad host' } })).toMatchObject({
      field: 'smtp.hostname',
    });
    expect(await failure('settings.update', { listeners: [{ ...before.listeners[0], tls: 'ssl' }] })).toMatchObject({
      field: 'listeners.0.tls',
    });

    // A port in use: the change is undone and the previous listeners keep running.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const moved = structuredClone(before.listeners);
      moved[1]!.port = taken;
      const inUse = await failure('settings.update', { listeners: moved });
      expect(inUse).toMatchObject({ code: 'conflict', field: 'listeners.1.port' });
      expect(inUse.message).toContain(`127.0.0.1:${taken}`);
      expect(inUse.message).toMatch(/in use/);
    } finally {
      blocker.close();
    }
    expect(await call('settings.get', {})).toEqual(before);
    expect(port('smtp')).toBe(smtpPort);
    await send('submission', { auth: { user: 'qa', pass: 's3cret-pw-123' }, subject: 'still running' });
    expect(await subjects()).toContain('still running');
  });

  it('turns fault rules on per listener, counts hits and turns them off', async () => {
    const presets = await call('settings.presets', {});
    const rule = { ...presets.faults.find((f) => f.id === 'mailbox-full')!.rule, listeners: ['smtp'] };
    await call('settings.update', { faults: [rule] });
    await expect(send('smtp')).rejects.toMatchObject({
      responseCode: 552,
      response: expect.stringContaining('5.2.2 Mailbox full'),
    });
    await send('submission', { auth: { user: 'qa', pass: 's3cret-pw-123' }, subject: 'not faulted' });
    expect((await call('metrics.get', {})).faultRuleHits).toEqual({ 'mailbox-full': 1 });
    await call('settings.update', { faults: [{ ...rule, enabled: false }] });
    await send('smtp', { subject: 'rule off' });
    expect(await subjects()).toEqual(expect.arrayContaining(['not faulted', 'rule off']));
  });

  it('brings the saved settings back after a restart, secrets included', async () => {
    const before = await call('settings.get', {});
    await core.stop();
    core = await Core.start({ dataDir: dir });
    const after = await call('settings.get', {});
    expect(after.listeners).toEqual(before.listeners);
    expect(after.faults).toEqual(before.faults);
    expect(after.pinned).toEqual([]);
    await send('submission', { auth: { user: 'qa', pass: 's3cret-pw-123' }, subject: 'after restart' });
    expect(await subjects()).toContain('after restart');
  });

  it('skips saved settings it cannot decrypt, with a warning, instead of failing to start', async () => {
    await core.stop();
    fs.writeFileSync(path.join(dir, 'secret.key'), Buffer.alloc(32, 7));
    core = await Core.start({ dataDir: dir, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }] });
    const s = await call('settings.get', {});
    expect(s.warnings.join('\n')).toMatch(/sealed with another key/);
    expect(s.listeners.map((l) => l.id)).toEqual(['smtp']);
    expect(await subjects()).toContain('after restart'); // mail is untouched
    // The next save keeps the unreadable settings aside instead of silently replacing them.
    await call('settings.update', { smtp: { hostname: 'after.test' } });
    await core.stop();
    const db = new Database(path.join(dir, 'mailwright.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT key, value FROM settings WHERE key LIKE 'capture%' ORDER BY key").all() as {
        key: string;
        value: string;
      }[];
      expect(rows.map((r) => r.key)).toEqual(['capture', 'capture.unused']);
      expect(JSON.parse(rows[1]!.value).listeners.map((l: { id: string }) => l.id)).toEqual(['smtp', 'submission']);
      expect(rows.map((r) => r.value).join('')).not.toContain('s3cret-pw-123');
    } finally {
      db.close();
    }
    core = await Core.start({ dataDir: dir });
  });
});
