// carryOut(): the listener side of a fault decision. Delay first (cancelled when the socket closes), then
// drop or reply, else carry on. Fake timers stand in for the delay; no test waits on the clock.
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { carryOut } from '../../../src-main/capture/gate.js';

const base = { delayMs: 0, reply: null, drop: false, fired: [] };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('carryOut', () => {
  it('carries on, or replies with the enhanced code in front of the text', () => {
    const next = vi.fn();
    carryOut(base, new net.Socket(), next);
    expect(next).toHaveBeenCalledWith(null);
    carryOut({ ...base, reply: { code: 552, enhanced: '5.2.2', text: 'Mailbox full' } }, new net.Socket(), next);
    expect(next.mock.calls[1]![0]).toMatchObject({ responseCode: 552, message: '5.2.2 Mailbox full' });
    carryOut({ ...base, reply: { code: 451, enhanced: null, text: 'Try later' } }, new net.Socket(), next);
    expect(next.mock.calls[2]![0]).toMatchObject({ responseCode: 451, message: 'Try later' });
  });

  it('waits delayMs before acting', () => {
    const next = vi.fn();
    carryOut({ ...base, delayMs: 5_000 }, new net.Socket(), next);
    vi.advanceTimersByTime(4_999);
    expect(next).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(next).toHaveBeenCalledWith(null);
  });

  it('drops by destroying the socket and never calls back', () => {
    const next = vi.fn();
    const socket = new net.Socket();
    carryOut({ ...base, drop: true, reply: { code: 554, enhanced: null, text: 'x' } }, socket, next);
    expect(socket.destroyed).toBe(true);
    expect(next).not.toHaveBeenCalled();
  });

  it('a delay is cancelled when the socket closes first', async () => {
    const next = vi.fn();
    const socket = new net.Socket();
    carryOut({ ...base, delayMs: 60_000, reply: { code: 421, enhanced: '4.3.2', text: 'late' } }, socket, next);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await closed;
    vi.advanceTimersByTime(60_000);
    expect(next).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
