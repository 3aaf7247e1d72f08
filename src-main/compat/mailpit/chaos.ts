// Mailpit's Chaos triggers as Mailwright fault rules: each trigger is one rule with a known id, so the rest of the
// user's fault rules are left as they are. Probability is a percentage in Mailpit and 0..1 in a fault rule.
import type { FaultRule } from '../../../src-shared/index.js';

export const CHAOS_TRIGGERS = {
  Sender: 'mail',
  Recipient: 'rcpt',
  Authentication: 'auth',
} as const;
export type ChaosTriggerName = keyof typeof CHAOS_TRIGGERS;

export interface ChaosTrigger {
  ErrorCode: number;
  Probability: number;
}
export type ChaosTriggers = Record<ChaosTriggerName, ChaosTrigger>;

/** Mailpit's default error code for a trigger that was never set. */
const DEFAULT_ERROR_CODE = 451;

export const chaosRuleId = (name: ChaosTriggerName): string => `mailpit-chaos-${name.toLowerCase()}`;

export function triggersFromRules(rules: readonly FaultRule[]): ChaosTriggers {
  const out = {} as ChaosTriggers;
  for (const name of Object.keys(CHAOS_TRIGGERS) as ChaosTriggerName[]) {
    const rule = rules.find((r) => r.id === chaosRuleId(name));
    const code = rule?.action.kind === 'reply' ? rule.action.code : DEFAULT_ERROR_CODE;
    const probability = rule?.enabled ? Math.round((rule.match.probability ?? 1) * 100) : 0;
    out[name] = { ErrorCode: code, Probability: probability };
  }
  return out;
}

/**
 * The fault rules after a PUT /api/v1/chaos: the three trigger rules replaced (a trigger left out resets to 0 %,
 * as in Mailpit), every other rule kept in place. Throws a message naming the trigger for a bad value.
 */
export function rulesWithTriggers(rules: readonly FaultRule[], body: unknown): FaultRule[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('body must be a JSON object');
  const given = body as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in CHAOS_TRIGGERS)) throw new Error(`unknown trigger "${key}" (Sender, Recipient or Authentication)`);
  }
  const kept = rules.filter(
    (r) => !Object.keys(CHAOS_TRIGGERS).some((n) => r.id === chaosRuleId(n as ChaosTriggerName)),
  );
  const added: FaultRule[] = [];
  for (const [name, stage] of Object.entries(CHAOS_TRIGGERS) as [ChaosTriggerName, FaultRule['match']['stage']][]) {
    const t = given[name] as Partial<ChaosTrigger> | undefined;
    if (t === undefined) continue;
    const code = t.ErrorCode ?? DEFAULT_ERROR_CODE;
    const probability = t.Probability ?? 0;
    if (!Number.isInteger(code) || code < 400 || code > 599) throw new Error(`${name}.ErrorCode must be 400-599`);
    if (typeof probability !== 'number' || probability < 0 || probability > 100)
      throw new Error(`${name}.Probability must be 0-100`);
    if (probability === 0) continue;
    added.push({
      id: chaosRuleId(name),
      name: `Mailpit chaos: ${name}`,
      enabled: true,
      match: { stage, probability: probability / 100 },
      action: { kind: 'reply', code, text: `Chaos error (${name.toLowerCase()})` },
    });
  }
  return [...kept, ...added];
}
