// Shared builders for the fault-engine tests: a rule with defaults, a context with defaults, a movable clock.
import type { FaultContext, FaultRule } from '../../../../src-main/capture/faults/index.js';

export function rule(overrides: Partial<FaultRule> & { match: FaultRule['match'] }): FaultRule {
  return {
    id: overrides.id ?? `r-${Math.random().toString(36).slice(2)}`,
    name: overrides.name ?? 'test rule',
    enabled: overrides.enabled ?? true,
    action: overrides.action ?? { kind: 'reply', code: 550, enhanced: '5.7.1', text: 'No' },
    ...overrides,
  };
}

export function ctx(overrides: Partial<FaultContext> & { stage: FaultContext['stage'] }): FaultContext {
  return { listenerId: 'smtp', clientAddress: '127.0.0.1', ...overrides };
}

export function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
