// The IPC choke point under a stand-in for Electron's main-process modules (no Electron binary here):
// only the main frame of our window, showing our page, gets through; events reach live windows only.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type Result } from '../../../src-shared/index.js';
import { EventBus } from '../../../src-main/core/events.js';
import type { RendererLocation } from '../../../src-main/electron/security.js';

const fake = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
}));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) =>
      fake.handlers.set(channel, fn),
    removeHandler: (channel: string) => fake.handlers.delete(channel),
  },
  BrowserWindow: { fromWebContents: () => null },
  dialog: {},
  shell: {},
}));

const { setupEventForwarding, setupIpc } = await import('../../../src-main/electron/ipc.js');

const where: RendererLocation = {
  indexFileUrl: pathToFileURL(path.resolve('/app/out/renderer/index.html')).href,
  devUrl: null,
};

function fakeWindow(url = where.indexFileUrl) {
  const sent: unknown[][] = [];
  const mainFrame = { processId: 4, routingId: 1, parent: null, url };
  const webContents = {
    mainFrame,
    isDestroyed: () => false,
    getURL: () => mainFrame.url,
    send: (...args: unknown[]) => sent.push(args),
  };
  return { win: { isDestroyed: () => false, webContents }, sent };
}

function setup() {
  const calls: { name: string; args: unknown }[] = [];
  const core = {
    events: new EventBus(),
    invoke: async (name: string, args: unknown): Promise<Result<unknown>> => {
      calls.push({ name, args });
      return { ok: true, value: 'done' };
    },
  };
  const main = fakeWindow();
  const windows = [main.win];
  const stop = setupIpc(core as never, null as never, where, () => windows as never);
  const handler = fake.handlers.get(IPC_INVOKE_CHANNEL)!;
  return { core, calls, main, windows, handler, stop };
}

describe('setupIpc', () => {
  it('registers one handler on the contract channel and removes it again', () => {
    const { stop } = setup();
    expect([...fake.handlers.keys()]).toEqual([IPC_INVOKE_CHANNEL]);
    stop();
    expect(fake.handlers.size).toBe(0);
  });

  it('forwards calls from the main frame of our window showing our page', async () => {
    const { handler, main, calls, stop } = setup();
    const r = await handler(
      { sender: main.win.webContents, senderFrame: main.win.webContents.mainFrame },
      'messages.get',
      { id: 1 },
    );
    expect(r).toEqual({ ok: true, value: 'done' });
    expect(calls).toEqual([{ name: 'messages.get', args: { id: 1 } }]);
    stop();
  });

  it('refuses subframes, foreign pages, unknown windows and vanished frames', async () => {
    const { handler, main, calls, stop } = setup();
    const wc = main.win.webContents;
    const other = fakeWindow();
    const senders = [
      {
        sender: wc,
        senderFrame: { ...wc.mainFrame, parent: wc.mainFrame, routingId: 2, url: 'mailwright-preview://message/1' },
      },
      { sender: wc, senderFrame: { ...wc.mainFrame, routingId: 7 } },
      { sender: wc, senderFrame: { ...wc.mainFrame, processId: 99 } },
      { sender: other.win.webContents, senderFrame: other.win.webContents.mainFrame },
      { sender: wc, senderFrame: null },
    ];
    for (const event of senders) {
      expect(await handler(event, 'messages.deleteAll', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    wc.mainFrame.url = 'https://evil.example/';
    expect(await handler({ sender: wc, senderFrame: wc.mainFrame }, 'messages.deleteAll', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(calls).toHaveLength(0);
    stop();
  });
});

describe('setupEventForwarding', () => {
  it('sends each core event to live windows that show our page', () => {
    const events = new EventBus();
    const ours = fakeWindow();
    const foreign = fakeWindow('https://evil.example/');
    const closed = fakeWindow();
    closed.win.isDestroyed = () => true;
    const off = setupEventForwarding({ events } as never, where, () => [ours.win, foreign.win, closed.win] as never);
    events.emit('messages.deleted', { ids: [3] });
    expect(ours.sent).toEqual([[IPC_EVENT_CHANNEL, { event: 'messages.deleted', data: { ids: [3] } }]]);
    expect(foreign.sent).toHaveLength(0);
    expect(closed.sent).toHaveLength(0);
    off();
    events.emit('messages.deleted', { ids: [4] });
    expect(ours.sent).toHaveLength(1);
  });
});
