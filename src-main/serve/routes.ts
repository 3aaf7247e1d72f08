// The whole REST API on one screen: each route maps a URL onto one core call and shapes the reply.
// No contract logic here: arguments go to core.invoke (which validates them) or to the core's byte accessors.
import type { CallName } from '../../src-shared/index.js';
import { MailwrightError, toApiError } from '../../src-shared/index.js';
import type { Core } from '../core/core.js';
import { PROMETHEUS_CONTENT_TYPE, toPrometheus } from '../core/prometheus.js';
import { openApiDocument } from './openapi.js';
import {
  MAX_JSON_BODY_BYTES,
  contentDisposition,
  declaredLength,
  errorReply,
  json,
  parseId,
  parseIntParam,
  readJson,
  restReply,
  resultReply,
  streamBody,
  tooLarge,
  type Reply,
} from '../core/rest.js';
import type { Method, RouteContext as CapabilityRouteContext } from '../core/rest.js';
import { BASE_HEADERS, DOWNLOAD_CSP, previewCsp } from './security.js';

/** What the binding needs of the core: its one call entry point, the byte accessors, the event bus, the routes. */
export type CoreApi = Pick<Core, 'invoke' | 'raw' | 'attachment' | 'preview' | 'importStream' | 'events' | 'routes'>;

export interface RouteContext extends Omit<CapabilityRouteContext, 'core'> {
  core: CoreApi;
}

export type { Method };
export interface Route {
  method: Method;
  /** OpenAPI-style template; openapi.ts documents exactly these. */
  path: string;
  handler: (c: RouteContext) => Promise<Reply> | Reply;
  /** See RestRoute.acceptsNoContentType (core/rest.ts). */
  acceptsNoContentType?: boolean;
}

/** The same bound as the messages.import call's filename (it only names the file in results and errors). */
const MAX_FILENAME_CHARS = 1024;

const r = (method: Method, path: string, handler: Route['handler']): Route => ({ method, path, handler });

export const ROUTES: readonly Route[] = [
  r('GET', '/api/messages', (c) => rest(c, 'messages.list', listArgs(c.query))),
  r('DELETE', '/api/messages', (c) => rest(c, 'messages.deleteAll', {})),
  r('POST', '/api/messages/import', importMessage),
  r('GET', '/api/messages/{id}', (c) => rest(c, 'messages.get', { id: idOf(c) })),
  r('DELETE', '/api/messages/{id}', (c) => rest(c, 'messages.delete', { ids: [idOf(c)] })),
  r('GET', '/api/messages/{id}/raw', raw),
  r('GET', '/api/messages/{id}/source', (c) => rest(c, 'messages.source', { id: idOf(c) })),
  r('GET', '/api/messages/{id}/attachments/{partId}', attachment),
  r('GET', '/api/messages/{id}/preview', preview),
  r('POST', '/api/messages/{id}/read', markRead),
  r('GET', '/api/status', (c) => rest(c, 'server.status', {})),
  r('GET', '/api/settings', (c) => rest(c, 'settings.get', {})),
  r('PUT', '/api/settings', async (c) => rest(c, 'settings.update', await readJson(c.req))),
  r('GET', '/api/settings/presets', (c) => rest(c, 'settings.presets', {})),
  r('GET', '/api/listeners/{listenerId}/certificate.pem', certificatePem),
  r('GET', '/api/sessions', (c) => rest(c, 'sessions.list', sessionArgs(c.query))),
  r('GET', '/api/sessions/{id}', (c) => rest(c, 'sessions.get', { id: idOf(c) })),
  r('GET', '/api/metrics', (c) => rest(c, 'metrics.get', {})),
  r('GET', '/metrics', prometheus),
  r('POST', '/api/call/{name}', call),
  r('GET', '/api/openapi.json', (c) => json(openApiDocument(c.core.routes()))),
  r('GET', '/api/events', () =>
    json({ error: { code: 'invalid_argument', message: 'this route is a WebSocket' } }, 426),
  ),
];

async function rest(c: RouteContext, name: CallName, args: unknown): Promise<Reply> {
  return restReply(await c.core.invoke(name, args));
}

function idOf(c: RouteContext): number {
  return parseId(c.params.id);
}

function listArgs(query: URLSearchParams): Record<string, unknown> {
  const q = query.get('query');
  const limit = parseIntParam(query, 'limit');
  const offset = parseIntParam(query, 'offset');
  return {
    ...(q !== null && q !== '' ? { query: q } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(offset !== undefined ? { offset } : {}),
  };
}

function sessionArgs(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = listArgs(query);
  delete out.query;
  for (const key of ['filter', 'clientAddress', 'listener']) {
    const v = query.get(key);
    if (v !== null && v !== '') out[key] = v;
  }
  return out;
}

/** Prometheus scrapes text, not JSON; the figures are the same as GET /api/metrics. */
async function prometheus(c: RouteContext): Promise<Reply> {
  const result = await c.core.invoke('metrics.get', {});
  if (!result.ok) return errorReply(result.error);
  return {
    status: 200,
    headers: { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' },
    body: toPrometheus(result.value),
  };
}

/** The certificate a listener presents, for clients to trust (`curl -o mailwright.pem …`); never the key. */
async function certificatePem(c: RouteContext): Promise<Reply> {
  const result = await c.core.invoke('listeners.certificate', { id: c.params.listenerId ?? '' });
  if (!result.ok) return restReply(result);
  return download('application/x-pem-file', contentDisposition(result.value.filename), Buffer.from(result.value.pem));
}

/** A file to save: sandboxed by its CSP should a browser ever render it, and never cached. */
function download(contentType: string, disposition: string, body: Buffer): Reply {
  return {
    status: 200,
    headers: {
      'Content-Type': contentType,
      'Content-Disposition': disposition,
      'Content-Security-Policy': DOWNLOAD_CSP,
      'Cache-Control': 'no-store',
    },
    body,
  };
}

/** The exact bytes received, for saving as .eml. */
function raw(c: RouteContext): Reply {
  const id = idOf(c);
  return download('message/rfc822', `attachment; filename="message-${id}.eml"`, c.core.raw(id));
}

async function attachment(c: RouteContext): Promise<Reply> {
  const id = idOf(c);
  const part = await c.core.attachment(id, c.params.partId ?? '');
  return download(
    mimeTypeOnly(part.contentType),
    contentDisposition(part.safeFilename || `attachment-${id}-${part.partId}`),
    part.content,
  );
}

/** The sandboxed HTML preview; its CSP comes from the core and travels as a header, where the page cannot undo it. */
async function preview(c: RouteContext): Promise<Reply> {
  const id = idOf(c);
  // The core decides what remote= allows (0, or the message's key); the binding only passes it on.
  const doc = await c.core.preview(id, c.query.get('remote'));
  return {
    status: 200,
    headers: {
      ...BASE_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': previewCsp(doc.csp),
      'X-Frame-Options': 'SAMEORIGIN',
      'Cross-Origin-Opener-Policy': 'unsafe-none',
      'Cache-Control': 'no-store',
    },
    body: doc.html,
  };
}

/** Body `{ "read": false }` marks unread; an empty body marks read. */
async function markRead(c: RouteContext): Promise<Reply> {
  const ids = [idOf(c)];
  const body = await readJson(c.req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MailwrightError('invalid_argument', 'body must be a JSON object');
  }
  const read = (body as { read?: unknown }).read ?? true;
  return rest(c, 'messages.markRead', { ids, read });
}

/**
 * The file itself is the body (.eml or mbox), so curl --data-binary @file works. It is read as a stream and each
 * message is committed as it is found: the body is never held whole, and reading waits for the store.
 */
async function importMessage(c: RouteContext): Promise<Reply> {
  const filename = c.query.get('filename') || 'import.eml';
  if (filename.length > MAX_FILENAME_CHARS)
    throw new MailwrightError(
      'invalid_argument',
      `filename is longer than ${MAX_FILENAME_CHARS} characters`,
      'filename',
    );
  const declared = declaredLength(c.req);
  if (declared !== null && declared > c.maxImportBytes) throw tooLarge(c.maxImportBytes);
  return json(await c.core.importStream(streamBody(c.req, c.maxImportBytes), { filename, totalBytes: declared }));
}

/** The browser transport's one door: args in, Result out, for every contract verb. */
async function call(c: RouteContext): Promise<Reply> {
  const name = c.params.name ?? '';
  try {
    const args = await readJson(c.req, MAX_JSON_BODY_BYTES);
    return resultReply(await c.core.invoke(name as CallName, args));
  } catch (err) {
    return resultReply({ ok: false, error: toApiError(err, `POST /api/call/${name}`) });
  }
}

/** A hostile Content-Type must not become a hostile header: keep type/subtype or fall back to bytes. */
function mimeTypeOnly(contentType: string): string {
  const m = /^\s*([a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126})\s*(?:;|$)/i.exec(contentType);
  return m?.[1]?.toLowerCase() ?? 'application/octet-stream';
}
