// The desktop app's offscreen renderer under a stand-in for Electron (no Electron binary here; the real window is
// checked by test/electron when one is present): the window's webPreferences, the render session that answers
// the one document and refuses every other request, sizing to the measured content, and the time cap.
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Fn = (...args: any[]) => any;
const fake = vi.hoisted(() => {
  const state = {
    windows: [] as any[],
    partitions: [] as { name: string; options: unknown }[],
    beforeRequest: null as Fn | null,
    handlers: new Map<string, Fn>(),
    permissionRequest: null as Fn | null,
    /** 'hang': loadURL never settles (a document that will not finish). */
    load: 'ok' as 'ok' | 'hang',
    contentHeight: 1234,
    /** What the session answered for the document while it loaded, and whether other requests were let through. */
    served: [] as { status: number; csp: string | null; body: string }[],
    verdicts: [] as { url: string; cancel: boolean }[],
  };
  const ask = (url: string) =>
    new Promise<boolean>((resolve) => state.beforeRequest!({ url }, (r: { cancel: boolean }) => resolve(r.cancel)));
  const ses = {
    webRequest: { onBeforeRequest: (fn: Fn) => (state.beforeRequest = fn) },
    protocol: { handle: (scheme: string, fn: Fn) => state.handlers.set(scheme, fn) },
    setPermissionRequestHandler: (fn: Fn) => (state.permissionRequest = fn),
    setPermissionCheckHandler: () => {},
  };
  class BrowserWindow {
    destroyed = false;
    commands: { method: string; params: unknown }[] = [];
    sizes: [number, number][] = [];
    captured: unknown[] = [];
    webContents: any;
    constructor(public options: any) {
      state.windows.push(this);
      this.webContents = {
        debugger: {
          attach: () => {},
          sendCommand: async (method: string, params?: unknown) => {
            this.commands.push({ method, params });
            return method === 'Page.getLayoutMetrics' ? { cssContentSize: { height: state.contentHeight } } : {};
          },
        },
        loadURL: async (url: string) => {
          if (state.load === 'hang') return new Promise(() => {});
          // What Chromium would do: ask the session whether the request may go, then fetch it from the handler.
          for (const u of [url, 'https://tracker.example/pixel.png', 'mailwright-preview://render/999'])
            state.verdicts.push({ url: u, cancel: await ask(u) });
          const res: Response = await state.handlers.get('mailwright-preview')!(new Request(url));
          state.served.push({
            status: res.status,
            csp: res.headers.get('content-security-policy'),
            body: await res.text(),
          });
        },
        capturePage: async (rect: { width: number; height: number }) => {
          this.captured.push(rect);
          return { toPNG: () => Buffer.from('png bytes'), getSize: () => ({ width: rect.width, height: rect.height }) };
        },
      };
    }
    setContentSize(w: number, h: number) {
      this.sizes.push([w, h]);
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  return {
    state,
    ask,
    electron: {
      BrowserWindow,
      session: {
        fromPartition: (name: string, options: unknown) => {
          state.partitions.push({ name, options });
          return ses;
        },
      },
    },
    ses,
  };
});
vi.mock('electron', () => fake.electron);

const { OffscreenRenderer, RENDER_PARTITION } = await import('../../../src-main/electron/offscreen-renderer.js');
const { MAX_RENDER_HEIGHT } = await import('../../../src-main/diff/render/renderer.js');

const REQUEST = {
  html: '<!doctype html><p>Hello</p>',
  csp: "sandbox; default-src 'none'; img-src data:",
  width: 375,
  scheme: 'dark' as const,
  images: 'off' as const,
};

beforeEach(() => {
  fake.state.windows.length = 0;
  fake.state.served.length = 0;
  fake.state.verdicts.length = 0;
  fake.state.load = 'ok';
  fake.state.contentHeight = 1234;
});

describe('OffscreenRenderer', () => {
  it('renders in an offscreen, sandboxed window with script off, no preload, in its own session', async () => {
    const renderer = new OffscreenRenderer();
    await renderer.render(REQUEST);
    const [win] = fake.state.windows;
    expect(win.options).toMatchObject({ show: false, width: 375 });
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({
      offscreen: true,
      javascript: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      images: false,
      session: fake.ses,
    });
    expect(prefs.preload).toBeUndefined();
    expect(prefs.defaultFontFamily.standard).toBe('Arial');
    // An in-memory partition (no persist:), made once.
    expect(fake.state.partitions).toEqual([{ name: RENDER_PARTITION, options: { cache: false } }]);
    expect(RENDER_PARTITION.startsWith('persist:')).toBe(false);
    // Every permission is refused.
    let granted: boolean | null = null;
    fake.state.permissionRequest!(null, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    await renderer.render({ ...REQUEST, images: 'on' });
    expect(fake.state.windows[1].options.webPreferences.images).toBe(true);
    expect(fake.state.partitions).toHaveLength(1);
  });

  it('answers only the document being rendered, under its CSP, and refuses every other request', async () => {
    const renderer = new OffscreenRenderer();
    await renderer.render(REQUEST);
    const [doc, remote, stale] = fake.state.verdicts;
    expect(doc).toMatchObject({ url: expect.stringMatching(/^mailwright-preview:\/\/render\/\d+$/), cancel: false });
    expect(remote).toEqual({ url: 'https://tracker.example/pixel.png', cancel: true });
    expect(stale!.cancel).toBe(true);
    const [served] = fake.state.served;
    expect(served!.status).toBe(200);
    expect(served!.csp).toBe(REQUEST.csp);
    expect(served!.body.startsWith(REQUEST.html)).toBe(true);
    // Animations, transitions and the caret stopped.
    expect(served!.body).toMatch(/animation:none!important.*caret-color:transparent/);
    // Once rendered, its document is gone too.
    expect(await fake.ask(doc!.url)).toBe(true);
    const after: Response = await fake.state.handlers.get('mailwright-preview')!(new Request(doc!.url));
    expect(after.status).toBe(404);
  });

  it('emulates the scheme, sizes the window to the measured content and captures all of it', async () => {
    const renderer = new OffscreenRenderer();
    const png = await renderer.render(REQUEST);
    const [win] = fake.state.windows;
    expect(win.commands[0]).toEqual({
      method: 'Emulation.setEmulatedMedia',
      params: {
        features: [
          { name: 'prefers-color-scheme', value: 'dark' },
          { name: 'prefers-reduced-motion', value: 'reduce' },
        ],
      },
    });
    expect(win.sizes).toEqual([[375, 1234]]);
    expect(win.captured).toEqual([{ x: 0, y: 0, width: 375, height: 1234 }]);
    expect(png).toEqual({ png: Buffer.from('png bytes'), width: 375, height: 1234 });
    expect(win.destroyed).toBe(true);
    // A page taller than Chromium can capture is cut at the limit.
    fake.state.contentHeight = 50_000;
    expect((await renderer.render({ ...REQUEST, scheme: 'light' })).height).toBe(MAX_RENDER_HEIGHT);
  });

  it('stops a render that overruns its cap, with a clear error, and closes its window', async () => {
    fake.state.load = 'hang';
    const renderer = new OffscreenRenderer({ timeoutMs: 50 });
    await expect(renderer.render(REQUEST)).rejects.toThrow(/took longer than 0.05 s and was stopped/);
    expect(fake.state.windows[0].destroyed).toBe(true);
    // The next render is not affected.
    fake.state.load = 'ok';
    expect((await renderer.render(REQUEST)).width).toBe(375);
  });
});
