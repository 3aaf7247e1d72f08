// Fault rules: failures on demand, as a product feature. A rule matches an SMTP stage (plus optional
// patterns, a count and a probability) and answers with a reply, a delay, a dropped connection,
// greylisting or throttling. This module decides; the listener carries the decision out.
// Must not import electron, the store, smtp-server or any binding.
export * from './types.js';
export { FaultEngine, GREYLIST_REPLY, THROTTLE_REPLY } from './engine.js';
export {
  FAULT_PRESETS,
  ruleFromPreset,
  type FaultPreset,
  type FaultPresetId,
  type PresetOverrides,
} from './presets.js';
export { compileRules, MAX_DELAY_MS, MAX_FAULT_RULES, MAX_REPLY_TEXT_CHARS } from './validate.js';
export { compileGlob, MAX_GLOB_CHARS, type GlobMatcher } from './glob.js';
export { compileAddressMatcher, normalizeClientAddress, type AddressMatcher } from './address.js';
export { seededRandom } from './random.js';
