// The shared-state path of the fault engine decides exactly as the in-memory one: the same script of events,
// once through evaluate() (one instance's memory) and once through decide() over MemoryCaptureState, gives the
// same decisions. And decide() stays synchronous wherever no shared state is needed.
import { describe, expect, it } from 'vitest';
import { FaultEngine, type FaultContext, type FaultRule } from '../../../src-main/capture/faults/index.js';
import { MemoryCaptureState } from '../../../src-main/capture/index.js';
import { AuthLockout } from '../../../src-main/capture/policy.js';

const rule = (id: string, match: FaultRule['match'], action: FaultRule['action']): FaultRule => ({
  id,
  name: id,
  enabled: true,
  match,
  action,
});
const REPLY = { kind: 'reply', code: 451, enhanced: '4.3.0', text: 'x' } as const;
const RULES: FaultRule[] = [
  rule('third', { stage: 'mail', nth: 3 }, REPLY),
  rule('every2', { stage: 'rcpt', every: 2, recipient: '*@even.test' }, { ...REPLY, code: 452 }),
  rule('grey', { stage: 'rcpt' }, { kind: 'greylist', seconds: 30 }),
  rule('slow', { stage: 'data' }, { kind: 'throttle', perMinute: 3 }),
  rule('delay', { stage: 'ehlo' }, { kind: 'delay', ms: 5 }),
];

/** A deterministic script of events: stages, clients, recipients and clock steps. */
function script(): { ctx: FaultContext; advance: number }[] {
  const out: { ctx: FaultContext; advance: number }[] = [];
  const stages = ['ehlo', 'mail', 'rcpt', 'data'] as const;
  for (let i = 0; i < 120; i++) {
    out.push({
      ctx: {
        listenerId: 'smtp',
        stage: stages[i % 4]!,
        clientAddress: `10.0.0.${i % 3}`,
        mailFrom: `s${i % 2}@example.test`,
        rcptTo: [i % 5 === 0 ? 'u@even.test' : `u${i % 4}@example.test`],
      },
      advance: (i * 7919) % 3_000,
    });
  }
  return out;
}

describe('MemoryCaptureState behind decide()', () => {
  it('decides every event as evaluate() does with its own memory', async () => {
    let t1 = 1_000_000;
    let t2 = 1_000_000;
    const local = new FaultEngine(RULES, { now: () => t1 });
    const shared = new FaultEngine(RULES, { now: () => t2 });
    shared.shareState(new MemoryCaptureState());
    for (const { ctx, advance } of script()) {
      t1 += advance;
      t2 += advance;
      expect(await shared.decide(ctx)).toEqual(local.evaluate(ctx));
    }
    expect(shared.hits()).toEqual(local.hits());
    expect(Object.keys(local.hits()).sort()).toEqual(['delay', 'every2', 'grey', 'slow', 'third']);
  });

  it('an edited rule counts afresh; an unchanged one keeps its count', async () => {
    const state = new MemoryCaptureState();
    const engine = new FaultEngine([rule('third', { stage: 'mail', nth: 3 }, REPLY)]);
    engine.shareState(state);
    const ctx: FaultContext = { listenerId: 'smtp', stage: 'mail', clientAddress: '10.0.0.1', mailFrom: 'a@x.test' };
    const fired = async () => (await engine.decide(ctx)).fired.length;
    expect([await fired(), await fired()]).toEqual([0, 0]);
    engine.setRules([rule('third', { stage: 'mail', nth: 3 }, REPLY)]); // unchanged
    expect(await fired()).toBe(1);
    engine.setRules([rule('third', { stage: 'mail', nth: 3 }, { ...REPLY, text: 'edited' })]);
    expect([await fired(), await fired(), await fired()]).toEqual([0, 0, 1]);
  });

  it('stays synchronous without a shared state and at stages with no stateful rule', () => {
    const engine = new FaultEngine(RULES);
    const ctx: FaultContext = { listenerId: 'smtp', stage: 'mail', clientAddress: '10.0.0.1' };
    expect(engine.decide(ctx)).not.toBeInstanceOf(Promise);
    engine.shareState(new MemoryCaptureState());
    expect(engine.decide({ ...ctx, stage: 'ehlo' })).not.toBeInstanceOf(Promise);
    expect(engine.decide(ctx)).toBeInstanceOf(Promise);
  });

  it('locks out as AuthLockout does', async () => {
    const limits = { maxFailures: 3, windowSeconds: 60, lockSeconds: 120 };
    let now = 5_000_000;
    const lockout = new AuthLockout(limits, () => now);
    const state = new MemoryCaptureState();
    const steps: ('fail' | 'ok' | number)[] = ['fail', 'fail', 'ok', 'fail', 30_000, 'fail', 40_000, 'fail', 'fail'];
    for (const step of [...steps, 'fail', 100_000, 'fail', 30_000, 'ok', 'fail'] as const) {
      if (typeof step === 'number') now += step;
      else if (step === 'ok') {
        lockout.succeed('c');
        await state.authSucceeded('auth:smtp', 'c');
      } else expect(await state.authFailed('auth:smtp', 'c', limits, now)).toBe(lockout.fail('c'));
      expect(await state.lockedFor('auth:smtp', 'c', now)).toBe(lockout.lockedFor('c'));
    }
  });
});
