// The desktop shell's trust rules as pure functions: which pages are ours, which URLs may leave the app,
// and the CSP of the app's own pages. Must not import electron, so it is tested under plain Node.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PREVIEW_SCHEME } from '../../src-shared/index.js';

/** Same policy as the renderer's index.html meta tag; sent as a header too where the page comes over HTTP (dev). */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  `frame-src 'self' ${PREVIEW_SCHEME}:`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Where the renderer is loaded from: the built index.html, or the dev server in `electron-vite dev`. */
export interface RendererLocation {
  /** file:// URL of out/renderer/index.html. */
  indexFileUrl: string;
  /** ELECTRON_RENDERER_URL when running under the dev server, else null. */
  devUrl: string | null;
}

/** Schemes a link may open outside the app, after the user agrees. */
const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** A URL longer than this in a confirm dialog is unreadable and probably hostile; the dialog shows a cut copy. */
const MAX_URL_SHOWN = 300;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The app's own index page (any hash or query), or the dev server's origin. Everything else is foreign. */
export function isAppPageUrl(url: string, where: RendererLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (where.devUrl) {
    const dev = parse(where.devUrl);
    if (dev && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin) return true;
  }
  if (u.protocol !== 'file:') return false;
  const own = parse(where.indexFileUrl);
  if (!own || own.protocol !== 'file:' || u.host !== own.host) return false;
  return samePath(filePath(u), filePath(own));
}

function filePath(u: URL): string | null {
  try {
    return path.normalize(fileURLToPath(new URL(`${u.protocol}//${u.host}${u.pathname}`)));
  } catch {
    return null;
  }
}

function samePath(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  // Windows and macOS file systems are case-insensitive by default; Linux is not.
  return process.platform === 'linux' ? a === b : a.toLowerCase() === b.toLowerCase();
}

/** A URL that may be handed to the system browser or mail client, or null. */
export function externalUrl(url: string): URL | null {
  const u = parse(url);
  if (!u || !EXTERNAL_PROTOCOLS.has(u.protocol)) return null;
  // Credentials in a link are a phishing trick ("https://bank.com@evil.example/"); refuse rather than explain.
  if (u.username || u.password) return null;
  return u;
}

export function isPreviewUrl(url: string): boolean {
  return parse(url)?.protocol === `${PREVIEW_SCHEME}:`;
}

/** The confirm question for opening a link outside the app. */
export function openExternalQuestion(url: URL): string {
  const shown = url.href.length > MAX_URL_SHOWN ? `${url.href.slice(0, MAX_URL_SHOWN)}…` : url.href;
  return url.protocol === 'mailto:' ? `Open ${shown} in your mail app?` : `Open ${shown} in your browser?`;
}

/** What a navigation attempt should do: stay (our page or a preview frame), offer to open outside, or be refused. */
export type NavigationVerdict = 'allow' | 'external' | 'block';

export function navigationVerdict(url: string, isMainFrame: boolean, where: RendererLocation): NavigationVerdict {
  if (isMainFrame && isAppPageUrl(url, where)) return 'allow';
  // Only the renderer's preview iframe may hold a preview document; never the top-level page.
  if (!isMainFrame && (isPreviewUrl(url) || url === 'about:blank' || url === 'about:srcdoc')) return 'allow';
  return externalUrl(url) ? 'external' : 'block';
}
