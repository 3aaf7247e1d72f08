// The composition root end to end with the real Core, under a stand-in for Electron's main-process
// modules (no Electron binary here): real SMTP on port 0, real nodemailer, calls through the IPC handler.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, PREVIEW_SCHEME, desktopPreviewUrl } from '../../../src-shared/index.js';
import type { MessagePage, Result, ServerStatus, Settings } from '../../../src-shared/index.js';
import { state, until } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js').then((m) => m.electron));

let profile: string;
let call: (name: string, args: unknown) => Promise<Result<any>>;

beforeAll(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-main-'));
  process.env.MAILWRIGHT_DATA = profile;
  process.env.MAILWRIGHT_SMTP = '127.0.0.1:0';
  await import('../../../src-main/electron/main.js');
  await until('onWindow', () => state.windows.length > 0);
  const win = state.windows[0];
  const handler = state.handlers.get(IPC_INVOKE_CHANNEL)!;
  call = (name, args) => handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, name, args);
});

afterAll(async () => {
  delete process.env.MAILWRIGHT_DATA;
  delete process.env.MAILWRIGHT_SMTP;
  fs.rmSync(profile, { recursive: true, force: true });
});

describe('main.ts with the real core', () => {
  let port = 0;
  let id = 0;

  it('uses MAILWRIGHT_DATA as the profile and starts SMTP on a free port', async () => {
    expect(state.errors).toEqual([]);
    expect(state.paths.get('userData')).toBe(profile);
    const status = (await call('server.status', {})) as Result<ServerStatus>;
    expect(status.ok).toBe(true);
    const listener = status.ok ? status.value.listeners[0] : undefined;
    expect(listener?.state).toBe('listening');
    port = listener!.port;
    expect(port).toBeGreaterThan(0);
  });

  it('captures a message sent with nodemailer, pushes messages.added and lists it', async () => {
    const subject = `wiring ${process.pid}`;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    try {
      await transport.sendMail({
        from: 'qa@example.test',
        to: 'inbox@example.test',
        subject,
        text: 'hello',
        html: '<p>hello <a href="https://example.com">link</a></p>',
        attachments: [{ filename: '../../escape.txt', content: 'attached' }],
      });
    } finally {
      transport.close();
    }
    const added = () =>
      state.sent.some(([ch, env]: any[]) => ch === IPC_EVENT_CHANNEL && env.event === 'messages.added');
    await until('onSend', added);
    const page = (await call('messages.list', {})) as Result<MessagePage>;
    const found = page.ok ? page.value.messages.find((m) => m.subject === subject) : undefined;
    expect(found).toBeDefined();
    id = found!.id;
  });

  it('serves the preview through the protocol handler with the core CSP', async () => {
    const handle = state.protocols.get(PREVIEW_SCHEME)!;
    const res: Response = await handle(new Request(desktopPreviewUrl(id, null)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/http:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await handle(new Request(desktopPreviewUrl(999_999, null)))).status).toBe(404);
  });

  it('loads remote content in the preview only with the key the IPC verb hands out', async () => {
    const handle = state.protocols.get(PREVIEW_SCHEME)!;
    const refused: Response = await handle(new Request(`${PREVIEW_SCHEME}://message/${id}?remote=1`));
    expect(refused.status).toBe(403);
    const key = (await call('messages.remoteContentKey', { id })) as Result<{ key: string }>;
    expect(key.ok).toBe(true);
    const allowed: Response = await handle(new Request(desktopPreviewUrl(id, key.ok ? key.value.key : null)));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-security-policy')).toMatch(/img-src data: http: https:/);
    expect(await call('messages.remoteContentKey', { id: 999_999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('saves the raw message byte for byte and attachments inside the picked folder', async () => {
    state.saveTo = path.join(profile, 'saved.eml');
    const saved = await call('desktop.saveRaw', { id });
    expect(saved).toEqual({ ok: true, value: { path: state.saveTo } });
    const source = await call('messages.source', { id });
    expect(fs.statSync(state.saveTo).size).toBe(source.ok ? source.value.size : -1);

    state.folder = fs.mkdtempSync(path.join(profile, 'attachments-'));
    const detail = await call('messages.get', { id });
    const partIds = detail.ok ? detail.value.attachments.map((a: { partId: string }) => a.partId) : [];
    expect(partIds.length).toBe(1);
    const written = await call('desktop.saveAttachments', { id, partIds });
    expect(written.ok).toBe(true);
    for (const file of written.ok ? written.value.written : []) expect(path.dirname(file)).toBe(state.folder);
    expect(fs.readdirSync(state.folder)).toHaveLength(1);
  });

  it('saves the certificate a listener presents, and seals saved credentials with the keychain-protected key', async () => {
    state.saveTo = path.join(profile, 'smtp.pem');
    const cert = (await call('listeners.certificate', { id: 'smtp' })) as Result<{ pem: string }>;
    const saved = await call('desktop.saveCertificate', { id: 'smtp' });
    expect(saved).toEqual({ ok: true, value: { path: state.saveTo } });
    expect(fs.readFileSync(state.saveTo, 'utf8')).toBe(cert.ok ? cert.value.pem : 'missing');
    expect(fs.readFileSync(state.saveTo, 'utf8')).not.toMatch(/PRIVATE KEY/);

    const current = (await call('settings.get', {})) as Result<Settings>;
    if (!current.ok) throw new Error(current.error.message);
    const listeners = current.value.listeners.map((l) => ({
      ...l,
      auth: {
        policy: 'optional' as const,
        mechanisms: ['PLAIN' as const],
        credentials: [{ username: 'qa', password: 'desk-secret-42' }],
      },
    }));
    const updated = (await call('settings.update', { listeners })) as Result<Settings>;
    expect(updated.ok).toBe(true);
    expect(JSON.stringify(updated)).not.toContain('desk-secret-42');
    // The key lives only inside the (fake) keychain's file; no plain secret.key is written on the desktop.
    expect(fs.existsSync(path.join(profile, 'secret.key.keychain'))).toBe(true);
    expect(fs.existsSync(path.join(profile, 'secret.key'))).toBe(false);
  });

  it('saves the profiles export and a bulk run export through a save dialog, made in the main process', async () => {
    const created = await call('compose.profiles.create', {
      profile: {
        name: 'Desk export',
        host: '127.0.0.1',
        port,
        security: 'none',
        auth: { mechanism: 'PLAIN', user: 'qa', password: 'desk-export-secret-9' },
      },
    });
    expect(created.ok).toBe(true);
    state.saveTo = path.join(profile, 'profiles.json');
    expect(await call('desktop.saveExport', { kind: 'profiles' })).toEqual({ ok: true, value: { path: state.saveTo } });
    const file = fs.readFileSync(state.saveTo, 'utf8');
    expect(JSON.parse(file)).toMatchObject({ format: 'mailwright-profiles', profiles: [{ name: 'Desk export' }] });
    expect(file).not.toContain('desk-export-secret-9');

    const plain = await call('compose.profiles.create', {
      profile: { name: 'Desk bulk', host: '127.0.0.1', port, security: 'none' },
    });
    const run = await call('compose.bulk.start', {
      profile: plain.ok ? plain.value.id : 'missing',
      message: { from: 'qa@example.test', to: ['d{{n}}@example.test'], subject: 'desk {{n}}', text: 'x' },
      source: { kind: 'copies', count: 2 },
    });
    expect(run.ok).toBe(true);
    let current = (run.ok ? run.value : { id: 'missing', state: 'failed' }) as { id: string; state: string };
    for (let i = 0; i < 100 && current.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const next = await call('compose.bulk.get', { id: current.id });
      if (next.ok) current = next.value;
    }
    expect(current.state).toBe('done');
    state.saveTo = path.join(profile, 'bulk.csv');
    const saved = await call('desktop.saveExport', { kind: 'bulk', id: current.id, format: 'csv' });
    expect(saved).toEqual({ ok: true, value: { path: state.saveTo } });
    const lines = fs.readFileSync(state.saveTo, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('n,recipient,outcome,reply,latencyMs,attempts,sendId');
    expect(lines).toHaveLength(3);

    // An unknown run is refused before any dialog opens: nothing is written.
    state.saveTo = path.join(profile, 'never.json');
    const missing = await call('desktop.saveExport', { kind: 'bulk', id: 'b-none', format: 'json' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', field: 'id' } });
    expect(fs.existsSync(state.saveTo)).toBe(false);
    const bad = await call('desktop.saveExport', { kind: 'bulk', id: 'B A D', format: 'json' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
  });

  it('imports the hostile corpus via desktop.importFiles and keeps every attachment inside the folder', async () => {
    const corpus = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus', 'hostile');
    const files = fs
      .readdirSync(corpus)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => path.join(corpus, f));
    expect(files.length).toBeGreaterThan(0);
    state.openPaths = files;
    const imported = await call('desktop.importFiles', {});
    state.openPaths = null;
    expect(imported.ok).toBe(true);
    const result = imported.ok ? imported.value : { imported: 0, ids: [], failed: [] };
    expect(result.imported + result.failed.length).toBeGreaterThanOrEqual(files.length);
    expect(result.ids.length).toBe(result.imported);

    let saved = 0;
    for (const id of result.ids as number[]) {
      const detail = await call('messages.get', { id });
      const partIds = detail.ok ? detail.value.attachments.map((a: { partId: string }) => a.partId) : [];
      if (partIds.length === 0) continue;
      state.folder = fs.mkdtempSync(path.join(profile, 'hostile-'));
      const written = await call('desktop.saveAttachments', { id, partIds });
      expect(written.ok, JSON.stringify(written)).toBe(true);
      for (const file of written.ok ? written.value.written : []) expect(path.dirname(file)).toBe(state.folder);
      saved += fs.readdirSync(state.folder).length;
    }
    expect(saved).toBeGreaterThan(0); // evil-filenames.eml has attachments
  });

  it('keeps the Settings → Storage choice for the next start, its password sealed and never sent back', async () => {
    const password = `pw-${process.pid}-secret`;
    const url = 'postgres://team@db.example.test:5433/mail';
    const set = await call('desktop.setStore', { url, password });
    expect(set).toEqual({ ok: true, value: { url, password: { stored: true }, pinnedBy: null } });
    expect(await call('desktop.getStore', {})).toEqual(set);
    const file = fs.readFileSync(path.join(profile, 'store.json'), 'utf8');
    expect(file).toContain('db.example.test:5433');
    expect(file).not.toContain(password);
    // The running store stays as it started: the choice applies at the next start.
    const status = (await call('server.status', {})) as Result<ServerStatus>;
    expect(status.ok && status.value.store.kind).toBe('sqlite');
    const bad = await call('desktop.setStore', { url: 'mysql://h/db' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'url' } });
    expect(await call('desktop.setStore', { url: null })).toEqual({
      ok: true,
      value: { url: null, password: null, pinnedBy: null },
    });
    expect(fs.existsSync(path.join(profile, 'store.json'))).toBe(false);
  });

  it('refuses a call from a frame that is not our main frame', async () => {
    const win = state.windows[0];
    const handler = state.handlers.get(IPC_INVOKE_CHANNEL)!;
    const r = await handler(
      { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, parent: {} } },
      'messages.deleteAll',
      {},
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('stops the core on quit, then quits', async () => {
    let prevented = false;
    for (const fn of state.appListeners.get('will-quit') ?? []) fn({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await until('onQuit', () => state.quits > 0);
    // The SMTP port is closed once the core has stopped.
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
