// The listener carries out fault decisions at every stage: reply (with its enhanced code), delay, drop.
// A scripted evaluator (this project's own FaultEvaluator interface) drives each stage; the real FaultEngine
// with the "mailbox full" preset proves the two halves fit together.
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FaultEngine,
  ruleFromPreset,
  type FaultContext,
  type FaultDecision,
  type FaultStage,
} from '../../../src-main/capture/faults/index.js';
import type { FaultEvaluator } from '../../../src-main/capture/index.js';
import { RawClient, expectCode, run, startCapture, type Harness } from './helpers.js';

const CONTINUE: FaultDecision = { delayMs: 0, reply: null, drop: false, fired: [] };

/** Answers with `decision` at `stage` and records every context it was asked about. */
class ScriptedFaults implements FaultEvaluator {
  seen: FaultContext[] = [];
  script = new Map<FaultStage, Partial<FaultDecision>>();
  evaluate(ctx: FaultContext): FaultDecision {
    this.seen.push(ctx);
    return { ...CONTINUE, ...(this.script.get(ctx.stage) ?? {}) };
  }
}

const faults = new ScriptedFaults();
let h: Harness;
beforeAll(async () => {
  h = await startCapture({ faults, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }] });
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  faults.script.clear();
  faults.seen = [];
});

const reply = (code: number, enhanced: string | null, text: string): Partial<FaultDecision> => ({
  reply: { code, enhanced, text },
  fired: ['r'],
});

async function session(): Promise<RawClient> {
  const c = await RawClient.connect(h.port());
  expectCode(await c.reply(), 220);
  expectCode(await c.command('EHLO raw.test'), 250);
  return c;
}

describe('fault decisions, stage by stage', () => {
  it('connect: a reply is sent and the connection closed', async () => {
    faults.script.set('connect', reply(554, '5.7.1', 'Go away'));
    const c = await RawClient.connect(h.port());
    expect(await c.reply()).toBe('554 5.7.1 Go away\r\n');
    await c.waitClosed();
  });

  it('connect: a delay still ends in the greeting (slow server)', async () => {
    faults.script.set('connect', { delayMs: 50 });
    const c = await RawClient.connect(h.port());
    expectCode(await c.reply(), 220);
    c.end();
  });

  it('EHLO, MAIL, RCPT and DATA replies carry their own enhanced codes; the session goes on', async () => {
    faults.script.set('ehlo', reply(421, '4.3.2', 'Service not available'));
    const c = await RawClient.connect(h.port());
    expectCode(await c.reply(), 220);
    expect(await c.command('EHLO raw.test')).toBe('421 4.3.2 Service not available\r\n');
    await c.waitClosed();
    faults.script.clear();

    faults.script.set('mail', reply(451, '4.3.0', 'Temporary failure'));
    faults.script.set('rcpt', reply(550, '5.1.1', 'User unknown'));
    const s = await session();
    expect(await s.command('MAIL FROM:<a@example.test>')).toBe('451 4.3.0 Temporary failure\r\n');
    faults.script.delete('mail');
    expectCode(await s.command('MAIL FROM:<a@example.test>'), 250);
    expect(await s.command('RCPT TO:<b@example.test>')).toBe('550 5.1.1 User unknown\r\n');
    faults.script.delete('rcpt');
    expectCode(await s.command('RCPT TO:<b@example.test>'), 250);
    faults.script.set('data', reply(554, '5.6.0', 'No DATA today'));
    expect(await s.command('DATA')).toBe('554 5.6.0 No DATA today\r\n');
    s.end();
    const rcptCtx = faults.seen.find((x) => x.stage === 'rcpt');
    expect(rcptCtx).toMatchObject({
      listenerId: 'smtp',
      clientAddress: '127.0.0.1',
      mailFrom: 'a@example.test',
      rcptTo: ['b@example.test'],
      authUser: null,
    });
  });

  it('AUTH: a reply refuses the attempt and the user name is known at later stages', async () => {
    faults.script.set('auth', reply(535, '5.7.8', 'Authentication credentials invalid'));
    const c = await session();
    expect(await c.command(`AUTH PLAIN ${Buffer.from('\0bob\0pw').toString('base64')}`)).toBe(
      '535 5.7.8 Authentication credentials invalid\r\n',
    );
    faults.script.clear();
    expectCode(await c.command(`AUTH PLAIN ${Buffer.from('\0bob\0pw').toString('base64')}`), 235);
    expectCode(await c.command('MAIL FROM:<a@example.test>'), 250);
    expect(faults.seen.find((x) => x.stage === 'mail')?.authUser).toBe('bob');
    c.end();
  });

  it('afterData: the reply replaces the 250 and nothing is stored', async () => {
    faults.script.set('afterData', reply(452, '4.2.2', 'Mailbox full'));
    const before = h.messages.length;
    await expect(
      nodemailer
        .createTransport({ host: '127.0.0.1', port: h.port(), ignoreTLS: true })
        .sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 's', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 452, response: '452 4.2.2 Mailbox full' });
    expect(h.messages.length).toBe(before);
    const ctx = faults.seen.find((x) => x.stage === 'afterData');
    expect(ctx).toMatchObject({ mailFrom: 'a@example.test', rcptTo: ['b@example.test'] });
  });

  it('drop at DATA: the client gets 354, then the connection is cut and nothing is stored', async () => {
    faults.script.set('data', { drop: true });
    const before = h.messages.length;
    const c = await session();
    expectCode(await c.command('MAIL FROM:<a@example.test>'), 250);
    expectCode(await c.command('RCPT TO:<b@example.test>'), 250);
    // The whole message follows DATA at once (as an impatient client would send it): not a byte of it may be stored.
    c.write('DATA\r\nSubject: dropped\r\n\r\nbody\r\n.\r\n');
    await c.waitClosed();
    expect(c.unread).toMatch(/^354 [^\n]*\r\n$/);
    expect(h.messages.length).toBe(before);
  });
});

describe('with the real FaultEngine', () => {
  it('the "mailbox full" preset at RCPT answers 552 5.2.2 to swaks and counts its hit', async () => {
    const engine = new FaultEngine([ruleFromPreset('mailbox-full')]);
    const real = await startCapture({
      faults: engine,
      listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }],
    });
    try {
      const res = await run('/usr/bin/swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(real.port()),
        '--timeout',
        '20',
        '--from',
        'a@example.test',
        '--to',
        'full@example.test',
      ]);
      expect(res.code).not.toBe(0);
      expect(res.stdout).toMatch(/<\*\* {1,2}552 5\.2\.2 Mailbox full/);
      expect(real.messages).toHaveLength(0);
      expect(engine.hits()).toEqual({ 'mailbox-full': 1 });
    } finally {
      await real.close();
    }
  });
});
