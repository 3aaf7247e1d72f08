// setRules refuses bad rules with a MailwrightError that names the rule and the field, and a refused set
// never replaces the running one.
import { describe, expect, it } from 'vitest';
import { MailwrightError } from '../../../../src-shared/index.js';
import { FaultEngine, MAX_FAULT_RULES, type FaultRule } from '../../../../src-main/capture/faults/index.js';
import { ctx, rule } from './helpers.js';

function refusal(rules: unknown): MailwrightError {
  try {
    new FaultEngine([]).setRules(rules as FaultRule[]);
  } catch (err) {
    expect(err).toBeInstanceOf(MailwrightError);
    return err as MailwrightError;
  }
  throw new Error('setRules accepted invalid rules');
}

const ok = rule({ id: 'ok', name: 'fine', match: { stage: 'connect' } });
const bad = (
  patch: Record<string, unknown>,
  match: Record<string, unknown> = {},
  action?: Record<string, unknown>,
) => ({
  ...rule({ id: 'b', name: 'broken', match: { stage: 'rcpt', ...match } }),
  ...patch,
  ...(action ? { action } : {}),
});

describe('setRules validation', () => {
  it.each([
    ['faults.1.match.stage', bad({}, { stage: 'helo' }), /stage must be one of/],
    ['faults.1.match.sender', bad({}, { sender: 'x'.repeat(257) }), /longer than 256/],
    ['faults.1.match.sender', bad({}, { stage: 'connect', sender: '*@x' }), /not known yet at stage connect/],
    ['faults.1.match.recipient', bad({}, { stage: 'mail', recipient: '*@x' }), /not known yet/],
    ['faults.1.match.authUser', bad({}, { authUser: 42 }), /pattern/],
    ['faults.1.match.clientAddress', bad({}, { clientAddress: '10.0.0.0/33' }), /prefix/],
    ['faults.1.match.clientAddress', bad({}, { clientAddress: 'mail.example.test' }), /not an IP address/],
    ['faults.1.match.nth', bad({}, { nth: 0 }), /nth/],
    ['faults.1.match.every', bad({}, { every: 2.5 }), /every/],
    ['faults.1.match.every', bad({}, { nth: 2, every: 3 }), /either nth or every/],
    ['faults.1.match.probability', bad({}, { probability: 1.5 }), /probability/],
    ['faults.1.match.probability', bad({}, { probability: Number.NaN }), /probability/],
    ['faults.1.action.code', bad({}, {}, { kind: 'reply', code: 399, text: 'x' }), /400 to 599/],
    ['faults.1.action.code', bad({}, {}, { kind: 'reply', code: 250, text: 'Ok' }), /400 to 599/],
    ['faults.1.action.code', bad({}, {}, { kind: 'reply', code: 600, text: 'x' }), /400 to 599/],
    ['faults.1.match.authUser', bad({}, { stage: 'ehlo', authUser: 'qa' }), /not known yet at stage ehlo/],
    [
      'faults.1.action.enhanced',
      bad({}, {}, { kind: 'reply', code: 552, enhanced: '5.2', text: 'x' }),
      /look like 5.2.2/,
    ],
    [
      'faults.1.action.enhanced',
      bad({}, {}, { kind: 'reply', code: 552, enhanced: '5.2.2.1', text: 'x' }),
      /look like/,
    ],
    ['faults.1.action.enhanced', bad({}, {}, { kind: 'reply', code: 552, enhanced: '3.2.2', text: 'x' }), /look like/],
    [
      'faults.1.action.enhanced',
      bad({}, {}, { kind: 'reply', code: 552, enhanced: '4.2.2', text: 'x' }),
      /does not agree/,
    ],
    ['faults.1.action.text', bad({}, {}, { kind: 'reply', code: 550, text: 'a\r\n250 OK' }), /one line/],
    ['faults.1.action.text', bad({}, {}, { kind: 'reply', code: 550, text: 'bell\u0007' }), /control/],
    ['faults.1.action.text', bad({}, {}, { kind: 'reply', code: 550, text: 'x'.repeat(513) }), /at most 512/],
    ['faults.1.action.text', bad({}, {}, { kind: 'reply', code: 550, text: '  ' }), /empty/],
    ['faults.1.action.ms', bad({}, {}, { kind: 'delay', ms: -1 }), /ms must/],
    ['faults.1.action.ms', bad({}, {}, { kind: 'delay', ms: 10 * 60 * 1000 + 1 }), /ms must/],
    ['faults.1.action.seconds', bad({}, {}, { kind: 'greylist', seconds: 0 }), /seconds/],
    ['faults.1.match.stage', bad({}, { stage: 'mail' }, { kind: 'greylist', seconds: 60 }), /rcpt or data/],
    ['faults.1.action.perMinute', bad({}, {}, { kind: 'throttle', perMinute: 0 }), /perMinute/],
    ['faults.1.action.kind', bad({}, {}, { kind: 'explode' }), /kind must be/],
    ['faults.1.id', bad({ id: '' }), /id must be/],
    ['faults.1.id', bad({ id: 'a\u0000b' }), /id must be/],
    ['faults.1.id', bad({ id: 'ok' }), /used twice/],
    ['faults.1.enabled', bad({ enabled: 'yes' }), /enabled/],
    ['faults.1.listeners', bad({ listeners: 'smtp' }), /listeners/],
    ['faults.1.match', bad({ match: null }), /match must be/],
    ['faults.1.action', bad({ action: [] }), /action must be/],
  ])('names %s', (field, broken, cause) => {
    const err = refusal([ok, broken]);
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^\[faults\] rule "/);
    expect(err.message).toMatch(cause);
  });

  it('names the rule by its name in the message', () => {
    expect(refusal([bad({}, { nth: -1 })]).message).toMatch(/^\[faults\] rule "broken": nth/);
  });

  it('refuses a non-object rule and a non-list', () => {
    expect(refusal([42]).field).toBe('faults.0');
    expect(refusal({}).field).toBe('faults');
  });

  it('refuses more rules than the cap', () => {
    const many = Array.from({ length: MAX_FAULT_RULES + 1 }, (_, i) =>
      rule({ id: `r${i}`, match: { stage: 'connect' } }),
    );
    expect(refusal(many).field).toBe('faults');
  });

  it('accepts the edges: code 400 and 599, enhanced 4.0.0 with 400, probability 0 and 1, 512-char text', () => {
    const e = new FaultEngine([]);
    expect(() =>
      e.setRules([
        rule({ id: 'a', match: { stage: 'connect', probability: 0 }, action: { kind: 'reply', code: 400, text: 'x' } }),
        rule({
          id: 'b',
          match: { stage: 'connect', probability: 1 },
          action: { kind: 'reply', code: 599, text: 'x'.repeat(512) },
        }),
        rule({
          id: 'c',
          match: { stage: 'data', authUser: 'qa*' },
          action: { kind: 'reply', code: 400, enhanced: '4.0.0', text: 'Later' },
        }),
        rule({ id: 'd', match: { stage: 'rcpt', clientAddress: '::1' }, action: { kind: 'greylist', seconds: 1 } }),
      ]),
    ).not.toThrow();
  });

  it('a refused set never replaces the running one', () => {
    const e = new FaultEngine([
      rule({ id: 'live', match: { stage: 'connect' }, action: { kind: 'reply', code: 421, text: 'live' } }),
    ]);
    expect(() =>
      e.setRules([rule({ id: 'x', match: { stage: 'connect' }, action: { kind: 'reply', code: 700, text: 'x' } })]),
    ).toThrow(MailwrightError);
    expect(e.evaluate(ctx({ stage: 'connect' })).reply?.text).toBe('live');
    expect(e.rules().map((r) => r.id)).toEqual(['live']);
  });

  it('the constructor validates too', () => {
    expect(() => new FaultEngine([bad({}, { stage: 'nope' })] as FaultRule[])).toThrow(MailwrightError);
  });
});
