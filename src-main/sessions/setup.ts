// The sessions capability: every SMTP conversation the capture server had, with its transcript (the AUTH audit log
// is a filter of it). The capture server records them; the store keeps them.
// Must not import electron, any binding or another capability's folder.
import { MAX_PAGE_SIZE, type CallName } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { ID_PARAM, pageArgs, pageParams, parseId, restCall, verbResponses } from '../core/rest.js';

type SessionsVerb = Extract<CallName, `sessions.${string}`>;

export function setupSessions(deps: CapabilityDeps): Capability<SessionsVerb> {
  const { store } = deps;
  return {
    name: 'sessions',
    handlers: {
      'sessions.list': (a) => store.sessions.list(a),
      'sessions.get': (a) => store.sessions.get(a.id),
    },
    routes: [
      {
        method: 'GET',
        path: '/api/sessions',
        operation: {
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
            ...pageParams(MAX_PAGE_SIZE),
          ],
          responses: verbResponses('sessions.list'),
        },
        handler: (c) => {
          const args: Record<string, unknown> = pageArgs(c.query);
          for (const key of ['filter', 'clientAddress', 'listener']) {
            const v = c.query.get(key);
            if (v !== null && v !== '') args[key] = v;
          }
          return restCall(c, 'sessions.list', args);
        },
      },
      {
        method: 'GET',
        path: '/api/sessions/{id}',
        operation: {
          operationId: 'getSession',
          summary: 'One session with its transcript (AUTH secrets and message data elided)',
          tags: ['sessions'],
          parameters: [{ ...ID_PARAM, description: 'Session id' }],
          responses: verbResponses('sessions.get'),
        },
        handler: (c) => restCall(c, 'sessions.get', { id: parseId(c.params.id) }),
      },
    ],
  };
}
