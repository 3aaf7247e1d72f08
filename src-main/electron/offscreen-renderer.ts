// The desktop app's HtmlRenderer: an offscreen, sandboxed BrowserWindow per render, in a session of its own that
// answers the one document from memory and refuses every other request. No script runs (javascript off, no
// preload), fonts are fixed, animations and the caret stopped; the page is measured over the DevTools protocol
// (script-free), the window sized to the content, and captured whole. A render past 10 s is stopped.
import { BrowserWindow, session, type Session } from 'electron';
import { MailwrightError, PREVIEW_SCHEME, type RendererStatus } from '../../src-shared/index.js';
import {
  MAX_RENDER_HEIGHT,
  RENDER_TIMEOUT_MS,
  STILL_STYLE,
  type HtmlRenderer,
  type RenderedPng,
  type RenderRequest,
} from '../diff/render/renderer.js';

/** The renderer's own in-memory session (no `persist:`): nothing it loads touches the app's session or disk. */
export const RENDER_PARTITION = 'mailwright-offscreen-render';
/** Documents are served at this host of the (privileged, standard) preview scheme, in the render session only. */
const DOCUMENT_PREFIX = `${PREVIEW_SCHEME}://render/`;
/** The height the window starts at, before the page is measured (as the serve renderer's viewport). */
const VIEWPORT_HEIGHT = 800;
/** The same fonts whatever the user's Chromium settings say. */
const FONTS = {
  defaultFontFamily: { standard: 'Arial', serif: 'Times New Roman', sansSerif: 'Arial', monospace: 'Courier New' },
  defaultFontSize: 16,
  defaultMonospaceFontSize: 13,
  minimumFontSize: 0,
};

export class OffscreenRenderer implements HtmlRenderer {
  readonly #timeoutMs: number;
  readonly #documents = new Map<string, RenderRequest>();
  #session: Session | null = null;
  #next = 0;
  readonly #open = new Set<BrowserWindow>();

  constructor(options: { timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? RENDER_TIMEOUT_MS;
  }

  status(): Promise<RendererStatus> {
    return Promise.resolve({ available: true, browser: 'Electron offscreen window', help: null });
  }

  async render(request: RenderRequest): Promise<RenderedPng> {
    const ses = this.#renderSession();
    const url = `${DOCUMENT_PREFIX}${++this.#next}`;
    this.#documents.set(url, request);
    const win = new BrowserWindow({
      show: false,
      frame: false,
      useContentSize: true,
      enableLargerThanScreen: true,
      width: request.width,
      height: VIEWPORT_HEIGHT,
      paintWhenInitiallyHidden: true,
      webPreferences: {
        offscreen: true,
        session: ses,
        javascript: false,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webSecurity: true,
        images: request.images === 'on',
        webgl: false,
        plugins: false,
        spellcheck: false,
        disableDialogs: true,
        navigateOnDragDrop: false,
        autoplayPolicy: 'document-user-activation-required',
        backgroundThrottling: false,
        ...FONTS,
      },
    });
    this.#open.add(win);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new MailwrightError(
              'unavailable',
              `the render took longer than ${this.#timeoutMs / 1000} s and was stopped (a huge or hostile HTML body?)`,
            ),
          ),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([shoot(win, url, request), timeout]);
    } finally {
      clearTimeout(timer);
      this.#documents.delete(url);
      this.#open.delete(win);
      if (!win.isDestroyed()) win.destroy();
    }
  }

  close(): Promise<void> {
    for (const win of this.#open) if (!win.isDestroyed()) win.destroy();
    this.#open.clear();
    return Promise.resolve();
  }

  #renderSession(): Session {
    if (this.#session) return this.#session;
    const ses = session.fromPartition(RENDER_PARTITION, { cache: false });
    // Every request but a document being rendered is refused before it leaves: no remote image, font or link.
    ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !this.#documents.has(details.url) }));
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.protocol.handle(PREVIEW_SCHEME, (req) => {
      const doc = this.#documents.get(req.url);
      if (!doc) return new Response('not found', { status: 404 });
      return new Response(doc.html + STILL_STYLE, {
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': doc.csp },
      });
    });
    this.#session = ses;
    return ses;
  }
}

async function shoot(win: BrowserWindow, url: string, request: RenderRequest): Promise<RenderedPng> {
  const wc = win.webContents;
  // The DevTools protocol measures and emulates without running anything in the page (its script is off).
  wc.debugger.attach('1.3');
  await wc.debugger.sendCommand('Emulation.setEmulatedMedia', {
    features: [
      { name: 'prefers-color-scheme', value: request.scheme },
      { name: 'prefers-reduced-motion', value: 'reduce' },
    ],
  });
  await wc.loadURL(url);
  const metrics = (await wc.debugger.sendCommand('Page.getLayoutMetrics')) as {
    cssContentSize?: { height: number };
    contentSize?: { height: number };
  };
  const measured = metrics.cssContentSize?.height ?? metrics.contentSize?.height ?? VIEWPORT_HEIGHT;
  const height = Math.max(1, Math.min(MAX_RENDER_HEIGHT, Math.ceil(measured)));
  win.setContentSize(request.width, height);
  const image = await wc.capturePage({ x: 0, y: 0, width: request.width, height });
  const size = image.getSize();
  return { png: image.toPNG(), width: size.width, height: size.height };
}
