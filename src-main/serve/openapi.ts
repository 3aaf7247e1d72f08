// The OpenAPI 3.1 document of `serve`: the binding's own routes (the generic call door, this document, the
// WebSocket) and every capability's routes with the operations declared beside them in their folders. Argument and
// result schemas are generated from the contract's zod schemas, so they cannot drift from what the core does.
import { z } from 'zod';
import { CALL_NAMES, ERROR_CODES, verbs } from '../../src-shared/index.js';
import type { JsonSchema, OpenApiOperation, RestRoute } from '../core/rest.js';
import { schemaRef as ref } from '../core/rest.js';
import { VERSION } from '../core/version.js';

type Schema = JsonSchema;
type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', OpenApiOperation>>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
  security: Record<string, string[]>[];
}

const jsonBody = (schema: Schema) => ({ 'application/json': { schema } });

/** A zod schema as JSON Schema; a part JSON Schema cannot say (a custom check) is left open rather than refused. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', defs: Record<string, Schema>): Schema {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // zod writes its date-time regex beside `format`; the format says it, and the regex only bloats the document.
    override: (ctx) => {
      if (ctx.jsonSchema.format === 'date-time') delete ctx.jsonSchema.pattern;
    },
  }) as Schema;
  const { $schema: _schema, $defs, ...out } = converted;
  // Named sub-schemas (the recursive MIME tree) become components, so every $ref resolves from the document root.
  Object.assign(defs, $defs ?? {});
  return JSON.parse(JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/')) as Schema;
}

/** `CallArgs.<verb>` and `CallResult.<verb>` for every verb, which operations reference, and their named parts. */
function verbSchemas(): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const defs: Record<string, Schema> = {};
  for (const name of CALL_NAMES) {
    out[`CallArgs.${name}`] = jsonSchema(verbs[name].args, 'input', defs);
    out[`CallResult.${name}`] = jsonSchema(verbs[name].result, 'output', defs);
  }
  for (const [name, schema] of Object.entries(defs)) {
    out[name] = JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as Schema;
  }
  return out;
}

/**
 * The document: the binding's own routes (below), then each capability's routes with the operation declared beside
 * them in its folder.
 */
export function openApiDocument(capabilityRoutes: readonly RestRoute[]): OpenApiDocument {
  const doc = baseDocument();
  for (const route of capabilityRoutes) {
    const item = (doc.paths[route.path] ??= {});
    const method = route.method.toLowerCase() as keyof PathItem;
    if (item[method]) throw new Error(`[openapi] ${route.method} ${route.path} is declared twice`);
    item[method] = route.operation;
  }
  return doc;
}

function baseDocument(): OpenApiDocument {
  return {
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
            'Upgrade to a WebSocket. Each capability pushes its events here (messages.added, messages.updated, ' +
            'messages.deleted, messages.cleared, messages.pruned, server.status, settings.changed, sessions.added, ' +
            "import.progress, …); see src-shared/contract/ for each one's data.",
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
        ...verbSchemas(),
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
      },
    },
  };
}
