// The capabilities, in start order: each one's setup runs after the shared services exist, and they stop in
// reverse. Adding a capability is one line here (and one in src-shared/contract/index.ts).
// Must not import electron or any binding.
import { setupCompose } from '../compose/index.js';
import { setupMailhog } from '../compat/mailhog/index.js';
import { setupMailpit } from '../compat/mailpit/index.js';
import { setupMessages } from '../messages/setup.js';
import { setupServer } from '../server/setup.js';
import { setupDiff } from '../diff/setup.js';
import { setupSessions } from '../sessions/setup.js';
import { setupChecks } from '../checks/setup.js';
import { setupSettings } from '../settings/setup.js';
import { setupWait } from '../wait/index.js';
import { setupMailboxes } from '../mailboxes/index.js';
import { setupWebhooks } from '../webhooks/index.js';
import { setupTags } from '../tags/index.js';
import type { CapabilitySetup, ExactlyOnce } from './capability.js';

export const CAPABILITIES = [
  setupMessages,
  setupSessions,
  setupSettings,
  setupServer,
  setupCompose,
  setupChecks,
  setupDiff,
  setupWait,
  setupMailboxes,
  setupWebhooks,
  setupTags,
  setupMailpit,
  setupMailhog,
] as const satisfies readonly CapabilitySetup[];

// Fails to compile, naming the verbs, if a verb has no handler or more than one.
const everyVerbHandledOnce: ExactlyOnce<typeof CAPABILITIES> = true;
void everyVerbHandledOnce;
