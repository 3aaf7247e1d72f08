// The wait capability: `wait.message` and GET /api/wait, a long-poll for the first message matching a query.
// Owns the waiters (waiters.ts), the header-only matcher for new mail (quick-match.ts) and the route.
// Must not import electron, bindings, `capture/` or another capability's folder.
import type { Capability, CapabilityDeps } from '../core/capability.js';
import type { waitVerbs } from '../../src-shared/contract/wait.js';
import { waitRoutes } from './routes.js';
import { Waiters } from './waiters.js';

export function setupWait(deps: CapabilityDeps): Capability<keyof typeof waitVerbs> {
  const waiters = new Waiters(deps.events, deps.store);
  return {
    name: 'wait',
    handlers: { 'wait.message': (a) => waiters.wait(a) },
    routes: waitRoutes(waiters),
    stop: () => waiters.close(),
  };
}
