// Renders message HTML to PNG in Playwright's Chromium (serve mode): one warm browser, a fresh context per render
// (its own viewport, colour scheme, and no script), every request but the document itself refused, and a time cap.
// The browser is found as the tests find it: MAILWRIGHT_CHROMIUM, /usr/bin/chromium, then Playwright's own.
import { existsSync } from 'node:fs';
import type * as Playwright from 'playwright';
import type { Browser, BrowserContext, Page } from 'playwright';
import { MailwrightError, type RendererStatus } from '../../../src-shared/index.js';
import {
  MAX_RENDER_HEIGHT,
  RENDER_TIMEOUT_MS,
  STILL_STYLE,
  type HtmlRenderer,
  type RenderedPng,
  type RenderRequest,
} from './renderer.js';

export { MAX_RENDER_HEIGHT, RENDER_TIMEOUT_MS } from './renderer.js';

/** The viewport height before the full page is measured; `100vh` layouts get a phone-like first screen. */
const VIEWPORT_HEIGHT = 800;
/** Renders at once: each is a renderer process; on a small machine two keep capture and the UI responsive. */
const MAX_CONCURRENT_RENDERS = 2;
/** How long a stuck context may take to close before the whole browser is dropped and relaunched next time. */
const CLOSE_GRACE_MS = 5_000;
/** A cold start of Chromium takes a second or two; on a loaded machine far longer, but past this it is broken. */
const LAUNCH_TIMEOUT_MS = 60_000;
/** Where documents live: answered from memory by the context's route, never looked up (.invalid cannot resolve). */
const DOCUMENT_ORIGIN = 'https://render.mailwright.invalid';

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  // The same pixels on every run: no hinting or subpixel text that depends on the display, one colour profile.
  '--font-render-hinting=none',
  '--disable-lcd-text',
  '--force-color-profile=srgb',
  '--hide-scrollbars',
  // The documents carry the preview's CSP, whose `sandbox` makes each an opaque origin, and site isolation gives
  // every such document a new renderer process: ~220 ms of each screenshot's navigation. This browser runs no
  // script (javaScriptEnabled: false) and loads nothing but the one document (the context's route), so there is no
  // script for process isolation to contain; the CSP keeps its sandbox. (--disable-features would replace
  // Playwright's own list of disabled features, so the narrower IsolateSandboxedIframes switch is not used.)
  '--disable-site-isolation-trials',
];

export const NO_BROWSER_HELP =
  'No Chromium found for screenshots and visual diffs. Install one (`sudo apt-get install chromium`, or ' +
  '`npx playwright install chromium`), or set MAILWRIGHT_CHROMIUM to a Chromium executable, then restart. ' +
  'Everything else works without it.';

async function loadPlaywright(): Promise<typeof Playwright | null> {
  try {
    return await import('playwright');
  } catch {
    return null;
  }
}

/** The browser executable to use, or null with the reason. */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<RendererStatus> {
  const fromEnv = env.MAILWRIGHT_CHROMIUM;
  if (fromEnv) {
    if (existsSync(fromEnv)) return { available: true, browser: fromEnv, help: null };
    return {
      available: false,
      browser: null,
      help: `MAILWRIGHT_CHROMIUM points to ${fromEnv}, which does not exist. ${NO_BROWSER_HELP}`,
    };
  }
  if (existsSync('/usr/bin/chromium')) return { available: true, browser: '/usr/bin/chromium', help: null };
  const playwright = await loadPlaywright();
  let bundled = '';
  try {
    bundled = playwright?.chromium.executablePath() ?? '';
  } catch {
    // Playwright throws when it has no browser registry entry: the "none found" case.
  }
  if (bundled && existsSync(bundled)) return { available: true, browser: bundled, help: null };
  return { available: false, browser: null, help: NO_BROWSER_HELP };
}

export class ChromiumRenderer implements HtmlRenderer {
  readonly #env: NodeJS.ProcessEnv;
  readonly #timeoutMs: number;
  #found: Promise<RendererStatus> | null = null;
  /** The warm browser with its one context (no script, every request but our documents refused). */
  #session: Promise<{ browser: Browser; context: BrowserContext }> | null = null;
  /** Pages kept between renders: opening one starts a renderer process, the largest part of a cold render. */
  readonly #idle: Page[] = [];
  /** The document each page is loading, by its URL; the context's route answers from here. */
  readonly #documents = new Map<string, RenderRequest>();
  #nextDocument = 0;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
    this.#env = options.env ?? process.env;
    this.#timeoutMs = options.timeoutMs ?? RENDER_TIMEOUT_MS;
  }

  status(): Promise<RendererStatus> {
    this.#found ??= findBrowser(this.#env);
    return this.#found;
  }

  async render(request: RenderRequest): Promise<RenderedPng> {
    await this.#slot();
    try {
      const launched = this.#launch();
      const session = await launched;
      const page = this.#idle.pop() ?? (await session.context.newPage());
      const url = `${DOCUMENT_ORIGIN}/${++this.#nextDocument}`;
      this.#documents.set(url, request);
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
        const shot = await Promise.race([shoot(page, url, request, this.#timeoutMs), timeout]);
        if (this.#session === launched) this.#idle.push(page);
        else void page.close().catch(() => undefined);
        return shot;
      } catch (err) {
        this.#discard(page, session);
        throw err;
      } finally {
        clearTimeout(timer);
        this.#documents.delete(url);
      }
    } finally {
      this.#release();
    }
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#idle.length = 0;
    if (session) await (await session.catch(() => null))?.browser.close();
  }

  #launch(): Promise<{ browser: Browser; context: BrowserContext }> {
    this.#session ??= (async () => {
      const found = await this.status();
      if (!found.available || !found.browser) throw new MailwrightError('unavailable', found.help ?? NO_BROWSER_HELP);
      const playwright = await loadPlaywright();
      if (!playwright)
        throw new MailwrightError('unavailable', 'the playwright package is not installed; screenshots need it');
      let browser: Browser;
      try {
        browser = await playwright.chromium.launch({
          executablePath: found.browser,
          args: LAUNCH_ARGS,
          timeout: LAUNCH_TIMEOUT_MS,
        });
      } catch (err) {
        throw new MailwrightError(
          'unavailable',
          `Chromium at ${found.browser} did not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        );
      }
      const context = await browser.newContext({
        javaScriptEnabled: false,
        deviceScaleFactor: 1,
        reducedMotion: 'reduce',
        serviceWorkers: 'block',
        acceptDownloads: false,
      });
      // Only our documents are answered; every other request (remote images, fonts, CSS, frames) is refused
      // here, on top of the CSP that already forbids them.
      await context.route('**/*', (route) => {
        const doc = this.#documents.get(route.request().url());
        return doc
          ? route.fulfill({
              status: 200,
              contentType: 'text/html; charset=utf-8',
              headers: { 'Content-Security-Policy': doc.csp },
              body: doc.html + STILL_STYLE,
            })
          : route.abort('blockedbyclient');
      });
      browser.on('disconnected', () => {
        if (this.#session === launching) this.#forget();
      });
      return { browser, context };
    })();
    const launching = this.#session;
    // A failed launch is not kept: the next render tries again (the user may have installed a browser since).
    launching.catch(() => {
      if (this.#session === launching) this.#session = null;
    });
    return launching;
  }

  #forget(): void {
    this.#session = null;
    this.#idle.length = 0;
  }

  /** Closes a page that failed or overran; one that will not close (stuck in layout) takes the browser with it. */
  #discard(page: Page, session: { browser: Browser }): void {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), CLOSE_GRACE_MS)));
    void Promise.race([page.close().then(() => 'closed' as const), stuck])
      .catch(() => 'stuck' as const)
      .then(async (outcome) => {
        clearTimeout(timer);
        if (outcome !== 'stuck') return;
        if (this.#session && (await this.#session.catch(() => null))?.browser === session.browser) this.#forget();
        await session.browser.close().catch(() => undefined);
      });
  }

  async #slot(): Promise<void> {
    if (this.#running < MAX_CONCURRENT_RENDERS) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

/** The width and scheme each kept page was last set to: a page reused alike skips two protocol round trips. */
const pageSettings = new WeakMap<Page, string>();

async function shoot(page: Page, url: string, request: RenderRequest, timeoutMs: number): Promise<RenderedPng> {
  const settings = `${request.width}/${request.scheme}`;
  if (pageSettings.get(page) !== settings) {
    pageSettings.delete(page);
    await page.setViewportSize({ width: request.width, height: VIEWPORT_HEIGHT });
    await page.emulateMedia({ colorScheme: request.scheme, reducedMotion: 'reduce' });
    pageSettings.set(page, settings);
  }
  await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  // Animations and the caret are already stopped by STILL_STYLE, so Playwright's own options for them stay off:
  // `animations: 'disabled'` cost ~300 ms, and the default `caret: 'hide'` injects a style into every frame first
  // (~100 ms of a 600 px screenshot's ~300 ms).
  const png = await page.screenshot({
    type: 'png',
    fullPage: true,
    caret: 'initial',
    clip: { x: 0, y: 0, width: request.width, height: MAX_RENDER_HEIGHT },
    timeout: timeoutMs,
  });
  return { png, ...pngSize(png) };
}

/** Width and height from the PNG's IHDR chunk (bytes 16-23), without decoding the image. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
