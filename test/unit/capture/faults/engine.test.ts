// Matching and evaluation order: stage, listener, patterns, client address, counts, probability, delays
// that add up, the first reply or drop ending the walk, and hit counts that survive setRules.
import { describe, expect, it } from 'vitest';
import { FaultEngine, MAX_DELAY_MS, seededRandom } from '../../../../src-main/capture/faults/index.js';
import { ctx, rule } from './helpers.js';

const reply = (code: number, text = 'x') => ({ kind: 'reply' as const, code, text });

describe('FaultEngine matching', () => {
  it('fires only at its stage', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'mail' } })]);
    expect(e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'a@x' })).reply).toBeNull();
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'a@x' })).reply?.code).toBe(550);
  });

  it('an empty decision when nothing matches', () => {
    expect(new FaultEngine([]).evaluate(ctx({ stage: 'connect' }))).toEqual({
      delayMs: 0,
      reply: null,
      drop: false,
      fired: [],
    });
  });

  it('a disabled rule never fires', () => {
    const e = new FaultEngine([rule({ id: 'a', enabled: false, match: { stage: 'connect' } })]);
    expect(e.evaluate(ctx({ stage: 'connect' })).fired).toEqual([]);
    expect(e.hits()).toEqual({});
  });

  it('is active only at stages with an enabled rule, and follows setRules', () => {
    const e = new FaultEngine([
      rule({ id: 'a', match: { stage: 'rcpt' } }),
      rule({ id: 'b', enabled: false, match: { stage: 'mail' } }),
    ]);
    expect(
      ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'afterData'].filter((s) => e.active(s as never)),
    ).toEqual(['rcpt']);
    e.setRules([rule({ id: 'b', match: { stage: 'mail' } })]);
    expect(e.active('mail')).toBe(true);
    expect(e.active('rcpt')).toBe(false);
  });

  it('filters by listener; empty or absent list means every listener', () => {
    const e = new FaultEngine([
      rule({ id: 'only-587', listeners: ['sub'], match: { stage: 'connect' }, action: { kind: 'delay', ms: 1 } }),
      rule({ id: 'empty', listeners: [], match: { stage: 'connect' }, action: { kind: 'delay', ms: 10 } }),
      rule({ id: 'absent', match: { stage: 'connect' }, action: { kind: 'delay', ms: 100 } }),
    ]);
    expect(e.evaluate(ctx({ stage: 'connect', listenerId: 'sub' })).delayMs).toBe(111);
    expect(e.evaluate(ctx({ stage: 'connect', listenerId: 'relay' })).fired).toEqual(['empty', 'absent']);
  });

  it('matches the sender pattern; no sender known means no match', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'mail', sender: '*@bad.test' } })]);
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'Eve@BAD.test' })).reply).not.toBeNull();
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'eve@good.test' })).reply).toBeNull();
    expect(e.evaluate(ctx({ stage: 'mail' })).reply).toBeNull();
  });

  it('the null sender (<>) is the empty string and matches *', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'mail', sender: '*' } })]);
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: '' })).reply).not.toBeNull();
  });

  it('at rcpt the recipient pattern tests the recipient being added', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'rcpt', recipient: 'full@*' } })]);
    expect(e.evaluate(ctx({ stage: 'rcpt', mailFrom: 's@x', rcptTo: ['full@x.test'] })).reply).not.toBeNull();
    expect(e.evaluate(ctx({ stage: 'rcpt', mailFrom: 's@x', rcptTo: ['ok@x.test'] })).reply).toBeNull();
  });

  it('at data and afterData the recipient pattern matches when any recipient matches', () => {
    for (const stage of ['data', 'afterData'] as const) {
      const e = new FaultEngine([rule({ id: 'a', match: { stage, recipient: 'full@*' } })]);
      expect(e.evaluate(ctx({ stage, rcptTo: ['ok@x', 'FULL@y'] })).reply).not.toBeNull();
      expect(e.evaluate(ctx({ stage, rcptTo: ['ok@x', 'fine@y'] })).reply).toBeNull();
      expect(e.evaluate(ctx({ stage, rcptTo: [] })).reply).toBeNull();
    }
  });

  it('matches the authenticated user; an anonymous session does not match', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'mail', authUser: 'test-?' } })]);
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'a@x', authUser: 'Test-1' })).reply).not.toBeNull();
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'a@x', authUser: 'prod-1' })).reply).toBeNull();
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'a@x', authUser: null })).reply).toBeNull();
  });

  it('matches the client address by CIDR, including IPv4-mapped IPv6 clients', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'connect', clientAddress: '127.0.0.0/8' } })]);
    expect(e.evaluate(ctx({ stage: 'connect', clientAddress: '::ffff:127.0.0.1' })).reply).not.toBeNull();
    expect(e.evaluate(ctx({ stage: 'connect', clientAddress: '192.0.2.1' })).reply).toBeNull();
    expect(e.evaluate(ctx({ stage: 'connect', clientAddress: '::1' })).reply).toBeNull();
  });

  it('every pattern must match (they combine with AND)', () => {
    const e = new FaultEngine([
      rule({ id: 'a', match: { stage: 'rcpt', sender: 'a@*', recipient: 'b@*', clientAddress: '10.0.0.0/8' } }),
    ]);
    const base = { stage: 'rcpt' as const, mailFrom: 'a@x', rcptTo: ['b@y'], clientAddress: '10.1.2.3' };
    expect(e.evaluate(ctx(base)).reply).not.toBeNull();
    expect(e.evaluate(ctx({ ...base, mailFrom: 'z@x' })).reply).toBeNull();
    expect(e.evaluate(ctx({ ...base, rcptTo: ['z@y'] })).reply).toBeNull();
    expect(e.evaluate(ctx({ ...base, clientAddress: '11.0.0.1' })).reply).toBeNull();
  });
});

describe('FaultEngine counts and probability', () => {
  it('nth fires on the Nth matching event only', () => {
    const e = new FaultEngine([rule({ id: 'third', match: { stage: 'data', nth: 3 } })]);
    const fired = Array.from({ length: 8 }, () => e.evaluate(ctx({ stage: 'data', rcptTo: ['a@x'] })).reply !== null);
    expect(fired).toEqual([false, false, true, false, false, false, false, false]);
    expect(e.hits()).toEqual({ third: 1 });
  });

  it('every fires on every Nth matching event', () => {
    const e = new FaultEngine([rule({ id: 'tenth', match: { stage: 'mail', every: 3 } })]);
    const fired = Array.from({ length: 9 }, () => e.evaluate(ctx({ stage: 'mail', mailFrom: 'a@x' })).reply !== null);
    expect(fired).toEqual([false, false, true, false, false, true, false, false, true]);
  });

  it('counts only events that match the rule (per rule)', () => {
    const e = new FaultEngine([
      rule({ id: 'bad', match: { stage: 'mail', sender: 'bad@*', nth: 2 } }),
      rule({ id: 'any', match: { stage: 'mail', nth: 2 }, action: { kind: 'delay', ms: 5 } }),
    ]);
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'good@x' })).fired).toEqual([]);
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'bad@x' })).fired).toEqual(['any']);
    expect(e.evaluate(ctx({ stage: 'mail', mailFrom: 'bad@x' })).fired).toEqual(['bad']);
  });

  it('probability uses the injected random(): same seed, same outcomes', () => {
    const run = () => {
      const e = new FaultEngine([rule({ id: 'p', match: { stage: 'connect', probability: 0.3 } })], {
        random: seededRandom(42),
      });
      return Array.from({ length: 200 }, () => e.evaluate(ctx({ stage: 'connect' })).reply !== null);
    };
    const a = run();
    expect(run()).toEqual(a);
    const n = a.filter(Boolean).length;
    expect(n).toBeGreaterThan(30);
    expect(n).toBeLessThan(90);
  });

  it('probability compares random() < p; 0 never fires, 1 always does', () => {
    const values = [0.49, 0.5, 0.51];
    const e = new FaultEngine([rule({ id: 'p', match: { stage: 'connect', probability: 0.5 } })], {
      random: () => values.shift()!,
    });
    expect([1, 2, 3].map(() => e.evaluate(ctx({ stage: 'connect' })).reply !== null)).toEqual([true, false, false]);
    const never = new FaultEngine([rule({ id: 'z', match: { stage: 'connect', probability: 0 } })], {
      random: () => 0,
    });
    expect(never.evaluate(ctx({ stage: 'connect' })).reply).toBeNull();
    const always = new FaultEngine([rule({ id: 'o', match: { stage: 'connect', probability: 1 } })], {
      random: () => 0.9999,
    });
    expect(always.evaluate(ctx({ stage: 'connect' })).reply).not.toBeNull();
  });
});

describe('FaultEngine evaluation order', () => {
  it('delays add up, then the first reply ends the walk', () => {
    const e = new FaultEngine([
      rule({ id: 'd1', match: { stage: 'data' }, action: { kind: 'delay', ms: 100 } }),
      rule({ id: 'd2', match: { stage: 'data' }, action: { kind: 'delay', ms: 250 } }),
      rule({ id: 'r1', match: { stage: 'data' }, action: reply(552, 'first') }),
      rule({ id: 'r2', match: { stage: 'data' }, action: reply(554, 'second') }),
      rule({ id: 'd3', match: { stage: 'data' }, action: { kind: 'delay', ms: 999 } }),
    ]);
    const d = e.evaluate(ctx({ stage: 'data', rcptTo: ['a@x'] }));
    expect(d).toEqual({
      delayMs: 350,
      reply: { code: 552, enhanced: null, text: 'first' },
      drop: false,
      fired: ['d1', 'd2', 'r1'],
    });
    expect(e.hits()).toEqual({ d1: 1, d2: 1, r1: 1 });
  });

  it('a drop ends the walk too', () => {
    const e = new FaultEngine([
      rule({ id: 'drop', match: { stage: 'data' }, action: { kind: 'drop' } }),
      rule({ id: 'r', match: { stage: 'data' }, action: reply(554) }),
    ]);
    expect(e.evaluate(ctx({ stage: 'data' }))).toEqual({ delayMs: 0, reply: null, drop: true, fired: ['drop'] });
  });

  it('the delay total is capped', () => {
    const e = new FaultEngine([
      rule({ id: 'a', match: { stage: 'connect' }, action: { kind: 'delay', ms: MAX_DELAY_MS } }),
      rule({ id: 'b', match: { stage: 'connect' }, action: { kind: 'delay', ms: MAX_DELAY_MS } }),
    ]);
    expect(e.evaluate(ctx({ stage: 'connect' })).delayMs).toBe(MAX_DELAY_MS);
  });

  it('the reply returned is a copy: changing it does not change the rule', () => {
    const e = new FaultEngine([rule({ id: 'a', match: { stage: 'connect' }, action: reply(421, 'bye') })]);
    e.evaluate(ctx({ stage: 'connect' })).reply!.text = 'mutated';
    expect(e.evaluate(ctx({ stage: 'connect' })).reply!.text).toBe('bye');
  });
});

describe('FaultEngine hits and setRules', () => {
  it('counts hits per rule id and keeps them for ids that remain', () => {
    const e = new FaultEngine([
      rule({ id: 'keep', match: { stage: 'connect' }, action: { kind: 'delay', ms: 1 } }),
      rule({ id: 'gone', match: { stage: 'connect' }, action: { kind: 'delay', ms: 1 } }),
    ]);
    e.evaluate(ctx({ stage: 'connect' }));
    e.evaluate(ctx({ stage: 'connect' }));
    expect(e.hits()).toEqual({ keep: 2, gone: 2 });
    e.setRules([
      rule({ id: 'keep', match: { stage: 'connect' }, action: { kind: 'delay', ms: 2 } }),
      rule({ id: 'new', match: { stage: 'ehlo' } }),
    ]);
    expect(e.hits()).toEqual({ keep: 2 });
    e.evaluate(ctx({ stage: 'connect' }));
    expect(e.hits()).toEqual({ keep: 3 });
    e.resetHits();
    expect(e.hits()).toEqual({});
  });

  it('an unchanged rule keeps its nth count across setRules; an edited one starts over', () => {
    const r = rule({ id: 'n', match: { stage: 'connect', nth: 2 } });
    const e = new FaultEngine([r]);
    e.evaluate(ctx({ stage: 'connect' }));
    e.setRules([{ ...r, name: 'renamed' }]);
    expect(e.evaluate(ctx({ stage: 'connect' })).fired).toEqual(['n']);
    e.setRules([{ ...r, match: { stage: 'connect', nth: 1 } }]);
    expect(e.evaluate(ctx({ stage: 'connect' })).fired).toEqual(['n']);
    expect(e.evaluate(ctx({ stage: 'connect' })).fired).toEqual([]);
  });

  it("holds its own copy of the rules: mutating the caller's array changes nothing", () => {
    const rules = [rule({ id: 'a', match: { stage: 'connect' }, action: reply(421, 'bye') })];
    const e = new FaultEngine(rules);
    rules[0]!.match.stage = 'ehlo';
    (rules[0]!.action as { text: string }).text = 'changed';
    expect(e.evaluate(ctx({ stage: 'connect' })).reply?.text).toBe('bye');
    expect(e.rules()[0]!.match.stage).toBe('connect');
  });
});
