// The IPC choke point's rules, without Electron: untrusted senders, unknown names, bad arguments and
// thrown errors all come back as { ok: false, error } data.
import { describe, expect, it, vi } from 'vitest';
import { MailwrightError, type Result } from '../../../src-shared/index.js';
import { createDispatcher, isDesktopCallName, type DesktopHandlers } from '../../../src-main/electron/dispatch.js';

interface Ctx {
  window: string;
}

function setup() {
  const invoked: { name: string; args: unknown }[] = [];
  const desktopCalls: { name: string; args: unknown; ctx: Ctx }[] = [];
  const desktop: DesktopHandlers<Ctx> = {
    'desktop.saveRaw': async (args, ctx) => {
      desktopCalls.push({ name: 'desktop.saveRaw', args, ctx });
      if (args.id === 13) throw new MailwrightError('not_found', 'no message 13');
      if (args.id === 66) throw new Error('disk full');
      return { path: `/tmp/message-${args.id}.eml` };
    },
    'desktop.saveAttachments': async () => ({ folder: null, written: [] }),
    'desktop.importFiles': async () => null,
    'desktop.saveCertificate': async () => ({ path: null }),
    'desktop.saveExport': async () => ({ path: null }),
    'desktop.getStore': async () => ({ url: null, password: null, pinnedBy: null }),
    'desktop.setStore': async (args) => ({ url: args.url, password: null, pinnedBy: null }),
    'desktop.openExternal': async (args, ctx) => {
      desktopCalls.push({ name: 'desktop.openExternal', args, ctx });
      return { opened: false };
    },
  };
  const dispatch = createDispatcher<Ctx>({
    invoke: async (name, args): Promise<Result<unknown>> => {
      invoked.push({ name, args });
      return { ok: true, value: { echoed: name } };
    },
    desktop,
  });
  return { dispatch, invoked, desktopCalls };
}

const trusted = { trusted: true, ctx: { window: 'main' } };

describe('createDispatcher', () => {
  it('refuses every call from an untrusted sender before looking at it', async () => {
    const { dispatch, invoked, desktopCalls } = setup();
    for (const name of ['messages.list', 'desktop.saveRaw', 'nope']) {
      const r = await dispatch({ trusted: false, ctx: { window: 'x' } }, name, { id: 1 });
      expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(invoked).toHaveLength(0);
    expect(desktopCalls).toHaveLength(0);
  });

  it('hands contract verbs to the core unchanged', async () => {
    const { dispatch, invoked } = setup();
    const r = await dispatch(trusted, 'messages.list', { limit: 5 });
    expect(r).toEqual({ ok: true, value: { echoed: 'messages.list' } });
    expect(invoked).toEqual([{ name: 'messages.list', args: { limit: 5 } }]);
  });

  it('answers not_found for unknown and non-string names, without echoing huge input', async () => {
    const { dispatch } = setup();
    for (const name of ['messages.drop', '__proto__', 'constructor', 42, null, { toString: 1 }]) {
      const r = await dispatch(trusted, name, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('not_found');
    }
    const r = await dispatch(trusted, 'x'.repeat(100_000), {});
    expect(!r.ok && r.error.message.length).toBeLessThan(200);
  });

  it('validates desktop arguments with the contract schemas', async () => {
    const { dispatch, desktopCalls } = setup();
    for (const args of [{ id: -1 }, { id: '1' }, { id: 1, extra: true }, 'junk']) {
      const r = await dispatch(trusted, 'desktop.saveRaw', args);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid_argument');
    }
    expect(desktopCalls).toHaveLength(0);
    const tooLong = await dispatch(trusted, 'desktop.openExternal', { url: `https://x/${'a'.repeat(9000)}` });
    expect(!tooLong.ok && tooLong.error.code).toBe('invalid_argument');
  });

  it('passes parsed arguments and the calling window to desktop handlers', async () => {
    const { dispatch, desktopCalls } = setup();
    const r = await dispatch(trusted, 'desktop.saveRaw', { id: 7 });
    expect(r).toEqual({ ok: true, value: { path: '/tmp/message-7.eml' } });
    expect(desktopCalls).toEqual([{ name: 'desktop.saveRaw', args: { id: 7 }, ctx: { window: 'main' } }]);
  });

  it('turns thrown errors into data, keeping the code of a MailwrightError', async () => {
    const { dispatch } = setup();
    expect(await dispatch(trusted, 'desktop.saveRaw', { id: 13 })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no message 13' },
    });
    // Anything else is a bug: its text stays in the log, the window gets a generic message with the log line's id.
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      const bug = await dispatch(trusted, 'desktop.saveRaw', { id: 66 });
      expect(bug).toMatchObject({
        ok: false,
        error: { code: 'internal', message: expect.stringMatching(/^internal error \(id [0-9a-f]{16}\)/) },
      });
      expect(JSON.stringify(bug)).not.toContain('disk full');
      const id = /id ([0-9a-f]{16})/.exec(JSON.stringify(bug))![1]!;
      const line = logged.find((args) => String(args[0]).includes(id));
      expect(String(line?.[0])).toContain('"desktop.saveRaw"');
      expect((line?.[1] as Error).message).toBe('disk full');
    } finally {
      spy.mockRestore();
    }
  });

  it('knows the desktop verbs and nothing inherited', () => {
    expect(isDesktopCallName('desktop.importFiles')).toBe(true);
    expect(isDesktopCallName('toString')).toBe(false);
    expect(isDesktopCallName('messages.list')).toBe(false);
  });
});
