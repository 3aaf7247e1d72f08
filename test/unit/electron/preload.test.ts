// The preload under a stand-in for Electron's renderer modules (no Electron binary here): it must expose
// exactly window.mailwright, route every verb through the one channel, and never leak the IPC event.
import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type MailwrightBridge } from '../../../src-shared/index.js';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const invokes: unknown[][] = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const ipcRenderer = {
    invoke: async (...args: unknown[]) => {
      invokes.push(args);
      if (args[1] === 'settings.get') throw new Error("No handler registered for 'mailwright:invoke'");
      return { ok: true, value: { called: args[1] } };
    },
    on: (channel: string, fn: (...a: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn);
    },
    removeListener: (channel: string, fn: (...a: unknown[]) => void) => listeners.get(channel)?.delete(fn),
  };
  return { exposed, invokes, listeners, ipcRenderer };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: fake.ipcRenderer,
}));

await import('../../../src-main/electron/preload.js');
const bridge = fake.exposed.get('mailwright') as MailwrightBridge;

describe('preload', () => {
  it('exposes window.mailwright and nothing else', () => {
    expect([...fake.exposed.keys()]).toEqual(['mailwright']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'kind', 'onEvent']);
    expect(bridge.kind).toBe('desktop');
    // No value anywhere in the bridge is Electron's ipcRenderer or a channel name.
    const seen: unknown[] = [];
    const walk = (v: unknown): void => {
      if (v && typeof v === 'object')
        for (const x of Object.values(v)) {
          seen.push(x);
          walk(x);
        }
    };
    walk(bridge);
    expect(seen).not.toContain(fake.ipcRenderer);
    expect(seen).not.toContain(IPC_INVOKE_CHANNEL);
  });

  it('sends every verb through the one invoke channel', async () => {
    expect(await bridge.call('messages.list', { limit: 3 })).toEqual({ ok: true, value: { called: 'messages.list' } });
    await bridge.call('desktop.saveRaw', { id: 9 });
    expect(fake.invokes.slice(-2)).toEqual([
      [IPC_INVOKE_CHANNEL, 'messages.list', { limit: 3 }],
      [IPC_INVOKE_CHANNEL, 'desktop.saveRaw', { id: 9 }],
    ]);
  });

  it('returns an error as data when the main process has no handler', async () => {
    const r = await bridge.call('settings.get', {});
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('unavailable');
  });

  it('hands listeners the envelope only, and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = bridge.onEvent((...args: unknown[]) => got.push(args));
    const envelope = { event: 'messages.deleted', data: { ids: [1] } };
    const ipcEvent = { sender: { send: () => 'would let the page talk to main' }, ports: [] };
    for (const fn of fake.listeners.get(IPC_EVENT_CHANNEL) ?? []) fn(ipcEvent, envelope);
    expect(got).toEqual([[envelope]]);
    off();
    expect(fake.listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(0);
    expect(() => bridge.onEvent('not a function' as never)).toThrow(TypeError);
  });
});
