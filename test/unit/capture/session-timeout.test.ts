// The whole-session limit applies by default: a listener without `limits.sessionTimeoutSeconds` still cuts a
// session after DEFAULT_SESSION_TIMEOUT_SECONDS (an hour, so the clock is faked; listener-limits.test.ts proves
// the cut itself with a real client and a 1 s limit).
import { EventEmitter } from 'node:events';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthPolicy } from '../../../src-main/capture/auth.js';
import { FaultEngine } from '../../../src-main/capture/faults/index.js';
import { DEFAULT_SESSION_TIMEOUT_SECONDS, ListenerGate } from '../../../src-main/capture/gate.js';
import { validateListener, type ListenerConfig } from '../../../src-main/capture/listener-config.js';
import { silentLogger } from '../../../src-main/capture/log.js';

function gateFor(config: ListenerConfig): ListenerGate {
  return new ListenerGate({
    config,
    policy: validateListener(config, 0),
    auth: new AuthPolicy(config.auth),
    faults: new FaultEngine([]),
    logger: silentLogger,
    connectionOf: () => undefined,
  });
}

/** Just what instrument() touches: send, the socket's close, and the handlers it wraps. */
function fakeConnection() {
  const sent: [number, string][] = [];
  const socket = new EventEmitter();
  const noop = (_command: Buffer, cb: () => void) => cb();
  const connection = {
    id: 'c1',
    _socket: socket,
    session: {},
    send: (code: number, data: string) => void sent.push([code, data]),
    handler_EHLO: noop,
    handler_HELO: noop,
    handler_AUTH: noop,
    handler_DATA: noop,
  };
  return { connection: connection as unknown as SMTPConnection, sent, socket };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('default session timeout', () => {
  it('is an hour and cuts a session of a listener that sets none', () => {
    expect(DEFAULT_SESSION_TIMEOUT_SECONDS).toBe(3600);
    const { connection, sent } = fakeConnection();
    gateFor({ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }).instrument(connection);
    vi.advanceTimersByTime(DEFAULT_SESSION_TIMEOUT_SECONDS * 1000 - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[421, '4.4.2 Session time limit exceeded - closing connection']]);
  });

  it("yields to the listener's own limit, and ends with the socket", () => {
    const own = fakeConnection();
    gateFor({ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none', limits: { sessionTimeoutSeconds: 5 } }).instrument(
      own.connection,
    );
    vi.advanceTimersByTime(5000);
    expect(own.sent).toHaveLength(1);
    const closed = fakeConnection();
    gateFor({ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }).instrument(closed.connection);
    closed.socket.emit('close');
    vi.advanceTimersByTime(DEFAULT_SESSION_TIMEOUT_SECONDS * 1000);
    expect(closed.sent).toEqual([]);
  });
});
