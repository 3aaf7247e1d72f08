// The messages capability's REST routes, each with its OpenAPI operation. A route that is one verb goes through
// core.invoke like every binding; raw, attachment and preview answer with bytes of their own content type, which no
// verb result can carry (results are JSON on every binding), so they read the message through MessageAccess.
// Must not import electron or any binding.
import { MAX_PAGE_SIZE, MailwrightError, parsePreviewView } from '../../src-shared/index.js';
import {
  BASE_HEADERS,
  ID_PARAM,
  contentDisposition,
  declaredLength,
  download,
  fileResponses,
  json,
  pageArgs,
  pageParams,
  parseId,
  previewCsp,
  readJson,
  restCall,
  streamBody,
  tooLarge,
  verbBody,
  verbResponses,
  ERROR_RESPONSE,
  type RestRoute,
  type RouteContext,
} from '../core/rest.js';
import type { MessageAccess } from './setup.js';

/** The same bound as the messages.import call's filename (it only names the file in results and errors). */
const MAX_FILENAME_CHARS = 1024;

const idOf = (c: RouteContext): number => parseId(c.params.id);

export function messagesRoutes(access: MessageAccess): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/messages',
      operation: {
        operationId: 'listMessages',
        summary: 'List messages, newest first',
        tags: ['messages'],
        parameters: [
          {
            name: 'query',
            in: 'query',
            description: 'Search: free text, "phrases", from: to: subject: has:attachment is:unread before: after:',
            schema: { type: 'string' },
          },
          ...pageParams(MAX_PAGE_SIZE),
        ],
        responses: verbResponses('messages.list'),
      },
      handler: (c) => {
        const q = c.query.get('query');
        return restCall(c, 'messages.list', { ...(q !== null && q !== '' ? { query: q } : {}), ...pageArgs(c.query) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/messages',
      operation: {
        operationId: 'deleteAllMessages',
        summary: 'Delete every message',
        tags: ['messages'],
        responses: verbResponses('messages.deleteAll'),
      },
      handler: (c) => restCall(c, 'messages.deleteAll', {}),
    },
    {
      method: 'POST',
      path: '/api/messages/import',
      operation: {
        operationId: 'importMessages',
        summary:
          'Import an .eml or mbox file (the request body is the file, read as a stream; imports run one at a time)',
        tags: ['messages'],
        parameters: [
          {
            name: 'filename',
            in: 'query',
            description: 'Name of the file, shown in results, errors and import.progress events',
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
          },
        },
        responses: {
          ...verbResponses('messages.import'),
          '413': { ...ERROR_RESPONSE, description: "Body larger than the serve binding's import budget" },
          '503': {
            ...ERROR_RESPONSE,
            description:
              'Too many imports already waiting, or the store failed (the message says how far the import got)',
          },
        },
      },
      handler: (c) => importMessage(c, access),
    },
    {
      method: 'GET',
      path: '/api/messages/{id}',
      operation: {
        operationId: 'getMessage',
        summary: 'One message, parsed',
        tags: ['messages'],
        parameters: [ID_PARAM],
        responses: verbResponses('messages.get'),
      },
      handler: (c) => restCall(c, 'messages.get', { id: idOf(c) }),
    },
    {
      method: 'DELETE',
      path: '/api/messages/{id}',
      operation: {
        operationId: 'deleteMessage',
        summary: 'Delete one message',
        tags: ['messages'],
        parameters: [ID_PARAM],
        responses: verbResponses('messages.delete'),
      },
      handler: (c) => restCall(c, 'messages.delete', { ids: [idOf(c)] }),
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/raw',
      operation: {
        operationId: 'getMessageRaw',
        summary: 'The exact bytes received, as an .eml download',
        tags: ['messages'],
        parameters: [ID_PARAM],
        responses: fileResponses('message/rfc822', 'The raw message'),
      },
      handler: async (c) => {
        const id = idOf(c);
        return download('message/rfc822', `attachment; filename="message-${id}.eml"`, await access.raw(id));
      },
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/source',
      operation: {
        operationId: 'getMessageSource',
        summary: 'The raw message decoded for display',
        tags: ['messages'],
        parameters: [ID_PARAM],
        responses: verbResponses('messages.source'),
      },
      handler: (c) => restCall(c, 'messages.source', { id: idOf(c) }),
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/attachments/{partId}',
      operation: {
        operationId: 'getAttachment',
        summary: 'One attachment, as a download under a safe file name',
        tags: ['messages'],
        parameters: [
          ID_PARAM,
          {
            name: 'partId',
            in: 'path',
            required: true,
            description: 'MIME part id, e.g. 1.2',
            schema: { type: 'string' },
          },
        ],
        responses: fileResponses('*/*', 'The attachment content, with its own content type'),
      },
      handler: async (c) => {
        const id = idOf(c);
        const part = await access.attachment(id, c.params.partId ?? '');
        return download(
          mimeTypeOnly(part.contentType),
          contentDisposition(part.safeFilename || `attachment-${id}-${part.partId}`),
          part.content,
        );
      },
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/preview',
      operation: {
        operationId: 'getMessagePreview',
        summary: 'The HTML body as a sandboxed document (scripts never run; CSP in the header)',
        tags: ['messages'],
        parameters: [
          ID_PARAM,
          {
            name: 'remote',
            in: 'query',
            description:
              '0 (the default) blocks remote images, CSS and fonts; the key from POST /api/call/messages.remoteContentKey loads them; anything else is 403',
            schema: { type: 'string' },
          },
          {
            name: 'scheme',
            in: 'query',
            description:
              "light (default); dark serves a variant where the template's own prefers-color-scheme: dark CSS applies; inverted forces a colour inversion with images kept (an approximation of clients that invert)",
            schema: { type: 'string', enum: ['light', 'dark', 'inverted'] },
          },
          {
            name: 'images',
            in: 'query',
            description: 'on (default); off blocks every image, so the layout shows alt text',
            schema: { type: 'string', enum: ['on', 'off'] },
          },
        ],
        responses: {
          '200': {
            description: 'HTML document',
            content: { 'text/html': { schema: { type: 'string' } } },
            headers: {
              'Content-Security-Policy': { schema: { type: 'string' }, description: 'Always includes sandbox' },
            },
          },
          default: ERROR_RESPONSE,
        },
      },
      handler: async (c) => {
        // The capability decides what remote= allows (0, or the message's key); the binding only passes it on.
        const view = parsePreviewView((name) => c.query.get(name));
        if (!view.ok) throw new MailwrightError('invalid_argument', view.message, view.field);
        const doc = await access.preview(idOf(c), c.query.get('remote'), view.view);
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
      },
    },
    {
      method: 'POST',
      path: '/api/messages/read',
      operation: {
        operationId: 'markAllMessagesRead',
        summary: 'Mark every unread message read, or every one a search matches ({"query": "from:alice"})',
        tags: ['messages'],
        requestBody: verbBody('messages.markAllRead', false),
        responses: verbResponses('messages.markAllRead'),
      },
      handler: async (c) => restCall(c, 'messages.markAllRead', await readJson(c.req)),
    },
    {
      method: 'POST',
      path: '/api/messages/{id}/read',
      operation: {
        operationId: 'markMessageRead',
        summary: 'Mark read (empty body) or unread ({"read": false})',
        tags: ['messages'],
        parameters: [ID_PARAM],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: { type: 'object', properties: { read: { type: 'boolean', default: true } } },
            },
          },
        },
        responses: verbResponses('messages.markRead'),
      },
      handler: async (c) => {
        const ids = [idOf(c)];
        const body = await readJson(c.req);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new MailwrightError('invalid_argument', 'body must be a JSON object');
        }
        const read = (body as { read?: unknown }).read ?? true;
        return restCall(c, 'messages.markRead', { ids, read });
      },
    },
  ];
}

/**
 * The file itself is the body (.eml or mbox), so curl --data-binary @file works. It is read as a stream and each
 * message is committed as it is found: the body is never held whole, and reading waits for the store.
 */
async function importMessage(c: RouteContext, access: MessageAccess) {
  const filename = c.query.get('filename') || 'import.eml';
  if (filename.length > MAX_FILENAME_CHARS)
    throw new MailwrightError(
      'invalid_argument',
      `filename is longer than ${MAX_FILENAME_CHARS} characters`,
      'filename',
    );
  const declared = declaredLength(c.req);
  if (declared !== null && declared > c.maxImportBytes) throw tooLarge(c.maxImportBytes);
  return json(await access.importStream(streamBody(c.req, c.maxImportBytes), { filename, totalBytes: declared }));
}

/** A hostile Content-Type must not become a hostile header: keep type/subtype or fall back to bytes. */
function mimeTypeOnly(contentType: string): string {
  const m = /^\s*([a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126})\s*(?:;|$)/i.exec(contentType);
  return m?.[1]?.toLowerCase() ?? 'application/octet-stream';
}
