// Fault rules: failures on demand, as a product feature. A rule matches an SMTP stage (plus optional
// patterns, a count and a probability) and answers with a reply, a delay, a dropped connection,
// greylisting or throttling. This module decides; the listener carries the decision out.
// Must not import electron, the store, smtp-server or any binding.

export type FaultStage = 'connect' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'afterData';

export interface FaultMatch {
  stage: FaultStage;
  /** Glob-like patterns (`*@example.test`, `user?@*`), case-insensitive; absent = any. */
  sender?: string;
  recipient?: string;
  authUser?: string;
  /** CIDR (`127.0.0.0/8`, `::1/128`) or a single address. */
  clientAddress?: string;
  /** Fire only on the Nth matching event (`nth: 3`), or on every Nth (`every: 10`). */
  nth?: number;
  every?: number;
  /** 0..1, default 1. */
  probability?: number;
}

export type FaultAction =
  | { kind: 'reply'; code: number; enhanced?: string; text: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'greylist'; seconds: number }
  | { kind: 'throttle'; perMinute: number };

export interface FaultRule {
  id: string;
  name: string;
  enabled: boolean;
  /** Listener ids the rule applies to; empty or absent = every listener. */
  listeners?: string[];
  match: FaultMatch;
  action: FaultAction;
}

export interface FaultContext {
  listenerId: string;
  stage: FaultStage;
  clientAddress: string;
  mailFrom?: string;
  /** At 'rcpt' the recipient being added; at 'data'/'afterData' every recipient. */
  rcptTo?: string[];
  authUser?: string | null;
}

/** What the listener must do. `delayMs` first (if any), then `drop` or `reply` (if any), else carry on. */
export interface FaultDecision {
  delayMs: number;
  reply: { code: number; enhanced: string | null; text: string } | null;
  drop: boolean;
  /** Ids of the rules that fired (each counted once in hits()). */
  fired: string[];
}

export interface FaultEngineOptions {
  now?: () => number;
  random?: () => number;
}

export class FaultEngine {
  constructor(rules: FaultRule[], options: FaultEngineOptions = {}) {
    void rules;
    void options;
  }
  /** Replaces the rules; hit counts of rules that keep their id are kept. Throws MailwrightError('invalid_argument', …, field) for a bad rule. */
  setRules(rules: FaultRule[]): void {
    void rules;
  }
  evaluate(ctx: FaultContext): FaultDecision {
    void ctx;
    return { delayMs: 0, reply: null, drop: false, fired: [] };
  }
  hits(): Record<string, number> {
    return {};
  }
}
