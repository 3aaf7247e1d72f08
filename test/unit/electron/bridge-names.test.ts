// The preload's zod-free name lists must equal the contract's, at run time as well as in the types.
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, desktopCallArgs } from '../../../src-shared/index.js';
import { CONTRACT_VERBS, DESKTOP_VERBS, EVENT_CHANNEL, INVOKE_CHANNEL } from '../../../src-main/electron/bridge-names.js';

describe('bridge names', () => {
  it('lists exactly the contract verbs and desktop verbs', () => {
    expect([...CONTRACT_VERBS].sort()).toEqual([...CALL_NAMES].sort());
    expect([...DESKTOP_VERBS].sort()).toEqual(Object.keys(desktopCallArgs).sort());
  });

  it('uses the contract channels', () => {
    expect(INVOKE_CHANNEL).toBe(IPC_INVOKE_CHANNEL);
    expect(EVENT_CHANNEL).toBe(IPC_EVENT_CHANNEL);
  });
});
