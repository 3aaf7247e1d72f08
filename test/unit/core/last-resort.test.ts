// The last-resort policy's counting: isolated errors keep the process up however many there are over time; only
// STORM_LIMIT within STORM_WINDOW_MS shut it down, once; a failing report never hides the error.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { STORM_LIMIT, STORM_WINDOW_MS, installLastResort } from '../../../src-main/core/last-resort.js';

function harness() {
  const proc = new EventEmitter();
  const seen = { logs: [] as string[], reports: [] as string[], shutdowns: [] as string[], now: 0 };
  const uninstall = installLastResort(proc, {
    label: '[test]',
    log: (t) => seen.logs.push(t),
    report: (t) => seen.reports.push(t),
    shutdown: (r) => seen.shutdowns.push(r),
    now: () => seen.now,
  });
  return { proc, seen, uninstall };
}

describe('last-resort policy', () => {
  it('errors spread out over time never shut down', () => {
    const { proc, seen } = harness();
    for (let i = 0; i < STORM_LIMIT * 3; i++) {
      // Any STORM_LIMIT in a row then span more than the window.
      seen.now += STORM_WINDOW_MS / (STORM_LIMIT - 2);
      proc.emit(i % 2 ? 'uncaughtException' : 'unhandledRejection', new Error(`e${i}`));
    }
    expect(seen.shutdowns).toEqual([]);
    expect(seen.reports).toHaveLength(STORM_LIMIT * 3);
    expect(seen.logs[0]).toMatch(/^\[test\] unhandled promise rejection: Error: e0\n\s+at /);
  });

  it(`${STORM_LIMIT} within the window shut down once; later errors are only logged`, () => {
    const { proc, seen } = harness();
    for (let i = 0; i < STORM_LIMIT + 3; i++) proc.emit('uncaughtException', new Error(`e${i}`));
    expect(seen.shutdowns).toHaveLength(1);
    expect(seen.shutdowns[0]).toMatch(/exit 70/);
    expect(seen.reports).toHaveLength(STORM_LIMIT - 1);
    expect(seen.logs).toHaveLength(STORM_LIMIT + 3);
  });

  it('a report that throws is logged, not thrown again; uninstall removes both handlers', () => {
    const proc = new EventEmitter();
    const logs: string[] = [];
    const uninstall = installLastResort(proc, {
      label: '[test]',
      log: (t) => logs.push(t),
      report: () => {
        throw new Error('report broke');
      },
      shutdown: () => {},
    });
    expect(() => proc.emit('unhandledRejection', 'a plain string')).not.toThrow();
    expect(logs).toEqual([
      '[test] unhandled promise rejection: a plain string',
      '[test] could not report the error: report broke',
    ]);
    uninstall();
    expect(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection')).toBe(0);
  });
});
