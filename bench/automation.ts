// Automation figures (issue 12): wait latency from the 250 to the /api/wait answer; fresh mail first (a message
// sent after a big backlog: 250 until its body text is searchable); mailbox listing over many recipients; and
// capture throughput with a webhook whose receiver takes 1 s per request against none (A/B, alternated).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { buildMbox, buildMessage, tokenFor } from './messages.js';
import { forceNoDelay } from './proc.js';
import { startServer } from './servers.js';
import { median, percentile } from './stats.js';

export interface AutomationResult {
  wait: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  fresh: { backlog: number; searchableMs: number };
  mailboxes: { messages: number; recipients: number; listP50Ms: number; pageP50Ms: number };
  webhooks: { messages: number; rounds: number; withoutMsgPerSec: number; withMsgPerSec: number; ratio: number };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
/** The receiver in the webhook A/B: as slow as a busy CI service. */
const RECEIVER_DELAY_MS = 1000;

async function getJson<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * POSTs a large body on a connection of its own: a kept-alive one may be closed by the server's idle timer while
 * a long import was answered, and the next upload then fails with EPIPE.
 */
function postFresh(url: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/mbox', 'Content-Length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${url} -> ${res.statusCode} ${text.slice(0, 200)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function latestId(base: string): Promise<number> {
  const { body } = await getJson<{ messages: { id: number }[] }>(`${base}/api/messages?limit=1`);
  return body.messages[0]?.id ?? 0;
}

function transport(port: number, maxConnections = 1): nodemailer.Transporter {
  return nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections });
}

async function waitLatency(samples: number): Promise<AutomationResult['wait']> {
  forceNoDelay();
  const server = await startServer('mailwright');
  const t = transport(server.port);
  try {
    const base = server.http!;
    const figures: number[] = [];
    for (let i = -1; i < samples; i++) {
      const subject = `wait bench w${i + 1}x`;
      const after = await latestId(base);
      const answered = fetch(
        `${base}/api/wait?${new URLSearchParams({ query: `subject:w${i + 1}x to:waiter@example.test`, after: String(after), timeout: '60s' }).toString()}`,
      ).then(async (r) => {
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`wait -> ${r.status}`);
        return performance.now();
      });
      // Let the request reach the server before the mail does (the answer is the same either way).
      await new Promise((r) => setTimeout(r, 20));
      await t.sendMail({ from: 'app@example.test', to: 'waiter@example.test', subject, text: 'x' });
      const accepted = performance.now();
      const at = await answered;
      if (i >= 0) figures.push(at - accepted); // the first is a warm-up
    }
    return {
      samples,
      p50Ms: median(figures),
      p99Ms: percentile(figures, 99),
      maxMs: Math.max(...figures),
    };
  } finally {
    t.close();
    await server.stop();
  }
}

async function freshFirst(backlog: number): Promise<AutomationResult['fresh']> {
  const server = await startServer('mailwright');
  const t = transport(server.port);
  try {
    const base = server.http!;
    await getJson(`${base}/api/settings`, {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ retention: { maxMessages: 0, maxBytes: 0 } }),
    });
    const CHUNK = 5000;
    for (let start = 0; start < backlog; start += CHUNK) {
      await postFresh(
        `${base}/api/messages/import?filename=backlog.mbox`,
        buildMbox('5k', start, Math.min(CHUNK, backlog - start)),
      );
    }
    const token = tokenFor(backlog + 7);
    const waited = fetch(
      `${base}/api/wait?${new URLSearchParams({ query: token, after: String(await latestId(base)), timeout: '5m' }).toString()}`,
    );
    await t.sendMail({
      envelope: { from: 'app@example.test', to: ['fresh@example.test'] },
      raw: buildMessage('5k', backlog + 7),
    });
    const accepted = performance.now();
    const res = await waited;
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`fresh wait -> ${res.status}`);
    return { backlog, searchableMs: performance.now() - accepted };
  } finally {
    t.close();
    await server.stop();
  }
}

async function mailboxes(
  messages: number,
  recipients: number,
  samples: number,
): Promise<AutomationResult['mailboxes']> {
  const server = await startServer('mailwright');
  const t = transport(server.port, 4);
  try {
    const base = server.http!;
    await getJson(`${base}/api/settings`, {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ retention: { maxMessages: 0, maxBytes: 0 } }),
    });
    const raw = buildMessage('5k', 1);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < messages; i++) {
      sends.push(
        t.sendMail({
          envelope: { from: 'app@example.test', to: [`user${i % recipients}+t${i % 3}@example.test`] },
          raw,
        }),
      );
      if (sends.length >= 64) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    await getJson(`${base}/api/mailboxes`); // the first call catches the table up
    const time = async (url: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        const r = await fetch(url);
        await r.arrayBuffer();
        times.push(performance.now() - t0);
      }
      return median(times);
    };
    return {
      messages,
      recipients,
      // The first page, as the UI asks for it (most recent first); the total comes with it.
      listP50Ms: await time(`${base}/api/mailboxes?limit=200`),
      pageP50Ms: await time(`${base}/api/mailboxes/user7%40example.test/messages`),
    };
  } finally {
    t.close();
    await server.stop();
  }
}

async function webhookAB(messages: number, rounds: number): Promise<AutomationResult['webhooks']> {
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(204).end(), RECEIVER_DELAY_MS));
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const server = await startServer('mailwright');
  const t = transport(server.port, 4);
  const raw = buildMessage('5k', 3);
  const rate = async (): Promise<number> => {
    const t0 = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < messages; i++)
      sends.push(t.sendMail({ envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw }));
    await Promise.all(sends);
    return messages / ((performance.now() - t0) / 1000);
  };
  const setHooks = (hooks: unknown[]) =>
    getJson(`${server.http}/api/settings`, {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ webhooks: hooks }),
    });
  try {
    const without: number[] = [];
    const withHook: number[] = [];
    await rate(); // warm-up
    for (let r = 0; r < rounds; r++) {
      await setHooks([]);
      without.push(await rate());
      await setHooks([{ id: 'slow', enabled: true, url, events: ['message.received'], format: 'mailwright' }]);
      withHook.push(await rate());
    }
    const a = median(without);
    const b = median(withHook);
    return { messages, rounds, withoutMsgPerSec: a, withMsgPerSec: b, ratio: b / a };
  } finally {
    t.close();
    await server.stop();
    receiver.closeAllConnections();
    receiver.close();
  }
}

export async function runAutomation(
  o: { waitSamples: number; backlog: number; mailboxMessages: number; webhookMessages: number; rounds: number },
  log: (line: string) => void,
): Promise<AutomationResult> {
  const wait = await waitLatency(o.waitSamples);
  log(`  wait 250 -> answer: p50 ${wait.p50Ms.toFixed(1)} ms, p99 ${wait.p99Ms.toFixed(1)} ms over ${wait.samples}`);
  const fresh = await freshFirst(o.backlog);
  log(`  fresh mail after ${fresh.backlog} backlog: body searchable ${fresh.searchableMs.toFixed(0)} ms after its 250`);
  // Two messages per address: 10,000 mailboxes at the default 20,000 messages (the issue's figure).
  const boxes = await mailboxes(o.mailboxMessages, Math.max(1, Math.floor(o.mailboxMessages / 2)), 20);
  log(
    `  mailboxes (${boxes.messages} messages, ${boxes.recipients} recipients): list p50 ${boxes.listP50Ms.toFixed(1)} ms, one mailbox p50 ${boxes.pageP50Ms.toFixed(1)} ms`,
  );
  const webhooks = await webhookAB(o.webhookMessages, o.rounds);
  log(
    `  capture with a 1 s webhook receiver: ${webhooks.withMsgPerSec.toFixed(0)} msg/s vs ${webhooks.withoutMsgPerSec.toFixed(0)} without (${(webhooks.ratio * 100).toFixed(1)} %)`,
  );
  return { wait, fresh, mailboxes: boxes, webhooks };
}
