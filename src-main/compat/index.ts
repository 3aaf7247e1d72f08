// The compatibility capability: Mailpit's API v1 (mailpit/) and MailHog's API (mailhog/) as routes over
// Mailwright's verbs, so their clients work unchanged. One capability, because the two share the paths
// `GET`/`DELETE /api/v1/messages` (the `compat.mailhog` setting decides who answers them).
// Must not import electron, serve/ or another capability's folder.
import type { mailpitVerbs } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { mailhogApi } from './mailhog/routes.js';
import { setupMailpit } from './mailpit/index.js';

export function setupCompat(deps: CapabilityDeps): Capability<keyof typeof mailpitVerbs> {
  const mailhog = mailhogApi(deps);
  const mailpit = setupMailpit(deps, mailhog);
  return { ...mailpit, name: 'compat', routes: [...(mailpit.routes ?? []), ...mailhog.routes] };
}
