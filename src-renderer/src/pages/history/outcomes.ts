// The send outcomes as the filter lists them; a copy of the contract's list, since the renderer must not load zod
// at run time (test/unit/renderer/state/history.test.ts keeps the two equal).
export const SEND_OUTCOME_NAMES = ['delivered', 'partial', 'rejected', 'failed', 'refused'] as const;
