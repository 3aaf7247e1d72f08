// Per-listener limits and access control with real clients: IP allow-list (554), sender/recipient patterns
// (550 5.7.1, the open-relay check), recipients per message (452), connection flood (421), per-client
// connection and message rates, and the idle/session timeouts that cut slowloris clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListenerConfig } from '../../../src-main/capture/index.js';
import { RawClient, expectCode, startCapture, swaks, type Harness } from './helpers.js';

const base = { host: '127.0.0.1', port: 0, tls: 'starttls' } as const;
const listeners: ListenerConfig[] = [
  { ...base, id: 'open' },
  { ...base, id: 'lan', limits: { allowClients: ['10.0.0.0/8', 'fd00::/8'] } },
  {
    ...base,
    id: 'local',
    limits: { allowClients: ['127.0.0.0/8'], recipientAllow: ['*@example.test'], senderDeny: ['spam*@*'] },
  },
  { ...base, id: 'rcpt', limits: { maxRecipients: 2 } },
  { ...base, id: 'small', limits: { maxMessageBytes: 200 } },
  { ...base, id: 'conns', limits: { maxConnections: 3 } },
  { ...base, id: 'connrate', limits: { connectionsPerMinutePerClient: 2 } },
  { ...base, id: 'msgrate', limits: { messagesPerMinutePerClient: 2 } },
  { ...base, id: 'idle', limits: { idleTimeoutSeconds: 1 } },
  { ...base, id: 'session', limits: { idleTimeoutSeconds: 600, sessionTimeoutSeconds: 1 } },
];

let h: Harness;
beforeAll(async () => {
  h = await startCapture({ listeners });
});
afterAll(async () => {
  await h.close();
});

async function greeted(id: string): Promise<RawClient> {
  const c = await RawClient.connect(h.port(id));
  expectCode(await c.reply(), 220);
  expectCode(await c.command('EHLO raw.test'), 250);
  return c;
}

describe('access control', () => {
  it('refuses a client outside the CIDR allow-list with 554 5.7.1 at connect', async () => {
    const c = await RawClient.connect(h.port('lan'));
    expect(await c.reply()).toBe("554 5.7.1 Access denied: 127.0.0.1 is not on this listener's allow-list\r\n");
    await c.waitClosed();
    // 127.0.0.0/8 on another listener lets the same client in.
    const allowed = await RawClient.connect(h.port('local'));
    expect(await allowed.reply()).toMatch(/^220 /);
    allowed.end();
  });

  it('an open-relay attempt is captured, never relayed: the outside recipient is kept in the store only', async () => {
    const before = h.messages.length;
    const res = await swaks(h.port('open'), [], {
      from: 'app@example.test',
      to: 'victim@outside.example',
      body: 'relay?',
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(h.messages.length).toBe(before + 1);
    expect(h.messages.at(-1)!.envelope).toMatchObject({ rcptTo: ['victim@outside.example'], listener: 'open' });
  });

  it('with a recipient allow-list, an outside recipient is refused with 550 5.7.1 and nothing is stored', async () => {
    const before = h.messages.length;
    const res = await swaks(h.port('local'), [], {
      from: 'app@example.test',
      to: 'victim@outside.example',
      body: 'relay?',
    });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain('550 5.7.1 Recipient <victim@outside.example> not allowed');
    expect(h.messages.length).toBe(before);
    const ok = await swaks(h.port('local'), [], { from: 'app@example.test', to: 'qa@Example.Test', body: 'relay?' });
    expect(ok.code, ok.stdout).toBe(0);
    expect(h.messages.length).toBe(before + 1);
  });

  it('a denied sender pattern gets 550 5.7.1', async () => {
    const c = await greeted('local');
    expect(await c.command('MAIL FROM:<spammer@example.test>')).toBe(
      '550 5.7.1 Sender <spammer@example.test> not allowed\r\n',
    );
    expectCode(await c.command('MAIL FROM:<app@example.test>'), 250);
    c.end();
  });
});

describe('limits', () => {
  it('a per-listener maxMessageBytes is advertised in SIZE; a larger message gets 552 5.3.4 and nothing is stored', async () => {
    const before = h.messages.length;
    const c = await RawClient.connect(h.port('small'));
    expectCode(await c.reply(), 220);
    expect(await c.command('EHLO raw.test')).toContain('250 SIZE 200');
    expectCode(await c.command('MAIL FROM:<a@example.test>'), 250);
    expectCode(await c.command('RCPT TO:<b@example.test>'), 250);
    expectCode(await c.command('DATA'), 354);
    expect(await c.command(`Subject: big\r\n\r\n${'x'.repeat(300)}\r\n.`)).toMatch(/^552 5\.3\.4 /);
    expect(h.messages.length).toBe(before);
    c.end();
  });

  it('refuses the recipient past maxRecipients with 452 4.5.3', async () => {
    const c = await greeted('rcpt');
    expectCode(await c.command('MAIL FROM:<a@example.test>'), 250);
    expectCode(await c.command('RCPT TO:<one@example.test>'), 250);
    expectCode(await c.command('RCPT TO:<two@example.test>'), 250);
    expect(await c.command('RCPT TO:<three@example.test>')).toMatch(/^452 4\.5\.3 /);
    c.end();
  });

  it('a connection flood past maxConnections gets 421 4.7.0 and is closed; the first ones stay served', async () => {
    const LIMIT = 3;
    const clients: RawClient[] = [];
    const replies: string[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const c = await RawClient.connect(h.port('conns'));
      clients.push(c);
      replies.push(await c.reply());
    }
    expect(replies.slice(0, LIMIT).every((r) => r.startsWith('220 '))).toBe(true);
    for (const r of replies.slice(LIMIT)) expect(r).toMatch(/^421 4\.7\.0 .*Too many connected clients/);
    await Promise.all(clients.slice(LIMIT).map((c) => c.waitClosed()));
    expectCode(await clients[0]!.command('NOOP'), 250);
    for (const c of clients) c.end();
  });

  it('connections per minute per client: the third connection gets 421 4.7.0', async () => {
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(h.port('connrate'));
      replies.push(await c.reply());
      c.end();
    }
    expect(replies[0]).toMatch(/^220 /);
    expect(replies[1]).toMatch(/^220 /);
    expect(replies[2]).toBe('421 4.7.0 Too many connections from 127.0.0.1; try again later\r\n');
  });

  it('messages per minute per client: the third MAIL FROM gets 451 4.7.1', async () => {
    const c = await greeted('msgrate');
    for (let i = 0; i < 2; i++) {
      expectCode(await c.command('MAIL FROM:<a@example.test>'), 250);
      expectCode(await c.command('RSET'), 250);
    }
    expect(await c.command('MAIL FROM:<a@example.test>')).toMatch(/^451 4\.7\.1 Too many messages from 127\.0\.0\.1/);
    c.end();
  });

  it('slowloris: a client that connects and says nothing is cut after idleTimeoutSeconds with 421 4.4.2', async () => {
    const c = await RawClient.connect(h.port('idle'));
    expectCode(await c.reply(), 220);
    await c.waitClosed();
    expect(c.unread).toMatch(/^421 4\.4\.2 .*[Tt]imeout/);
  });

  it('a session is cut at sessionTimeoutSeconds even while the idle timeout is far away', async () => {
    const c = await greeted('session');
    await c.waitClosed();
    expect(c.unread).toBe('421 4.4.2 Session time limit exceeded - closing connection\r\n');
  });
});
