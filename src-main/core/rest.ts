// REST routes as capabilities declare them: the route and its OpenAPI operation side by side, the reply it gives,
// and the bounded body reads and reply shapes every route shares. The serve binding mounts these routes; a
// capability describes them here without importing the binding.
// Must not import electron or any binding.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { ApiError, CallName, CallResult, Result } from '../../src-shared/index.js';
import { HTTP_STATUS, MailwrightError, toApiError } from '../../src-shared/index.js';
import type { Core } from './core.js';
import type { EventBus } from './events.js';

/** What a route hands back; http.ts writes it with the security headers. */
export interface Reply {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /**
   * A body written as it is produced (server-sent events) instead of `body`: the binding writes each chunk,
   * waits for a slow client to drain, and aborts the signal when the client goes away, which must end the iterable.
   */
  stream?: (signal: AbortSignal) => AsyncIterable<string>;
}

/**
 * A JSON body for anything but an import is a handful of ids or settings;
 * 1 MB leaves room for a full page of ids and refuses anything that is only there to eat memory.
 */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export function json(value: unknown, status = 200): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(value),
  };
}

export function errorReply(error: ApiError): Reply {
  return json({ error }, HTTP_STATUS[error.code] ?? 500);
}

/** `where` (method and path) names the request in the log when the error is internal. */
export function thrownReply(err: unknown, where?: string): Reply {
  return errorReply(toApiError(err, where));
}

/** REST routes answer with the bare value, or {error} with the mapped status. */
export function restReply<T>(result: Result<T>): Reply {
  return result.ok ? json(result.value) : errorReply(result.error);
}

/** The generic call route answers with the Result itself, so the browser transport sees the same data as IPC. */
export function resultReply<T>(result: Result<T>): Reply {
  return json(result, result.ok ? 200 : (HTTP_STATUS[result.error.code] ?? 500));
}

/** Reads the whole body, refusing (too_large) as soon as it passes `limit` bytes, before buffering more. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** The body as it arrives, for imports: throws too_large once it passes `limit` bytes, having read no more. */
export async function* streamBody(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit);
    yield chunk;
  }
}

/** The body's declared length, or null when it is sent chunked (or the header is not a number). */
export function declaredLength(req: IncomingMessage): number | null {
  const value = req.headers['content-length'];
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/** An empty body means "no arguments"; anything else must be a JSON object. */
export async function readJson(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new MailwrightError('invalid_argument', 'request body is not valid JSON');
  }
}

export function tooLarge(limit: number): MailwrightError {
  return new MailwrightError('too_large', `request body is larger than ${limit} bytes`);
}

/** Path ids are positive integers; anything else is the caller's mistake (400), not a missing message (404). */
export function parseId(value: string | undefined, field = 'id'): number {
  const n = value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n))
    throw new MailwrightError('invalid_argument', `${field} must be a positive integer`, field);
  return n;
}

/** Optional non-negative integer query parameter; range checks stay with the contract's schema. */
export function parseIntParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw new MailwrightError('invalid_argument', `${name} must be a non-negative integer`, name);
  return Number(value);
}

/**
 * RFC 6266 Content-Disposition: an ASCII fallback for old clients plus the exact UTF-8 name in filename*.
 * The name given is already the core's safe name; this only makes it survive the header.
 */
export function contentDisposition(filename: string, kind: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'download';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(filename)}`;
}

/** RFC 5987 attr-chars stay as they are; every other UTF-8 byte is percent-encoded (lone surrogates become U+FFFD, never a throw). */
function encodeExtValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** What a route may use of the core: the one call entry point, the import stream, the event bus. */
export interface RouteCore {
  invoke<K extends CallName>(name: K, args: unknown): Promise<Result<CallResult<K>>>;
  importStream: Core['importStream'];
  events: EventBus;
}

export interface RouteContext {
  core: RouteCore;
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The binding's cap on a streamed request body (serve's --max-import-bytes). */
  maxImportBytes: number;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON Schema object (OpenAPI 3.1 uses JSON Schema 2020-12). */
export type JsonSchema = Record<string, unknown>;
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}
export interface OpenApiMediaType {
  schema: JsonSchema;
}
export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
  headers?: Record<string, { schema: JsonSchema; description?: string }>;
}
export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
}

export interface RestRoute {
  method: Method;
  /** OpenAPI-style template (`/api/messages/{id}`); `{name}` matches one path segment. */
  path: string;
  /** The route's OpenAPI operation, kept beside it so the document cannot miss a route. */
  operation: OpenApiOperation;
  handler: (c: RouteContext) => Promise<Reply> | Reply;
  /**
   * A request without any Content-Type passes the request-intent check. `true`: PUT/DELETE only. Compat clients
   * (Mailpit's, MailHog's) send body-less DELETEs that way, and a web page of another site cannot send PUT or DELETE
   * at all without a preflight, which serve never approves. `'post-without-origin'`: POST too, but only when the
   * request carries no Origin header (blueimp's MailHog client releases that way). Every browser adds Origin to every
   * POST a page makes (fetch, XHR, sendBeacon, forms), and a form always has a body type, so such a request is never
   * a page's (docs/security.md). Any other POST keeps the check.
   */
  acceptsNoContentType?: boolean | 'post-without-origin';
}

/** Downloads (raw .eml, attachments) must never run as a page of this origin, even if a browser renders them. */
export const DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

/** Headers on every response, previews included. */
export const BASE_HEADERS: OutgoingHttpHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The preview comes with the core's CSP (which carries `sandbox`). The app frames it, so whatever the core
 * said about frame-ancestors is replaced by 'self'.
 */
export function previewCsp(coreCsp: string): string {
  const directives = coreCsp
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^frame-ancestors(\s|$)/i.test(d));
  return [...directives, "frame-ancestors 'self'"].join('; ');
}

/** A file to save: sandboxed by its CSP should a browser ever render it, and never cached. */
export function download(contentType: string, disposition: string, body: Buffer): Reply {
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

/** A REST route that is one contract call: its reply is the bare value, or `{error}` with the mapped status. */
export async function restCall<K extends CallName>(c: RouteContext, name: K, args: unknown): Promise<Reply> {
  return restReply(await c.core.invoke(name, args));
}

/** `{$ref}` to a schema of the OpenAPI document's components. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The error answer every route may give. */
export const ERROR_RESPONSE: OpenApiResponse = {
  description: 'Error ({error:{code,message,field?}})',
  content: { 'application/json': { schema: schemaRef('ErrorResponse') } },
};

/** Responses of a route whose answer is a verb's result (the schema is generated from the verb's zod result). */
export function verbResponses(name: CallName, description = 'Success'): Record<string, OpenApiResponse> {
  return {
    '200': { description, content: { 'application/json': { schema: schemaRef(`CallResult.${name}`) } } },
    default: ERROR_RESPONSE,
  };
}

/** A JSON request body that is a verb's arguments. */
export function verbBody(name: CallName, required = true): NonNullable<OpenApiOperation['requestBody']> {
  return { required, content: { 'application/json': { schema: schemaRef(`CallArgs.${name}`) } } };
}

/** Responses of a route that answers with bytes of its own content type. */
export function fileResponses(contentType: string, description: string): Record<string, OpenApiResponse> {
  return {
    '200': { description, content: { [contentType]: { schema: { type: 'string' } } } },
    default: ERROR_RESPONSE,
  };
}

export const ID_PARAM: OpenApiParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Message id',
  schema: { type: 'integer', minimum: 1 },
};

/** Optional query parameters `limit` and `offset` of a paged list. */
export function pageParams(maxPageSize: number): OpenApiParameter[] {
  return [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: maxPageSize } },
    { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
  ];
}

/** `limit` and `offset` from the query, as a list verb takes them (range checks stay with the verb's schema). */
export function pageArgs(query: URLSearchParams): { limit?: number; offset?: number } {
  const limit = parseIntParam(query, 'limit');
  const offset = parseIntParam(query, 'offset');
  return { ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}
