// The failed-token limit on its own clock: the window ends, the table stays bounded, and clients are keyed so that
// one host cannot rotate through its own addresses.
import { describe, expect, it } from 'vitest';
import {
  FAILURE_WINDOW_MS,
  FailedAttempts,
  MAX_FAILURES,
  MAX_TRACKED_CLIENTS,
  clientKey,
} from '../../../src-main/serve/failed-attempts.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('FailedAttempts', () => {
  it('blocks after MAX_FAILURES in a window, says how long, and forgets when the window ends', () => {
    const c = clock();
    const attempts = new FailedAttempts(c.now);
    for (let i = 0; i < MAX_FAILURES - 1; i++) attempts.recordFailure('192.0.2.1');
    expect(attempts.retryAfterMs('192.0.2.1')).toBe(0);
    attempts.recordFailure('192.0.2.1');
    expect(attempts.retryAfterMs('192.0.2.1')).toBe(FAILURE_WINDOW_MS);
    expect(attempts.retryAfterMs('192.0.2.2')).toBe(0);
    c.advance(FAILURE_WINDOW_MS - 1);
    expect(attempts.retryAfterMs('192.0.2.1')).toBe(1);
    c.advance(1);
    expect(attempts.retryAfterMs('192.0.2.1')).toBe(0);
    expect(attempts.size).toBe(0);
    attempts.recordFailure('192.0.2.1');
    expect(attempts.retryAfterMs('192.0.2.1')).toBe(0);
  });

  it('keeps at most MAX_TRACKED_CLIENTS entries, dropping expired ones first, then the oldest', () => {
    const c = clock();
    const attempts = new FailedAttempts(c.now);
    for (let i = 0; i < MAX_FAILURES; i++) attempts.recordFailure('198.51.100.1');
    c.advance(FAILURE_WINDOW_MS / 2);
    for (let i = 0; i < MAX_TRACKED_CLIENTS + 500; i++)
      attempts.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(attempts.size).toBe(MAX_TRACKED_CLIENTS);
    // The blocked client was the oldest entry, so it went first; the newest are all there.
    expect(attempts.retryAfterMs('198.51.100.1')).toBe(0);
    c.advance(FAILURE_WINDOW_MS);
    attempts.recordFailure('203.0.113.9');
    expect(attempts.size).toBe(1);
  });
});

describe('clientKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and other IPv6 by /64', () => {
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('2001:db8:1:2::1')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:9'));
    expect(clientKey('2001:0db8:0001:0002::1')).toBe(clientKey('2001:db8:1:2::2'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
