// main.ts installs the last-resort policy once the core runs: an error nothing caught is shown in the Settings
// page's warnings (no modal error box, no exit) and capture keeps going. The handler main.ts added is called
// directly, because emitting a real uncaughtException here would reach the test runner's own handler too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE_CHANNEL } from '../../../src-shared/index.js';
import type { Result, ServerStatus, Settings } from '../../../src-shared/index.js';
import { state, until } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js').then((m) => m.electron));

let profile: string;
let call: (name: string, args: unknown) => Promise<Result<any>>;
let added: { exception: ((err: unknown) => void)[]; rejection: ((reason: unknown) => void)[] };

beforeAll(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-main-lr-'));
  process.env.MAILWRIGHT_DATA = profile;
  process.env.MAILWRIGHT_SMTP = '127.0.0.1:0';
  const before = {
    exception: process.listeners('uncaughtException'),
    rejection: process.listeners('unhandledRejection'),
  };
  await import('../../../src-main/electron/main.js');
  await until('onWindow', () => state.windows.length > 0);
  added = {
    exception: process.listeners('uncaughtException').filter((l) => !before.exception.includes(l)) as never,
    rejection: process.listeners('unhandledRejection').filter((l) => !before.rejection.includes(l)) as never,
  };
  const win = state.windows[0];
  const handler = state.handlers.get(IPC_INVOKE_CHANNEL)!;
  call = (name, args) => handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, name, args);
});

afterAll(async () => {
  for (const l of added.exception) process.off('uncaughtException', l);
  for (const l of added.rejection) process.off('unhandledRejection', l);
  delete process.env.MAILWRIGHT_DATA;
  delete process.env.MAILWRIGHT_SMTP;
  fs.rmSync(profile, { recursive: true, force: true });
});

describe('main.ts: last-resort policy', () => {
  it('shows a stray error in the settings warnings, quits nothing, and keeps capturing', async () => {
    expect(added.exception).toHaveLength(1);
    expect(added.rejection).toHaveLength(1);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    added.exception[0]!(new Error('stray timer error'));
    added.rejection[0]!(new Error('forgotten promise'));
    logged.mockRestore();

    const settings = (await call('settings.get', {})) as Result<Settings>;
    const warnings = settings.ok ? settings.value.warnings.join('\n') : '';
    expect(warnings).toMatch(/uncaught exception: stray timer error/);
    expect(warnings).toMatch(/unhandled promise rejection: forgotten promise/);
    expect(state.errors).toEqual([]);

    const status = (await call('server.status', {})) as Result<ServerStatus>;
    const port = status.ok ? status.value.listeners[0]!.port : 0;
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    try {
      const info = (await t.sendMail({
        from: 'a@example.test',
        to: 'b@example.test',
        subject: 'after',
        text: 'x',
      })) as { response: string };
      expect(info.response).toMatch(/^250 /);
    } finally {
      t.close();
    }
  });
});
