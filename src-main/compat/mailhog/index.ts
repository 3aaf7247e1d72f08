// MailHog API compatibility: MailHog's v1 and v2 routes and message shape over Mailwright's verbs, so MailHog
// clients (blueimp's mailhog, mailhog-awesome, scripts) work unchanged. Routes only; the table is routes.ts.
// Must not import electron, serve/ or another capability's folder.
import type { Capability, CapabilityDeps } from '../../core/capability.js';
import { mailhogApi } from './routes.js';

export function setupMailhog(deps: CapabilityDeps): Capability<never> {
  return { name: 'mailhog', handlers: {}, routes: mailhogApi(deps).routes };
}
