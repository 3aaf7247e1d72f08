// The capabilities, in start order: each one's setup runs after the shared services exist, and they stop in
// reverse. Adding a capability is one line here (and one in src-shared/contract/index.ts).
// Must not import electron or any binding.
import { setupChecks } from '../checks/setup.js';
import { setupCompat } from '../compat/index.js';
import { setupCompose } from '../compose/index.js';
import { setupDiff } from '../diff/setup.js';
import { setupMailboxes } from '../mailboxes/index.js';
import { setupMessages } from '../messages/setup.js';
import { setupServer } from '../server/setup.js';
import { setupSessions } from '../sessions/setup.js';
import { setupSettings } from '../settings/setup.js';
import { setupTags } from '../tags/index.js';
import { setupTemplates } from '../templates/index.js';
import { setupWait } from '../wait/index.js';
import { setupWebhooks } from '../webhooks/index.js';
import type { CapabilitySetup, ExactlyOnce } from './capability.js';

export const CAPABILITIES = [
  setupMessages,
  setupSessions,
  setupSettings,
  setupServer,
  setupCompose,
  setupChecks,
  setupDiff,
  setupTags,
  setupCompat,
  setupWait,
  setupMailboxes,
  setupWebhooks,
  setupTemplates,
] as const satisfies readonly CapabilitySetup[];

// Fails to compile, naming the verbs, if a verb has no handler or more than one.
const everyVerbHandledOnce: ExactlyOnce<typeof CAPABILITIES> = true;
void everyVerbHandledOnce;
