// The compose capability's REST routes, each with its OpenAPI operation. Every route is one verb.
import { z } from 'zod';
import {
  bulkVerbs,
  composeVerbs,
  draftSchema,
  MailwrightError,
  SEND_OUTCOMES,
  type BulkVerb,
  type ComposeVerb,
} from '../../src-shared/index.js';
import {
  contentDisposition,
  download,
  parseId,
  parseIntParam,
  readJson,
  restCall,
  type JsonSchema,
  type OpenApiOperation,
  type RestRoute,
} from '../core/rest.js';

function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const allVerbs = { ...composeVerbs, ...bulkVerbs };

function op(
  verbName: ComposeVerb | BulkVerb,
  summary: string,
  extra: Partial<OpenApiOperation> & { body?: z.ZodType } = {},
): OpenApiOperation {
  const { body, ...rest } = extra;
  return {
    operationId: verbName.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase()),
    summary,
    tags: ['compose'],
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema(body, 'input') } } } }
      : {}),
    responses: {
      '200': {
        description: 'Success',
        content: { 'application/json': { schema: schema(allVerbs[verbName].result) } },
      },
      default: { description: 'Error ({error:{code,message,field?}})' },
    },
    ...rest,
  };
}

const bulkIdParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'string' } };
const profileIdParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'string' } };
const draftIdParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'integer', minimum: 1 } };
const sendIdParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'integer', minimum: 1 } };

function profileIdOf(params: Record<string, string>): string {
  return params.id ?? '';
}

async function objectBody(req: Parameters<typeof readJson>[0]): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MailwrightError('invalid_argument', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

const profileBody = composeVerbs['compose.profiles.update'].args.shape.profile;

export function composeRoutes(): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/profiles',
      operation: op('compose.profiles.list', 'List SMTP profiles (secrets shown as {stored: true})'),
      handler: (c) => restCall(c, 'compose.profiles.list', {}),
    },
    {
      method: 'POST',
      path: '/api/profiles',
      operation: op('compose.profiles.create', 'Create a profile (the body is the profile; id optional)', {
        body: composeVerbs['compose.profiles.create'].args.shape.profile,
      }),
      handler: async (c) => restCall(c, 'compose.profiles.create', { profile: await objectBody(c.req) }),
    },
    {
      method: 'GET',
      path: '/api/profiles/{id}',
      operation: op('compose.profiles.get', 'One profile', { parameters: [profileIdParam] }),
      handler: (c) => restCall(c, 'compose.profiles.get', { id: profileIdOf(c.params) }),
    },
    {
      method: 'PUT',
      path: '/api/profiles/{id}',
      operation: op(
        'compose.profiles.update',
        'Replace a profile; a secret given as {stored: true} keeps the stored one',
        {
          parameters: [profileIdParam],
          body: profileBody,
        },
      ),
      handler: async (c) =>
        restCall(c, 'compose.profiles.update', { id: profileIdOf(c.params), profile: await objectBody(c.req) }),
    },
    {
      method: 'DELETE',
      path: '/api/profiles/{id}',
      operation: op('compose.profiles.delete', 'Delete a profile', { parameters: [profileIdParam] }),
      handler: (c) => restCall(c, 'compose.profiles.delete', { id: profileIdOf(c.params) }),
    },
    {
      method: 'POST',
      path: '/api/profiles/{id}/test',
      operation: op(
        'compose.profiles.test',
        'Connection test: DNS, TCP, TLS, greeting, EHLO, STARTTLS, AUTH; nothing is sent',
        {
          parameters: [profileIdParam],
        },
      ),
      handler: (c) => restCall(c, 'compose.profiles.test', { id: profileIdOf(c.params) }),
    },
    {
      method: 'POST',
      path: '/api/send',
      operation: op('compose.send', 'Send a message through a profile (a non-loopback host needs confirm: true)', {
        body: composeVerbs['compose.send'].args,
      }),
      handler: async (c) => restCall(c, 'compose.send', await objectBody(c.req)),
    },
    {
      method: 'POST',
      path: '/api/messages/{id}/release',
      operation: op('compose.release', 'Send a captured message again through a profile', {
        parameters: [{ ...sendIdParam, description: 'Captured message id' }],
        body: composeVerbs['compose.release'].args.omit({ id: true }),
      }),
      handler: async (c) => restCall(c, 'compose.release', { ...(await objectBody(c.req)), id: parseId(c.params.id) }),
    },
    {
      method: 'POST',
      path: '/api/send/raw',
      operation: op(
        'compose.sendRaw',
        'Send a whole message (base64 bytes) as it is; the envelope defaults to its From, To, Cc and Bcc',
        { body: composeVerbs['compose.sendRaw'].args },
      ),
      handler: async (c) => restCall(c, 'compose.sendRaw', await objectBody(c.req)),
    },
    {
      method: 'GET',
      path: '/api/drafts',
      operation: op('compose.drafts.list', 'Saved drafts, last saved first'),
      handler: (c) => restCall(c, 'compose.drafts.list', {}),
    },
    {
      method: 'POST',
      path: '/api/drafts',
      operation: op('compose.drafts.create', 'Save a new draft (the body is {profile?, message, envelope?})', {
        body: draftSchema,
      }),
      handler: async (c) => restCall(c, 'compose.drafts.create', { draft: await objectBody(c.req) }),
    },
    {
      method: 'GET',
      path: '/api/drafts/{id}',
      operation: op('compose.drafts.get', 'One draft with its message and attachments', {
        parameters: [draftIdParam],
      }),
      handler: (c) => restCall(c, 'compose.drafts.get', { id: parseId(c.params.id) }),
    },
    {
      method: 'PUT',
      path: '/api/drafts/{id}',
      operation: op('compose.drafts.update', 'Replace a draft', { parameters: [draftIdParam], body: draftSchema }),
      handler: async (c) =>
        restCall(c, 'compose.drafts.update', { id: parseId(c.params.id), draft: await objectBody(c.req) }),
    },
    {
      method: 'DELETE',
      path: '/api/drafts/{id}',
      operation: op('compose.drafts.delete', 'Delete a draft', { parameters: [draftIdParam] }),
      handler: (c) => restCall(c, 'compose.drafts.delete', { id: parseId(c.params.id) }),
    },
    {
      method: 'GET',
      path: '/api/messages/{id}/draft',
      operation: op('compose.drafts.fromMessage', 'A captured message as a draft to edit as new (not saved)', {
        parameters: [{ ...sendIdParam, description: 'Captured message id' }],
      }),
      handler: (c) => restCall(c, 'compose.drafts.fromMessage', { id: parseId(c.params.id) }),
    },
    {
      method: 'GET',
      path: '/api/tools/reply-code',
      operation: op('compose.replyCode', 'Explain an SMTP reply code (RFC 5321) and enhanced status code (RFC 3463)', {
        parameters: [
          {
            name: 'code',
            in: 'query',
            description: 'A reply (550 5.1.1 …), a basic code (550) or an enhanced code (5.1.1)',
            schema: { type: 'string' },
          },
          { name: 'enhanced', in: 'query', description: 'An enhanced status code (5.1.1)', schema: { type: 'string' } },
        ],
      }),
      handler: (c) => {
        const code = c.query.get('code');
        const enhanced = c.query.get('enhanced');
        return restCall(c, 'compose.replyCode', { ...(code ? { code } : {}), ...(enhanced ? { enhanced } : {}) });
      },
    },
    {
      method: 'POST',
      path: '/api/dkim/keys',
      operation: op('compose.dkim.generate', 'Generate a DKIM key pair and its DNS TXT record', {
        body: composeVerbs['compose.dkim.generate'].args,
      }),
      handler: async (c) => restCall(c, 'compose.dkim.generate', await objectBody(c.req)),
    },
    {
      method: 'GET',
      path: '/api/sends',
      operation: op('compose.sends.list', 'Send history, newest first', {
        parameters: [
          { name: 'query', in: 'query', schema: { type: 'string' } },
          { name: 'outcome', in: 'query', schema: { type: 'string', enum: [...SEND_OUTCOMES] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
      }),
      handler: (c) => {
        const query = c.query.get('query');
        const outcome = c.query.get('outcome');
        const limit = parseIntParam(c.query, 'limit');
        const offset = parseIntParam(c.query, 'offset');
        return restCall(c, 'compose.sends.list', {
          ...(query ? { query } : {}),
          ...(outcome ? { outcome } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(offset !== undefined ? { offset } : {}),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/sends/{id}',
      operation: op('compose.sends.get', 'One send attempt with its report and transcript', {
        parameters: [sendIdParam],
      }),
      handler: (c) => restCall(c, 'compose.sends.get', { id: parseId(c.params.id) }),
    },
    {
      method: 'GET',
      path: '/api/sends/{id}/raw',
      operation: {
        operationId: 'composeSendsRawFile',
        summary: 'The exact bytes sent, as message/rfc822',
        tags: ['compose'],
        parameters: [sendIdParam],
        responses: {
          '200': { description: 'The message bytes', content: { 'message/rfc822': { schema: { type: 'string' } } } },
          default: { description: 'Error ({error:{code,message,field?}})' },
        },
      },
      handler: async (c) => {
        const id = parseId(c.params.id);
        const result = await c.core.invoke('compose.sends.raw', { id });
        if (!result.ok) return restCall(c, 'compose.sends.raw', { id });
        return download(
          'message/rfc822',
          contentDisposition(`sent-${id}.eml`),
          Buffer.from(result.value.base64, 'base64'),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/bulk',
      operation: op('compose.bulk.start', 'Start a bulk run (copies or CSV rows); answers at once, progress follows', {
        body: bulkVerbs['compose.bulk.start'].args,
      }),
      handler: async (c) => restCall(c, 'compose.bulk.start', await objectBody(c.req)),
    },
    {
      method: 'GET',
      path: '/api/bulk',
      operation: op('compose.bulk.list', 'Stored bulk runs (the newest 100), newest first'),
      handler: (c) => restCall(c, 'compose.bulk.list', {}),
    },
    {
      method: 'GET',
      path: '/api/bulk/{id}',
      operation: op('compose.bulk.get', 'A bulk run and its live figures', { parameters: [bulkIdParam] }),
      handler: (c) => restCall(c, 'compose.bulk.get', { id: c.params.id ?? '' }),
    },
    {
      method: 'DELETE',
      path: '/api/bulk/{id}',
      operation: op('compose.bulk.cancel', 'Cancel a bulk run; messages in flight finish and are recorded', {
        parameters: [bulkIdParam],
      }),
      handler: (c) => restCall(c, 'compose.bulk.cancel', { id: c.params.id ?? '' }),
    },
    ...(['csv', 'json'] as const).map((format): RestRoute => ({
      method: 'GET',
      path: `/api/bulk/{id}/export.${format}`,
      operation: {
        operationId: `composeBulkExport${format.toUpperCase()}`,
        summary: `A bulk run's summary as ${format.toUpperCase()}: a row per message (recipient, reply, latency, attempts)`,
        tags: ['compose'],
        parameters: [bulkIdParam],
        responses: {
          '200': {
            description: 'The summary file',
            content: { [format === 'csv' ? 'text/csv' : 'application/json']: { schema: { type: 'string' } } },
          },
          default: { description: 'Error ({error:{code,message,field?}})' },
        },
      },
      handler: async (c) => {
        const args = { id: c.params.id ?? '', format };
        const result = await c.core.invoke('compose.bulk.export', args);
        if (!result.ok) return restCall(c, 'compose.bulk.export', args);
        const file = result.value;
        return download(file.contentType, contentDisposition(file.filename), Buffer.from(file.content, 'utf8'));
      },
    })),
  ];
}
