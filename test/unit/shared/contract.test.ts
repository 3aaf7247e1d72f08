// The zod-free name lists (used by the sandboxed preload) must equal the contract's schemas at run time too.
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, DESKTOP_CALL_NAMES, callArgs, desktopCallArgs, isCallName } from '../../../src-shared/index.js';

describe('contract names', () => {
  it('lists exactly the verbs that have argument schemas', () => {
    expect([...CALL_NAMES].sort()).toEqual(Object.keys(callArgs).sort());
    expect([...DESKTOP_CALL_NAMES].sort()).toEqual(Object.keys(desktopCallArgs).sort());
  });

  it('recognises only contract verbs', () => {
    expect(isCallName('messages.list')).toBe(true);
    expect(isCallName('desktop.saveRaw')).toBe(false);
    expect(isCallName('__proto__')).toBe(false);
    expect(isCallName('toString')).toBe(false);
  });
});
