// Policy building blocks with a fake clock: per-client rate windows and AUTH lockout, both bounded in memory.
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { GlobMatcher } from '../../../src-main/capture/faults/index.js';
import {
  AuthLockout,
  MAX_TRACKED_CLIENTS,
  RateWindow,
  clientAllowed,
  compileCidrs,
  compileGlobs,
} from '../../../src-main/capture/policy.js';

describe('RateWindow', () => {
  it('allows `limit` events per window and frees slots as the previous window slides out', () => {
    let now = 0;
    const w = new RateWindow(2, 60_000, () => now);
    expect([w.take('a'), w.take('a'), w.take('a'), w.take('b')]).toEqual([true, true, false, true]);
    now = 59_999;
    expect(w.take('a')).toBe(false);
    now = 60_000; // the previous window still overlaps fully
    expect(w.take('a')).toBe(false);
    now = 90_000; // half of it overlaps: 2 * 0.5 = 1 counted, one slot free
    expect([w.take('a'), w.take('a')]).toEqual([true, false]);
    now = 180_000; // two windows later nothing is left
    expect([w.take('a'), w.take('a'), w.take('a')]).toEqual([true, true, false]);
  });

  it('forgets the least recently seen client past MAX_TRACKED_CLIENTS', () => {
    const w = new RateWindow(1, 60_000, () => 0);
    for (let i = 0; i <= MAX_TRACKED_CLIENTS; i++) w.take(`10.0.${i >> 8}.${i & 255}`);
    expect(w.size).toBe(MAX_TRACKED_CLIENTS);
    expect(w.take('10.0.0.0')).toBe(true); // evicted, so a fresh window
  });
});

describe('AuthLockout', () => {
  it('locks after maxFailures within the window, for lockSeconds', () => {
    let now = 0;
    const l = new AuthLockout({ maxFailures: 3, windowSeconds: 10, lockSeconds: 30 }, () => now);
    expect([l.fail('c'), l.fail('c')]).toEqual([0, 0]);
    expect(l.lockedFor('c')).toBe(0);
    expect(l.fail('c')).toBe(30);
    now = 1_000;
    expect(l.lockedFor('c')).toBe(29);
    now = 31_000;
    expect(l.lockedFor('c')).toBe(0);
  });

  it('does not count failures that left the window, and a success clears the count', () => {
    let now = 0;
    const l = new AuthLockout({ maxFailures: 2, windowSeconds: 10, lockSeconds: 30 }, () => now);
    l.fail('c');
    now = 10_000;
    expect(l.fail('c')).toBe(0);
    l.succeed('c');
    expect(l.fail('c')).toBe(0);
    expect(l.fail('c')).toBe(30);
  });
});

describe('patterns and CIDRs', () => {
  it('globs match the whole address, case-insensitively, with regex characters literal', () => {
    const list = compileGlobs(['a.b+c@*.test']) as GlobMatcher[];
    expect(list[0]!('A.B+C@x.TEST')).toBe(true);
    expect(list[0]!('aXb+c@x.test')).toBe(false);
    // Many stars against a long near-miss: linear, no catastrophic backtracking.
    const stars = compileGlobs([`${'*a'.repeat(60)}b`]) as GlobMatcher[];
    expect(stars[0]!('a'.repeat(250))).toBe(false);
    expect(compileGlobs([])).toBeNull();
    expect(compileGlobs(['ok', '  '])).toMatch(/empty/);
  });

  it('IPv4 clients reported as IPv4-mapped IPv6 are matched against IPv4 blocks', () => {
    const list = compileCidrs(['127.0.0.0/8']) as net.BlockList;
    expect(clientAllowed(list, '::ffff:127.0.0.1')).toBe(true);
    expect(clientAllowed(list, '10.0.0.1')).toBe(false);
    expect(clientAllowed(list, 'not-an-ip')).toBe(false);
    expect(compileCidrs(['1.2.3.4/8/9'])).toMatch(/not an IP address/);
  });
});
