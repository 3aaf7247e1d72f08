// SessionRecorder: outcomes from the replies it saw, the line and character budgets, and a record that
// waits for a store still under way when the client hangs up.
import { describe, expect, it } from 'vitest';
import {
  MAX_LINE_CHARS,
  MAX_TRANSCRIPT_LINES,
  SessionLog,
  type SessionRecord,
} from '../../../src-main/capture/session-log.js';

function recorder() {
  const ended: SessionRecord[] = [];
  const rejected: number[] = [];
  let authFailures = 0;
  const log = new SessionLog('smtp', {
    ended: (r) => ended.push(r),
    rejected: (c) => rejected.push(c),
    authFailed: () => authFailures++,
  });
  const r = log.open('c1', '127.0.0.1', 40000);
  return { log, r, ended, rejected, failures: () => authFailures };
}

describe('SessionRecorder', () => {
  it('reads the protocol log: AUTH secrets as ***, data as its size, and a 535 as an AUTH failure', () => {
    const { log, ended, failures } = recorder();
    const logger = log.logger(false);
    logger.debug({ tnx: 'send', cid: 'c1' }, 'S:', '220 mailwright ESMTP');
    logger.debug({ tnx: 'command', cid: 'c1', command: 'EHLO' }, 'C:', 'EHLO client.test');
    logger.debug({ tnx: 'command', cid: 'c1', command: 'AUTH' }, 'C:', 'AUTH PLAIN /* secured */');
    logger.debug({ tnx: 'send', cid: 'c1' }, 'S:', '535 5.7.8 Authentication credentials invalid');
    logger.debug({ tnx: 'command', cid: 'c1', command: 'QUIT' }, 'C:', 'QUIT');
    logger.debug({ tnx: 'send', cid: 'other' }, 'S:', '250 not ours');
    log.close('c1');
    expect(ended).toHaveLength(1);
    const r = ended[0]!;
    expect(r.lines.map(([d, , t]) => `${d}: ${t}`)).toEqual([
      'S: 220 mailwright ESMTP',
      'C: EHLO client.test',
      'C: AUTH PLAIN ***',
      'S: 535 5.7.8 Authentication credentials invalid',
      'C: QUIT',
    ]);
    expect(r).toMatchObject({
      helo: 'client.test',
      outcome: 'authFailed',
      outcomeCode: 535,
      authFailures: 1,
      rejected: 0,
    });
    expect(failures()).toBe(1);
  });

  it('rejected, timed out, quit and dropped outcomes; syntax errors are not refusals', () => {
    const a = recorder();
    a.r.client('RCPT TO:<x@y>', 'RCPT');
    a.r.server('550 5.7.1 Recipient <x@y> not allowed');
    a.r.client('BOGUS', 'BOGUS');
    a.r.server('500 Error: command not recognized');
    a.r.close();
    expect(a.ended[0]).toMatchObject({ outcome: 'rejected', outcomeCode: 550, rejected: 1 });
    expect(a.rejected).toEqual([550]);

    const b = recorder();
    b.r.server('421 Timeout - closing connection');
    b.r.close();
    expect(b.ended[0]).toMatchObject({ outcome: 'timedOut', outcomeCode: 421, rejected: 0 });

    const c = recorder();
    c.r.client('QUIT', 'QUIT');
    c.r.close();
    expect(c.ended[0]).toMatchObject({ outcome: 'quit', outcomeCode: null });

    const d = recorder();
    d.r.server('554 5.7.1 Access denied');
    d.r.close();
    expect(d.ended[0]).toMatchObject({ outcome: 'rejected', outcomeCode: 554 });

    const e = recorder();
    e.r.close();
    expect(e.ended[0]).toMatchObject({ outcome: 'dropped' });
  });

  it('waits for a store under way, then links its message', () => {
    const { r, ended } = recorder();
    const stored = r.storing();
    r.close();
    expect(ended).toHaveLength(0);
    stored(42, 10);
    stored(43, 10);
    expect(ended[0]).toMatchObject({ outcome: 'delivered', messageIds: [42] });
  });

  it('keeps at most MAX_TRANSCRIPT_LINES lines of at most MAX_LINE_CHARS and counts the rest', () => {
    const { r, ended } = recorder();
    r.client(`NOOP ${'x'.repeat(5000)}`, 'NOOP');
    for (let i = 0; i < MAX_TRANSCRIPT_LINES + 10; i++) r.client('NOOP', 'NOOP');
    r.close();
    const rec = ended[0]!;
    expect(rec.lines.length).toBeLessThanOrEqual(MAX_TRANSCRIPT_LINES);
    expect(rec.lines[0]![2].length).toBeLessThan(MAX_LINE_CHARS + 40);
    expect(rec.lines.length + rec.truncatedLines).toBe(MAX_TRANSCRIPT_LINES + 11);
  });
});
