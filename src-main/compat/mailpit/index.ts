// Mailpit API v1 compatibility (as of Mailpit v1.30): Mailpit's routes, JSON shapes, status codes and content types
// over Mailwright's verbs, so Mailpit clients (mailpit-api, cypress-mailpit, scripts) work unchanged.
// Routes only, plus the `mailpit.send` verb; no logic beyond mapping shapes. The route table is routes.ts.
import type { mailpitVerbs } from '../../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../../core/capability.js';
import { call } from '../reply.js';
import type { MailhogApi } from '../mailhog/routes.js';
import { mailpitRoutes } from './routes.js';
import { composeSend } from './send.js';

/** `mailhog`: MailHog's answers for the paths both APIs have, given when compat.mailhog is on. */
export function setupMailpit(
  deps: CapabilityDeps,
  mailhog: Pick<MailhogApi, 'v1List' | 'deleteAll'>,
): Capability<keyof typeof mailpitVerbs> {
  return {
    name: 'mailpit',
    handlers: {
      'mailpit.send': async (a) => {
        const { raw, envelope } = await composeSend(a);
        const { id } = await deps.store.ingest(raw, envelope);
        if (a.Tags?.length) await call((n, args) => deps.invoke(n, args), 'tags.add', { ids: [id], tags: a.Tags });
        return { ID: String(id) };
      },
    },
    routes: mailpitRoutes(deps, mailhog),
  };
}
