// Checks a whole rule list before it may run and compiles its patterns. Any fault throws a MailwrightError
// naming the rule and the field (`faults.2.match.clientAddress`), so a bad edit never replaces the running set.
import { MailwrightError, MAX_FAULT_RULES } from '../../../src-shared/index.js';
import { compileAddressMatcher, type AddressMatcher } from './address.js';
import { compileGlob, type GlobMatcher } from './glob.js';
import { FAULT_STAGES, type FaultAction, type FaultMatch, type FaultRule, type FaultStage } from './types.js';

export { MAX_FAULT_RULES } from '../../../src-shared/index.js';
/** Id and name lengths: they are shown in the UI and logged; longer is a paste accident. */
export const MAX_RULE_ID_CHARS = 128;
export const MAX_RULE_NAME_CHARS = 200;
/** Reply text: one SMTP line has to hold the code, the enhanced status and this (RFC 5321 reply line: 512). */
export const MAX_REPLY_TEXT_CHARS = 512;
/** One delay, and also the cap on the sum per event: 10 minutes is RFC 5321's own server-side timeout for DATA. */
export const MAX_DELAY_MS = 10 * 60 * 1000;
/** Greylist wait: real greylisters use 1-5 minutes; 6 hours stays well inside the 24 h entry lifetime. */
export const MAX_GREYLIST_SECONDS = 6 * 60 * 60;
/** Throttle ceiling: 100 a second is beyond what a local test sends, and bounds each client's log (see state.ts). */
export const MAX_THROTTLE_PER_MINUTE = 6_000;
/** nth/every ceiling: keeps the counter an exact integer and the UI's number field sane. */
export const MAX_COUNT = 1_000_000_000;

/** Which context fields a stage knows, so a rule that could never fire is refused up front. */
const SENDER_STAGES: readonly FaultStage[] = ['mail', 'rcpt', 'data', 'afterData'];
/** The user is known once AUTH succeeded, which the earliest can be seen at MAIL. */
const AUTH_USER_STAGES: readonly FaultStage[] = ['mail', 'rcpt', 'data', 'afterData'];
const RECIPIENT_STAGES: readonly FaultStage[] = ['rcpt', 'data', 'afterData'];
const GREYLIST_STAGES: readonly FaultStage[] = ['rcpt', 'data'];

export interface CompiledRule {
  rule: FaultRule;
  /** Canonical JSON of what the rule does, to tell an edited rule from an unchanged one across setRules. */
  signature: string;
  listeners: ReadonlySet<string> | null;
  sender: GlobMatcher | null;
  recipient: GlobMatcher | null;
  authUser: GlobMatcher | null;
  clientAddress: AddressMatcher | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const hasControl = (s: string): boolean => /[\u0000-\u001f\u007f]/.test(s);

export function compileRules(input: unknown): CompiledRule[] {
  if (!Array.isArray(input)) throw new MailwrightError('invalid_argument', '[faults] rules must be a list', 'faults');
  if (input.length > MAX_FAULT_RULES) {
    throw new MailwrightError('invalid_argument', `[faults] at most ${MAX_FAULT_RULES} rules`, 'faults');
  }
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const compiled = compileRule(raw, i);
    if (seen.has(compiled.rule.id)) {
      throw new MailwrightError(
        'invalid_argument',
        `[faults] rule "${compiled.rule.name}": id "${compiled.rule.id}" is used twice`,
        `faults.${i}.id`,
      );
    }
    seen.add(compiled.rule.id);
    return compiled;
  });
}

function compileRule(raw: unknown, i: number): CompiledRule {
  const label =
    isObject(raw) && typeof raw.name === 'string' && raw.name !== ''
      ? raw.name.slice(0, MAX_RULE_NAME_CHARS)
      : `#${i + 1}`;
  const fail = (field: string, cause: string): never => {
    throw new MailwrightError(
      'invalid_argument',
      `[faults] rule "${label}": ${cause}`,
      `faults.${i}${field ? `.${field}` : ''}`,
    );
  };
  if (!isObject(raw)) return fail('', 'must be an object');
  const { id, name, enabled, listeners, match, action } = raw;
  if (typeof id !== 'string' || id === '' || id.length > MAX_RULE_ID_CHARS || hasControl(id)) {
    fail('id', `id must be 1-${MAX_RULE_ID_CHARS} printable characters`);
  }
  if (typeof name !== 'string' || name.length > MAX_RULE_NAME_CHARS || hasControl(name)) {
    fail('name', `name must be text of at most ${MAX_RULE_NAME_CHARS} characters`);
  }
  if (typeof enabled !== 'boolean') fail('enabled', 'enabled must be true or false');
  if (listeners !== undefined && (!Array.isArray(listeners) || listeners.some((l) => typeof l !== 'string'))) {
    fail('listeners', 'listeners must be a list of listener ids');
  }
  if (!isObject(match)) return fail('match', 'match must be an object');
  if (!isObject(action)) return fail('action', 'action must be an object');

  const stage = match.stage as FaultStage;
  if (!FAULT_STAGES.includes(stage)) fail('match.stage', `stage must be one of ${FAULT_STAGES.join(', ')}`);

  const glob = (
    field: 'sender' | 'recipient' | 'authUser',
    stages: readonly FaultStage[] | null,
  ): GlobMatcher | null => {
    const value = match[field];
    if (value === undefined) return null;
    if (typeof value !== 'string') return fail(`match.${field}`, `${field} must be a pattern`);
    if (stages && !stages.includes(stage)) return fail(`match.${field}`, `${field} is not known yet at stage ${stage}`);
    try {
      return compileGlob(value);
    } catch (err) {
      return fail(`match.${field}`, `${field} pattern: ${(err as Error).message}`);
    }
  };
  const sender = glob('sender', SENDER_STAGES);
  const recipient = glob('recipient', RECIPIENT_STAGES);
  const authUser = glob('authUser', AUTH_USER_STAGES);

  let clientAddress: AddressMatcher | null = null;
  if (match.clientAddress !== undefined) {
    try {
      clientAddress = compileAddressMatcher(match.clientAddress as string);
    } catch (err) {
      fail('match.clientAddress', `clientAddress: ${(err as Error).message}`);
    }
  }
  if (match.nth !== undefined && !isInt(match.nth, 1, MAX_COUNT))
    fail('match.nth', `nth must be a whole number from 1 to ${MAX_COUNT}`);
  if (match.every !== undefined && !isInt(match.every, 1, MAX_COUNT))
    fail('match.every', `every must be a whole number from 1 to ${MAX_COUNT}`);
  if (match.nth !== undefined && match.every !== undefined) fail('match.every', 'use either nth or every, not both');
  const p = match.probability;
  if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1)) {
    fail('match.probability', 'probability must be a number from 0 to 1');
  }
  checkAction(action, stage, fail);

  const rule: FaultRule = {
    id: id as string,
    name: name as string,
    enabled: enabled as boolean,
    ...(listeners !== undefined ? { listeners: [...(listeners as string[])] } : {}),
    match: pickDefined(match, [
      'stage',
      'sender',
      'recipient',
      'authUser',
      'clientAddress',
      'nth',
      'every',
      'probability',
    ]) as unknown as FaultMatch,
    action: pickDefined(action, [
      'kind',
      'code',
      'enhanced',
      'text',
      'ms',
      'seconds',
      'perMinute',
    ]) as unknown as FaultAction,
  };
  const ruleListeners = rule.listeners && rule.listeners.length > 0 ? new Set(rule.listeners) : null;
  const signature = JSON.stringify([rule.listeners ?? [], canonical(rule.match), canonical(rule.action)]);
  return { rule, signature, listeners: ruleListeners, sender, recipient, authUser, clientAddress };
}

function checkAction(
  action: Record<string, unknown>,
  stage: FaultStage,
  fail: (field: string, cause: string) => never,
): void {
  const a = action as FaultAction;
  switch (a.kind) {
    case 'reply': {
      // A fault refuses: 4xx (try again) or 5xx (give up). A 2xx/3xx would read as success to the client.
      if (!isInt(a.code, 400, 599)) fail('action.code', 'code must be a whole number from 400 to 599');
      if (a.enhanced !== undefined) {
        const m = typeof a.enhanced === 'string' ? /^([245])\.(\d{1,3})\.(\d{1,3})$/.exec(a.enhanced) : null;
        if (!m) fail('action.enhanced', 'enhanced status must look like 5.2.2 (class 2, 4 or 5; RFC 3463)');
        // RFC 3463: the enhanced class must agree with the reply code's first digit.
        else if (m[1] !== String(a.code)[0])
          fail('action.enhanced', `enhanced status ${a.enhanced} does not agree with code ${a.code}`);
      }
      if (typeof a.text !== 'string' || a.text.trim() === '') fail('action.text', 'text must not be empty');
      else if (/[\r\n]/.test(a.text)) fail('action.text', 'text must be one line (no CR or LF)');
      else if (hasControl(a.text)) fail('action.text', 'text must not contain control characters');
      else if (a.text.length > MAX_REPLY_TEXT_CHARS)
        fail('action.text', `text must be at most ${MAX_REPLY_TEXT_CHARS} characters`);
      return;
    }
    case 'delay':
      if (!isInt(a.ms, 0, MAX_DELAY_MS)) fail('action.ms', `ms must be a whole number from 0 to ${MAX_DELAY_MS}`);
      return;
    case 'drop':
      return;
    case 'greylist':
      if (!GREYLIST_STAGES.includes(stage)) fail('match.stage', `greylisting needs stage rcpt or data, not ${stage}`);
      if (!isInt(a.seconds, 1, MAX_GREYLIST_SECONDS))
        fail('action.seconds', `seconds must be a whole number from 1 to ${MAX_GREYLIST_SECONDS}`);
      return;
    case 'throttle':
      if (!isInt(a.perMinute, 1, MAX_THROTTLE_PER_MINUTE)) {
        fail('action.perMinute', `perMinute must be a whole number from 1 to ${MAX_THROTTLE_PER_MINUTE}`);
      }
      return;
    default:
      fail('action.kind', 'kind must be reply, delay, drop, greylist or throttle');
  }
}

/** A copy holding only the known keys, so the running set never shares objects with (or carries junk from) the caller. */
function pickDefined(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/** Key-sorted copy, so `{a,b}` and `{b,a}` give the same signature. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical(value[k])]),
  );
}
