// The greylist and throttle memories stay bounded however many clients come, and forget the oldest first.
import { describe, expect, it } from 'vitest';
import {
  BoundedMap,
  GREYLIST_MAX_ENTRIES,
  GreylistStore,
  THROTTLE_MAX_CLIENTS,
  ThrottleStore,
} from '../../../../src-main/capture/faults/state.js';
import { FaultEngine } from '../../../../src-main/capture/faults/index.js';
import { clock, ctx, rule } from './helpers.js';

describe('bounded state', () => {
  it('BoundedMap evicts the least recently touched key', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    m.set('c', 4);
    expect(m.size).toBe(2);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(3);
  });

  it('the greylist store never holds more than its cap; the oldest triple is forgotten', () => {
    const g = new GreylistStore();
    for (let i = 0; i < GREYLIST_MAX_ENTRIES + 500; i++) g.attempt(`r\u0000s\u0000rcpt${i}\u0000c`, 60, 0);
    expect(g.size).toBe(GREYLIST_MAX_ENTRIES);
    // rcpt0 was evicted, so after the wait it is greylisted again as a first attempt; the newest is accepted.
    expect(g.attempt('r\u0000s\u0000rcpt0\u0000c', 60, 60_000)).toBe(true);
    expect(g.attempt(`r\u0000s\u0000rcpt${GREYLIST_MAX_ENTRIES + 499}\u0000c`, 60, 60_000)).toBe(false);
  });

  it('the throttle store never holds more than its cap of clients, and each window at most perMinute stamps', () => {
    const t = new ThrottleStore();
    for (let i = 0; i < THROTTLE_MAX_CLIENTS + 200; i++) t.attempt(`r\u0000client${i}`, 5, 0);
    expect(t.size).toBe(THROTTLE_MAX_CLIENTS);
    for (let i = 0; i < 50; i++) t.attempt('r\u0000busy', 5, i);
    expect(t.attempt('r\u0000busy', 5, 59_999)).toBe(true);
    expect(t.attempt('r\u0000busy', 5, 60_000)).toBe(false);
  });

  it('an engine greylisting a spray of recipients stays bounded and still works', () => {
    const c = clock();
    const e = new FaultEngine([rule({ id: 'g', match: { stage: 'rcpt' }, action: { kind: 'greylist', seconds: 1 } })], {
      now: c.now,
    });
    for (let i = 0; i < GREYLIST_MAX_ENTRIES + 100; i++)
      e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'spam@x', rcptTo: [`u${i}@y`] }));
    c.advance(1000);
    expect(
      e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'spam@x', rcptTo: [`u${GREYLIST_MAX_ENTRIES + 99}@y`] })).reply,
    ).toBeNull();
    expect(e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'spam@x', rcptTo: ['u0@y'] })).reply?.code).toBe(451);
  });

  it('removing a rule forgets its greylist triples', () => {
    const c = clock();
    const g = rule({ id: 'g', match: { stage: 'rcpt' }, action: { kind: 'greylist', seconds: 1 } });
    const e = new FaultEngine([g], { now: c.now });
    const attempt = () => e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'a@x', rcptTo: ['b@y'] }));
    attempt();
    c.advance(1000);
    e.setRules([]);
    e.setRules([g]);
    expect(attempt().reply?.code).toBe(451);
  });
});
