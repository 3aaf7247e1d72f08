// Every preset gives the exact reply the issue lists, at the stage it is meant for, and passes validation.
import { describe, expect, it } from 'vitest';
import { MailwrightError } from '../../../../src-shared/index.js';
import {
  FAULT_PRESETS,
  FaultEngine,
  ruleFromPreset,
  type FaultStage,
} from '../../../../src-main/capture/faults/index.js';
import { clock, ctx } from './helpers.js';

const EXPECTED_REPLIES: Record<string, [FaultStage, number, string, string]> = {
  'mailbox-full': ['rcpt', 552, '5.2.2', 'Mailbox full'],
  'unknown-user': ['rcpt', 550, '5.1.1', 'Recipient address rejected: User unknown'],
  greylisted: ['rcpt', 451, '4.7.1', 'Greylisted, please try again later'],
  'rate-limited': ['mail', 421, '4.7.0', 'Rate limit exceeded, try again later'],
  'policy-rejection': ['mail', 554, '5.7.1', 'Message rejected due to local policy'],
  'auth-failed': ['auth', 535, '5.7.8', 'Authentication credentials invalid'],
  'starttls-required': ['mail', 530, '5.7.0', 'Must issue a STARTTLS command first'],
  'temporary-failure': ['afterData', 451, '4.3.0', 'Temporary failure, please try again later'],
  'message-too-big': ['data', 552, '5.3.4', 'Message size exceeds fixed limit'],
};

const fullCtx = (stage: FaultStage) => ctx({ stage, mailFrom: 'a@x.test', rcptTo: ['b@y.test'], authUser: 'user' });

describe('FAULT_PRESETS', () => {
  it.each(Object.entries(EXPECTED_REPLIES))('%s replies exactly', (id, [stage, code, enhanced, text]) => {
    expect(FAULT_PRESETS[id as keyof typeof FAULT_PRESETS].match.stage).toBe(stage);
    const e = new FaultEngine([ruleFromPreset(id)]);
    const d = e.evaluate(fullCtx(stage));
    expect(d.reply).toEqual({ code, enhanced, text });
    expect(d.fired).toEqual([id]);
    for (const other of ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'afterData'] as FaultStage[]) {
      if (other !== stage) expect(e.evaluate(fullCtx(other)).fired).toEqual([]);
    }
  });

  it('throttled answers 421 4.7.0 at MAIL FROM after 10 messages a minute', () => {
    const e = new FaultEngine([ruleFromPreset('throttled')], { now: clock().now });
    const replies = Array.from({ length: 11 }, () => e.evaluate(fullCtx('mail')).reply);
    expect(replies.slice(0, 10).every((r) => r === null)).toBe(true);
    expect(replies[10]).toEqual({ code: 421, enhanced: '4.7.0', text: 'Rate limit exceeded, try again later' });
  });

  it('slow-server delays the greeting and slow-data the DATA reply, without refusing', () => {
    expect(new FaultEngine([ruleFromPreset('slow-server')]).evaluate(fullCtx('connect'))).toEqual({
      delayMs: 5000,
      reply: null,
      drop: false,
      fired: ['slow-server'],
    });
    expect(new FaultEngine([ruleFromPreset('slow-data')]).evaluate(fullCtx('data'))).toEqual({
      delayMs: 5000,
      reply: null,
      drop: false,
      fired: ['slow-data'],
    });
  });

  it('drop-mid-data drops at data', () => {
    expect(new FaultEngine([ruleFromPreset('drop-mid-data')]).evaluate(fullCtx('data'))).toEqual({
      delayMs: 0,
      reply: null,
      drop: true,
      fired: ['drop-mid-data'],
    });
  });

  it('every preset is a valid rule with a name and a description, and all load together', () => {
    const ids = Object.keys(FAULT_PRESETS);
    expect(ids.length).toBeGreaterThanOrEqual(12);
    for (const id of ids) {
      const p = FAULT_PRESETS[id as keyof typeof FAULT_PRESETS];
      expect(p.name.length).toBeGreaterThan(0);
      expect(p.description.length).toBeGreaterThan(0);
    }
    expect(() => new FaultEngine(ids.map((id) => ruleFromPreset(id)))).not.toThrow();
  });

  it('ruleFromPreset applies overrides and never shares objects with the preset', () => {
    const r = ruleFromPreset('mailbox-full', {
      id: 'mf-2',
      listeners: ['sub'],
      enabled: false,
      match: { recipient: 'full@*' },
    });
    expect(r).toMatchObject({
      id: 'mf-2',
      name: 'Mailbox full',
      enabled: false,
      listeners: ['sub'],
      match: { stage: 'rcpt', recipient: 'full@*' },
    });
    (r.action as { text: string }).text = 'changed';
    expect(ruleFromPreset('mailbox-full').action).toMatchObject({ text: 'Mailbox full' });
    expect(Object.isFrozen(FAULT_PRESETS['mailbox-full'].action)).toBe(true);
  });

  it('ruleFromPreset refuses an unknown preset id, including prototype keys', () => {
    for (const id of ['nope', 'toString', '__proto__']) {
      expect(() => ruleFromPreset(id)).toThrow(MailwrightError);
    }
  });
});
