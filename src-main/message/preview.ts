// The HTML preview document and the Content-Security-Policy that must travel with it.
// The defence is the CSP (with `sandbox`) plus the frame's sandbox attribute, not markup cleaning:
// the document stays as the sender wrote it, apart from cid: links and the few names that act outside CSP
// (preview-markup.ts).
import type { PreviewOptions } from '../../src-shared/index.js';
import { parseBodies } from './bodies.js';
import { walkMime, type MimePart } from './mime.js';
import { disarmMarkup } from './preview-markup.js';
import { emulateDarkScheme, imagesOffPolicy, viewStyles } from './preview-view.js';

export interface PreviewDocument {
  /** A complete HTML document; cid: references are rewritten to data: URLs. */
  html: string;
  /** The Content-Security-Policy that must be sent with it (it includes `sandbox`, so no script can ever run). */
  csp: string;
}

/**
 * Total size of data: URLs written for cid: references, in characters. A small message can reference one
 * large image thousands of times; past 20 MiB (mailparser's own default for this) references stay cid: links.
 */
export const MAX_INLINED_CHARS = 20 * 1024 * 1024;

/** How far into the HTML we look for a doctype to insert our head after; a doctype is the first thing or nothing. */
const DOCTYPE_SEARCH_CHARS = 4096;

/** The policy for a preview. Remote http(s) images, fonts, styles and media are allowed only when asked. */
export function previewPolicy(allowRemote: boolean): string {
  const remote = allowRemote ? ' http: https:' : '';
  return [
    // Enforced as a response header: scripts never run even if the document is opened outside the frame.
    'sandbox allow-popups allow-popups-to-escape-sandbox',
    "default-src 'none'",
    "script-src 'none'",
    `style-src 'unsafe-inline' data:${remote}`,
    `img-src data:${remote}`,
    `font-src data:${remote}`,
    `media-src data:${remote}`,
    "object-src 'none'",
    "frame-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The HTML body prepared for the sandboxed preview frame. */
export async function renderPreview(raw: Buffer, options: PreviewOptions): Promise<PreviewDocument> {
  const allowRemote = options.allowRemote === true;
  const view = options.view;
  const policy = previewPolicy(allowRemote);
  const csp = view?.images === 'off' ? imagesOffPolicy(policy) : policy;
  const [bodies, walk] = await Promise.all([parseBodies(raw), walkMime(raw, (p) => p.isLeaf && p.contentId !== null)]);
  const head = headBlock(csp);
  if (bodies.html === null)
    return { html: textDocument(head + (view ? viewStyles('', view) : ''), bodies.text ?? ''), csp };
  const withImages = inlineCidReferences(bodies.html, walk.parts);
  const html = view?.scheme === 'dark' ? emulateDarkScheme(withImages) : withImages;
  return { html: insertHead(disarmMarkup(html, allowRemote), head + (view ? viewStyles(html, view) : '')), csp };
}

/**
 * An HTML document that is not in a message yet (a template being designed), prepared exactly as a message's HTML
 * part is: the same head, policy, disarmed names and designer view; there are no cid: parts to inline.
 */
export function previewFromHtml(html: string, options: PreviewOptions): PreviewDocument {
  const allowRemote = options.allowRemote === true;
  const view = options.view;
  const policy = previewPolicy(allowRemote);
  const csp = view?.images === 'off' ? imagesOffPolicy(policy) : policy;
  const shown = view?.scheme === 'dark' ? emulateDarkScheme(html) : html;
  return {
    html: insertHead(disarmMarkup(shown, allowRemote), headBlock(csp) + (view ? viewStyles(html, view) : '')),
    csp,
  };
}

function headBlock(csp: string): string {
  // The policy first, so it covers everything after it; the charset still falls in the first 1024 bytes.
  return (
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">` +
    '<meta charset="utf-8">' +
    // DNS prefetching of link targets is not covered by CSP.
    '<meta http-equiv="x-dns-prefetch-control" content="off">' +
    '<base target="_blank">'
  );
}

/**
 * Puts our head elements first. They go right after a leading doctype (before it they would switch the page
 * to quirks mode) and otherwise at the very start: the HTML parser then opens <head> for them, so they precede
 * anything the sender wrote, and the sender's own <html>/<head> tags merge into the ones already open.
 */
function insertHead(html: string, head: string): string {
  const at = doctypeEnd(html);
  return html.slice(0, at) + head + html.slice(at);
}

/** Offset just past a doctype that only a BOM, whitespace and comments precede; 0 when there is none. */
function doctypeEnd(html: string): number {
  let i = html.charCodeAt(0) === 0xfeff ? 1 : 0;
  // A loop rather than one regex: `(?:<!--.*?-->\s*)*` backtracks exponentially on many unclosed comments.
  while (i < DOCTYPE_SEARCH_CHARS) {
    while (/\s/.test(html.charAt(i))) i++;
    if (!html.startsWith('<!--', i)) break;
    if (html.startsWith('<!-->', i)) i += 5;
    else if (html.startsWith('<!--->', i)) i += 6;
    else {
      const close = html.indexOf('-->', i + 4);
      if (close < 0 || close > DOCTYPE_SEARCH_CHARS) return 0;
      i = close + 3;
    }
  }
  const doctype = /^<!doctype[^>]*>/i.exec(html.slice(i, i + DOCTYPE_SEARCH_CHARS));
  return doctype ? i + doctype[0].length : 0;
}

/** Rewrites cid: references (src, background, srcset, CSS url()) to data: URLs of the parts they name. */
function inlineCidReferences(html: string, parts: readonly MimePart[]): string {
  const byCid = new Map<string, MimePart>();
  for (const part of parts) {
    if (!part.contentId || !part.content) continue;
    if (!byCid.has(part.contentId)) byCid.set(part.contentId, part);
    const lower = part.contentId.toLowerCase();
    if (!byCid.has(lower)) byCid.set(lower, part);
  }
  if (byCid.size === 0) return html;
  const urls = new Map<MimePart, string>();
  let written = 0;
  return html.replace(/\bcid:([^\s'"()<>&;,]{1,256})/gi, (match, ref: string) => {
    const id = safeDecodeURIComponent(ref);
    const part = byCid.get(id) ?? byCid.get(id.toLowerCase());
    if (!part?.content) return match;
    let url = urls.get(part);
    if (url === undefined) {
      url = `data:${dataUrlType(part.contentType)};base64,${part.content.toString('base64')}`;
      urls.set(part, url);
    }
    if (written + url.length > MAX_INLINED_CHARS) return match;
    written += url.length;
    return url;
  });
}

function textDocument(head: string, text: string): string {
  return (
    `<!DOCTYPE html><html><head>${head}` +
    '<style>pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,monospace;margin:0}</style>' +
    `</head><body><pre>${escapeHtml(text)}</pre></body></html>`
  );
}

/** A media type safe to put in a data: URL; anything odd becomes application/octet-stream. */
function dataUrlType(contentType: string): string {
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(contentType)
    ? contentType
    : 'application/octet-stream';
}

function safeDecodeURIComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
