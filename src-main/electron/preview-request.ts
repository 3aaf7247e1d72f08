// Answers one mailwright-preview://message/{id}?remote=0|KEY request. Pure (takes the core's preview
// function), so the protocol handler in protocol.ts is a one-line adapter. Must not import electron.
import { parsePreviewView, PREVIEW_SCHEME, toApiError, type PreviewView } from '../../src-shared/index.js';
import type { PreviewDocument } from '../message/index.js';

/** Core.preview: `remote` is the URL's remote= value as given; the core checks it. */
export type PreviewSource = (id: number, remote: string | null, view: PreviewView) => Promise<PreviewDocument>;

/** Message ids are SQLite rowids; anything longer than this is not one. */
const MAX_ID_DIGITS = 15;

export function parsePreviewUrl(url: string): { id: number; remote: string | null; view: PreviewView } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${PREVIEW_SCHEME}:` || u.hostname !== 'message') return null;
  const m = new RegExp(`^/([1-9][0-9]{0,${MAX_ID_DIGITS - 1}})/?$`).exec(u.pathname);
  if (!m) return null;
  const id = Number(m[1]);
  if (!Number.isSafeInteger(id)) return null;
  const view = parsePreviewView((name) => u.searchParams.get(name));
  if (!view.ok) return null;
  return { id, remote: u.searchParams.get('remote'), view: view.view };
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

export async function previewResponse(url: string, method: string, preview: PreviewSource): Promise<Response> {
  if (method !== 'GET') return textResponse(405, 'method not allowed');
  const target = parsePreviewUrl(url);
  if (!target) return textResponse(404, 'not found');
  try {
    const doc = await preview(target.id, target.remote, target.view);
    return new Response(doc.html, {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': doc.csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      },
    });
  } catch (err) {
    const e = toApiError(err);
    if (e.code === 'not_found') return textResponse(404, 'not found');
    if (e.code === 'forbidden') return textResponse(403, `forbidden: ${e.message}`);
    return textResponse(500, `preview failed: ${e.message}`);
  }
}
