// What the diff capability needs to turn a message's HTML into pixels. Serve mode uses Playwright's Chromium
// (chromium.ts); the desktop app is meant to implement this same interface with an offscreen Electron window
// (not built yet: the Electron shell would pass its own renderer to setupDiff).
import type { RendererStatus } from '../../../src-shared/index.js';

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
