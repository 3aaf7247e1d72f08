// The diff capability's REST routes, each with its OpenAPI operation. Each route is one verb.
import { z } from 'zod';
import { MailwrightError } from '../../src-shared/index.js';
import { messageDiffSchema } from '../../src-shared/contract/diff.js';
import { parseId, restCall, type JsonSchema, type RestRoute } from '../core/rest.js';

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
  ];
}
