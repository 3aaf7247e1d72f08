// The capabilities, in start order: each one's setup runs after the shared services exist, and they stop in
// reverse. Adding a capability is one line here (and one in src-shared/contract/index.ts).
// Must not import electron or any binding.
import type { coreVerbs } from '../../src-shared/index.js';
import { setupMailhog } from '../compat/mailhog/index.js';
import { setupMailpit } from '../compat/mailpit/index.js';
import { setupTags } from '../tags/index.js';
import type { Capability, ExactlyOnce, Handlers } from './capability.js';

/** Verbs the Core still handles itself until they move into capability folders. */
export type LegacyVerb = keyof typeof coreVerbs;

// Not `satisfies readonly CapabilitySetup[]`: a setup handles only its own verbs, which Capability<CallName> (all of
// them) would refuse; the check below is the one that counts.
export const CAPABILITIES = [setupTags, setupMailpit, setupMailhog] as const;

/** The Core's own handlers, as a stand-in setup for the compile-time check below. */
type LegacySetup = () => Capability<LegacyVerb> & { handlers: Handlers<LegacyVerb> };

// Fails to compile, naming the verbs, if a verb has no handler or more than one.
const everyVerbHandledOnce: ExactlyOnce<readonly [LegacySetup, ...typeof CAPABILITIES]> = true;
void everyVerbHandledOnce;
