// Greylisting and throttling with an injected clock: refuse first, accept the retry once the time has passed;
// 421 after N events a minute per client, a slot freed as the minute slides.
import { describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../../src-main/capture/faults/index.js';
import { clock, ctx, rule } from './helpers.js';

const GREY = { code: 451, enhanced: '4.7.1', text: 'Greylisted, please try again later' };
const THROTTLED = { code: 421, enhanced: '4.7.0', text: 'Rate limit exceeded, try again later' };

describe('greylist', () => {
  const grey = (stage: 'rcpt' | 'data', seconds = 60) =>
    rule({ id: 'grey', match: { stage }, action: { kind: 'greylist', seconds } });

  it('refuses the first attempt, refuses an early retry, accepts a retry after the wait', () => {
    const c = clock();
    const e = new FaultEngine([grey('rcpt')], { now: c.now });
    const attempt = () => e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'a@x', rcptTo: ['b@y'] }));
    expect(attempt().reply).toEqual(GREY);
    c.advance(30_000);
    expect(attempt().reply).toEqual(GREY);
    c.advance(29_999);
    expect(attempt().reply).toEqual(GREY);
    c.advance(1);
    const ok = attempt();
    expect(ok.reply).toBeNull();
    expect(ok.fired).toEqual([]);
    c.advance(3_600_000);
    expect(attempt().reply).toBeNull();
    expect(e.hits()).toEqual({ grey: 3 });
  });

  it('keys the triple on sender, recipient and client address (case-insensitive, mapped IPv4 = IPv4)', () => {
    const c = clock();
    const e = new FaultEngine([grey('rcpt')], { now: c.now });
    const base = { stage: 'rcpt' as const, mailFrom: 'a@x', rcptTo: ['b@y'], clientAddress: '127.0.0.1' };
    expect(e.evaluate(ctx(base)).reply).toEqual(GREY);
    c.advance(60_000);
    expect(e.evaluate(ctx({ ...base, mailFrom: 'A@X', clientAddress: '::ffff:127.0.0.1' })).reply).toBeNull();
    expect(e.evaluate(ctx({ ...base, mailFrom: 'other@x' })).reply).toEqual(GREY);
    expect(e.evaluate(ctx({ ...base, rcptTo: ['other@y'] })).reply).toEqual(GREY);
    expect(e.evaluate(ctx({ ...base, clientAddress: '127.0.0.2' })).reply).toEqual(GREY);
  });

  it('forgets a triple after a day unseen, so the next attempt is greylisted again', () => {
    const c = clock();
    const e = new FaultEngine([grey('rcpt')], { now: c.now });
    const attempt = () => e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'a@x', rcptTo: ['b@y'] }));
    attempt();
    c.advance(60_000);
    expect(attempt().reply).toBeNull();
    c.advance(24 * 3_600_000 + 1);
    expect(attempt().reply).toEqual(GREY);
  });

  it('at data each recipient is a triple; one new triple refuses the message', () => {
    const c = clock();
    const e = new FaultEngine([grey('data', 10)], { now: c.now });
    const data = (rcptTo: string[]) => e.evaluate(ctx({ stage: 'data', mailFrom: 'a@x', rcptTo }));
    expect(data(['b@y', 'c@y']).reply).toEqual(GREY);
    c.advance(10_000);
    expect(data(['b@y', 'c@y']).reply).toBeNull();
    expect(data(['b@y', 'new@y']).reply).toEqual(GREY);
    c.advance(10_000);
    expect(data(['b@y', 'new@y']).reply).toBeNull();
  });

  it('a greylist rule that lets the retry through does not stop later rules', () => {
    const c = clock();
    const e = new FaultEngine(
      [
        grey('rcpt', 1),
        rule({
          id: 'full',
          match: { stage: 'rcpt' },
          action: { kind: 'reply', code: 552, enhanced: '5.2.2', text: 'Mailbox full' },
        }),
      ],
      { now: c.now },
    );
    const attempt = () => e.evaluate(ctx({ stage: 'rcpt', mailFrom: 'a@x', rcptTo: ['b@y'] }));
    expect(attempt().fired).toEqual(['grey']);
    c.advance(1000);
    expect(attempt().fired).toEqual(['full']);
  });
});

describe('throttle', () => {
  const throttle = (perMinute: number) =>
    rule({ id: 'th', match: { stage: 'mail' }, action: { kind: 'throttle', perMinute } });
  const mail = (e: FaultEngine, clientAddress = '127.0.0.1') =>
    e.evaluate(ctx({ stage: 'mail', mailFrom: 'a@x', clientAddress }));

  it('accepts N events a minute, answers 421 4.7.0 after that', () => {
    const c = clock();
    const e = new FaultEngine([throttle(3)], { now: c.now });
    const replies = Array.from({ length: 5 }, () => mail(e).reply);
    expect(replies).toEqual([null, null, null, THROTTLED, THROTTLED]);
    expect(e.hits()).toEqual({ th: 2 });
  });

  it('slides: a slot frees a minute after the event that took it', () => {
    const c = clock();
    const e = new FaultEngine([throttle(2)], { now: c.now });
    mail(e);
    c.advance(30_000);
    mail(e);
    expect(mail(e).reply).toEqual(THROTTLED);
    c.advance(29_999);
    expect(mail(e).reply).toEqual(THROTTLED);
    c.advance(1);
    expect(mail(e).reply).toBeNull();
    expect(mail(e).reply).toEqual(THROTTLED);
  });

  it('counts per client address', () => {
    const c = clock();
    const e = new FaultEngine([throttle(1)], { now: c.now });
    expect(mail(e, '10.0.0.1').reply).toBeNull();
    expect(mail(e, '10.0.0.2').reply).toBeNull();
    expect(mail(e, '::ffff:10.0.0.1').reply).toEqual(THROTTLED);
  });
});
