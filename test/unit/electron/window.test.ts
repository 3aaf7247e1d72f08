// Window hardening and navigation guards under a stand-in for Electron (no Electron binary here):
// the options a BrowserWindow gets, what each navigation attempt does, the CSP header, permissions.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RendererLocation } from '../../../src-main/electron/security.js';

type Fn = (...args: any[]) => any;
const fake = vi.hoisted(() => {
  const state = {
    appListeners: new Map<string, Fn>(),
    windows: [] as { options: any; loaded: string[] }[],
    dialogs: [] as any[],
    dialogAnswer: 0,
    opened: [] as string[],
  };
  class BrowserWindow {
    options: any;
    loaded: string[] = [];
    constructor(options: any) {
      this.options = options;
      state.windows.push(this);
    }
    once() {}
    loadFile(p: string) {
      this.loaded.push(`file:${p}`);
      return Promise.resolve();
    }
    loadURL(u: string) {
      this.loaded.push(`url:${u}`);
      return Promise.resolve();
    }
    static fromWebContents() {
      return null;
    }
  }
  return {
    state,
    electron: {
      app: { on: (name: string, fn: Fn) => state.appListeners.set(name, fn) },
      BrowserWindow,
      dialog: {
        showMessageBox: async (options: any) => {
          state.dialogs.push(options);
          return { response: state.dialogAnswer };
        },
      },
      shell: { openExternal: async (url: string) => void state.opened.push(url) },
    },
  };
});
vi.mock('electron', () => fake.electron);

const { createMainWindow, setupNavigationGuards, setupSessionHardening } =
  await import('../../../src-main/electron/window.js');

const where: RendererLocation = {
  indexFileUrl: pathToFileURL(path.resolve('/app/out/renderer/index.html')).href,
  devUrl: null,
};

function fakeContents() {
  const listeners = new Map<string, Fn>();
  let openHandler: Fn = () => ({ action: 'allow' });
  return {
    on: (name: string, fn: Fn) => void listeners.set(name, fn),
    setWindowOpenHandler: (fn: Fn) => void (openHandler = fn),
    fire(name: string, details: Record<string, unknown>) {
      let prevented = false;
      listeners.get(name)?.({ ...details, preventDefault: () => (prevented = true) });
      return prevented;
    },
    open: (url: string) => openHandler({ url }),
  };
}

/** Lets the confirm dialog's promise chain run. */
const settle = () => new Promise((r) => setImmediate(r));

beforeEach(() => {
  fake.state.dialogs.length = 0;
  fake.state.opened.length = 0;
  fake.state.dialogAnswer = 0;
});

describe('createMainWindow', () => {
  it('creates a sandboxed, isolated window and loads the built index', () => {
    createMainWindow({ preload: '/app/out/preload/index.cjs', indexHtml: '/app/out/renderer/index.html' }, where);
    const win = fake.state.windows.at(-1)!;
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win.loaded).toEqual(['file:/app/out/renderer/index.html']);
  });

  it('loads the dev server URL when there is one', () => {
    createMainWindow({ preload: 'p', indexHtml: 'i' }, { ...where, devUrl: 'http://localhost:5173/' });
    expect(fake.state.windows.at(-1)!.loaded).toEqual(['url:http://localhost:5173/']);
  });
});

describe('setupNavigationGuards', () => {
  setupNavigationGuards(where);
  const created = fake.state.appListeners.get('web-contents-created')!;

  it('blocks navigation away from our page and asks before opening a web link outside', async () => {
    const contents = fakeContents();
    created({}, contents);
    expect(contents.fire('will-frame-navigate', { url: where.indexFileUrl, isMainFrame: true })).toBe(false);
    expect(contents.fire('will-frame-navigate', { url: 'https://example.com/a', isMainFrame: true })).toBe(true);
    await settle();
    expect(fake.state.dialogs).toHaveLength(1);
    expect(fake.state.dialogs[0].message).toBe('Open https://example.com/a in your browser?');
    expect(fake.state.opened).toEqual(['https://example.com/a']);
  });

  it('opens nothing when the user cancels', async () => {
    fake.state.dialogAnswer = 1;
    const contents = fakeContents();
    created({}, contents);
    expect(contents.fire('will-frame-navigate', { url: 'mailto:a@example.com', isMainFrame: false })).toBe(true);
    await settle();
    expect(fake.state.dialogs).toHaveLength(1);
    expect(fake.state.opened).toEqual([]);
  });

  it('blocks file:, javascript: and custom schemes without asking', async () => {
    const contents = fakeContents();
    created({}, contents);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'ms-msdt:/id', 'mailwright-preview://message/1']) {
      expect(contents.fire('will-frame-navigate', { url, isMainFrame: true }), url).toBe(true);
      expect(contents.fire('will-navigate', { url }), url).toBe(true);
    }
    await settle();
    expect(fake.state.dialogs).toHaveLength(0);
  });

  it('lets the preview iframe load previews, and asks once when it floods link attempts', async () => {
    const contents = fakeContents();
    created({}, contents);
    expect(
      contents.fire('will-frame-navigate', { url: 'mailwright-preview://message/1?remote=0', isMainFrame: false }),
    ).toBe(false);
    for (let i = 0; i < 20; i++)
      contents.fire('will-frame-navigate', { url: `https://spam.example/${i}`, isMainFrame: false });
    await settle();
    expect(fake.state.dialogs).toHaveLength(1);
  });

  it('denies every new window and every webview, and blocks foreign redirects', async () => {
    const contents = fakeContents();
    created({}, contents);
    expect(contents.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(contents.fire('will-attach-webview', {})).toBe(true);
    expect(contents.fire('will-redirect', { url: 'https://evil.example/', isMainFrame: true })).toBe(true);
    await settle();
  });
});

describe('setupSessionHardening', () => {
  function fakeSession() {
    const s = {
      onHeaders: null as Fn | null,
      permission: null as Fn | null,
      check: null as Fn | null,
      device: null as Fn | null,
      listeners: new Map<string, Fn>(),
      webRequest: { onHeadersReceived: (fn: Fn) => void (s.onHeaders = fn) },
      setPermissionRequestHandler: (fn: Fn) => void (s.permission = fn),
      setPermissionCheckHandler: (fn: Fn) => void (s.check = fn),
      setDevicePermissionHandler: (fn: Fn) => void (s.device = fn),
      on: (name: string, fn: Fn) => void s.listeners.set(name, fn),
    };
    return s;
  }
  const headersFor = (s: ReturnType<typeof fakeSession>, details: Record<string, unknown>) => {
    let result: any;
    s.onHeaders!(details, (r: unknown) => (result = r));
    return result;
  };

  it('puts the app CSP on our page only, replacing any other CSP', () => {
    const s = fakeSession();
    setupSessionHardening(s as never, { ...where, devUrl: 'http://localhost:5173/' });
    const page = headersFor(s, {
      url: 'http://localhost:5173/',
      resourceType: 'mainFrame',
      responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] },
    });
    expect(page.responseHeaders['Content-Security-Policy'][0]).toContain("script-src 'self'");
    expect(page.responseHeaders['content-security-policy']).toBeUndefined();
    expect(page.responseHeaders['X-Other']).toEqual(['1']);
    expect(
      headersFor(s, { url: 'mailwright-preview://message/1', resourceType: 'subFrame', responseHeaders: {} }),
    ).toEqual({});
    expect(headersFor(s, { url: 'https://example.com/', resourceType: 'mainFrame', responseHeaders: {} })).toEqual({});
  });

  it('refuses every permission and every download', () => {
    const s = fakeSession();
    setupSessionHardening(s as never, where);
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      s.permission!({}, perm, (g: boolean) => (granted = g));
      expect(granted, perm).toBe(false);
      expect(s.check!({}, perm)).toBe(false);
    }
    expect(s.device!({ deviceType: 'usb' })).toBe(false);
    let prevented = false;
    s.listeners.get('will-download')!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});
