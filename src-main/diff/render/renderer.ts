// What the diff capability needs to turn a message's HTML into pixels. Serve mode uses Playwright's Chromium
// (chromium.ts); the desktop app gives an offscreen Electron window (src-main/electron/offscreen-renderer.ts)
// through CoreOptions.htmlRenderer. Both share the limits and the still style below.
import type { RendererStatus } from '../../../src-shared/index.js';

/** A render longer than this is a huge or hostile document; it is stopped and the caller told so. */
export const RENDER_TIMEOUT_MS = 10_000;
/** Chromium cannot capture taller surfaces reliably (16,384 px is its texture limit); past it the image is cut. */
export const MAX_RENDER_HEIGHT = 16_384;
/** Animations, transitions and the caret stopped, so two renders of one document are the same pixels. */
export const STILL_STYLE =
  '<style>*,*::before,*::after{animation:none!important;transition:none!important;caret-color:transparent!important}</style>';

export interface RenderRequest {
  /** A complete document, as message/preview.ts makes it (cid: images inlined, remote references disarmed). */
  html: string;
  /** The Content-Security-Policy the document must be shown under. */
  csp: string;
  width: number;
  scheme: 'light' | 'dark';
  images: 'on' | 'off';
}

export interface RenderedPng {
  png: Buffer;
  width: number;
  height: number;
}

export interface HtmlRenderer {
  /** Whether renders can run, and how to make them possible when they cannot. */
  status(): Promise<RendererStatus>;
  /** A full-height PNG; rejects with a MailwrightError (`unavailable`) when no browser or the time cap is hit. */
  render(request: RenderRequest): Promise<RenderedPng>;
  close(): Promise<void>;
}
