// MailHog's Jim (the chaos monkey) as Mailwright fault rules with known ids. Jim's link-speed settings have no
// fault-rule counterpart: they are kept and shown, but do not slow anything (README says so).
import type { FaultRule } from '../../../src-shared/index.js';

export interface JimConfig {
  DisconnectChance: number;
  AcceptChance: number;
  LinkSpeedAffect: number;
  LinkSpeedMin: number;
  LinkSpeedMax: number;
  RejectSenderChance: number;
  RejectRecipientChance: number;
  RejectAuthChance: number;
}

/** MailHog's defaults (`-invite-jim` without flags). */
export const DEFAULT_JIM: JimConfig = {
  DisconnectChance: 0.005,
  AcceptChance: 0.99,
  LinkSpeedAffect: 0.1,
  LinkSpeedMin: 1024,
  LinkSpeedMax: 10240,
  RejectSenderChance: 0.05,
  RejectRecipientChance: 0.05,
  RejectAuthChance: 0.05,
};

const PREFIX = 'mailhog-jim-';
export const isJimRule = (r: FaultRule): boolean => r.id.startsWith(PREFIX);

/** Reads a Jim body over the current config: unknown keys and values outside 0..1 (chances) are refused. */
export function jimFromBody(body: unknown, base: JimConfig): JimConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('body must be a JSON object');
  const out = { ...base };
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!(key in base)) throw new Error(`unknown Jim setting "${key}"`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${key} must be a number`);
    if (key.endsWith('Chance') && value > 1) throw new Error(`${key} must be between 0 and 1`);
    out[key as keyof JimConfig] = value;
  }
  return out;
}

export function jimRules(jim: JimConfig): FaultRule[] {
  const rule = (
    suffix: string,
    name: string,
    stage: FaultRule['match']['stage'],
    probability: number,
    action: FaultRule['action'],
  ): FaultRule => ({
    id: PREFIX + suffix,
    name: `MailHog Jim: ${name}`,
    enabled: true,
    match: { stage, probability },
    action,
  });
  return [
    rule('accept', 'refuse connections', 'connect', 1 - jim.AcceptChance, { kind: 'drop' }),
    rule('disconnect', 'disconnect', 'mail', jim.DisconnectChance, { kind: 'drop' }),
    rule('sender', 'reject sender', 'mail', jim.RejectSenderChance, {
      kind: 'reply',
      code: 550,
      text: 'Sender rejected by Jim',
    }),
    rule('recipient', 'reject recipient', 'rcpt', jim.RejectRecipientChance, {
      kind: 'reply',
      code: 550,
      text: 'Recipient rejected by Jim',
    }),
    rule('auth', 'reject authentication', 'auth', jim.RejectAuthChance, {
      kind: 'reply',
      code: 535,
      text: 'Authentication rejected by Jim',
    }),
  ];
}

/** The config the rules stand for; link speeds come from what was last set (or the defaults). */
export function jimFromRules(rules: readonly FaultRule[], speeds: JimConfig): JimConfig | null {
  const jim = rules.filter(isJimRule);
  if (jim.length === 0) return null;
  const p = (suffix: string): number => jim.find((r) => r.id === PREFIX + suffix)?.match.probability ?? 0;
  return {
    ...speeds,
    AcceptChance: 1 - p('accept'),
    DisconnectChance: p('disconnect'),
    RejectSenderChance: p('sender'),
    RejectRecipientChance: p('recipient'),
    RejectAuthChance: p('auth'),
  };
}
