// When the SMTP port is taken the app still opens its window, and status carries the bind error to the UI.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { IPC_INVOKE_CHANNEL, type Result, type ServerStatus } from '../../../src-shared/index.js';
import { state, until } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js').then((m) => m.electron));

let profile: string;
let blocker: net.Server;
let port: number;

beforeAll(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-main-busy-'));
  blocker = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  port = (blocker.address() as net.AddressInfo).port;
  process.env.MAILWRIGHT_DATA = profile;
  process.env.MAILWRIGHT_SMTP = `127.0.0.1:${port}`;
  await import('../../../src-main/electron/main.js');
  await until('onWindow', () => state.windows.length > 0);
});

afterAll(async () => {
  for (const fn of state.appListeners.get('will-quit') ?? []) fn({ preventDefault: () => {} });
  await until('onQuit', () => state.quits > 0);
  await new Promise((resolve) => blocker.close(resolve));
  delete process.env.MAILWRIGHT_DATA;
  delete process.env.MAILWRIGHT_SMTP;
  fs.rmSync(profile, { recursive: true, force: true });
});

it('opens the window and reports the busy port in status', async () => {
  expect(state.errors).toEqual([]);
  expect(state.windows).toHaveLength(1);
  const win = state.windows[0];
  const handler = state.handlers.get(IPC_INVOKE_CHANNEL)!;
  const status = (await handler(
    { sender: win.webContents, senderFrame: win.webContents.mainFrame },
    'server.status',
    {},
  )) as Result<ServerStatus>;
  expect(status.ok).toBe(true);
  const listener = status.ok ? status.value.listeners[0] : undefined;
  expect(listener?.state).toBe('error');
  expect(listener?.port).toBe(port);
  expect(listener?.error).toBeTruthy();
});
