// The diff capability's REST routes, each with its OpenAPI operation. Each route is one verb.
import { z } from 'zod';
import { MailwrightError } from '../../src-shared/index.js';
import { MAX_RENDER_WIDTH, MIN_RENDER_WIDTH, messageDiffSchema } from '../../src-shared/contract/diff.js';
import { errorReply, parseId, parseIntParam, restCall, type JsonSchema, type RestRoute } from '../core/rest.js';

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

export function diffRoutes(): RestRoute[] {
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
          { name: 'scheme', in: 'query', schema: { type: 'string', enum: ['light', 'dark'] } },
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
  ];
}
