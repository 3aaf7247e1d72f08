// The mailboxes REST routes: each is one verb.
import { MailwrightError } from '../../src-shared/index.js';
import { parseIntParam, readJson, restCall, type OpenApiParameter, type RestRoute } from '../core/rest.js';

const ok = (description: string) => ({
  '200': { description, content: { 'application/json': { schema: {} } } },
  default: { description: 'Error ({error:{code,message,field?}})' },
});
const foldParam: OpenApiParameter = {
  name: 'fold',
  in: 'query',
  description: 'Fold plus-addresses to their base (true/false); default: the mailboxes.foldPlusAddressing setting',
  schema: { type: 'boolean' },
};

function foldOf(query: URLSearchParams): { foldPlus?: boolean } {
  const v = query.get('fold');
  if (v === null || v === '') return {};
  if (v !== 'true' && v !== 'false')
    throw new MailwrightError('invalid_argument', 'fold must be true or false', 'fold');
  return { foldPlus: v === 'true' };
}

export function mailboxRoutes(): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/mailboxes',
      operation: {
        operationId: 'listMailboxes',
        summary: 'Every envelope recipient as a mailbox, with count, unread and last received',
        tags: ['mailboxes'],
        parameters: [
          foldParam,
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: ok('{mailboxes:[{address,count,unread,lastReceived}], total, foldPlus}; most recent first'),
      },
      handler: (c) => {
        const limit = parseIntParam(c.query, 'limit');
        const offset = parseIntParam(c.query, 'offset');
        return restCall(c, 'mailboxes.list', {
          ...foldOf(c.query),
          ...(limit !== undefined ? { limit } : {}),
          ...(offset !== undefined ? { offset } : {}),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/mailboxes/{address}/messages',
      operation: {
        operationId: 'listMailboxMessages',
        summary: "One mailbox's messages, newest first",
        tags: ['mailboxes'],
        parameters: [
          { name: 'address', in: 'path', required: true, schema: { type: 'string' } },
          foldParam,
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: ok('A message page ({total, unread, messages})'),
      },
      handler: (c) => {
        const limit = parseIntParam(c.query, 'limit');
        const offset = parseIntParam(c.query, 'offset');
        return restCall(c, 'mailboxes.messages', {
          address: c.params.address ?? '',
          ...foldOf(c.query),
          ...(limit !== undefined ? { limit } : {}),
          ...(offset !== undefined ? { offset } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/api/mailboxes/new',
      operation: {
        operationId: 'newDisposableAddress',
        summary: 'A fresh random address under the disposable domain (or the body\'s "domain")',
        tags: ['mailboxes'],
        requestBody: {
          content: { 'application/json': { schema: { type: 'object', properties: { domain: { type: 'string' } } } } },
        },
        responses: ok('{address}'),
      },
      handler: async (c) => restCall(c, 'mailboxes.newAddress', await readJson(c.req)),
    },
  ];
}
