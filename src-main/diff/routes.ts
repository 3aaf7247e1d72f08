// The diff capability's REST routes, each with its OpenAPI operation. Each route is one verb.
import { z } from 'zod';
import { MailwrightError } from '../../src-shared/index.js';
import {
  accessibilityReportSchema,
  baselineComparisonSchema,
  baselineSchema,
  diffVerbs,
  MAX_RENDER_WIDTH,
  MIN_RENDER_WIDTH,
  messageDiffSchema,
  templateAccessibilityReportSchema,
} from '../../src-shared/contract/diff.js';
import {
  errorReply,
  parseId,
  parseIntParam,
  readJson,
  restCall,
  type JsonSchema,
  type RestRoute,
} from '../core/rest.js';

export function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `1`/`true` and `0`/`false`; absent means the verb's default. */
export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new MailwrightError('invalid_argument', `${name} must be 1, 0, true or false`, name);
}

const errorResponses = {
  '400': { description: 'A parameter is missing or invalid' },
  '404': { description: 'No such message' },
};

const jsonBody = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: jsonSchema(schema) } },
});
const jsonOk = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(schema) } },
});
const keyParam = {
  name: 'key',
  in: 'path' as const,
  required: true,
  description: 'The baseline key, URL-encoded',
  schema: { type: 'string' },
};

/** `latest` is the route's convenience for CI: the newest message whose key header names the key. */
export function diffRoutes(latestWithKey: (key: string) => Promise<number | null>): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/diff',
      operation: {
        operationId: 'diffMessages',
        summary: 'The structured diff of two messages, section by section, with a summary',
        tags: ['diff'],
        parameters: [
          { name: 'a', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
          { name: 'b', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
          {
            name: 'ignoreVolatile',
            in: 'query',
            description: 'Ignore Date, Message-ID, Received, DKIM-Signature b= and MIME boundaries (default 1)',
            schema: { type: 'string', enum: ['1', '0', 'true', 'false'] },
          },
          {
            name: 'ignoreTracking',
            in: 'query',
            description: 'Ignore utm_* and other tracking parameters in links (default 1)',
            schema: { type: 'string', enum: ['1', '0', 'true', 'false'] },
          },
          { name: 'htmlView', in: 'query', schema: { type: 'string', enum: ['normalized', 'raw'] } },
        ],
        responses: {
          '200': {
            description: 'The diff',
            content: { 'application/json': { schema: jsonSchema(messageDiffSchema) } },
          },
          ...errorResponses,
        },
      },
      handler: (c) =>
        restCall(c, 'diff.messages', {
          a: parseId(c.query.get('a') ?? undefined, 'a'),
          b: parseId(c.query.get('b') ?? undefined, 'b'),
          ignoreVolatile: booleanParam(c.query, 'ignoreVolatile'),
          ignoreTracking: booleanParam(c.query, 'ignoreTracking'),
          htmlView: c.query.get('htmlView') ?? undefined,
        }),
    },
    {
      method: 'GET',
      path: '/api/diff/sends',
      operation: {
        operationId: 'diffSends',
        summary: 'The structured diff of two sends from the history (the bytes each sent, and their envelopes)',
        tags: ['diff'],
        parameters: [
          { name: 'a', in: 'query', required: true, description: 'Send id', schema: { type: 'integer', minimum: 1 } },
          { name: 'b', in: 'query', required: true, description: 'Send id', schema: { type: 'integer', minimum: 1 } },
          { name: 'ignoreVolatile', in: 'query', schema: { type: 'string', enum: ['1', '0', 'true', 'false'] } },
          { name: 'ignoreTracking', in: 'query', schema: { type: 'string', enum: ['1', '0', 'true', 'false'] } },
          { name: 'htmlView', in: 'query', schema: { type: 'string', enum: ['normalized', 'raw'] } },
        ],
        responses: {
          '200': {
            description: 'The diff',
            content: { 'application/json': { schema: jsonSchema(messageDiffSchema) } },
          },
          '400': errorResponses['400'],
          '404': { description: 'No such send, or its bytes were dropped by retention' },
        },
      },
      handler: (c) =>
        restCall(c, 'diff.sends', {
          a: parseId(c.query.get('a') ?? undefined, 'a'),
          b: parseId(c.query.get('b') ?? undefined, 'b'),
          ignoreVolatile: booleanParam(c.query, 'ignoreVolatile'),
          ignoreTracking: booleanParam(c.query, 'ignoreTracking'),
          htmlView: c.query.get('htmlView') ?? undefined,
        }),
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/screenshot',
      operation: {
        operationId: 'messageScreenshot',
        summary: "A PNG of the message's HTML rendered in Chromium (no scripts, no remote content), full page height",
        tags: ['diff'],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
          {
            name: 'width',
            in: 'query',
            description: 'Viewport width in CSS pixels (default 600)',
            schema: { type: 'integer', minimum: MIN_RENDER_WIDTH, maximum: MAX_RENDER_WIDTH },
          },
          {
            name: 'scheme',
            in: 'query',
            description:
              'light (default); dark emulates prefers-color-scheme: dark; inverted is a forced colour inversion with images kept',
            schema: { type: 'string', enum: ['light', 'dark', 'inverted'] },
          },
          { name: 'images', in: 'query', schema: { type: 'string', enum: ['on', 'off'] } },
        ],
        responses: {
          '200': { description: 'The PNG', content: { 'image/png': { schema: { type: 'string' } } } },
          ...errorResponses,
          '503': {
            description: 'No browser to render with (the message says how to get one), or the render timed out',
          },
        },
      },
      handler: async (c) => {
        const result = await c.core.invoke('diff.screenshot', {
          id: parseId(c.params.id),
          width: parseIntParam(c.query, 'width'),
          scheme: c.query.get('scheme') ?? undefined,
          images: c.query.get('images') ?? undefined,
        });
        if (!result.ok) return errorReply(result.error);
        return {
          status: 200,
          headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' },
          body: Buffer.from(result.value.png, 'base64'),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/accessibility',
      operation: {
        operationId: 'messageAccessibility',
        summary:
          'The accessibility lint of the HTML: img without alt, no lang, layout tables, small text, contrast, vague link text; each finding with element, line and column',
        tags: ['diff'],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        responses: { '200': jsonOk(accessibilityReportSchema, 'The findings'), ...errorResponses },
      },
      handler: (c) => restCall(c, 'diff.accessibility', { id: parseId(c.params.id) }),
    },
    {
      method: 'GET',
      path: '/api/templates/{path}/accessibility',
      operation: {
        operationId: 'templateAccessibility',
        summary:
          "The accessibility lint of a template's last good render (the templates folder's), each finding with element, line and column",
        tags: ['diff', 'templates'],
        parameters: [
          {
            name: 'path',
            in: 'path',
            required: true,
            description: 'The template path inside the folder, URL-encoded (`/` as `%2F`)',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': jsonOk(templateAccessibilityReportSchema, 'The findings'),
          '403': { description: 'A path or symlink that leaves the template folder' },
          ...errorResponses,
        },
      },
      handler: (c) => restCall(c, 'diff.templateAccessibility', { path: c.params.path }),
    },
    {
      method: 'GET',
      path: '/api/baselines',
      operation: {
        operationId: 'listBaselines',
        summary: 'Every golden baseline: key, approved message, widths, stored screenshots',
        tags: ['baselines'],
        responses: { '200': jsonOk(z.object({ baselines: z.array(baselineSchema) }), 'The baselines') },
      },
      handler: (c) => restCall(c, 'diff.listBaselines', {}),
    },
    {
      method: 'POST',
      path: '/api/baselines',
      operation: {
        operationId: 'approveBaseline',
        summary: 'Approve a message as the baseline for a key (default: its X-Mailwright-Template header)',
        tags: ['baselines'],
        requestBody: jsonBody(diffVerbs['diff.approveBaseline'].args),
        responses: { '200': jsonOk(baselineSchema, 'The baseline'), ...errorResponses },
      },
      handler: async (c) => restCall(c, 'diff.approveBaseline', await readJson(c.req)),
    },
    {
      method: 'DELETE',
      path: '/api/baselines/{key}',
      operation: {
        operationId: 'deleteBaseline',
        summary: 'Delete the baseline of a key',
        tags: ['baselines'],
        parameters: [keyParam],
        responses: { '200': jsonOk(z.object({ deleted: z.boolean() }), 'Whether there was one') },
      },
      handler: (c) => restCall(c, 'diff.deleteBaseline', { key: c.params.key }),
    },
    {
      method: 'GET',
      path: '/api/baselines/{key}/compare',
      operation: {
        operationId: 'compareBaseline',
        summary:
          'Compare a message with the baseline: verdict same/changed, text and link sections, pixel ratio per width',
        tags: ['baselines'],
        parameters: [
          keyParam,
          {
            name: 'message',
            in: 'query',
            required: true,
            description: 'A message id, or `latest`: the newest message whose key header names this key',
            schema: { type: 'string' },
          },
        ],
        responses: { '200': jsonOk(baselineComparisonSchema, 'The comparison'), ...errorResponses },
      },
      handler: async (c) => {
        const key = c.params.key ?? '';
        const message = c.query.get('message') ?? undefined;
        let messageId: number;
        if (message === 'latest') {
          const latest = await latestWithKey(key);
          if (latest === null)
            throw new MailwrightError('not_found', `no recent message has the key "${key}"`, 'message');
          messageId = latest;
        } else messageId = parseId(message, 'message');
        return restCall(c, 'diff.compareBaseline', { key, messageId });
      },
    },
    {
      method: 'POST',
      path: '/api/baselines/export',
      operation: {
        operationId: 'exportBaselines',
        summary:
          'Write every baseline to a folder on this machine (<key>/message.eml, <key>/<width>.png, baseline.json)',
        tags: ['baselines'],
        requestBody: jsonBody(diffVerbs['diff.exportBaselines'].args),
        responses: { '200': jsonOk(diffVerbs['diff.exportBaselines'].result, 'What was written'), ...errorResponses },
      },
      handler: async (c) => restCall(c, 'diff.exportBaselines', await readJson(c.req)),
    },
    {
      method: 'POST',
      path: '/api/baselines/import',
      operation: {
        operationId: 'importBaselines',
        summary: 'Read baselines from a folder written by export; a baseline with the same key is replaced',
        tags: ['baselines'],
        requestBody: jsonBody(diffVerbs['diff.importBaselines'].args),
        responses: { '200': jsonOk(diffVerbs['diff.importBaselines'].result, 'What was read'), ...errorResponses },
      },
      handler: async (c) => restCall(c, 'diff.importBaselines', await readJson(c.req)),
    },
  ];
}
