// The fault-rule data shapes shared by the engine, the validator, the presets and the listener that carries
// decisions out. Plain data only: no imports.

export type FaultStage = 'connect' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'afterData';

export const FAULT_STAGES: readonly FaultStage[] = ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'afterData'];

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

export interface FaultReply {
  code: number;
  enhanced: string | null;
  text: string;
}

/** What the listener must do. `delayMs` first (if any), then `drop` or `reply` (if any), else carry on. */
export interface FaultDecision {
  delayMs: number;
  reply: FaultReply | null;
  drop: boolean;
  /** Ids of the rules that fired (each counted once in hits()). */
  fired: string[];
}

export interface FaultEngineOptions {
  now?: () => number;
  random?: () => number;
}
