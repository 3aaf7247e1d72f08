// The fault-rule data shapes shared by the engine, the validator, the presets and the listener that carries
// decisions out. Plain data only: the rule shapes are the contract's.

import type { FaultStage } from '../../../src-shared/index.js';
export type { FaultAction, FaultMatch, FaultRule, FaultStage } from '../../../src-shared/index.js';
export { FAULT_STAGES } from '../../../src-shared/index.js';

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
  /** Problems with the shared state that no event is waiting on (a reset that failed). Default: console.warn. */
  warn?: (text: string) => void;
}
