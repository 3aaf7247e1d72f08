// The fault engine: walks the rules in order for one SMTP event and returns what the listener must do.
// Holds per-rule counters, hit counts, greylist triples and throttle windows; does no I/O and never sleeps.
import { normalizeClientAddress } from './address.js';
import { GreylistStore, ThrottleStore } from './state.js';
import type { FaultContext, FaultDecision, FaultEngineOptions, FaultReply, FaultRule, FaultStage } from './types.js';
import { MAX_DELAY_MS, compileRules, type CompiledRule } from './validate.js';

export const GREYLIST_REPLY: Readonly<FaultReply> = Object.freeze({
  code: 451,
  enhanced: '4.7.1',
  text: 'Greylisted, please try again later',
});
export const THROTTLE_REPLY: Readonly<FaultReply> = Object.freeze({
  code: 421,
  enhanced: '4.7.0',
  text: 'Rate limit exceeded, try again later',
});

/** Separates key parts; rule ids and addresses can't hold it (ids are checked for control characters). */
const SEP = '\u0000';

export class FaultEngine {
  readonly #now: () => number;
  readonly #random: () => number;
  #rules: CompiledRule[] = [];
  /** The enabled rules of each stage, in evaluation order: an event walks only its own stage's list. */
  #byStage = new Map<FaultStage, CompiledRule[]>();
  /** Matching events seen per rule, for nth/every. Saturates at nth, wraps at every, so it stays small. */
  readonly #events = new Map<string, number>();
  readonly #hits = new Map<string, number>();
  readonly #greylist = new GreylistStore();
  readonly #throttle = new ThrottleStore();

  constructor(rules: FaultRule[], options: FaultEngineOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.setRules(rules);
  }

  /** Replaces the rules; hit counts of rules that keep their id are kept. Throws MailwrightError('invalid_argument', …, field) for a bad rule. */
  setRules(rules: FaultRule[]): void {
    const next = compileRules(rules);
    const before = new Map(this.#rules.map((r) => [r.rule.id, r.signature]));
    const keep = new Set(next.map((r) => r.rule.id));
    for (const id of [...this.#hits.keys()]) if (!keep.has(id)) this.#hits.delete(id);
    // An edited rule starts its count, greylist and throttle memory afresh: "the 3rd message" means from now on.
    for (const [id, signature] of before) {
      const edited = next.find((r) => r.rule.id === id)?.signature !== signature;
      if (!keep.has(id) || edited) this.#forgetState(id);
    }
    this.#rules = next;
    this.#byStage = new Map();
    for (const r of next) {
      if (!r.rule.enabled) continue;
      const list = this.#byStage.get(r.rule.match.stage) ?? [];
      list.push(r);
      this.#byStage.set(r.rule.match.stage, list);
    }
  }

  /** Whether any enabled rule could fire at this stage; the listener skips building a context when none can. */
  active(stage: FaultStage): boolean {
    return this.#byStage.has(stage);
  }

  /** A copy of the running rules, in evaluation order. */
  rules(): FaultRule[] {
    return structuredClone(this.#rules.map((r) => r.rule));
  }

  evaluate(ctx: FaultContext): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, reply: null, drop: false, fired: [] };
    for (const compiled of this.#byStage.get(ctx.stage) ?? []) {
      if (!this.#matches(compiled, ctx) || !this.#countAllows(compiled) || !this.#chanceAllows(compiled)) continue;
      const outcome = this.#act(compiled.rule, ctx);
      if (outcome === 'pass') continue;
      decision.fired.push(compiled.rule.id);
      this.#hits.set(compiled.rule.id, (this.#hits.get(compiled.rule.id) ?? 0) + 1);
      if (typeof outcome === 'number') {
        // Several delay rules add up; the total is capped like one delay (see MAX_DELAY_MS).
        decision.delayMs = Math.min(MAX_DELAY_MS, decision.delayMs + outcome);
        continue;
      }
      if (outcome === 'drop') decision.drop = true;
      else decision.reply = { ...outcome };
      break;
    }
    return decision;
  }

  hits(): Record<string, number> {
    return Object.fromEntries(this.#hits);
  }

  resetHits(): void {
    this.#hits.clear();
  }

  #matches(c: CompiledRule, ctx: FaultContext): boolean {
    const { rule } = c;
    if (!rule.enabled || rule.match.stage !== ctx.stage) return false;
    if (c.listeners && !c.listeners.has(ctx.listenerId)) return false;
    if (c.clientAddress && !c.clientAddress(ctx.clientAddress)) return false;
    if (c.sender && (ctx.mailFrom === undefined || !c.sender(ctx.mailFrom))) return false;
    if (c.authUser && (ctx.authUser == null || !c.authUser(ctx.authUser))) return false;
    // At rcpt the list holds the one recipient being added; at data/afterData any recipient may match.
    if (c.recipient && !(ctx.rcptTo ?? []).some((r) => c.recipient!(r))) return false;
    return true;
  }

  #countAllows(c: CompiledRule): boolean {
    const { nth, every } = c.rule.match;
    if (nth === undefined && every === undefined) return true;
    const id = c.rule.id;
    const seen = (this.#events.get(id) ?? 0) + 1;
    if (nth !== undefined) {
      this.#events.set(id, Math.min(seen, nth + 1));
      return seen === nth;
    }
    this.#events.set(id, seen % every!);
    return seen % every! === 0;
  }

  #chanceAllows(c: CompiledRule): boolean {
    const p = c.rule.match.probability;
    if (p === undefined || p >= 1) return true;
    if (p <= 0) return false;
    return this.#random() < p;
  }

  /** 'pass' = the rule matched but lets this event through (greylist retry accepted, throttle under limit). */
  #act(rule: FaultRule, ctx: FaultContext): 'pass' | 'drop' | number | FaultReply {
    const a = rule.action;
    switch (a.kind) {
      case 'reply':
        return { code: a.code, enhanced: a.enhanced ?? null, text: a.text };
      case 'delay':
        return a.ms;
      case 'drop':
        return 'drop';
      case 'greylist':
        return this.#greylisted(rule.id, a.seconds, ctx) ? { ...GREYLIST_REPLY } : 'pass';
      case 'throttle': {
        const key = [rule.id, clientKey(ctx.clientAddress)].join(SEP);
        return this.#throttle.attempt(key, a.perMinute, this.#now()) ? { ...THROTTLE_REPLY } : 'pass';
      }
    }
  }

  /** Every recipient's triple is recorded (so each can be retried); one unripe triple refuses the attempt. */
  #greylisted(ruleId: string, seconds: number, ctx: FaultContext): boolean {
    const now = this.#now();
    const sender = (ctx.mailFrom ?? '').toLowerCase();
    const client = clientKey(ctx.clientAddress);
    let refuse = false;
    for (const rcpt of new Set((ctx.rcptTo ?? []).map((r) => r.toLowerCase()))) {
      if (this.#greylist.attempt([ruleId, sender, rcpt, client].join(SEP), seconds, now)) refuse = true;
    }
    return refuse;
  }

  #forgetState(id: string): void {
    this.#events.delete(id);
    this.#greylist.forgetRule(id);
    this.#throttle.forgetRule(id);
  }
}

function clientKey(address: string): string {
  return normalizeClientAddress(address) ?? String(address).slice(0, 64);
}
