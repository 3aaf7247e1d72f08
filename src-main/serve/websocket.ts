// The push half of the HTTP binding: every core event goes to every WebSocket client as an EventEnvelope.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventEnvelope } from '../../src-shared/index.js';
import type { EventBus } from '../core/events.js';

/** Clients only listen; anything they send is ignored, so a frame larger than this is not a client of ours. */
const MAX_CLIENT_FRAME_BYTES = 4 * 1024;
/** A client that has not drained this much queued output is too slow to follow; it is dropped and can re-fetch. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Dead peers (sleeping laptops, cut cables) are found within two of these. */
const HEARTBEAT_MS = 30_000;
/** How long a client gets to answer the closing handshake at shutdown. */
const CLOSE_GRACE_MS = 1_000;

export interface EventSocket {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  close(): Promise<void>;
}

export function createEventSocket(events: Pick<EventBus, 'onAny'>, heartbeatMs = HEARTBEAT_MS): EventSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, clientTracking: true });
  const alive = new WeakMap<WebSocket, boolean>();

  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    const unsubscribe = events.onAny((event, data) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        return;
      }
      const envelope: EventEnvelope = { event, data };
      ws.send(JSON.stringify(envelope));
    });
    ws.on('close', unsubscribe);
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    clientCount: () => wss.clients.size,
    close() {
      clearInterval(heartbeat);
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(1001, 'server shutting down');
          }),
      );
      // A client that does not answer the closing handshake promptly is cut, so shutdown never hangs on it.
      const cutoff = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, CLOSE_GRACE_MS);
      return Promise.all(closing).then(() => {
        clearTimeout(cutoff);
        wss.close();
      });
    },
  };
}
