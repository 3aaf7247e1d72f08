// GET /api/wait: the long-poll as scripts call it. It calls the waiters directly rather than through the verb,
// because a client that hangs up must end its wait at once (the verb has no connection to watch).
import { MAX_WAIT_MS, MailwrightError, callArgs } from '../../src-shared/index.js';
import { json, type RestRoute } from '../core/rest.js';
import type { Waiters } from './waiters.js';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `30s`, `500ms`, `5m`, or a bare number of seconds (as curl users type it). Throws naming `timeout`. */
export function parseTimeout(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const m = /^(\d{1,9})(ms|s|m)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNITS_MS[m[2] ?? 's']! : NaN;
  if (!Number.isFinite(ms) || ms > MAX_WAIT_MS)
    throw new MailwrightError(
      'invalid_argument',
      `timeout must be a duration up to 5m (30s, 500ms, 2m, or seconds), not "${value.slice(0, 32)}"`,
      'timeout',
    );
  return ms;
}

export function waitRoutes(waiters: Waiters): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/wait',
      operation: {
        operationId: 'waitForMessage',
        summary: 'Wait for the first message matching a query',
        description:
          'Holds the request until a message matching `query` arrives after `after` (a message id or an ISO time), ' +
          'and answers with its summary. Without `after`, the newest stored match answers at once. A query on ' +
          'from:, to: and subject: answers as soon as the message is stored, before it is indexed.',
        tags: ['wait'],
        parameters: [
          { name: 'query', in: 'query', description: 'Search syntax, as in the inbox', schema: { type: 'string' } },
          { name: 'after', in: 'query', description: 'Message id or ISO 8601 time', schema: { type: 'string' } },
          {
            name: 'timeout',
            in: 'query',
            description: 'Duration up to 5m: 30s, 500ms, 2m or seconds (default 30s)',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': { description: 'The matching message (summary)', content: { 'application/json': { schema: {} } } },
          '400': { description: 'A bad query, after or timeout (the field is named)' },
          '408': { description: 'No match arrived within the timeout: {error:{code:"timeout",message}}' },
        },
      },
      handler: async (c) => {
        const args = callArgs['wait.message'].safeParse({
          ...optional('query', c.query.get('query')),
          ...optional('after', c.query.get('after')),
          ...optional('timeoutMs', parseTimeout(c.query.get('timeout'))),
        });
        if (!args.success) {
          const issue = args.error.issues[0];
          throw new MailwrightError('invalid_argument', issue?.message ?? 'invalid arguments', issue?.path.join('.'));
        }
        const hangUp = new AbortController();
        const socket = c.req.socket;
        const onClose = (): void => hangUp.abort();
        socket.once('close', onClose);
        try {
          const result = await waiters.wait(args.data, hangUp.signal);
          if (result.message) return json(result.message);
          return json(
            {
              error: {
                code: 'timeout',
                message: `no message matching "${args.data.query ?? ''}" arrived within ${args.data.timeoutMs ?? 30_000} ms`,
              },
              waitedMs: result.waitedMs,
            },
            408,
          );
        } finally {
          socket.off('close', onClose);
        }
      },
    },
  ];
}

function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === null || value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}
