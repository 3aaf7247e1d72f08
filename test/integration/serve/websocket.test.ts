// The event socket on its own: it unsubscribes closed clients and drops peers that stop answering pings.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AnyEventHandler } from '../../../src-main/core/events.js';
import { createEventSocket, type EventSocket } from '../../../src-main/serve/websocket.js';

interface Harness {
  server: http.Server;
  socket: EventSocket;
  port: number;
  subscribers: Set<AnyEventHandler>;
  unsubscribed: Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  if (!harness) return;
  await harness.socket.close();
  await new Promise<void>((resolve) => harness!.server.close(() => resolve()));
  harness = undefined;
});

async function startHarness(heartbeatMs: number): Promise<Harness> {
  const subscribers = new Set<AnyEventHandler>();
  let onUnsubscribe: () => void = () => undefined;
  const unsubscribed = new Promise<void>((resolve) => (onUnsubscribe = resolve));
  const events = {
    onAny(listener: AnyEventHandler) {
      subscribers.add(listener);
      return () => {
        subscribers.delete(listener);
        onUnsubscribe();
      };
    },
  };
  const socket = createEventSocket(events, heartbeatMs);
  const server = http.createServer();
  server.on('upgrade', (req, s, head) => socket.handleUpgrade(req, s, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness = { server, socket, port: (server.address() as net.AddressInfo).port, subscribers, unsubscribed };
  return harness;
}

describe('event socket', () => {
  it('forwards events as envelopes and unsubscribes when the client leaves', async () => {
    const h = await startHarness(60_000);
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/api/events`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    expect(h.subscribers.size).toBe(1);
    const received = new Promise<unknown>((resolve) =>
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString('utf8')))),
    );
    for (const l of h.subscribers) l('messages.deleted', { ids: [7] });
    expect(await received).toEqual({ event: 'messages.deleted', data: { ids: [7] } });
    ws.close();
    await h.unsubscribed;
    expect(h.subscribers.size).toBe(0);
  });

  it('drops a peer that never answers the heartbeat ping', async () => {
    const h = await startHarness(20);
    // A hand-made client that completes the handshake and then never reads or answers a ping.
    const key = Buffer.from('mailwright-test!').toString('base64');
    const client = net.connect(h.port, '127.0.0.1');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    let head = '';
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    client.on('data', (d: Buffer) => (head += d.toString('latin1')));
    client.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await h.unsubscribed;
    await closed;
    expect(head).toContain('101 Switching Protocols');
    expect(head).toContain(accept);
    expect(h.socket.clientCount()).toBe(0);
  });
});
