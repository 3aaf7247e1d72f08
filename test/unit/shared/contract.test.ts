// The contract is merged from one verb table per capability: a name in two tables would silently lose one of them.
import { describe, expect, it } from 'vitest';
import {
  CALL_NAMES,
  CAPABILITY_VERBS,
  DESKTOP_CALL_NAMES,
  callArgs,
  desktopCallArgs,
  isCallName,
  verbs,
} from '../../../src-shared/index.js';

describe('contract names', () => {
  it('merges the capability tables without losing or repeating a verb', () => {
    const perCapability = Object.values(CAPABILITY_VERBS).flatMap((table) => Object.keys(table));
    expect(new Set(perCapability).size).toBe(perCapability.length);
    expect([...perCapability].sort()).toEqual([...CALL_NAMES].sort());
    expect(Object.keys(callArgs).sort()).toEqual([...CALL_NAMES].sort());
    expect(Object.keys(verbs).sort()).toEqual([...CALL_NAMES].sort());
    expect([...DESKTOP_CALL_NAMES].sort()).toEqual(Object.keys(desktopCallArgs).sort());
  });

  it('gives every verb an argument schema and a result schema', () => {
    for (const name of CALL_NAMES) {
      expect(typeof verbs[name].args.safeParse, name).toBe('function');
      expect(typeof verbs[name].result.safeParse, name).toBe('function');
    }
  });

  it('recognises only contract verbs', () => {
    expect(isCallName('messages.list')).toBe(true);
    expect(isCallName('desktop.saveRaw')).toBe(false);
    expect(isCallName('__proto__')).toBe(false);
    expect(isCallName('toString')).toBe(false);
  });
});
