// Mailpit API v1 compatibility (as of Mailpit v1.30): Mailpit's routes, JSON shapes, status codes and content types
// over Mailwright's verbs, so Mailpit clients (mailpit-api, cypress-mailpit, scripts) work unchanged.
// Routes only, plus the `mailpit.send` verb; no logic beyond mapping shapes. The route table is routes.ts.
// Must not import electron, serve/ or another capability's folder (the MailHog adapter is part of compat/).
import type { mailpitVerbs } from '../../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../../core/capability.js';
import { call } from '../reply.js';
import { mailhogApi } from '../mailhog/routes.js';
import { mailpitRoutes } from './routes.js';
import { composeSend } from './send.js';

export function setupMailpit(deps: CapabilityDeps): Capability<keyof typeof mailpitVerbs> {
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
    routes: mailpitRoutes(deps, mailhogApi(deps)),
  };
}
