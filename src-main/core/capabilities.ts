// The capabilities, in start order: each one's setup runs after the shared services exist, and they stop in
// reverse. Adding a capability is one line here (and one in src-shared/contract/index.ts).
// Must not import electron or any binding.
import type { coreVerbs } from '../../src-shared/index.js';
import { setupDiff } from '../diff/index.js';
import type { Capability, CapabilityDeps, ExactlyOnce, Handlers } from './capability.js';

/** Verbs the Core still handles itself until they move into capability folders. */
export type LegacyVerb = keyof typeof coreVerbs;

// Capability<never> accepts any capability: its own verbs' handlers are checked by the assignment below.
export const CAPABILITIES = [setupDiff] as const satisfies readonly ((deps: CapabilityDeps) => Capability<never>)[];

/** The Core's own handlers, as a stand-in setup for the compile-time check below. */
type LegacySetup = () => Capability<LegacyVerb> & { handlers: Handlers<LegacyVerb> };

// Fails to compile, naming the verbs, if a verb has no handler or more than one.
const everyVerbHandledOnce: ExactlyOnce<readonly [LegacySetup, ...typeof CAPABILITIES]> = true;
void everyVerbHandledOnce;
