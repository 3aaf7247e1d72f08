// The fault engine: walks the rules in order for one SMTP event and returns what the listener must do.
// Holds per-rule counters, hit counts, greylist triples and throttle windows; does no I/O and never sleeps.
// With a shared state (several instances on one database) the counters, greylist and throttle live there instead,
// and an event at a stage with such a rule is decided asynchronously (decide()); hit counts stay per instance.
import { createHash } from 'node:crypto';
import type { SharedCaptureState } from '../shared-state.js';
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
  readonly #warn: (text: string) => void;
  #shared: SharedCaptureState | null = null;
  /** Stages with an enabled rule whose outcome depends on shared state (nth/every, greylist, throttle). */
  #sharedStages = new Set<FaultStage>();

  constructor(rules: FaultRule[], options: FaultEngineOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#warn = options.warn ?? ((text) => console.warn(text));
    this.setRules(rules);
  }

  /**
   * Keeps counters, greylist triples and throttle windows in `state` (shared with other instances) from now on;
   * null goes back to memory. Hit counts stay in this instance.
   */
  shareState(state: SharedCaptureState | null): void {
    this.#shared = state;
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
      if (!keep.has(id) || edited) this.#forgetState(id, next.find((r) => r.rule.id === id)?.signature);
    }
    this.#rules = next;
    this.#byStage = new Map();
    this.#sharedStages = new Set();
    for (const r of next) {
      if (!r.rule.enabled) continue;
      const list = this.#byStage.get(r.rule.match.stage) ?? [];
      list.push(r);
      this.#byStage.set(r.rule.match.stage, list);
      if (usesState(r.rule)) this.#sharedStages.add(r.rule.match.stage);
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

  /** Decides with this instance's memory only, synchronously (one instance, or no shared state given). */
  evaluate(ctx: FaultContext): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, reply: null, drop: false, fired: [] };
    for (const compiled of this.#byStage.get(ctx.stage) ?? []) {
      if (!this.#matches(compiled, ctx) || !this.#countAllows(compiled) || !this.#chanceAllows(compiled)) continue;
      if (this.#record(decision, compiled.rule.id, this.#act(compiled.rule, ctx))) break;
    }
    return decision;
  }

  /**
   * What the listener calls: evaluate() at once, unless a shared state is set and a rule of this stage keeps state,
   * then a promise (the counters, greylist and throttle are read and updated in the shared state).
   */
  decide(ctx: FaultContext): FaultDecision | Promise<FaultDecision> {
    const shared = this.#shared;
    if (!shared || !this.#sharedStages.has(ctx.stage)) return this.evaluate(ctx);
    return this.#evaluateShared(ctx, shared);
  }

  async #evaluateShared(ctx: FaultContext, shared: SharedCaptureState): Promise<FaultDecision> {
    const decision: FaultDecision = { delayMs: 0, reply: null, drop: false, fired: [] };
    const now = this.#now();
    for (const compiled of this.#byStage.get(ctx.stage) ?? []) {
      if (!this.#matches(compiled, ctx)) continue;
      const { rule } = compiled;
      // The hashed signature prefixes the rule's shared keys, so an edited rule counts afresh on every instance.
      const sig = signatureKey(compiled.signature);
      const { nth, every } = rule.match;
      const limit = nth !== undefined ? { nth } : every !== undefined ? { every } : null;
      if (limit && !(await shared.count(ruleScope(rule.id), sharedKey(sig, 'n'), limit, now))) continue;
      if (!this.#chanceAllows(compiled)) continue;
      let outcome = this.#act(rule, ctx, true);
      if (outcome === 'stateful') {
        const a = rule.action;
        const client = clientKey(ctx.clientAddress);
        const refuse =
          a.kind === 'greylist'
            ? await this.#greylistedShared(shared, rule.id, sig, a.seconds, ctx, now)
            : a.kind === 'throttle' &&
              (await shared.throttle(ruleScope(rule.id), sharedKey(sig, client), a.perMinute, now));
        outcome = refuse ? { ...(a.kind === 'greylist' ? GREYLIST_REPLY : THROTTLE_REPLY) } : 'pass';
      }
      if (this.#record(decision, rule.id, outcome)) break;
    }
    return decision;
  }

  /** Adds one rule's outcome to the decision; true when no later rule may run (a reply or a drop). */
  #record(decision: FaultDecision, id: string, outcome: 'pass' | 'drop' | number | FaultReply): boolean {
    if (outcome === 'pass') return false;
    decision.fired.push(id);
    this.#hits.set(id, (this.#hits.get(id) ?? 0) + 1);
    if (typeof outcome === 'number') {
      // Several delay rules add up; the total is capped like one delay (see MAX_DELAY_MS).
      decision.delayMs = Math.min(MAX_DELAY_MS, decision.delayMs + outcome);
      return false;
    }
    if (outcome === 'drop') decision.drop = true;
    else decision.reply = { ...outcome };
    return true;
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

  /**
   * 'pass' = the rule matched but lets this event through (greylist retry accepted, throttle under limit).
   * With `stateful` set, greylist and throttle answer 'stateful' and the caller asks the shared state.
   */
  #act(rule: FaultRule, ctx: FaultContext): 'pass' | 'drop' | number | FaultReply;
  #act(rule: FaultRule, ctx: FaultContext, stateful: true): 'pass' | 'drop' | number | FaultReply | 'stateful';
  #act(rule: FaultRule, ctx: FaultContext, stateful = false): 'pass' | 'drop' | number | FaultReply | 'stateful' {
    const a = rule.action;
    if (stateful && (a.kind === 'greylist' || a.kind === 'throttle')) return 'stateful';
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

  /** Every recipient's triple is recorded in the shared state, as #greylisted does in memory. */
  async #greylistedShared(
    shared: SharedCaptureState,
    ruleId: string,
    sig: string,
    seconds: number,
    ctx: FaultContext,
    now: number,
  ): Promise<boolean> {
    const sender = (ctx.mailFrom ?? '').toLowerCase();
    const client = clientKey(ctx.clientAddress);
    let refuse = false;
    for (const rcpt of new Set((ctx.rcptTo ?? []).map((r) => r.toLowerCase()))) {
      if (await shared.greylist(ruleScope(ruleId), sharedKey(sig, sender, rcpt, client), seconds, now)) refuse = true;
    }
    return refuse;
  }

  /** `signature`: the rule's new form when it was edited; its shared keys (other instances may use them) stay. */
  #forgetState(id: string, signature?: string): void {
    this.#events.delete(id);
    this.#greylist.forgetRule(id);
    this.#throttle.forgetRule(id);
    const shared = this.#shared;
    if (!shared) return;
    shared
      .forget(
        ruleScope(id),
        signature === undefined ? undefined : sharedKey(signatureKey(signature)).slice(0, -1) + ',',
      )
      .catch((err: unknown) =>
        this.#warn(`[faults] could not reset the shared state of rule "${id}": ${(err as Error).message}`),
      );
  }
}

/** The rules whose outcome depends on what came before: they keep (shared) state. */
function usesState(rule: FaultRule): boolean {
  const { nth, every } = rule.match;
  return nth !== undefined || every !== undefined || rule.action.kind === 'greylist' || rule.action.kind === 'throttle';
}

/** A key of the shared state: JSON, so no part can run into the next and every byte is text a database takes. */
function sharedKey(...parts: string[]): string {
  return JSON.stringify(parts);
}

function ruleScope(id: string): string {
  return `rule:${id}`;
}

/** A short, stable name for a rule's form (its signature can be long). */
function signatureKey(signature: string): string {
  return createHash('sha256').update(signature).digest('base64url').slice(0, 22);
}

function clientKey(address: string): string {
  return normalizeClientAddress(address) ?? String(address).slice(0, 64);
}
