// The webhooks capability: the `webhooks` settings section (URL, events, secret, format), the durable delivery
// queue and its log (repository.ts), the sender with retries (dispatcher.ts) and GET /api/webhooks/deliveries.
// Must not import electron, bindings, `capture/` or another capability's folder.
import type { webhooksVerbs } from '../../src-shared/contract/webhooks.js';
import { MailwrightError } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { parseIntParam, restCall } from '../core/rest.js';
import { VERSION } from '../core/version.js';
import { Dispatcher } from './dispatcher.js';
import { payloadFor } from './payload.js';
import { WEBHOOKS_MIGRATIONS, WebhookRepository } from './repository.js';

const DEFAULT_LOG_PAGE = 50;

export function setupWebhooks(deps: CapabilityDeps): Capability<keyof typeof webhooksVerbs> {
  const repo = new WebhookRepository(deps.sql);
  const dispatcher = new Dispatcher({
    repo,
    userAgent: `Mailwright/${VERSION}`,
    payload: async (d, format) => {
      const got = d.event === 'message.received' ? await deps.invoke('messages.get', { id: d.messageId }) : null;
      return payloadFor(d.event, d.messageId, got?.ok ? got.value : null, format);
    },
    onDelivery: (ids, state) => deps.events.emit('webhooks.delivery', { ids, state }),
    onProblem: (text) => deps.reportProblem(`[webhooks] ${text}`),
  });
  const stops: (() => void)[] = [];
  return {
    name: 'webhooks',
    migrations: WEBHOOKS_MIGRATIONS,
    settings: {
      key: 'webhooks',
      validate(hooks) {
        const seen = new Set<string>();
        hooks.forEach((h, i) => {
          if (seen.has(h.id))
            throw new MailwrightError('invalid_argument', `webhook id ${h.id} is used twice`, `webhooks.${i}.id`);
          seen.add(h.id);
          let url: URL;
          try {
            url = new URL(h.url);
          } catch {
            throw new MailwrightError('invalid_argument', 'url is not a valid URL', `webhooks.${i}.url`);
          }
          if (url.protocol !== 'http:' && url.protocol !== 'https:')
            throw new MailwrightError(
              'invalid_argument',
              'url must be an http:// or https:// URL',
              `webhooks.${i}.url`,
            );
        });
      },
      apply: (hooks) => dispatcher.configure(hooks),
    },
    handlers: {
      'webhooks.deliveries': (a) => repo.list(a.webhookId, a.limit ?? DEFAULT_LOG_PAGE, a.offset ?? 0),
    },
    routes: [
      {
        method: 'GET',
        path: '/api/webhooks/deliveries',
        operation: {
          operationId: 'listWebhookDeliveries',
          summary: 'The webhook delivery log, newest first, with every attempt and its status',
          tags: ['webhooks'],
          parameters: [
            { name: 'webhookId', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
          ],
          responses: {
            '200': { description: '{deliveries, total}', content: { 'application/json': { schema: {} } } },
            default: { description: 'Error ({error:{code,message,field?}})' },
          },
        },
        handler: (c) => {
          const limit = parseIntParam(c.query, 'limit');
          const offset = parseIntParam(c.query, 'offset');
          const webhookId = c.query.get('webhookId');
          return restCall(c, 'webhooks.deliveries', {
            ...(webhookId ? { webhookId } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(offset !== undefined ? { offset } : {}),
          });
        },
      },
    ],
    start() {
      stops.push(
        // deleted() reports its own failures.
        deps.events.on('messages.deleted', ({ ids }) => void dispatcher.deleted(ids)),
        deps.events.on('messages.pruned', ({ ids }) => void dispatcher.deleted(ids)),
      );
      return dispatcher.configure(deps.settings.section('webhooks'));
    },
    async stop() {
      for (const stop of stops.splice(0)) stop();
      await dispatcher.stop();
    },
  };
}
