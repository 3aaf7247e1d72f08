// Named fault presets with the replies real servers send (Postfix/Gmail wording), and ruleFromPreset() to
// turn one into a rule. Data only; the engine treats a preset rule like any other.
import { MailwrightError } from '../../../src-shared/index.js';
import type { FaultAction, FaultMatch, FaultRule, FaultStage } from './types.js';

export interface FaultPreset {
  name: string;
  description: string;
  match: Omit<FaultMatch, 'stage'> & { stage: FaultStage };
  action: FaultAction;
}

const preset = (p: FaultPreset): FaultPreset => p;

export const FAULT_PRESETS = deepFreeze({
  'mailbox-full': preset({
    name: 'Mailbox full',
    description: 'Refuses each recipient as over quota, as a full mailbox does.',
    match: { stage: 'rcpt' },
    action: { kind: 'reply', code: 552, enhanced: '5.2.2', text: 'Mailbox full' },
  }),
  'unknown-user': preset({
    name: 'Unknown user',
    description: 'Refuses each recipient as a mailbox that does not exist.',
    match: { stage: 'rcpt' },
    action: { kind: 'reply', code: 550, enhanced: '5.1.1', text: 'Recipient address rejected: User unknown' },
  }),
  greylisted: preset({
    name: 'Greylisted',
    description:
      'Refuses the first attempt for each sender/recipient/client with 451 4.7.1 and accepts a retry after 60 seconds.',
    match: { stage: 'rcpt' },
    action: { kind: 'greylist', seconds: 60 },
  }),
  'rate-limited': preset({
    name: 'Rate limited',
    description: 'Refuses every message at MAIL FROM as over the sending rate.',
    match: { stage: 'mail' },
    action: { kind: 'reply', code: 421, enhanced: '4.7.0', text: 'Rate limit exceeded, try again later' },
  }),
  throttled: preset({
    name: 'Throttled (10 per minute)',
    description: 'Accepts 10 messages a minute per client address, then answers 421 4.7.0 at MAIL FROM.',
    match: { stage: 'mail' },
    action: { kind: 'throttle', perMinute: 10 },
  }),
  'policy-rejection': preset({
    name: 'Policy rejection',
    description: 'Refuses the sender at MAIL FROM on policy grounds.',
    match: { stage: 'mail' },
    action: { kind: 'reply', code: 554, enhanced: '5.7.1', text: 'Message rejected due to local policy' },
  }),
  'auth-failed': preset({
    name: 'Authentication failed',
    description: 'Refuses every AUTH attempt, whatever the credentials.',
    match: { stage: 'auth' },
    action: { kind: 'reply', code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  }),
  'starttls-required': preset({
    name: 'Must issue STARTTLS',
    description: 'Refuses MAIL FROM as a server that demands STARTTLS first does.',
    match: { stage: 'mail' },
    action: { kind: 'reply', code: 530, enhanced: '5.7.0', text: 'Must issue a STARTTLS command first' },
  }),
  'temporary-failure': preset({
    name: 'Temporary failure',
    description: 'Receives the whole message, then answers with a temporary error so the client retries.',
    match: { stage: 'afterData' },
    action: { kind: 'reply', code: 451, enhanced: '4.3.0', text: 'Temporary failure, please try again later' },
  }),
  'message-too-big': preset({
    name: 'Message too big',
    description: 'Refuses the message at DATA as over the size limit.',
    match: { stage: 'data' },
    action: { kind: 'reply', code: 552, enhanced: '5.3.4', text: 'Message size exceeds fixed limit' },
  }),
  'slow-server': preset({
    name: 'Slow server (slow greeting)',
    description: 'Waits 5 seconds before the greeting, like a loaded server.',
    match: { stage: 'connect' },
    action: { kind: 'delay', ms: 5000 },
  }),
  'slow-data': preset({
    name: 'Slow DATA',
    description: 'Waits 5 seconds before answering the message data.',
    match: { stage: 'data' },
    action: { kind: 'delay', ms: 5000 },
  }),
  'drop-mid-data': preset({
    name: 'Connection dropped mid-DATA',
    description: 'Closes the connection while the message is being sent, with no reply.',
    match: { stage: 'data' },
    action: { kind: 'drop' },
  }),
} satisfies Record<string, FaultPreset>);

export type FaultPresetId = keyof typeof FAULT_PRESETS;

export type PresetOverrides = Partial<Pick<FaultRule, 'id' | 'name' | 'enabled' | 'listeners'>> & {
  match?: Partial<FaultMatch>;
  action?: FaultAction;
};

/** A rule built from a preset; `id` defaults to the preset id (pass one to use a preset twice). Validate with setRules. */
export function ruleFromPreset(presetId: string, overrides: PresetOverrides = {}): FaultRule {
  if (!Object.hasOwn(FAULT_PRESETS, presetId)) {
    throw new MailwrightError(
      'invalid_argument',
      `[faults] unknown preset "${String(presetId).slice(0, 64)}"`,
      'preset',
    );
  }
  const p: FaultPreset = FAULT_PRESETS[presetId as FaultPresetId];
  const rule: FaultRule = {
    id: overrides.id ?? presetId,
    name: overrides.name ?? p.name,
    enabled: overrides.enabled ?? true,
    match: { ...structuredClone(p.match), ...structuredClone(overrides.match ?? {}) },
    action: structuredClone(overrides.action ?? p.action),
  };
  if (overrides.listeners !== undefined) rule.listeners = [...overrides.listeners];
  return rule;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
