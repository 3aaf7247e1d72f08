// The OpenAPI 3.1 description of the REST routes in routes.ts (a test keeps the two in step).
// Call argument schemas are generated from the contract's zod schemas, so they cannot drift from what the core accepts.
import { z } from 'zod';
import { CALL_NAMES, ERROR_CODES, MAX_PAGE_SIZE, callArgs } from '../../src-shared/index.js';
import type { RestRoute } from '../core/rest.js';
import { VERSION } from '../core/version.js';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description?: string;
  schema: Schema;
}
interface MediaType {
  schema: Schema;
}
interface Response {
  description: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, { schema: Schema; description?: string }>;
}
interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response>;
}
type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
  security: Record<string, string[]>[];
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: Schema): Record<string, MediaType> => ({ 'application/json': { schema } });
const ok = (schema: Schema, description = 'Success'): Record<string, Response> => ({
  '200': { description, content: jsonBody(schema) },
  default: { description: 'Error ({error:{code,message,field?}})', content: jsonBody(ref('ErrorResponse')) },
});
const idParam: Parameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Message id',
  schema: { type: 'integer', minimum: 1 },
};
const idOp = (
  operationId: string,
  summary: string,
  responses: Record<string, Response>,
  extra: Partial<Operation> = {},
): Operation => ({
  operationId,
  summary,
  tags: ['messages'],
  parameters: [idParam],
  responses,
  ...extra,
});

const address: Schema = {
  type: 'object',
  required: ['name', 'address'],
  properties: { name: { type: 'string' }, address: { type: 'string' } },
};
const summary: Schema = {
  type: 'object',
  required: ['id', 'receivedAt', 'from', 'to', 'subject', 'date', 'size', 'read', 'hasAttachments'],
  properties: {
    id: { type: 'integer' },
    receivedAt: { type: 'string', format: 'date-time' },
    from: { oneOf: [ref('Address'), { type: 'null' }] },
    to: { type: 'array', items: ref('Address') },
    cc: { type: 'array', items: ref('Address') },
    bcc: { type: 'array', items: { type: 'string' } },
    subject: { type: 'string' },
    date: { type: ['string', 'null'], format: 'date-time' },
    size: { type: 'integer' },
    read: { type: 'boolean' },
    hasAttachments: { type: 'boolean' },
    snippet: { type: 'string' },
    indexed: { type: 'boolean' },
    parseError: { type: ['string', 'null'] },
  },
};

const sessionSummary: Schema = {
  type: 'object',
  required: [
    'id',
    'listener',
    'clientAddress',
    'clientPort',
    'startedAt',
    'endedAt',
    'outcome',
    'authFailures',
    'rejected',
    'messageIds',
  ],
  properties: {
    id: { type: 'integer' },
    listener: { type: 'string' },
    clientAddress: { type: 'string' },
    clientPort: { type: 'integer' },
    tls: {
      oneOf: [
        { type: 'object', properties: { protocol: { type: 'string' }, cipher: { type: 'string' } } },
        { type: 'null' },
      ],
    },
    helo: { type: 'string' },
    authUser: { type: ['string', 'null'] },
    startedAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    outcome: { type: 'string', enum: ['delivered', 'rejected', 'authFailed', 'dropped', 'timedOut', 'quit'] },
    outcomeCode: { type: ['integer', 'null'] },
    authFailures: { type: 'integer' },
    rejected: { type: 'integer' },
    messageIds: { type: 'array', items: { type: 'integer' } },
  },
};

function callArgSchemas(): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const name of CALL_NAMES) {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(callArgs[name]) as Schema;
    out[`CallArgs.${name}`] = schema;
  }
  return out;
}

/**
 * The document: the binding's own routes (below), then each capability's routes with the operation declared beside
 * them in its folder.
 */
export function openApiDocument(capabilityRoutes: readonly RestRoute[]): OpenApiDocument {
  const doc = structuredClone(BASE_DOCUMENT);
  for (const route of capabilityRoutes) {
    const item = (doc.paths[route.path] ??= {});
    const method = route.method.toLowerCase() as keyof PathItem;
    if (item[method]) throw new Error(`[openapi] ${route.method} ${route.path} is declared twice`);
    item[method] = route.operation;
  }
  return doc;
}

const BASE_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Mailwright API',
    version: VERSION,
    description:
      'REST, generic call and WebSocket API of `mailwright serve`. With an access token, send `Authorization: Bearer TOKEN` ' +
      '(browsers: open `/?token=TOKEN` once to get the session cookie); 10 wrong tokens a minute get 429 with Retry-After. ' +
      'POST, PUT and DELETE need `Content-Type: application/json` (the import: `application/octet-stream`, ' +
      '`message/rfc822` or `application/mbox`) or the header `X-Mailwright-Request: 1`, else 415: web pages cannot ' +
      'send those without a preflight, which is refused. See docs/security.md.',
  },
  servers: [{ url: '/' }],
  security: [{}, { bearer: [] }, { cookie: [] }],
  paths: {
    '/api/messages': {
      get: {
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
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: ok(ref('MessagePage')),
      },
      delete: {
        operationId: 'deleteAllMessages',
        summary: 'Delete every message',
        tags: ['messages'],
        responses: ok(ref('Deleted')),
      },
    },
    '/api/messages/import': {
      post: {
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
          ...ok(ref('ImportResult')),
          '413': {
            description: "Body larger than the serve binding's import budget",
            content: jsonBody(ref('ErrorResponse')),
          },
          '503': {
            description:
              'Too many imports already waiting, or the store failed (the message says how far the import got)',
            content: jsonBody(ref('ErrorResponse')),
          },
        },
      },
    },
    '/api/messages/{id}': {
      get: idOp('getMessage', 'One message, parsed', ok(ref('MessageDetail'))),
      delete: idOp('deleteMessage', 'Delete one message', ok(ref('Deleted'))),
    },
    '/api/messages/{id}/raw': {
      get: idOp('getMessageRaw', 'The exact bytes received, as an .eml download', {
        '200': { description: 'The raw message', content: { 'message/rfc822': { schema: { type: 'string' } } } },
        default: { description: 'Error', content: jsonBody(ref('ErrorResponse')) },
      }),
    },
    '/api/messages/{id}/source': {
      get: idOp(
        'getMessageSource',
        'The raw message decoded for display',
        ok({
          type: 'object',
          required: ['source', 'size'],
          properties: { source: { type: 'string' }, size: { type: 'integer' } },
        }),
      ),
    },
    '/api/messages/{id}/attachments/{partId}': {
      get: idOp(
        'getAttachment',
        'One attachment, as a download under a safe file name',
        {
          '200': {
            description: 'The attachment content, with its own content type',
            content: { '*/*': { schema: { type: 'string' } } },
          },
          default: { description: 'Error', content: jsonBody(ref('ErrorResponse')) },
        },
        {
          parameters: [
            idParam,
            {
              name: 'partId',
              in: 'path',
              required: true,
              description: 'MIME part id, e.g. 1.2',
              schema: { type: 'string' },
            },
          ],
        },
      ),
    },
    '/api/messages/{id}/preview': {
      get: idOp(
        'getMessagePreview',
        'The HTML body as a sandboxed document (scripts never run; CSP in the header)',
        {
          '200': {
            description: 'HTML document',
            content: { 'text/html': { schema: { type: 'string' } } },
            headers: {
              'Content-Security-Policy': { schema: { type: 'string' }, description: 'Always includes sandbox' },
            },
          },
          default: { description: 'Error', content: jsonBody(ref('ErrorResponse')) },
        },
        {
          parameters: [
            idParam,
            {
              name: 'remote',
              in: 'query',
              description:
                '0 (the default) blocks remote images, CSS and fonts; the key from POST /api/call/messages.remoteContentKey loads them; anything else is 403',
              schema: { type: 'string' },
            },
          ],
        },
      ),
    },
    '/api/messages/{id}/read': {
      post: idOp(
        'markMessageRead',
        'Mark read (empty body) or unread ({"read": false})',
        ok({ type: 'object', properties: { updated: { type: 'integer' } } }),
        {
          requestBody: {
            required: false,
            content: jsonBody({ type: 'object', properties: { read: { type: 'boolean', default: true } } }),
          },
        },
      ),
    },
    '/api/status': {
      get: {
        operationId: 'getStatus',
        summary: 'Listeners, certificate and store figures',
        tags: ['server'],
        responses: ok(ref('ServerStatus')),
      },
    },
    '/api/settings': {
      get: {
        operationId: 'getSettings',
        summary: 'Current settings',
        tags: ['server'],
        responses: ok(ref('Settings')),
      },
      put: {
        operationId: 'updateSettings',
        summary:
          'Change settings: each section given replaces the running one after validation; only changed listeners restart',
        tags: ['server'],
        requestBody: { required: true, content: jsonBody(ref('CallArgs.settings.update')) },
        responses: ok(ref('Settings')),
      },
    },
    '/api/settings/presets': {
      get: {
        operationId: 'getSettingsPresets',
        summary: 'One-click listener presets (25/587/465) and named fault rules',
        tags: ['server'],
        responses: ok(ref('SettingsPresets')),
      },
    },
    '/api/listeners/{listenerId}/certificate.pem': {
      get: {
        operationId: 'getListenerCertificate',
        summary: 'The certificate a listener presents, as PEM, for clients to trust (never the key)',
        tags: ['server'],
        parameters: [{ name: 'listenerId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'PEM certificate',
            content: { 'application/x-pem-file': { schema: { type: 'string' } } },
          },
          default: { description: 'Error', content: jsonBody(ref('ErrorResponse')) },
        },
      },
    },
    '/api/call/{name}': {
      post: {
        operationId: 'call',
        summary: 'Any contract verb: JSON arguments in, a Result out',
        tags: ['contract'],
        description: 'Errors come back as {ok:false,error} with the HTTP status of the error code.',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [...CALL_NAMES] } }],
        requestBody: { required: false, content: jsonBody({ oneOf: CALL_NAMES.map((n) => ref(`CallArgs.${n}`)) }) },
        responses: {
          '200': { description: '{ok:true,value}', content: jsonBody(ref('Result')) },
          default: { description: '{ok:false,error}', content: jsonBody(ref('Result')) },
        },
      },
    },
    '/api/sessions': {
      get: {
        operationId: 'listSessions',
        summary: 'Recorded SMTP sessions, newest first',
        tags: ['sessions'],
        parameters: [
          {
            name: 'filter',
            in: 'query',
            description: 'authFailures is the AUTH audit log',
            schema: { type: 'string', enum: ['all', 'authFailures', 'rejected'] },
          },
          { name: 'clientAddress', in: 'query', schema: { type: 'string' } },
          { name: 'listener', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: ok(ref('SessionPage')),
      },
    },
    '/api/sessions/{id}': {
      get: {
        operationId: 'getSession',
        summary: 'One session with its transcript (AUTH secrets and message data elided)',
        tags: ['sessions'],
        parameters: [{ ...idParam, description: 'Session id' }],
        responses: ok(ref('SessionDetail')),
      },
    },
    '/api/metrics': {
      get: {
        operationId: 'getMetrics',
        summary: 'Live figures since start, with the last 15 minutes per minute',
        tags: ['server'],
        responses: ok(ref('LiveFigures')),
      },
    },
    '/metrics': {
      get: {
        operationId: 'getPrometheusMetrics',
        summary: 'The live figures in Prometheus text format 0.0.4',
        tags: ['server'],
        responses: {
          '200': {
            description: 'Prometheus exposition',
            content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
          },
          default: { description: 'Error', content: jsonBody(ref('ErrorResponse')) },
        },
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        tags: ['server'],
        responses: { '200': { description: 'OpenAPI 3.1', content: jsonBody({ type: 'object' }) } },
      },
    },
    '/api/events': {
      get: {
        operationId: 'events',
        summary: 'WebSocket: every push event as {event, data}',
        tags: ['events'],
        description:
          'Upgrade to a WebSocket. Events: messages.added, messages.updated, messages.deleted, messages.cleared, messages.pruned, server.status, sessions.added, import.progress.',
        responses: {
          '101': { description: 'Switching protocols' },
          '426': { description: 'Not a WebSocket request', content: jsonBody(ref('ErrorResponse')) },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer' },
      cookie: { type: 'apiKey', in: 'cookie', name: 'mailwright_token' },
    },
    schemas: {
      ...callArgSchemas(),
      ApiError: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: [...ERROR_CODES] },
          message: { type: 'string' },
          field: { type: 'string' },
        },
      },
      ErrorResponse: { type: 'object', required: ['error'], properties: { error: ref('ApiError') } },
      Result: {
        oneOf: [
          { type: 'object', required: ['ok', 'value'], properties: { ok: { const: true }, value: {} } },
          { type: 'object', required: ['ok', 'error'], properties: { ok: { const: false }, error: ref('ApiError') } },
        ],
      },
      Address: address,
      MessageSummary: summary,
      MessagePage: {
        type: 'object',
        required: ['total', 'unread', 'messages'],
        properties: {
          total: { type: 'integer' },
          unread: { type: 'integer' },
          messages: { type: 'array', items: ref('MessageSummary') },
        },
      },
      MessageDetail: {
        allOf: [
          ref('MessageSummary'),
          {
            type: 'object',
            properties: {
              envelope: { type: 'object' },
              headers: {
                type: 'array',
                items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
              },
              text: { type: ['string', 'null'] },
              hasHtml: { type: 'boolean' },
              attachments: { type: 'array', items: ref('AttachmentInfo') },
              mimeTree: { type: ['object', 'null'] },
              remoteResources: { type: 'integer' },
            },
          },
        ],
      },
      AttachmentInfo: {
        type: 'object',
        properties: {
          partId: { type: 'string' },
          filename: { type: 'string' },
          safeFilename: { type: 'string' },
          contentType: { type: 'string' },
          size: { type: 'integer' },
          contentId: { type: ['string', 'null'] },
          inline: { type: 'boolean' },
        },
      },
      Deleted: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'integer' } } },
      ImportResult: {
        type: 'object',
        required: ['imported', 'ids', 'failed', 'failedCount', 'bytesRead'],
        properties: {
          imported: { type: 'integer' },
          ids: { type: 'array', description: 'The first 10,000 ids, in file order', items: { type: 'integer' } },
          failed: {
            type: 'array',
            description: 'The first 100 failures',
            items: {
              type: 'object',
              properties: {
                index: { type: 'integer' },
                offset: { type: 'integer', description: 'Byte offset of the message in the file' },
                error: { type: 'string' },
              },
            },
          },
          failedCount: { type: 'integer' },
          bytesRead: { type: 'integer' },
        },
      },
      // The running settings have the shape of an update (secrets as { stored: true }) plus where pinned values come from.
      Settings: {
        allOf: [
          ref('CallArgs.settings.update'),
          {
            type: 'object',
            required: ['retention', 'smtp', 'listeners', 'faults', 'pinned', 'warnings'],
            properties: {
              pinned: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['path', 'source'],
                  properties: { path: { type: 'string' }, source: { type: 'string' } },
                },
              },
              warnings: { type: 'array', items: { type: 'string' } },
            },
          },
        ],
      },
      SettingsPresets: {
        type: 'object',
        required: ['lowPorts', 'listeners', 'faults'],
        properties: {
          lowPorts: {
            type: 'boolean',
            description: 'Whether ports below 1024 can be bound; if not, presets use 2525/2587/2465',
          },
          listeners: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                note: { type: ['string', 'null'] },
                listener: { type: 'object' },
              },
            },
          },
          faults: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                name: { type: 'string' },
                description: { type: 'string' },
                rule: { type: 'object' },
              },
            },
          },
        },
      },
      SessionSummary: sessionSummary,
      SessionPage: {
        type: 'object',
        required: ['total', 'sessions'],
        properties: { total: { type: 'integer' }, sessions: { type: 'array', items: ref('SessionSummary') } },
      },
      SessionDetail: {
        allOf: [
          ref('SessionSummary'),
          {
            type: 'object',
            required: ['transcript', 'truncatedLines'],
            properties: {
              transcript: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['dir', 'text', 'at'],
                  properties: {
                    dir: { type: 'string', enum: ['C', 'S'] },
                    text: { type: 'string' },
                    at: { type: 'integer', description: 'ms after startedAt' },
                  },
                },
              },
              truncatedLines: { type: 'integer' },
            },
          },
        ],
      },
      LiveFigures: {
        type: 'object',
        properties: {
          startedAt: { type: 'string', format: 'date-time' },
          sessions: { type: 'integer' },
          messagesAccepted: { type: 'integer' },
          rejectedByCode: { type: 'object', additionalProperties: { type: 'integer' } },
          authFailures: { type: 'integer' },
          bytesReceived: { type: 'integer' },
          activeConnections: { type: 'integer' },
          faultRuleHits: { type: 'object', additionalProperties: { type: 'integer' } },
          perMinute: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                minute: { type: 'string', format: 'date-time' },
                sessions: { type: 'integer' },
                accepted: { type: 'integer' },
                rejected: { type: 'integer' },
                authFailures: { type: 'integer' },
                bytes: { type: 'integer' },
              },
            },
          },
        },
      },
      ServerStatus: {
        type: 'object',
        properties: {
          version: { type: 'string' },
          listeners: { type: 'array', items: { type: 'object' } },
          certificate: { type: ['object', 'null'] },
          messageCount: { type: 'integer' },
          totalBytes: { type: 'integer' },
          prunedSinceStart: { type: 'integer' },
        },
      },
    },
  },
};
