// 250-to-UI latency: time from a message's 250 reply (nodemailer's sendMail resolving) to the
// 'messages.added' WebSocket event that carries it. Negative means the event beat the 250.
import nodemailer from 'nodemailer';
import WebSocket from 'ws';
import { buildMessage, FROM, TO, tokenFor } from './messages.js';
import { forceNoDelay } from './proc.js';
import { startServer } from './servers.js';
import { median, percentile } from './stats.js';

/** A UI event later than this is a lost event, not a slow one. */
const EVENT_TIMEOUT_MS = 5000;

export interface LatencyResult {
  samples: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  lost: number;
}

interface AddedEnvelope {
  event: string;
  data?: { messages?: { subject?: string }[] };
}

export async function runLatency(samples: number, log: (l: string) => void): Promise<LatencyResult> {
  forceNoDelay();
  const server = await startServer('mailwright');
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  let ws: WebSocket | null = null;
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: server.port,
    ignoreTLS: true,
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
  });
  try {
    const base = server.http;
    if (!base) throw new Error('Mailwright gave no HTTP address');
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/api/events`);
    ws = socket;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('WebSocket did not open within 5 s')), 5000);
      socket.once('open', () => {
        clearTimeout(t);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    socket.on('message', (data) => {
      const now = performance.now();
      let env: AddedEnvelope;
      try {
        env = JSON.parse(data.toString()) as AddedEnvelope;
      } catch {
        return;
      }
      if (env.event !== 'messages.added') return;
      for (const m of env.data?.messages ?? []) {
        const token = /mwt\d+/.exec(m.subject ?? '')?.[0];
        if (token && !arrivals.has(token)) {
          arrivals.set(token, now);
          waiters.get(token)?.();
        }
      }
    });
    const deltas: number[] = [];
    let lost = 0;
    // Warm-up message (index 0) is not counted: it pays for the pooled connection's set-up.
    for (let i = 0; i <= samples; i++) {
      const raw = buildMessage('5k', i);
      const token = tokenFor(i);
      await transport.sendMail({ envelope: { from: FROM, to: [TO] }, raw });
      const t250 = performance.now();
      if (!arrivals.has(token)) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          waiters.set(token, resolve);
          timer = setTimeout(resolve, EVENT_TIMEOUT_MS);
        });
        clearTimeout(timer);
        waiters.delete(token);
      }
      const at = arrivals.get(token);
      if (i === 0) continue;
      if (at === undefined) lost++;
      else deltas.push(at - t250);
    }
    if (lost > 0) log(`  LOST ${lost} of ${samples} messages.added events`);
    return {
      samples: deltas.length,
      medianMs: median(deltas),
      p99Ms: percentile(deltas, 99),
      maxMs: Math.max(...deltas),
      lost,
    };
  } finally {
    transport.close();
    ws?.close();
    await server.stop();
  }
}
