// The capabilities, in start order: each one's setup runs after the shared services exist, and they stop in
// reverse. Adding a capability is one line here (and one in src-shared/contract/index.ts).
// Must not import electron or any binding.
import type { CallName } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps, ExactlyOnce, HandledBy, Handlers } from './capability.js';
import { setupWait } from '../wait/index.js';
import { setupMailboxes } from '../mailboxes/index.js';
import { setupWebhooks } from '../webhooks/index.js';

/** Verbs the Core still handles itself until they move into capability folders. */
export type LegacyVerb = Exclude<CallName, HandledBy<(typeof CAPABILITIES)[number]>>;

// Each setup returns the handlers of its own verbs only, so the list is checked against that shape (Capability<never>
// accepts any handler subset); the ExactlyOnce check below makes sure the subsets cover the contract exactly.
export const CAPABILITIES = [setupWait, setupMailboxes, setupWebhooks] as const satisfies readonly ((
  deps: CapabilityDeps,
) => Capability<never>)[];

/** The Core's own handlers, as a stand-in setup for the compile-time check below. */
type LegacySetup = () => Capability<LegacyVerb> & { handlers: Handlers<LegacyVerb> };

// Fails to compile, naming the verbs, if a verb has no handler or more than one.
const everyVerbHandledOnce: ExactlyOnce<readonly [LegacySetup, ...typeof CAPABILITIES]> = true;
void everyVerbHandledOnce;
